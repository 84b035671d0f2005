import { createHash } from 'node:crypto';
import { mixpanel } from '../../../src/vendors/mixpanel.js';
import { describe, expect, it } from 'vitest';
import type { Result, UserRow } from '../../../src/core/aggregate.js';
import type { Window } from '../../../src/core/digest.js';
import { Join } from '../../../src/core/join/join.js';
import type { HashFn } from '../../../src/core/normalize.js';
import { VendorRecord, type Kind } from '../../../src/core/record.js';
import type { UserIndex } from '../../../src/core/user-index.js';
import { buildUserIndex } from '../build-index.js';

const hashFn: HashFn = (name, s) => createHash(name).update(s, 'utf8').digest('hex');
const hex = (name: 'md5' | 'sha1' | 'sha256', s: string) =>
  createHash(name).update(s).digest('hex');

const MIN = 60_000;
const HOUR = 60 * MIN;
const GAP = 30 * MIN;
const T0 = Date.UTC(2025, 10, 8, 10, 0, 0);

// SPEC §4.6, Mixpanel bookkeeping fields: the preset must skip at least these.
const BOOKKEEPING = new Set([
  'time',
  '$insert_id',
  'mp_lib',
  '$lib_version',
  '$mp_api_endpoint',
  '$mp_api_timestamp_ms',
  'mp_processing_time_ms',
  '$import',
  'mp_sent_by_lib_version',
]);

it('the Mixpanel preset skips every bookkeeping field of SPEC §4.6', () => {
  for (const f of BOOKKEEPING) expect(mixpanel.bookkeeping.has(f), f).toBe(true);
});

const HEADER = ['id', 'email', 'mixpanel_distinct_id', 'name'];
const USERS: string[][] = [
  ['u1', 'alice@example.com', 'mp-alice', 'Alice'],
  ['u2', 'Bob@Example.com ', '', 'Bob'],
  ['u3', 'shared@example.com', '', 'Shared One'],
  ['u4', ' SHARED@example.com', '', 'Shared Two'],
  ['u5', 'John.Doe+x@gmail.com', '', 'John'],
  ['u6', 'jos\u00e9@example.com', '', 'José'],
  ['u7', '', '', 'No Email'],
];

function userIndex(): UserIndex {
  return buildUserIndex(
    { header: HEADER, rows: USERS.map((cells, i) => ({ cells, line: i + 2 })) },
    {
      file: 'users.csv',
      idColumn: 'id',
      emailColumn: 'email',
      userKeys: ['mixpanel_distinct_id'],
      userColumns: ['name'],
    },
    hashFn,
  );
}

interface R {
  kind?: Kind;
  time?: number;
  ids?: string[];
  emails?: string[];
  hashes?: string[];
  device?: string;
  props?: Record<string, unknown>;
}

function rec(r: R): VendorRecord {
  const v = new VendorRecord();
  v.kind = r.kind ?? 'event';
  v.time = r.time ?? NaN;
  v.ids.push(...(r.ids ?? []));
  v.emails.push(...(r.emails ?? []));
  v.hashes.push(...(r.hashes ?? []));
  v.deviceKey = r.device ?? '';
  v.fieldSources.push(r.props ?? {});
  v.fieldPrefixes.push('');
  v.preset = mixpanel; // its bookkeeping fields apply, as when the scan reads a Mixpanel export
  return v;
}

interface Out {
  res: Result;
  read: number;
  rejects: string[];
  user(id: string): UserRow | undefined;
}

function run(records: R[], window?: Window): Out {
  const idx = userIndex();
  const c = new Join(idx, { window, sessionGapMs: GAP });
  const rejects: string[] = [];
  // The readers report what they delimited and what they could not place, as the app does.
  c.accounting.delimited(records.length);
  for (const r of records) {
    const why = c.addRecord(rec(r));
    if (why !== undefined) {
      rejects.push(why);
      c.accounting.rejected();
    }
  }
  const res = c.finish((u) => idx.ids[u]!);
  const read = records.length;
  expect(c.accounting.balanced).toBe(true);
  return { res, read, rejects, user: (id) => res.users.find((x) => idx.ids[x.user] === id) };
}

// Records of a device: an anonymous event and an identifying (simplified ID merge) event.
const anon = (dev: string, time: number, props: Record<string, unknown> = {}): R => ({
  ids: ['$device:' + dev],
  device: dev,
  time,
  props: { distinct_id: '$device:' + dev, $device_id: dev, ...props },
});
const ident = (
  user: string,
  dev: string,
  time: number,
  props: Record<string, unknown> = {},
): R => ({
  ids: [user, dev],
  device: dev,
  time,
  props: { distinct_id: user, $device_id: dev, $user_id: user, ...props },
});

