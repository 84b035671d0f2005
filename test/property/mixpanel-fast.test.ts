/**
 * The Mixpanel fast path (vendors/mixpanel-fast.ts) against its oracle: JSON.parse of the line
 * and the preset's map(). Whenever the fast path takes a line, JSON.parse must accept it, map()
 * must read the same evidence from it, and its time must be outside the window; a line
 * JSON.parse refuses must never be taken (it would leave the rejects for out_of_window).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VendorRecord, type MapContext } from '../../src/core/record.js';
import { ianaZone, utcZone } from '../../src/core/time.js';
import { mixpanel } from '../../src/vendors/mixpanel.js';
import { scanEvidence } from '../../src/vendors/mixpanel-fast.js';
import { checkProperty } from './gen.js';

const UTC: MapContext = { zone: utcZone, localEpochs: false };
const BERLIN: MapContext = { zone: ianaZone('Europe/Berlin'), localEpochs: true };
// The window of the demo incident and of the generated lines: 2025-11-08 … 2025-11-10.
const W = { start: Date.UTC(2025, 10, 8), end: Date.UTC(2025, 10, 10) };
const outside = (t: number) => !(t >= W.start && t < W.end);

interface Evidence {
  kind: string;
  name: string;
  time: number;
  ids: string[];
  emails: string[];
  hashes: string[];
  deviceKey: string;
  deviceId: string;
}

function evidence(r: VendorRecord): Evidence {
  return { kind: r.kind, name: r.name, time: r.time, ids: [...r.ids], emails: [...r.emails], hashes: [...r.hashes], deviceKey: r.deviceKey, deviceId: r.keys.device_id };
}

/** What the ordinary path makes of the line: undefined when it would not be out of window. */
function oracle(line: string, ctx: MapContext): { parses: boolean; ev?: Evidence } {
  let raw: unknown;
  try {
    // The line's bytes as the splitter decodes them (a lone surrogate becomes U+FFFD).
    raw = JSON.parse(Buffer.from(line).toString('utf8'));
  } catch {
    return { parses: false };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { parses: true };
  const rec = new VendorRecord();
  if (mixpanel.map(raw as Record<string, unknown>, rec, ctx) !== undefined) return { parses: true };
  if (Number.isNaN(rec.time) || !outside(rec.time)) return { parses: true };
  return { parses: true, ev: evidence(rec) };
}

const rec = new VendorRecord();
/** The fast path on a line given as text, placed inside a larger buffer as the splitter does. */
function fast(line: string, ctx: MapContext): Evidence | undefined {
  const pre = Buffer.from('xx\n');
  const buf = Buffer.concat([pre, Buffer.from(line), Buffer.from('\nyy')]);
  return scanEvidence(buf, pre.length, buf.length - 3, rec, ctx, outside) ? evidence(rec) : undefined;
}

let taken = 0; // lines the fast path took: the properties below must not pass by declining all

function agrees(line: string, ctx: MapContext = UTC): void {
  const got = fast(line, ctx);
  if (got === undefined) return; // declining is always safe: the ordinary path decides
  taken++;
  const want = oracle(line, ctx);
  expect(want.parses, `taken but JSON.parse refuses: ${JSON.stringify(line)}`).toBe(true);
  expect(want.ev, `taken but not an out-of-window event: ${JSON.stringify(line)}`).toBeDefined();
  expect(got).toEqual(want.ev);
}

const DAY = 86_400;
const base = {
  event: 'Page View',
  properties: {
    time: 1762300809,
    distinct_id: '$device:f16ce003-0114-4fa1-8edb-b919dd0e1764',
    $browser: 'Chrome Mobile',
    $city: 'Zürich',
    $current_url: 'https://app.example.com/login?next=%2F',
    $device_id: 'f16ce003-0114-4fa1-8edb-b919dd0e1764',
    $insert_id: '3ba7c596adf12cc7',
    $screen_height: 915,
    mp_country_code: 'CH',
    mp_lib: 'web',
  },
};
const baseLine = JSON.stringify(base);

describe('Mixpanel fast path: examples', () => {
  it('takes a plain out-of-window raw event with the evidence map() reads', () => {
    const got = fast(baseLine, UTC);
    expect(got).toEqual(oracle(baseLine, UTC).ev);
    expect(got?.ids).toEqual(['$device:f16ce003-0114-4fa1-8edb-b919dd0e1764', 'f16ce003-0114-4fa1-8edb-b919dd0e1764']);
    expect(got?.deviceKey).toBe('f16ce003-0114-4fa1-8edb-b919dd0e1764');
  });

  it('declines an event in the window: its fields are exposed, so the ordinary path reads it', () => {
    expect(fast(JSON.stringify({ ...base, properties: { ...base.properties, time: W.start / 1000 } }), UTC)).toBeUndefined();
  });

  it('reads emails, hashed emails, numbers as ids, escapes and non-ASCII in values as JSON.parse does', () => {
    const line = JSON.stringify({
      event: 'Sign \u00e9 "up"',
      properties: { time: 1762300809000, distinct_id: 12345, $user_id: ' Ann@Example.COM ', $email: 'Ann@Example.COM', email_sha256: 'a'.repeat(64), 'Hashed Email': 'B'.repeat(32), note: 'tab\there \u2028 \ud83d\ude00', nested: { a: [1, { b: null }] } },
    });
    const got = fast(line, UTC);
    expect(got).toBeDefined();
    expect(got?.hashes).toEqual(['a'.repeat(64), 'B'.repeat(32)]);
    expect(got?.emails).toEqual(['Ann@Example.COM']);
    agrees(line);
  });

  it('reads a time written as an ISO string or a numeric string, as map() does', () => {
    for (const t of ['"2025-11-05T00:00:09Z"', '"2025-11-05 01:00:09+01:00"', '"1762300809"']) {
      const l = baseLine.replace('1762300809', t);
      expect(fast(l, UTC)?.time).toBe(Date.UTC(2025, 10, 5, 0, 0, 9));
      agrees(l);
    }
  });

  it('shifts pre-2023 project-local epoch times exactly as map() does under --timezone', () => {
    expect(fast(baseLine, BERLIN)?.time).toBe((1762300809 - 3600) * 1000);
    agrees(baseLine, BERLIN);
  });

  // Every one of these either is refused by JSON.parse (and must not be taken) or is a shape the
  // fast path leaves to the ordinary path.
  const declined: Array<[string, string]> = [
    ['a raw TAB inside a string', baseLine.replace('Chrome Mobile', 'Chrome\tMobile')],
    ['a raw NUL inside a string', baseLine.replace('Chrome Mobile', 'Chrome\u0000Mobile')],
    ['an invalid escape', baseLine.replace('Chrome Mobile', 'Chrome\\qMobile')],
    ['a short \\u escape', baseLine.replace('Chrome Mobile', 'Chrome\\u00eMobile')],
    ['a number with a leading zero', baseLine.replace('915', '0915')],
    ['a number ending in a dot', baseLine.replace('915', '915.')],
    ['a bare minus', baseLine.replace('915', '-')],
    ['a trailing comma', baseLine.replace('"web"}', '"web",}')],
    ['garbage after the record', baseLine + ' x'],
    ['a second record on the line', baseLine + baseLine],
    ['a truncated line', baseLine.slice(0, -3)],
    ['single quotes', baseLine.replace('"mp_lib"', "'mp_lib'")],
    ['an unquoted key', baseLine.replace('"mp_lib"', 'mp_lib')],
    ['True instead of true', baseLine.replace('915', 'True')],
    ['a third top-level key (PostHog-like)', baseLine.replace('{"event"', '{"uuid":"u1","event"')],
    ['properties twice', baseLine.replace('{"event":"Page View"', '{"properties":{},"event":"Page View"')],
    ['a $merge with $distinct_ids', baseLine.replace('"mp_lib"', '"$distinct_ids":["a","b"],"mp_lib"')],
    ['an escaped key', baseLine.replace('"$city"', '"$c\\u0069ty"')],
    ['an object as distinct_id', baseLine.replace('"$device:f16ce003-0114-4fa1-8edb-b919dd0e1764"', '{"id":1}')],
    ['no time', baseLine.replace('"time":1762300809,', '')],
    ['an array on the line', `[${baseLine}]`],
    ['an Engage profile', JSON.stringify({ $distinct_id: 'u1', $properties: { $email: 'a@b.c' } })],
    ['nesting deeper than 64', baseLine.replace('"web"', '['.repeat(70) + ']'.repeat(70))],
  ];
  it.each(declined)('declines %s', (_what, line) => {
    expect(fast(line, UTC)).toBeUndefined();
    agrees(line);
  });

  it('takes most out-of-window lines of the demo incident, each with the evidence map() reads', () => {
    const dir = new URL('../../fixtures/demo/export/', import.meta.url);
    let lines = 0, taken = 0, outOfWindow = 0;
    for (const f of ['2025-11-07.ndjson', '2025-11-08.ndjson.gz', '2025-11-10.ndjson.gz']) {
      let bytes = readFileSync(new URL(f, dir));
      if (f.endsWith('.gz')) bytes = gunzipSync(bytes);
      for (const line of bytes.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines++;
        if (oracle(line, UTC).ev) outOfWindow++;
        if (fast(line, UTC)) taken++;
        agrees(line);
      }
    }
    expect(lines).toBeGreaterThan(20);
    expect(outOfWindow).toBeGreaterThan(5);
    expect(taken).toBe(outOfWindow); // the demo's out-of-window lines are all plain raw events
  });
});

// ---------------------------------------------------------------------------------------------
// Generated lines: realistic records with hostile values, printed compact or spaced, then
// damaged one byte at a time.

const idValue = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => '$device:' + u),
  fc.emailAddress().map((e) => (e.length > 3 ? e[0]!.toUpperCase() + e.slice(1) : e)),
  fc.integer({ min: -1e6, max: 1e12 }),
  fc.constantFrom('', ' ', null, true, 'a'.repeat(64), ' ' + 'f'.repeat(40) + ' '),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const anyValue = fc.oneof(idValue, fc.double(), fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const keyName = fc.oneof(
  fc.constantFrom('time', 'distinct_id', '$device_id', '$user_id', '$distinct_id_before_identity', '$identified_id', '$anon_id', '$anon_distinct_id', 'alias', 'mp_original_distinct_id', '$email', 'email', 'Email_SHA256', 'md5_email', '$distinct_ids', '__proto__', 'constructor', 'toString'),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('$browser', '$city', 'mp_lib', '$insert_id', 'org_id', 'utm_source'),
);
const timeValue = fc.oneof(
  fc.integer({ min: 1762128000 - 3 * DAY, max: 1762128000 + 10 * DAY }), // seconds around the window
  fc.integer({ min: 1762128000000 - 3 * DAY * 1000, max: 1762128000000 + 10 * DAY * 1000 }), // ms
  fc.constantFrom('1762300809', '', null, -1, 1e300, 0.5, '2025-11-05T10:00:00Z'),
);
const record = fc.record({
  event: fc.oneof(fc.constantFrom('Page View', '$identify', '$create_alias', 'API Request'), fc.string({ unit: 'grapheme', maxLength: 10 })),
  time: fc.option(timeValue, { nil: undefined }),
  props: fc.array(fc.tuple(keyName, fc.oneof(idValue, anyValue)), { maxLength: 14 }),
});
const line = fc.tuple(record, fc.boolean()).map(([r, spaced]) => {
  const properties: Record<string, unknown> = {};
  if (r.time !== undefined) properties.time = r.time;
  for (const [k, v] of r.props) Object.defineProperty(properties, k, { value: v, enumerable: true, configurable: true, writable: true });
  const text = JSON.stringify({ event: r.event, properties });
  // Pretty-printed newlines are never inside strings (JSON escapes those): a spaced line.
  return spaced ? JSON.stringify(JSON.parse(text), null, '\t').replace(/\n/g, ' ') : text;
});
const damage = fc.tuple(fc.nat(), fc.constantFrom('', '\u0000', '\t', '\u001f', '"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', 'e', '.', ' ', 'é', '\\u12'), fc.boolean());

describe('Mixpanel fast path: generated lines', () => {
  it('agrees with JSON.parse and map() on every line it takes', () => {
    taken = 0;
    checkProperty('mixpanel-fast agrees', fc.property(line, fc.boolean(), (l, berlin) => agrees(l, berlin ? BERLIN : UTC)), 2000);
    expect(taken).toBeGreaterThan(200);
  });

  it('never takes a line JSON.parse refuses, whatever one byte of damage does', () => {
    taken = 0;
    checkProperty(
      'mixpanel-fast damaged',
      fc.property(line, damage, (l, [at, ins, replace]) => {
        const p = at % (l.length + 1);
        agrees(l.slice(0, p) + ins + l.slice(replace ? p + 1 : p));
      }),
      3000,
    );
    expect(taken).toBeGreaterThan(200);
  });
});
