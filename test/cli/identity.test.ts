/**
 * Identity resolution end to end (issue #3): hand-built Mixpanel exports, each asserting exactly
 * which user gets which fields, by which method — or which candidates an ambiguity names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run.js';

const root = mkdtempSync(join(tmpdir(), 'bi-identity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = Date.UTC(2025, 10, 8, 0, 0, 0) / 1000; // 2025-11-08T00:00:00Z in epoch seconds
const at = (hh: number, mm = 0) => T0 + hh * 3600 + mm * 60;
const ev = (event: string, time: number, props: Record<string, unknown>) =>
  JSON.stringify({ event, properties: { time, ...props } });

const USERS =
  'id,email\nu1,one@example.com\nu2,two@example.com\nu3,shared@example.com\nu4,shared@example.com\n';

interface Row {
  user_id: string;
  match: string[];
  confidence: string;
  records: number;
  exposed_fields: string[];
}
interface Amb {
  vendor_id: string[];
  candidates: string[];
  reason: string;
  records: number;
}

let n = 0;
function correlate(
  files: Record<string, string[]>,
  extra: string[] = [],
  opts: { sessions?: string } = {},
) {
  const dir = join(root, `case${n++}`);
  const exp = join(dir, 'export');
  mkdirSync(exp, { recursive: true });
  for (const [name, lines] of Object.entries(files)) {
    const p = join(exp, name);
    writeFileSync(p, lines.join('\n') + '\n');
  }
  writeFileSync(join(dir, 'users.csv'), USERS);
  const args = [
    'correlate',
    '--export',
    'export',
    '--users',
    'users.csv',
    '--format',
    'json',
    '--ambiguous',
    'amb.json',
    '--unmatched',
    'un.json',
    ...extra,
  ];
  if (opts.sessions) {
    writeFileSync(join(dir, 'sessions.csv'), opts.sessions);
    args.push('--sessions', 'sessions.csv');
  }
  const r = run(args, { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  const users: Row[] = JSON.parse(r.stdout);
  const ambiguous: Amb[] = JSON.parse(readFileSync(join(dir, 'amb.json'), 'utf8'));
  const unmatched: Array<{ vendor_id: string[]; records: number }> = JSON.parse(
    readFileSync(join(dir, 'un.json'), 'utf8'),
  );
  const by = Object.fromEntries(users.map((u) => [u.user_id, u]));
  return { users, by, ambiguous, unmatched, stderr: r.stderr };
}

const c = correlate;

describe('identity merge mechanisms', () => {
  it('$identify links an anonymous device to the user: alias, medium', () => {
    const r = c({
      'a.ndjson': [
        ev('Page View', at(2), { distinct_id: '$device:D1', $device_id: 'D1', anon_field: 'x' }),
        ev('$identify', at(9), { distinct_id: 'u1', $identified_id: 'u1', $anon_id: 'D1' }),
      ],
    });
    expect(r.users.map((u) => u.user_id)).toEqual(['u1']);
    expect(r.by.u1).toMatchObject({ match: ['id', 'alias'], confidence: 'high', records: 2 });
    expect(r.by.u1!.exposed_fields).toContain('anon_field');
  });

  it('$create_alias links the alias to the distinct_id', () => {
    const r = c(
      {
        'a.ndjson': [
          ev('$create_alias', at(1), { distinct_id: 'u2', alias: 'cookie-77' }),
          ev('Click', at(5), { distinct_id: 'cookie-77', clicked: 'buy' }),
        ],
      },
      ['--since', '2025-11-08T04:00:00Z'],
    );
    expect(r.by.u2).toMatchObject({
      match: ['alias'],
      confidence: 'medium',
      records: 1,
      exposed_fields: ['clicked', 'distinct_id'],
    });
  });

  it('$merge joins every id in $distinct_ids', () => {
    const r = c(
      {
        'a.ndjson': [
          ev('$merge', at(1), { distinct_id: 'anon-9', $distinct_ids: ['anon-9', 'u1'] }),
          ev('View', at(6), { distinct_id: 'anon-9', seen: 'pricing' }),
        ],
      },
      ['--since', '2025-11-08T04:00:00Z'],
    );
    expect(r.by.u1).toMatchObject({
      match: ['alias'],
      records: 1,
      exposed_fields: ['distinct_id', 'seen'],
    });
  });

  it('$distinct_id_before_identity carries the user id when distinct_id is an anonymous canonical id', () => {
    const r = c({
      'a.ndjson': [
        ev('View', at(3), { distinct_id: 'A-CANON', $distinct_id_before_identity: 'u1', v: 1 }),
        ev('View', at(8), { distinct_id: 'A-CANON', later: 1 }),
      ],
    });
    expect(r.by.u1).toMatchObject({ match: ['id', 'alias'], records: 2 });
    expect(r.by.u1!.exposed_fields).toEqual([
      '$distinct_id_before_identity',
      'distinct_id',
      'later',
      'v',
    ]);
  });

  it('simplified ID merge: $device_id with $user_id on one event', () => {
    const r = c(
      {
        'a.ndjson': [
          ev('Login', at(10), { distinct_id: 'u2', $user_id: 'u2', $device_id: 'D5' }),
          ev('View', at(10, 10), { distinct_id: '$device:D5', $device_id: 'D5', near: 1 }),
          ev('View', at(16), { distinct_id: '$device:D5', $device_id: 'D5', far: 1 }),
        ],
      },
      ['--since', '2025-11-08T10:05:00Z'],
    );
    // 10:10 shares the login's session window; 16:00 reaches u2 only through the merge.
    expect(r.by.u2).toMatchObject({
      match: ['alias', 'session'],
      confidence: 'medium',
      records: 2,
    });
    expect(r.by.u2!.exposed_fields).toEqual(['$device_id', 'distinct_id', 'far', 'near']);
  });

  it('an anonymous id exported under an anonymous canonical distinct_id still reaches its user', () => {
    const r = c(
      {
        'a.ndjson': [
          ev('View', at(4), { distinct_id: 'CANON-X', $device_id: 'D7', pre: 1 }),
          ev('$identify', at(12), { distinct_id: 'u1', $identified_id: 'u1', $anon_id: 'D7' }),
        ],
      },
      ['--until', '2025-11-08T06:00:00Z'],
    );
    expect(r.by.u1).toMatchObject({
      match: ['alias'],
      records: 1,
      exposed_fields: ['$device_id', 'distinct_id', 'pre'],
    });
  });
});

describe('session windows', () => {
  const shared = [
    ev('Login', at(9), { distinct_id: 'u1', $user_id: 'u1', $device_id: 'TAB' }),
    ev('View', at(9, 10), { distinct_id: '$device:TAB', $device_id: 'TAB', morning: 1 }),
    ev('Login', at(15), { distinct_id: 'u2', $user_id: 'u2', $device_id: 'TAB' }),
    ev('View', at(15, 10), { distinct_id: '$device:TAB', $device_id: 'TAB', afternoon: 1 }),
  ];

  it('a shared device gives each person their own session, not both, not neither', () => {
    const r = c({ 'a.ndjson': shared });
    expect(r.by.u1!.exposed_fields).toContain('morning');
    expect(r.by.u1!.exposed_fields).not.toContain('afternoon');
    expect(r.by.u2!.exposed_fields).toContain('afternoon');
    expect(r.by.u2!.exposed_fields).not.toContain('morning');
    expect(r.by.u1!.match).toEqual(['id', 'session']);
  });

  it('an anonymous session on a shared device that identifies no one is ambiguous: merge links two users', () => {
    const r = c({
      'a.ndjson': [
        ...shared,
        ev('View', at(20), { distinct_id: '$device:TAB', $device_id: 'TAB', night: 1 }),
      ],
    });
    expect(r.by.u1!.exposed_fields).not.toContain('night');
    expect(r.by.u2!.exposed_fields).not.toContain('night');
    expect(r.ambiguous).toEqual([
      {
        vendor_id: ['$device:TAB', 'TAB'],
        candidates: ['u1', 'u2'],
        reason: 'merge links two users',
        records: 1,
      },
    ]);
  });

  it('a session split across two files and out of order is still one session', () => {
    // 10:40 comes first (file a) and is 40 min from the login; 10:20 (file b) bridges them.
    const r = c({
      'a.ndjson': [
        ev('View', at(10, 40), { distinct_id: '$device:TAB', $device_id: 'TAB', late: 1 }),
        ...shared.slice(2),
      ],
      'b.ndjson': [
        ev('Login', at(10), { distinct_id: 'u1', $user_id: 'u1', $device_id: 'TAB' }),
        ev('View', at(10, 20), { distinct_id: '$device:TAB', $device_id: 'TAB', bridge: 1 }),
      ],
    });
    expect(r.by.u1!.exposed_fields).toEqual(expect.arrayContaining(['late', 'bridge']));
    expect(r.by.u1!.match).toEqual(['id', 'session']);
    expect(r.ambiguous).toEqual([]);
  });

  it('without the bridging event the late view is its own session: ambiguous on a shared device', () => {
    const r = c({
      'a.ndjson': [
        ev('View', at(10, 40), { distinct_id: '$device:TAB', $device_id: 'TAB', late: 1 }),
        ...shared.slice(2),
      ],
      'b.ndjson': [ev('Login', at(10), { distinct_id: 'u1', $user_id: 'u1', $device_id: 'TAB' })],
    });
    expect(r.by.u1!.exposed_fields).not.toContain('late');
    expect(r.ambiguous.map((a) => a.reason)).toEqual(['merge links two users']);
  });

  it('a window edge cutting a session: evidence from before the window, exposure only inside it', () => {
    const r = c(
      {
        'a.ndjson': [
          ev('Login', at(-1, 50), {
            distinct_id: 'u1',
            $user_id: 'u1',
            $device_id: 'TAB',
            before: 1,
          }),
          ev('View', at(0, 10), { distinct_id: '$device:TAB', $device_id: 'TAB', inside: 1 }),
          ...shared.slice(2),
        ],
      },
      ['--window', '2025-11-08T00:00:00Z/2025-11-08T12:00:00Z'],
    );
    expect(r.by.u1).toMatchObject({
      match: ['session'],
      confidence: 'medium',
      records: 1,
      exposed_fields: ['$device_id', 'distinct_id', 'inside'],
    });
    expect(r.by.u2).toBeUndefined();
  });

  it('a session window in which two users are identified is ambiguous', () => {
    const r = c({
      'a.ndjson': [
        ev('Login', at(9), { distinct_id: 'u1', $user_id: 'u1', $device_id: 'KIOSK' }),
        ev('Login', at(9, 5), { distinct_id: 'u2', $user_id: 'u2', $device_id: 'KIOSK' }),
        ev('View', at(9, 10), { distinct_id: '$device:KIOSK', $device_id: 'KIOSK', kiosk: 1 }),
      ],
    });
    expect(r.ambiguous).toEqual([
      {
        vendor_id: ['$device:KIOSK', 'KIOSK'],
        candidates: ['u1', 'u2'],
        reason: 'session identifies two users',
        records: 1,
      },
    ]);
    expect(r.by.u1!.exposed_fields).not.toContain('kiosk');
  });

  it('a shared email is ambiguous, never given to one of the accounts', () => {
    const r = c({
      'a.ndjson': [ev('Sign up', at(3), { distinct_id: 'Shared@Example.com', plan: 'x' })],
    });
    expect(r.users).toEqual([]);
    expect(r.ambiguous).toEqual([
      {
        vendor_id: ['Shared@Example.com'],
        candidates: ['u3', 'u4'],
        reason: 'shared email',
        records: 1,
      },
    ]);
  });
});

describe('internal login sessions (--sessions)', () => {
  const rec = [
    ev('View', at(12), {
      distinct_id: '$device:LAPTOP',
      $device_id: 'LAPTOP',
      ip: '203.0.113.7',
      what: 1,
    }),
  ];

  it('attributes a record no identifier attributes to the user logged in then, within tolerance', () => {
    const sessions =
      'user_id,start,end,ip,device_id\nu1,2025-11-08T12:01:00Z,2025-11-08T13:00:00Z,203.0.113.7,LAPTOP\n';
    const r = c({ 'a.ndjson': rec }, [], { sessions });
    expect(r.by.u1).toMatchObject({
      match: ['session'],
      confidence: 'medium',
      records: 1,
      exposed_fields: ['$device_id', 'distinct_id', 'ip', 'what'],
    });
  });

  it('outside the tolerance it stays unmatched', () => {
    const sessions =
      'user_id,start,end,ip\nu1,2025-11-08T12:01:00Z,2025-11-08T13:00:00Z,203.0.113.7\n';
    const r = c({ 'a.ndjson': rec }, ['--session-tolerance', '30s'], { sessions });
    expect(r.users).toEqual([]);
    expect(r.unmatched.map((u) => u.records)).toEqual([1]);
  });

  it('a key both sides have must agree', () => {
    const sessions =
      'user_id,start,end,ip,device_id\nu1,2025-11-08T11:00:00Z,2025-11-08T13:00:00Z,203.0.113.7,OTHER-DEVICE\n';
    const r = c({ 'a.ndjson': rec }, [], { sessions });
    expect(r.users).toEqual([]);
  });

  it('two users logged in from the same ip at that time: login sessions overlap', () => {
    const sessions =
      'user_id,start,end,ip\nu1,2025-11-08T11:00:00Z,2025-11-08T13:00:00Z,203.0.113.7\nu2,2025-11-08T11:30:00Z,2025-11-08T12:30:00Z,203.0.113.7\n';
    const r = c({ 'a.ndjson': rec }, [], { sessions });
    expect(r.ambiguous).toEqual([
      {
        vendor_id: ['$device:LAPTOP', 'LAPTOP'],
        candidates: ['u1', 'u2'],
        reason: 'login sessions overlap',
        records: 1,
      },
    ]);
  });
});

describe('--explain', () => {
  it('prints which ids, linked by which records, matched by which rule', () => {
    const r = c(
      {
        'a.ndjson': [
          ev('View', at(2), { distinct_id: '$device:D1', $device_id: 'D1' }),
          ev('$identify', at(9), { distinct_id: 'u1', $identified_id: 'u1', $anon_id: 'D1' }),
        ],
      },
      ['--explain', 'u1', '--quiet'],
    );
    expect(r.stderr).toBe(
      'explain u1: 2 in-window records attributed\n' +
        "  matched directly (the record carries the user's own identifier):\n" +
        '    id         export/a.ndjson:2  ids: u1, D1\n' +
        '  alias: 1 record(s) of an identity that reaches only this user; linked by:\n' +
        '    export/a.ndjson:2  ids: u1, D1\n',
    );
  });
});
