/**
 * Issue 13, "the first real run": what a tired responder does on a real handover — outputs that
 * name inputs, exports no record of which can be read, a users table saved by Excel, a README in
 * the export folder, vendor data with escape sequences — each through the CLI.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { accounting, BIN, ROOT, run } from './run.js';

const root = mkdtempSync(join(tmpdir(), 'bi-first-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = join(root, `c${n++}`);
  mkdirSync(join(dir, 'export'), { recursive: true });
  writeFileSync(
    join(dir, 'users.csv'),
    'id,email,mp\nu1,alice@example.com,d-alice\nu2,bob@example.com,d-bob\n',
  );
  writeFileSync(
    join(dir, 'export/day1.ndjson'),
    [ev('u1', 1762592400), ev('d-bob', 1762592500), ev('anon', 1762592600)].join('\n') + '\n',
  );
});

const ev = (id: string, time: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    event: 'Page View',
    properties: { time, distinct_id: id, $browser: 'Firefox', ...extra },
  });
const cli = (args: string[], input?: string) =>
  run(args, { cwd: dir, ...(input === undefined ? {} : { input }) });
const file = (p: string) => readFileSync(join(dir, p), 'utf8');

describe('#13 every output path is checked before a byte is read', () => {
  it('an output naming an input, another output, a folder inside the export or a missing folder: exit 2, all named at once, nothing touched', () => {
    const users = file('users.csv');
    const exported = file('export/day1.ndjson');
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--out',
      'a.csv',
      '--unmatched',
      './a.csv',
      '--rejects',
      'users.csv',
      '--manifest',
      'export/m.json',
      '--ambiguous',
      'no/such/dir/x.csv',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: 4 output paths cannot be used (OUTPUT_PATH):');
    expect(r.stderr).toContain('--unmatched ./a.csv: is also --out');
    expect(r.stderr).toContain('--rejects users.csv: is the --users input users.csv');
    expect(r.stderr).toContain(
      '--manifest export/m.json: lies inside the --export directory export',
    );
    expect(r.stderr).toContain(
      '--ambiguous no/such/dir/x.csv: the directory no/such/dir does not exist',
    );
    expect(r.stderr).not.toMatch(/partial|INPUT_UNREADABLE|vendor:/);
    expect(file('users.csv')).toBe(users);
    expect(file('export/day1.ndjson')).toBe(exported);
    expect(existsSync(join(dir, 'a.csv')) || existsSync(join(dir, 'export/m.json'))).toBe(false);
  });

  it('a symlink to the users table, and an export file named as --manifest, are inputs', () => {
    symlinkSync('users.csv', join(dir, 'link.csv'));
    const r = cli([
      'correlate',
      '--export',
      'export/day1.ndjson',
      '--users',
      'users.csv',
      '--out',
      'link.csv',
      '--manifest',
      'export/day1.ndjson',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--out link.csv: is the --users input users.csv');
    expect(r.stderr).toContain(
      '--manifest export/day1.ndjson: is the --export input export/day1.ndjson',
    );
    expect(file('users.csv')).toContain('alice@example.com');
  });

  it('stdout appended to the users table is refused before anything is written', () => {
    const users = file('users.csv');
    const r = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${process.env.BI_BIN || BIN}" correlate --export export --users users.csv >> users.csv`,
      ],
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('stdout: is redirected to users.csv, the --users input');
    expect(file('users.csv')).toBe(users);
  });

  it('a directory named as an output is refused, and a file there is not mistaken for an input', () => {
    mkdirSync(join(dir, 'results'));
    const r = cli(['correlate', '--export', 'export', '--users', 'users.csv', '--out', 'results']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--out results: is a directory');
    const ok = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--out',
      'results/a.csv',
      '--quiet',
    ]);
    expect(ok.status).toBe(0);
    expect(file('results/a.csv')).toMatch(/^user_id,email/);
  });
});

describe('#13 no silent zero', () => {
  it('an export of which no record can be read is an input that could not be read: exit 1, its most common reason and closest shape', () => {
    writeFileSync(join(dir, 'export/odd.csv'), 'name,visits\nAda,3\nGrace,5\n');
    const amp = JSON.stringify({
      event_type: 'Login',
      amplitude_id: 7,
      device_id: 'dev',
      user_id: 'u1',
      event_time: '2025-11-08 09:00:00.000000',
    });
    writeFileSync(join(dir, 'amp.ndjson'), amp + '\n' + amp + '\n');
    const r = cli(['correlate', '--export', 'export/odd.csv', '--users', 'users.csv']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'export/odd.csv: no record could be read: all 2 were rejected, most often "not an event or profile of Mixpanel, Amplitude, Segment, PostHog or GA4 (BigQuery export)" (2)',
    );
    expect(r.stderr).toContain('the records match no known export shape (columns: name, visits)');
    expect(r.stderr).toContain('unreadable    1 input file');
    const forced = cli([
      'correlate',
      '--export',
      'amp.ndjson',
      '--vendor',
      'mixpanel',
      '--users',
      'users.csv',
    ]);
    expect(forced.status).toBe(1);
    expect(forced.stderr).toContain(
      "the records come closest to Amplitude's shape (event_type, amplitude_id, device_id, user_id, event_time)",
    );
  });

  it('nobody affected: the summary says why it might be, naming the column that holds the vendor ids', () => {
    writeFileSync(
      join(dir, 'export/day1.ndjson'),
      [ev('d-alice', 1762592400), ev('d-bob', 1762592500)].join('\n') + '\n',
    );
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--manifest',
      'm.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('0 affected users');
    expect(r.stderr).toContain(
      "why none      the export's 2 vendor ids (and 0 emails in the window) match no user's id, --user-key or email",
    );
    expect(r.stderr).toContain('column "mp" holds 2 of them: try --user-key mp');
    expect(r.stderr).not.toMatch(/d-alice|d-bob|alice@/);
    expect(JSON.parse(file('m.json')).no_affected_users.columns).toEqual([
      { column: 'mp', values: 2, try: '--user-key mp' },
    ]);
    const fixed = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--user-key',
      'mp',
      '--quiet',
    ]);
    expect(fixed.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('a header written ID,Email is found, and the summary and manifest say which column was used for what', () => {
    writeFileSync(join(dir, 'users.csv'), 'ID,E-mail Address,Name\nu9,Alice@Example.com,Alice\n');
    writeFileSync(
      join(dir, 'export/day1.ndjson'),
      ev('x', 1762592400, { $email: 'alice@example.com' }) + '\n',
    );
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--user-columns',
      'name',
      '--manifest',
      'm.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'user_id,email,Name,match,confidence,vendor_ids,records,first_seen,last_seen,exposed_fields,exposed_categories',
    );
    expect(r.stdout.split('\n')[1]).toMatch(/^u9,Alice@Example.com,Alice,email,high,/);
    expect(r.stderr).toContain(
      'users         1 in the table; id column "ID", email column "E-mail Address"',
    );
    expect(JSON.parse(file('m.json')).users_columns).toMatchObject({
      idColumn: 'ID',
      emailColumn: 'E-mail Address',
      userColumns: ['Name'],
    });
  });
});

describe('#13 encodings and files a real handover contains', () => {
  const utf16 = (s: string, be = false) => {
    const le = Buffer.from('\ufeff' + s, 'utf16le');
    return be ? Buffer.from(le.map((_, i) => le[i ^ 1]!)) : le;
  };

  it("a UTF-16 LE users table with a BOM (Excel's Unicode Text) and a UTF-16 BE export are decoded", () => {
    writeFileSync(join(dir, 'users.txt'), utf16('user_id\temail\r\nu1\tjosé@example.com\r\n'));
    writeFileSync(
      join(dir, 'export/day1.ndjson'),
      utf16(ev('x', 1762592400, { $email: 'José@Example.com' }) + '\n', true),
    );
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.txt',
      '--manifest',
      'm.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^u1,josé@example.com,email,high,/);
    expect(
      JSON.parse(file('m.json')).inputs.find((i: { role: string }) => i.role === 'export').encoding,
    ).toBe('utf-16be');
  });

  it('a users table in Windows-1252 is refused, naming the encoding and where the first bad byte is', () => {
    writeFileSync(
      join(dir, 'users.csv'),
      Buffer.concat([
        Buffer.from('id,email\nu1,jos'),
        Buffer.from([0xe9]),
        Buffer.from('@example.com\n'),
      ]),
    );
    const r = cli(['correlate', '--export', 'export', '--users', 'users.csv']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'users.csv:2:7: error: the table is not UTF-8: it looks like a single-byte code page such as Windows-1252 or Latin-1, not UTF-8 (byte 0xE9 is not UTF-8) (INPUT_BAD_TABLE)',
    );
    expect(r.stderr).toContain('iconv -f WINDOWS-1252 -t UTF-8');
  });

  it('a README, notes, checksums in the export folder are skipped and listed; an empty file is listed; a named file is read', () => {
    writeFileSync(
      join(dir, 'export/README.txt'),
      'Export for case 4711,\ndelivered by the vendor\n',
    );
    writeFileSync(join(dir, 'export/notes.md'), '# notes\n');
    writeFileSync(join(dir, 'export/SHA256SUMS'), 'abc  day1.ndjson\n');
    writeFileSync(join(dir, 'export/day2.ndjson'), '');
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--manifest',
      'm.json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning: export/README.txt: skipped, a README (not an export)');
    expect(r.stderr).toContain('warning: export/notes.md: skipped, a document (not an export)');
    expect(r.stderr).toContain(
      'warning: export/SHA256SUMS: skipped, a checksum or signature file (not an export)',
    );
    expect(r.stderr).toContain('warning: export/day2.ndjson holds no records (empty)');
    expect(accounting(r.stderr)).toEqual({ read: 3, buckets: [0, 0, 1, 2, 0] });
    const m = JSON.parse(file('m.json'));
    expect(m.skipped.map((s: { path: string }) => s.path)).toEqual([
      'export/README.txt',
      'export/SHA256SUMS',
      'export/notes.md',
    ]);
    expect(m.empty).toEqual(['export/day2.ndjson']);
    const named = cli([
      'correlate',
      '--export',
      'export/README.txt',
      '--users',
      'users.csv',
      '--quiet',
    ]);
    expect(named.status).toBe(1); // read, and not one record of it could be
  });
});

describe('#13 output hygiene', () => {
  it('control characters and bidi overrides from vendor data are shown escaped in every file; JSON stays valid', () => {
    writeFileSync(
      join(dir, 'export/day1.ndjson'),
      [
        ev('u1', 1762592400, {
          '\u001b[31mred\u001b[0m': 'x',
          'with\u0000nul': 'y',
          'name\u202e': 'z',
          'c1\u0085': 'w',
        }),
        '{"broken\u001b[2J',
        ev('anon', 1762592600, { 'k\u001bk': 'v' }),
      ].join('\n') + '\n',
    );
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--unmatched',
      'un.csv',
      '--rejects',
      'rej.csv',
      '--manifest',
      'm.json',
      '--notification-report',
      'brief.md',
    ]);
    expect(r.status).toBe(0);
    const csv = r.stdout;
    expect(csv).toContain('\\u001b[31mred\\u001b[0m');
    expect(csv).toContain('with\\u0000nul');
    expect(csv).toContain('name\\u202e');
    for (const [name, text] of [
      ['stdout', csv],
      ['un.csv', file('un.csv')],
      ['rej.csv', file('rej.csv')],
      ['m.json', file('m.json')],
      ['brief.md', file('brief.md')],
    ] as const) {
      expect(text.replace(/\n/g, ''), name).not.toMatch(
        /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
      );
    }
    expect(file('rej.csv')).toContain('{""broken\\u001b[2J');
    for (const format of ['json', 'ndjson']) {
      const j = cli([
        'correlate',
        '--export',
        'export',
        '--users',
        'users.csv',
        '--format',
        format,
        '--quiet',
      ]);

      expect(j.stdout.replace(/\n/g, '')).not.toMatch(
        /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
      );
      const rows =
        format === 'json'
          ? JSON.parse(j.stdout)
          : j.stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l));
      expect(rows[0].exposed_fields).toContain('\u001b[31mred\u001b[0m'); // the JSON escape parses back to the value
      expect(rows[0].exposed_fields).toContain('c1\u0085');
    }
  });

  it('a truncated gzip adds one rejects row for the unreadable tail, counted in the accounting', () => {
    const lines =
      Array.from({ length: 400 }, (_, i) =>
        ev(i % 2 ? 'u1' : 'u2', 1762592400 + i, { pad: 'x'.repeat(40 + (i % 7)) }),
      ).join('\n') + '\n';
    const gz = gzipSync(lines);
    writeFileSync(join(dir, 'export/day1.ndjson'), '');
    writeFileSync(join(dir, 'export/day1.ndjson.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    rmSync(join(dir, 'export/day1.ndjson'));
    const r = cli([
      'correlate',
      '--export',
      'export',
      '--users',
      'users.csv',
      '--rejects',
      'rej.csv',
      '--manifest',
      'm.json',
    ]);
    expect(r.status).toBe(1);
    const rows = file('rej.csv').trim().split('\n');
    expect(rows).toHaveLength(2);
    const m = JSON.parse(file('m.json'));
    const read = m.inputs.find((i: { role: string }) => i.role === 'export').records;
    expect(rows[1]).toMatch(
      new RegExp(
        `^export/day1\\.ndjson\\.gz,${read},unreadable tail: gzip stream is corrupt or truncated: unexpected end of file; the records from this line on could not be read,`,
      ),
    );
    expect(m.counts.rejected).toBe(1);
    const acc = accounting(r.stderr)!;
    expect(acc.read).toBe(read);
    expect(acc.buckets[0]).toBe(1);
  });
});

describe('#13 small traps', () => {
  it('--export takes several paths after one flag, as a shell glob gives them', () => {
    copyFileSync(join(dir, 'export/day1.ndjson'), join(dir, 'b.ndjson'));
    const r = cli([
      'correlate',
      '--export',
      'export/day1.ndjson',
      'b.ndjson',
      '--users',
      'users.csv',
      '--manifest',
      'm.json',
    ]);
    expect(r.status).toBe(0);
    expect(
      JSON.parse(file('m.json'))
        .inputs.filter((i: { role: string }) => i.role === 'export')
        .map((i: { path: string }) => i.path),
    ).toEqual(['export/day1.ndjson', 'b.ndjson']);
  });

  it.each([
    ['--session-gap', '30'],
    ['--session-tolerance', '120'],
  ])('%s %s without a unit is a usage error', (flag, value) => {
    const r = cli(['correlate', '--export', 'export', '--users', 'users.csv', flag, value]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `error: ${flag} "${value}" has no unit: ${value} seconds, minutes or hours?`,
    );
  });

  it('--show-values masks numbers and short values too', () => {
    writeFileSync(
      join(dir, 'export/day1.ndjson'),
      ev('u1', 1762592400, { pin: '1234', postcode: 10115, code: 'AB' }) + '\n',
    );
    const r = cli(['inspect', '--export', 'export', '--show-values']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/1234|10115|\bAB\b/);
    expect(r.stdout).toMatch(/pin .*#### \(4 digits\)/);
    expect(r.stdout).toMatch(/postcode .*#### \(5 digits\)/);
    expect(r.stdout).toMatch(/code .*\*\*\* \(2 chars\)/);
  });

  it('inspect --vendor generic takes --map like correlate', () => {
    writeFileSync(join(dir, 'g.csv'), 'ts,who,mail\n2025-11-08T09:00:00Z,u1,alice@example.com\n');
    const r = cli([
      'inspect',
      '--export',
      'g.csv',
      '--vendor',
      'generic',
      '--map',
      'time=ts,user_id=who,email=mail',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('vendor generic');
    expect(r.stdout).toMatch(/identifiers:\n.*\n {2}who /);
  });

  it("every --vendor and --format help lists the code's own choices", () => {
    const c = run(['correlate', '--help']);
    expect(c.stdout.replace(/\s+/g, ' ')).toContain(
      '(choices: "auto", "mixpanel", "amplitude", "segment", "posthog", "ga4", "generic", default: "auto")',
    );
    expect(c.stdout.replace(/\s+/g, ' ')).toContain(
      '(choices: "csv", "tsv", "json", "ndjson", "table", default: "csv")',
    );
    const i = run(['inspect', '--help']);
    expect(i.stdout.replace(/\s+/g, ' ')).toContain(
      '(choices: "auto", "mixpanel", "amplitude", "segment", "posthog", "ga4", "generic", default: "auto")',
    );
    const bad = run(['inspect', '--export', 'x', '--vendor', 'mixpanl'], { cwd: ROOT });
    expect(bad.status).toBe(2);
  });
});