interface Scenario {
  name: string;
  records: R[];
  window?: Window;
  check(o: Out): void;
}

const W = { start: T0 - HOUR, end: T0 + HOUR };

const SCENARIOS: Scenario[] = [
  {
    name: 'id match',
    records: [{ ids: ['u1'], time: T0, props: { distinct_id: 'u1', $city: 'Berlin' } }],
    check({ res, user }) {
      expect(res.users).toHaveLength(1);
      const u = user('u1')!;
      expect(u.methods).toEqual(['id']);
      expect(u.confidence).toBe('high');
      expect(u.records).toBe(1);
      expect(u.vendorIds).toEqual(['u1']);
      expect(u.first).toBe(T0);
      expect(u.last).toBe(T0);
    },
  },
  {
    name: 'id match through a --user-key value',
    records: [{ ids: ['mp-alice'], time: T0, props: { distinct_id: 'mp-alice' } }],
    check({ user }) {
      expect(user('u1')?.methods).toEqual(['id']);
    },
  },
  {
    name: 'id match is exact: a different case is not the same id',
    records: [{ ids: ['U1'], time: T0, props: { distinct_id: 'U1' } }],
    check({ res }) {
      expect(res.users).toEqual([]);
      expect(res.unmatched).toHaveLength(1);
      expect(res.unmatched[0]!.vendorIds).toEqual(['U1']);
    },
  },
  {
    name: 'email match from an email field, case and space differences',
    records: [
      {
        ids: ['anon-9'],
        emails: ['  ALICE@Example.COM '],
        time: T0,
        props: { distinct_id: 'anon-9', $email: '  ALICE@Example.COM ' },
      },
    ],
    check({ res, user }) {
      expect(res.users).toHaveLength(1);
      expect(user('u1')?.methods).toEqual(['email']);
      expect(user('u1')?.confidence).toBe('high');
    },
  },
  {
    name: 'email match when the user table email has odd case and spaces',
    records: [
      {
        ids: ['anon-8'],
        emails: ['bob@example.com'],
        time: T0,
        props: { $email: 'bob@example.com' },
      },
    ],
    check({ user }) {
      expect(user('u2')?.methods).toEqual(['email']);
    },
  },
  {
    name: 'email match when the distinct_id is an email',
    records: [
      { ids: ['Alice@EXAMPLE.com'], time: T0, props: { distinct_id: 'Alice@EXAMPLE.com' } },
    ],
    check({ user }) {
      expect(user('u1')?.methods).toEqual(['email']);
    },
  },
  {
    name: 'email match across Unicode normalization (decomposed é)',
    records: [
      {
        ids: ['anon-7'],
        emails: ['JOSE\u0301@example.com'],
        time: T0,
        props: { $email: 'JOSE\u0301@example.com' },
      },
    ],
    check({ user }) {
      expect(user('u6')?.methods).toEqual(['email']);
    },
  },
  {
    name: 'id and email on one record agree: both methods recorded, strongest first',
    records: [
      {
        ids: ['u1'],
        emails: ['alice@example.com'],
        time: T0,
        props: { distinct_id: 'u1', $email: 'alice@example.com' },
      },
    ],
    check({ user }) {
      expect(user('u1')?.methods).toEqual(['id', 'email']);
    },
  },
  {
    name: 'email_hash match: sha256 in a hash field',
    records: [
      {
        ids: ['anon-6'],
        hashes: [hex('sha256', 'alice@example.com')],
        time: T0,
        props: { email_sha256: hex('sha256', 'alice@example.com') },
      },
    ],
    check({ res, user }) {
      expect(user('u1')?.methods).toEqual(['email_hash']);
      expect(user('u1')?.confidence).toBe('high');
      expect(res.hashRecipes).toEqual({ 'sha256(lower(trim))': 1 });
    },
  },
  {
    name: 'email_hash match: upper-case md5 as an identifier',
    records: [{ ids: [hex('md5', 'bob@example.com').toUpperCase()], time: T0, props: {} }],
    check({ res, user }) {
      expect(user('u2')?.methods).toEqual(['email_hash']);
      expect(res.hashRecipes).toEqual({ 'md5(lower(trim))': 1 });
    },
  },
  {
    name: 'email_hash match on the Gmail-canonical form',
    records: [
      { ids: ['anon-5'], hashes: [hex('sha256', 'johndoe@gmail.com')], time: T0, props: {} },
    ],
    check({ res, user }) {
      expect(user('u5')?.methods).toEqual(['email_hash']);
      expect(res.hashRecipes).toEqual({ 'sha256(gmail_canonical)': 1 });
    },
  },
  {
    name: 'two users sharing an email → ambiguous, shared email',
    records: [
      {
        ids: ['anon-4'],
        emails: ['shared@example.com'],
        time: T0,
        props: { $email: 'shared@example.com' },
      },
    ],
    check({ res }) {
      expect(res.users).toEqual([]);
      expect(res.ambiguous).toHaveLength(1);
      expect(res.ambiguous[0]).toMatchObject({
        candidates: ['u3', 'u4'],
        reason: 'shared email',
        records: 1,
      });
    },
  },
  {
    name: 'anonymous event in the same session as an identified event → session',
    records: [
      anon('dev1', T0, { $current_url: 'https://app.example.com/pricing' }),
      ident('u1', 'dev1', T0 + 5 * MIN),
    ],
    check({ user }) {
      const u = user('u1')!;
      expect(u.methods).toContain('id');
      expect(u.methods).toContain('session');
      expect(u.methods.indexOf('id')).toBeLessThan(u.methods.indexOf('session'));
      expect(u.records).toBe(2);
      expect(u.fields).toContain('$current_url');
      expect(u.vendorIds).toEqual(['$device:dev1', 'dev1', 'u1']);
    },
  },
  {
    name: 'session attribution from an identifying event outside the window (evidence from every record)',
    window: { start: T0 - HOUR, end: T0 + 2 * MIN },
    records: [anon('dev1', T0, { $city: 'Lyon' }), ident('u1', 'dev1', T0 + 5 * MIN)],
    check({ res, user }) {
      const u = user('u1')!;
      expect(u.methods).toContain('session');
      expect(u.methods).not.toContain('id');
      expect(u.confidence).toBe('medium');
      expect(u.records).toBe(1);
      expect(u.fields).toContain('$city');
      expect(res.counts.out_of_window).toBe(1);
    },
  },
  {
    name: 'anonymous event arriving after the identify, same session → session',
    records: [ident('u2', 'dev9', T0), anon('dev9', T0 + 10 * MIN)],
    check({ user }) {
      expect(user('u2')?.methods).toContain('session');
      expect(user('u2')?.records).toBe(2);
    },
  },
  {
    name: 'device linked to a user only by merge, in a different session → alias',
    window: W,
    records: [anon('dev2', T0, { $os: 'iOS' }), ident('u1', 'dev2', T0 + 5 * HOUR)],
    check({ res, user }) {
      const u = user('u1')!;
      expect(u.methods).toEqual(['alias']);
      expect(u.confidence).toBe('medium');
      expect(u.records).toBe(1);
      expect(u.fields).toContain('$os');
      expect(res.counts.out_of_window).toBe(1);
    },
  },
  {
    name: 'alias through an $identify-style merge that arrives first',
    window: W,
    records: [
      {
        ids: ['u2', 'anon-x'],
        time: T0 - 3 * HOUR,
        props: { distinct_id: 'u2', $identified_id: 'u2', $anon_distinct_id: 'anon-x' },
      },
      {
        ids: ['anon-x'],
        device: 'anon-x',
        time: T0,
        props: { distinct_id: 'anon-x', $browser: 'Firefox' },
      },
    ],
    check({ user }) {
      expect(user('u2')?.methods).toEqual(['alias']);
      expect(user('u2')?.fields).toContain('$browser');
    },
  },
  {
    name: 'shared device: user A then user B hours apart, each gets their own session',
    records: [
      anon('dev3', T0, { $current_url: 'https://app.example.com/a' }),
      ident('u1', 'dev3', T0 + 5 * MIN),
      anon('dev3', T0 + 5 * HOUR, { $city: 'Paris' }),
      ident('u2', 'dev3', T0 + 5 * HOUR + 5 * MIN),
    ],
    check({ res, user }) {
      const a = user('u1')!,
        b = user('u2')!;
      expect(a.records).toBe(2);
      expect(b.records).toBe(2);
      expect(a.methods).toEqual(['id', 'session']);
      expect(b.methods).toEqual(['id', 'session']);
      expect(a.first).toBe(T0);
      expect(a.last).toBe(T0 + 5 * MIN);
      expect(b.first).toBe(T0 + 5 * HOUR);
      expect(a.fields).toContain('$current_url');
      expect(a.fields).not.toContain('$city');
      expect(b.fields).toContain('$city');
      expect(b.fields).not.toContain('$current_url');
      expect(res.ambiguous).toEqual([]);
    },
  },
  {
    name: 'shared device: a third session identifying no one is ambiguous through the merge',
    records: [
      anon('dev3', T0),
      ident('u1', 'dev3', T0 + 5 * MIN),
      anon('dev3', T0 + 5 * HOUR),
      ident('u2', 'dev3', T0 + 5 * HOUR + 5 * MIN),
      anon('dev3', T0 + 10 * HOUR, { $city: 'Rome' }),
    ],
    check({ res, user }) {
      expect(user('u1')?.records).toBe(2);
      expect(user('u2')?.records).toBe(2);
      expect(user('u1')?.fields).not.toContain('$city');
      expect(user('u2')?.fields).not.toContain('$city');
      expect(res.ambiguous).toHaveLength(1);
      expect(res.ambiguous[0]).toMatchObject({ candidates: ['u1', 'u2'], records: 1 });
    },
  },
  {
    name: 'a session identifying two users → ambiguous',
    records: [
      anon('dev4', T0, { $city: 'Oslo' }),
      ident('u1', 'dev4', T0 + MIN),
      ident('u2', 'dev4', T0 + 2 * MIN),
    ],
    check({ res, user }) {
      expect(res.ambiguous).toHaveLength(1);
      expect(res.ambiguous[0]).toMatchObject({
        candidates: ['u1', 'u2'],
        reason: 'session identifies two users',
        records: 1,
      });
      expect(user('u1')?.records).toBe(1);
      expect(user('u2')?.records).toBe(1);
      expect(user('u1')?.methods).toEqual(['id']);
      expect(user('u2')?.methods).toEqual(['id']);
      expect(user('u1')?.fields).not.toContain('$city');
    },
  },
  {
    name: 'window: start inclusive, end exclusive',
    window: W,
    records: [W.start - 1, W.start, W.end - 1, W.end, W.end + HOUR].map((t) => ({
      ids: ['u1'],
      time: t,
      props: { distinct_id: 'u1' },
    })),
    check({ res, user }) {
      const u = user('u1')!;
      expect(u.records).toBe(2);
      expect(u.first).toBe(W.start);
      expect(u.last).toBe(W.end - 1);
      expect(res.counts.out_of_window).toBe(3);
    },
  },
  {
    name: 'profile records always count, whatever the window',
    window: W,
    records: [
      {
        kind: 'profile',
        ids: ['u2'],
        props: { $distinct_id: 'u2', $name: 'Bob', $phone: '+1 555 0100' },
      },
      { ids: ['u2'], time: W.end + HOUR, props: { distinct_id: 'u2', $city: 'Out' } },
    ],
    check({ res, user }) {
      const u = user('u2')!;
      expect(u.records).toBe(1);
      expect(u.first).toBeNaN();
      expect(u.last).toBeNaN();
      expect(u.fields).toEqual(['$distinct_id', '$name', '$phone']);
      expect(res.counts.out_of_window).toBe(1);
    },
  },
  {
    name: 'an event with no readable time under --window is rejected with a reason',
    window: W,
    records: [
      { ids: ['u1'], props: { distinct_id: 'u1' } },
      { ids: ['u1'], time: T0, props: { distinct_id: 'u1' } },
    ],
    check({ res, rejects, user }) {
      expect(rejects).toHaveLength(1);
      expect(rejects[0]).toMatch(/time/);
      expect(user('u1')?.records).toBe(1);
      expect(res.counts.rejected).toBe(1);
    },
  },
  {
    name: 'without --window every record counts, even one with no time',
    records: [
      { ids: ['u1'], props: { distinct_id: 'u1' } },
      { ids: ['u1'], time: T0 - 1000 * HOUR, props: { distinct_id: 'u1' } },
    ],
    check({ res, user }) {
      expect(user('u1')?.records).toBe(2);
      expect(res.counts.out_of_window).toBe(0);
    },
  },
  {
    name: 'exposed fields: bookkeeping excluded, identifiers included, empty values skipped',
    records: [
      {
        ids: ['u1', 'dev5'],
        device: 'dev5',
        time: T0,
        props: {
          time: 1762596000,
          $insert_id: 'abc',
          mp_lib: 'web',
          $lib_version: '2.50.0',
          $mp_api_endpoint: 'api.mixpanel.com',
          $mp_api_timestamp_ms: 1762596000123,
          mp_processing_time_ms: 1762596000456,
          $import: true,
          mp_sent_by_lib_version: '2.50.0',
          distinct_id: 'u1',
          $device_id: 'dev5',
          $user_id: 'u1',
          org_id: 'org-42',
          $city: 'Berlin',
          plan: 'pro',
          seats: 0,
          beta: false,
          blank: '   ',
          nothing: null,
          empty_list: [],
          empty_obj: {},
          tags: ['a'],
        },
      },
    ],
    check({ user }) {
      const u = user('u1')!;
      expect(u.fields).toEqual([
        '$city',
        '$device_id',
        '$user_id',
        'beta',
        'distinct_id',
        'org_id',
        'plan',
        'seats',
        'tags',
      ]);
      expect(u.categories).toEqual(['account', 'location', 'other']);
    },
  },
  {
    name: 'FIELD#token and FIELD#email derived from URLs',
    records: [
      {
        ids: ['u1'],
        time: T0,
        props: {
          $current_url: 'https://app.example.com/reset?token=abc123',
          $referrer: 'https://mail.example.com/?to=alice%40example.com',
          $initial_referrer: 'https://www.example.com/',
        },
      },
    ],
    check({ res, user }) {
      const u = user('u1')!;
      expect(u.fields).toEqual([
        '$current_url',
        '$current_url#token',
        '$initial_referrer',
        '$referrer',
        '$referrer#email',
      ]);
      expect(u.categories).toEqual(['contact', 'credential', 'web']);
      expect(res.fieldCategories.get('$current_url#token')).toBe('credential');
      expect(res.fieldCategories.get('$referrer#email')).toBe('contact');
      expect(res.fieldCategories.get('$current_url')).toBe('web');
    },
  },
  {
    name: 'a field whose name says nothing is categorized by its values',
    records: [
      {
        ids: ['u1'],
        time: T0,
        props: { misc: 'carol@example.org', peer: '10.1.2.3', plan: 'pro' },
      },
    ],
    check({ res, user }) {
      expect(res.fieldCategories.get('misc')).toBe('contact');
      expect(res.fieldCategories.get('peer')).toBe('location');
      expect(res.fieldCategories.get('plan')).toBe('other');
      expect(user('u1')?.categories).toEqual(['contact', 'location', 'other']);
    },
  },
  {
    name: 'no evidence at all → unmatched, with the emails seen',
    records: [
      {
        ids: ['stranger'],
        emails: ['Carol@Example.org'],
        device: 'stranger',
        time: T0,
        props: { distinct_id: 'stranger', $email: 'Carol@Example.org' },
      },
      {
        ids: ['stranger'],
        device: 'stranger',
        time: T0 + 2 * HOUR,
        props: { distinct_id: 'stranger', $city: 'Nice' },
      },
    ],
    check({ res }) {
      expect(res.users).toEqual([]);
      expect(res.unmatched).toHaveLength(1);
      expect(res.unmatched[0]).toMatchObject({
        vendorIds: ['stranger'],
        records: 2,
        first: T0,
        last: T0 + 2 * HOUR,
        emails: ['carol@example.org'],
      });
      expect(res.unmatched[0]!.fields).toEqual(['$city', '$email', 'distinct_id']);
    },
  },
  {
    name: 'a user with no email is matched by id only',
    records: [{ ids: ['u7'], time: T0, props: { distinct_id: 'u7' } }],
    check({ user }) {
      expect(user('u7')?.methods).toEqual(['id']);
    },
  },
  {
    name: 'output rows are sorted by user id',
    records: [
      { ids: ['u6'], time: T0, props: {} },
      { ids: ['u2'], time: T0, props: {} },
      { ids: ['u1'], time: T0, props: {} },
    ],
    check({ res }) {
      expect(res.users.map((u) => USERS[u.user]![0])).toEqual(['u1', 'u2', 'u6']);
    },
  },
];

describe('Join', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    s.check(run(s.records, s.window));
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('accounting holds: %s', (_name, s) => {
    const { res, read } = run(s.records, s.window);
    const c = res.counts;
    expect(read).toBe(s.records.length);
    expect(c.rejected + c.out_of_window + c.attributed + c.unmatched + c.ambiguous).toBe(read);
    // The row tallies agree with the buckets.
    expect(res.users.reduce((n, u) => n + u.records, 0)).toBe(c.attributed);
    expect(res.unmatched.reduce((n, u) => n + u.records, 0)).toBe(c.unmatched);
    expect(res.ambiguous.reduce((n, a) => n + a.records, 0)).toBe(c.ambiguous);
  });
});
