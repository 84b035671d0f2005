/**
 * Shared generators and oracles for the property tests of issue 6.
 *
 * Every arbitrary produces a small, printable *model* (plain data); `build*` turns a model into
 * the bytes written to disk, and the oracles compute, from the model and those bytes alone (never
 * from the tool), how many records each file holds, which of them must be rejected, and on which
 * line. A failing case therefore prints as a readable model that rebuilds the exact files.
 *
 * Knobs: FC_SEED (default below) and FC_RUNS (overrides every property's default run count);
 * FC_REPORT names a file that receives one JSON line per property run (for `npm run soak`).
 */
import { visible } from '../../src/core/text.js';
import fc from 'fast-check';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';

// ---------------------------------------------------------------------------------------------
// Knobs

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${v}"`);
  return n;
}

export const SEED = envInt('FC_SEED') ?? 20251108;
export const numRuns = (def: number) => envInt('FC_RUNS') ?? def;
/** A vitest timeout for a property of `def` runs of about `perRunMs` each, with room to shrink. */
export const timeout = (def: number, perRunMs = 1500) => 120_000 + numRuns(def) * perRunMs * 2;

/**
 * fc.check with the shared seed and run count; reports to FC_REPORT and throws fast-check's own
 * report (seed, path, shrunk counterexample) on failure.
 */
export function checkProperty<Ts>(name: string, prop: fc.IProperty<Ts>, defRuns: number): void {
  const out = fc.check(prop, { seed: SEED, numRuns: numRuns(defRuns) });
  if (process.env.FC_REPORT) {
    appendFileSync(
      process.env.FC_REPORT,
      JSON.stringify({
        name,
        seed: SEED,
        runs: out.numRuns,
        failed: out.failed,
        shrinks: out.numShrinks,
      }) + '\n',
    );
  }
  if (out.failed) {
    const why =
      out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    throw new Error(
      `${fc.defaultReportMessage(out) ?? `property "${name}" failed (seed ${SEED})`}\n\nGot error: ${why}`,
    );
  }
}

// The CLI: test/cli/run.ts spawns it (BI_BIN points at another build, as `npm run soak` uses).
export { run } from '../cli/run.js';

// ---------------------------------------------------------------------------------------------
// Temp dirs: one per test file, one sub-directory per case (removed when the case passes).

export function tempRoot(tag: string): { dir: string; fresh(): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `bi-prop-${tag}-`));
  let n = 0;
  return {
    dir,
    fresh() {
      const d = join(dir, `c${++n}`);
      mkdirSync(d);
      return d;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `body` in a fresh case dir; the dir is kept (and named in the error) when it throws. */
export function inCase<T>(root: { fresh(): string }, body: (dir: string) => T): T {
  const d = root.fresh();
  let ok = false;
  try {
    const r = body(d);
    ok = true;
    return r;
  } catch (e) {
    if (e instanceof Error) e.message += `\n(case files kept in ${d})`;
    throw e;
  } finally {
    if (ok) rmSync(d, { recursive: true, force: true });
  }
}

export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.partial'));
}

// ---------------------------------------------------------------------------------------------
// Things stderr must never show (SPEC §7, §8).

export function crashSigns(stderr: string): string[] {
  const out: string[] = [];
  if (/internal error/i.test(stderr)) out.push('"internal error"');
  if (/\n\s{4}at /.test('\n' + stderr)) out.push('a stack frame');
  if (/TypeError|RangeError|ReferenceError|SyntaxError: /.test(stderr)) out.push('a JS error name');
  if (/MISMATCH/.test(stderr)) out.push('an accounting MISMATCH');
  return out;
}

/** C0 and C1 controls (and DEL), except \n: what must never reach a terminal. */

export const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
export function controlAt(s: string): string | undefined {
  const m = CONTROL.exec(s);
  if (!m) return undefined;
  return `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(s.slice(Math.max(0, m.index - 40), m.index + 20))}`;
}

// ---------------------------------------------------------------------------------------------
// CSV helpers (csv-parse reads the tool's output).

export function parseCsv(text: string, delimiter = ','): string[][] {
  return parse(text, {
    delimiter,
    relax_column_count: true,
    ...(delimiter === '\t' ? { quote: false } : {}),
  }) as string[][];
}

export const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** SPEC §5: a cell starting with = + - @ TAB CR that is not a plain number must start with '. */
export function formulaCell(c: string): boolean {
  return /^[=+\-@\t\r]/.test(c) && !PLAIN_NUMBER.test(c);
}
export function neutralized(s: string): string {
  return formulaCell(s) ? "'" + s : s;
}

/** A cell as the CSV writer gives it: controls shown as `\u001b` (issue 13), then neutralised. */
export function asWritten(s: string): string {
  return neutralized(visible(s));
}

// ---------------------------------------------------------------------------------------------
// Raw splices: bytes a generated string value carries that JSON.stringify cannot produce.
// A string value holds the marker ~~RAW<i>~~, replaced by SPLICES[i] after serialisation.

const b = (...x: number[]) => Buffer.from(x);
export const SPLICES: ReadonlyArray<[name: string, bytes: Buffer]> = [
  ['invalid utf-8 ff', b(0xff)],
  ['lone lead byte c3', b(0xc3)],
  ['lone continuation 80', b(0x80)],
  ['truncated 3-byte e2 82', b(0xe2, 0x82)],
  ['overlong c0 af', b(0xc0, 0xaf)],
  ['raw high surrogate (CESU)', b(0xed, 0xa0, 0x80)],
  ['raw low surrogate (CESU)', b(0xed, 0xb0, 0x80)],
  ['above U+10FFFF', b(0xf4, 0x90, 0x80, 0x80)],
  ['raw NUL', b(0x00)],
  ['raw SOH', b(0x01)],
  ['raw ESC', b(0x1b)],
  ['raw TAB', b(0x09)],
  ['raw LF', b(0x0a)],
  ['raw CR', b(0x0d)],
  ['raw DEL', b(0x7f)],
  ['raw C1 CSI', b(0xc2, 0x9b)],
  ['raw NEL', b(0xc2, 0x85)],
  ['raw U+2028', Buffer.from('\u2028')],
  ['raw BOM', b(0xef, 0xbb, 0xbf)],
  ['escaped NUL', Buffer.from('\\u0000')],
  ['escaped lone high surrogate', Buffer.from('\\ud800')],
  ['escaped lone low surrogate', Buffer.from('\\udc00')],
  ['escaped two high surrogates', Buffer.from('\\ud800\\ud800')],
  ['escaped ANSI red', Buffer.from('\\u001b[31m')],
  ['escaped OSC title', Buffer.from('\\u001b]0;title\\u0007')],
  ['escaped C1 CSI', Buffer.from('\\u009b2J')],
  ['escaped LF', Buffer.from('\\n')],
  ['escaped CR', Buffer.from('\\r')],
  ['escaped quote', Buffer.from('\\"')],
  ['escaped backslash', Buffer.from('\\\\')],
  ['escaped BOM', Buffer.from('\\ufeff')],
];

const MARK_RE = /~~RAW(\d+)~~|"~~DEEP([OA])(\d+)~~"/g;

/** Deep JSON text: {"a":{"a":…1…}} or [[…1…]] `levels` deep. */
export function deepText(kind: 'O' | 'A', levels: number): string {
  return kind === 'O'
    ? '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
    : '['.repeat(levels) + '1' + ']'.repeat(levels);
}

/** Serialised JSON text with its markers replaced: raw splices and deep values. */
export function spliceMarkers(text: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(MARK_RE)) {
    parts.push(Buffer.from(text.slice(last, m.index)));
    if (m[1] !== undefined) parts.push(SPLICES[Number(m[1])]![1]);
    else parts.push(Buffer.from(deepText(m[2] as 'O' | 'A', Number(m[3]))));
    last = m.index! + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last)));
  return Buffer.concat(parts);
}

export const splicedString = (maxSplice = SPLICES.length - 1) =>
  fc
    .tuple(
      fc.string({ maxLength: 4 }),
      fc.integer({ min: 0, max: maxSplice }),
      fc.string({ maxLength: 4 }),
    )
    .map(([a, i, z]) => `${a}~~RAW${i}~~${z}`);

export const deepValue = fc
  .tuple(fc.constantFrom('O', 'A'), fc.constantFrom(64, 1000, 5000))
  .map(([k, n]) => `~~DEEP${k}${n}~~`);

// ---------------------------------------------------------------------------------------------
// Vendor ids, times, records.

/** `arb` with probability p, else undefined. */
export function sometimes<T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: Math.round(p * 1000), arbitrary: arb },
    { weight: Math.round((1 - p) * 1000), arbitrary: fc.constant(undefined) },
  );
}

export const WINDOW = '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z';
const W_START = Date.UTC(2025, 10, 8);
const W_END = Date.UTC(2025, 10, 9, 17);

/** What users are in the table; ids are `u_<i>` or numeric `100<i>` (numbers-as-strings). */
export interface UsersSpec {
  n: number; // 1..4
  numeric: boolean;
}
export const userId = (u: UsersSpec, i: number) => (u.numeric ? String(1000 + i) : `u_${i}`);
export const userEmail = (i: number) => `user${i}@example.com`;
export const userKey = (i: number) => `mp_${i}`;

/**
 * Vendor identifier values, as symbols resolved against the users table at build time, so that
 * records point at users (directly, by email, by --user-key, as numbers), at devices and at
 * nobody, whatever the users table turns out to be.
 */
export const idRef = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      user: fc.integer({ min: 1, max: 5 }),
      as: fc.constantFrom('id', 'id', 'number', 'email', 'EMAIL', 'key'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '$device:d1',
      'd1',
      'd2',
      'anon-1',
      'anon-2',
      'stranger@example.org',
      '',
      ' ',
      0,
      -1,
      true,
    ),
  },
);
export type IdRef = { user: number; as: string } | string | number | boolean;

export function resolveId(r: IdRef, u: UsersSpec): unknown {
  if (typeof r !== 'object') return r;
  const id = userId(u, r.user);
  switch (r.as) {
    case 'number':
      return u.numeric ? Number(id) : id;
    case 'email':
      return userEmail(r.user);
    case 'EMAIL':
      return `  ${userEmail(r.user).toUpperCase()} `;
    case 'key':
      return userKey(r.user);
    default:
      return id;
  }
}

/** `time` values: readable ones around the window, and every unreadable kind (issue 6). */
export const timeArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: W_START - 3 * 86_400_000, max: W_END + 3 * 86_400_000 })
      .chain((ms) =>
        fc.constantFrom<unknown>(
          Math.floor(ms / 1000),
          ms,
          ms / 1000,
          new Date(ms).toISOString(),
          new Date(ms)
            .toISOString()
            .replace('T', ' ')
            .replace(/\.\d+Z$/, ''),
          String(Math.floor(ms / 1000)),
        ),
      ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      undefined,
      null,
      '',
      'yesterday',
      'not a time',
      {},
      [],
      true,
      -1,
      -86_400,
      0,
      32_503_680_000 /* year 3000, s */,
      32_503_680_000_000 /* ms */,
      '3000-01-01T00:00:00Z',
      '2025-02-30T00:00:00Z',
      '1e3x',
    ),
  },
  // Epoch numbers at and beyond the edge of the Date range (±8.64e15 ms after the s/ms/µs rule):
  // 8.6e18 µs is year ~274,500 (a time, far out of any window); 9e18 µs, 1e19 and 1e300 name no time.
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      8.6e18,
      -8.6e18,
      9e18,
      1e19,
      -1e19,
      1e300,
      -1e300,
      Number.MAX_VALUE,
      '10000000000000000000',
      '-8600000000000000000',
    ),
  },
);

const EVENT_NAMES = [
  '$identify',
  '$mp_web_page_view',
  'Sign Up',
  'Purchase',
  '$create_alias',
  '$merge',
];
const PROP_NAMES = [
  '$city',
  'mp_country_code',
  '$browser',
  '$current_url',
  'plan',
  'email',
  '$email',
  'ip',
  'org_id',
  '__proto__',
  'constructor',
  'toString',
];

export interface ValueOpts {
  splices: boolean; // raw splices in string values and keys
  deep: boolean; // deeply nested property values
}

const propValue = (o: ValueOpts) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        'https://app.example.com/reset?token=abc&email=user1%40example.com',
        '203.0.113.9',
        'user3@example.com',
        [],
        {},
        ['a', 1],
      ),
    },
    ...(o.splices ? [{ weight: 3, arbitrary: splicedString() }] : []),
    ...(o.deep ? [{ weight: 1, arbitrary: deepValue }] : []),
  );

const propKey = (o: ValueOpts) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PROP_NAMES) },
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) },
    ...(o.splices ? [{ weight: 1, arbitrary: splicedString() }] : []),
  );

/** A record before serialisation: a JSON value with id symbols not yet resolved. */
export type RecordValue =
  | {
      k: 'event';
      event: unknown;
      time: unknown;
      ids: Record<string, IdRef>;
      insert?: string;
      props: Record<string, unknown>;
      propsAs?: unknown;
    }
  | { k: 'profile'; id: IdRef | undefined; props: Record<string, unknown> }
  | { k: 'connector'; id: IdRef; time: unknown; props: Record<string, unknown> } // Airbyte/Fivetran flat row
  | { k: 'page'; results: RecordValue[] } // an Engage page on one line (NDJSON form only)
  | { k: 'array'; items: RecordValue[] } // a JSON array of records on one line (NDJSON form only)
  | { k: 'raw'; value: unknown }; // junk / not a Mixpanel record

export function eventArb(o: ValueOpts, times = timeArb): fc.Arbitrary<RecordValue> {
  return fc.record(
    {
      k: fc.constant('event' as const),
      event: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom<unknown>(...EVENT_NAMES) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(42, null, '') },
      ),
      time: times,
      ids: fc.record(
        {
          distinct_id: idRef,
          $device_id: idRef,
          $user_id: idRef,
          $identified_id: idRef,
          $anon_distinct_id: idRef,
        },
        { requiredKeys: ['distinct_id'] },
      ),
      insert: sometimes(fc.constantFrom('i1', 'i2', 'i3'), 0.5),
      props: fc.dictionary(propKey(o), propValue(o), { maxKeys: 4 }),
      // numbers as strings and strings as numbers: properties itself of the wrong type
      propsAs: sometimes(fc.constantFrom<unknown>('{"time":1}', 12, [], null), 1 / 12),
    },
    { requiredKeys: ['k', 'event', 'time', 'ids', 'props'] },
  ) as fc.Arbitrary<RecordValue>;
}

export function profileArb(o: ValueOpts): fc.Arbitrary<RecordValue> {
  return fc.record({
    k: fc.constant('profile' as const),
    id: sometimes(idRef, 0.9),
    props: fc.dictionary(propKey(o), propValue(o), { maxKeys: 4 }),
  });
}

/** A connector copy of an event or profile (FORMATS.md §1.5): flat, `$` stripped. */
export function connectorArb(o: ValueOpts, times = timeArb): fc.Arbitrary<RecordValue> {
  return fc.record({
    k: fc.constant('connector' as const),
    id: idRef,
    time: times,
    props: fc.dictionary(propKey(o), propValue(o), { maxKeys: 3 }),
  });
}

export const junkArb: fc.Arbitrary<RecordValue> = fc
  .constantFrom<unknown>(
    null,
    42,
    'a string',
    [],
    [1, 2],
    {},
    { event: 'x' },
    { event: 'x', properties: 'str' },
    { event: 'x', properties: [] },
    { $properties: 3 },
    { results: 'nope' },
    { foo: { bar: 1 } },
  )
  .map((value) => ({ k: 'raw' as const, value }));

export function recordArb(o: ValueOpts, times = timeArb): fc.Arbitrary<RecordValue> {
  return fc.oneof(
    { weight: 6, arbitrary: eventArb(o, times) },
    { weight: 2, arbitrary: profileArb(o) },
    { weight: 1, arbitrary: connectorArb(o, times) },
    { weight: 1, arbitrary: junkArb },
  );
}

/** The JSON value of a record, ids resolved. Markers stay in the strings. */
export function recordJson(r: RecordValue, u: UsersSpec): unknown {
  switch (r.k) {
    case 'raw':
      return r.value;
    case 'array':
      return r.items.map((x) => recordJson(x, u));
    case 'page':
      return {
        page: 0,
        session_id: 'abc',
        results: r.results.map((x) => recordJson(x, u)),
        total: r.results.length,
      };
    case 'connector': {
      const o: Record<string, unknown> = {
        event: 'Purchase',
        distinct_id: resolveId(r.id, u),
        insert_id: 'c1',
        mp_country_code: 'DE',
      };
      if (r.time !== undefined) o.time = r.time;
      for (const [k, v] of Object.entries(r.props)) if (!(k in o)) defineProp(o, k, v);
      return o;
    }
    case 'profile': {
      const o: Record<string, unknown> = {};
      if (r.id !== undefined) o.$distinct_id = resolveId(r.id, u);
      o.$properties = { ...r.props, $email: userEmail(1) };
      return o;
    }
    case 'event': {
      const props: Record<string, unknown> = {};
      if (r.time !== undefined) props.time = r.time;
      for (const [k, v] of Object.entries(r.ids)) props[k] = resolveId(v, u);
      if (r.insert !== undefined) props.$insert_id = r.insert;
      for (const [k, v] of Object.entries(r.props)) if (k !== 'time') defineProp(props, k, v);
      return { event: r.event, properties: r.propsAs !== undefined ? r.propsAs : props };
    }
  }
}

/** `__proto__` as an own key, as JSON.parse would make it. */
function defineProp(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// Per-line corruption (NDJSON only: these break the JSON structure).

export type LineMut =
  | { t: 'truncate'; at: number } // keep a prefix of the line (fraction 0..1)
  | { t: 'nul'; at: number } // a raw NUL byte somewhere
  | { t: 'dupKey'; where: 'top' | 'props'; key: string; value: unknown; after: boolean } // a duplicate key
  | { t: 'bom' } // a BOM at the start of this line (concatenated files)
  | { t: 'pad' }; // spaces around the line

export const lineMutArb: fc.Arbitrary<LineMut> = fc.oneof(
  fc.record({
    t: fc.constant('truncate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({ t: fc.constant('nul' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ t: fc.constant('bom' as const) }),
  fc.record({ t: fc.constant('pad' as const) }),
  dupKeyArb(),
);

/** Duplicate keys keep JSON well-formed: also allowed inside document elements. */
export function dupKeyArb(): fc.Arbitrary<LineMut> {
  return fc.record({
    t: fc.constant('dupKey' as const),
    where: fc.constantFrom('top' as const, 'props' as const),
    key: fc.constantFrom('event', 'properties', 'time', 'distinct_id', '$distinct_id'),
    value: fc.constantFrom<unknown>('dup', 7, null, { time: 1 }, 1731070000),
    after: fc.boolean(),
  });
}

function applyDup(text: string, m: Extract<LineMut, { t: 'dupKey' }>): string {
  const ins = `${JSON.stringify(m.key)}:${JSON.stringify(m.value)}`;
  let open = -1;
  if (m.where === 'props') {
    const p = text.indexOf('"properties":{');
    if (p >= 0) open = p + '"properties":'.length;
  }
  if (open < 0) {
    if (!text.startsWith('{')) return text;
    open = 0;
  }
  // Insert right after the object's "{" (the original key wins) or just before its "}" (the dup wins).
  if (!m.after)
    return (
      text.slice(0, open + 1) + ins + (text[open + 1] === '}' ? '' : ',') + text.slice(open + 1)
    );
  const close = matchingClose(text, open);
  if (close < 0) return text;
  return text.slice(0, close) + (text[close - 1] === '{' ? '' : ',') + ins + text.slice(close);
}

/** Index of the } closing the object opened at `open`, skipping strings. */
function matchingClose(s: string, open: number): number {
  let depth = 0,
    inStr = false;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') if (--depth === 0) return i;
  }
  return -1;
}

export function recordBytes(r: RecordValue, u: UsersSpec, mut?: LineMut, pretty = false): Buffer {
  let text = JSON.stringify(recordJson(r, u), null, pretty ? 2 : undefined) ?? 'null';
  if (mut?.t === 'dupKey') text = applyDup(text, mut);
  let bytes = spliceMarkers(text);
  if (mut?.t === 'truncate')
    bytes = bytes.subarray(0, Math.max(1, Math.floor(mut.at * (bytes.length - 1))));
  else if (mut?.t === 'nul') {
    const at = Math.floor(mut.at * bytes.length);
    bytes = Buffer.concat([bytes.subarray(0, at), b(0), bytes.subarray(at)]);
  } else if (mut?.t === 'bom') bytes = Buffer.concat([b(0xef, 0xbb, 0xbf), bytes]);
  else if (mut?.t === 'pad') bytes = Buffer.concat([Buffer.from('  '), bytes, Buffer.from(' \t')]);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Export files.

export type FileModel =
  | {
      form: 'ndjson';
      head?: string[];
      lines: Array<{ rec: RecordValue; mut?: LineMut } | { blank: string }>;
      bom: boolean;
      crlf: boolean;
      finalNewline: boolean;
      gzip: Gz;
    }
  | {
      form: 'array';
      elements: Array<{ rec: RecordValue; mut?: LineMut }>;
      pretty: boolean;
      bom: boolean;
      crlf: boolean;
      cut?: number;
      gzip: Gz;
    }
  | {
      form: 'page';
      elements: Array<{ rec: RecordValue; mut?: LineMut }>;
      bom: boolean;
      crlf: boolean;
      cut?: number;
      gzip: Gz;
    }
  | { form: 'empty'; content: string; gzip: Gz };

/** Gzip: none, whole, or cut at a fraction of the compressed bytes (an unreadable file). */
export type Gz = { gz: false } | { gz: true; cut?: number };

const gzArb: fc.Arbitrary<Gz> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ gz: false as const }) },
  { weight: 2, arbitrary: fc.constant({ gz: true as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      gz: fc.constant(true as const),
      cut: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    }),
  },
);

const blankArb = fc.constantFrom('', ' ', '\t', '\r', ' \t \r', '   ');

export interface FileOpts extends ValueOpts {
  times?: fc.Arbitrary<unknown>;
}

/**
 * First lines (and a second) that decide how the reader takes an NDJSON file by its content
 * (read-export.ts containerOf): a truncated record ending the way a pretty-printed document's
 * first line does; a stray line with a comma or a TAB, as a CSV header has; a NUL or a second
 * BOM before a record; JSON arrays, of records or not, closed or not. Then, for the second line,
 * what a document's next line (a key, a closing brace) or an NDJSON file's (anything) holds.
 */
const EV = '{"event":"Sign Up","properties":{"time":1762600000,"distinct_id":"u_1"}}';
export const HEAD_FIRST = [
  '{',
  '{"page": 0,',
  '{"results": [',
  '{"event":"Sign Up","properties":{"time":1762600000,',
  '{"event":"Sign Up","properties":{',
  '{"event":',
  'oops, a stray line',
  'a\tb',
  '"a, string"',
  'id,email',
  '\u0000[1,2]',
  '\u0000' + EV,
  '\ufeff' + EV,
  '}',
  '[]',
  '[1,2]',
  `[${EV},${EV}]`,
  `[${EV},`,
  '[',
];
export const HEAD_SECOND = [
  '',
  '"session_id": "1234",',
  '  "a string"',
  '}',
  '  },',
  '[1]',
  `[${EV}]`,
  'oops',
  EV,
];
const headArb = fc
  .tuple(fc.constantFrom(...HEAD_FIRST), sometimes(fc.constantFrom(...HEAD_SECOND), 0.7))
  .map(([a, z]) => (z === undefined ? [a] : [a, z]));

export function ndjsonArb(o: FileOpts): fc.Arbitrary<FileModel> {
  const rec = recordArb(o, o.times);
  // Containers on one NDJSON line (their elements deep too, with o.deep): an Engage page, and a
  // JSON array of records (`cat day1.json day2.json`): each element is a record.
  const page = fc
    .array(rec, { maxLength: 4 })
    .map((results): RecordValue => ({ k: 'page', results }));
  const array = fc
    .array(rec, { maxLength: 3 })
    .map((items): RecordValue => ({ k: 'array', items }));
  const line = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ rec, mut: sometimes(lineMutArb, 0.25) }, { requiredKeys: ['rec'] }),
    },
    { weight: 1, arbitrary: fc.record({ rec: page }) },
    { weight: 1, arbitrary: fc.record({ rec: array }) },
    { weight: 2, arbitrary: fc.record({ blank: blankArb }) },
  );
  return fc.record({
    form: fc.constant('ndjson' as const),
    head: sometimes(headArb, 0.25),
    lines: fc.array(line, { maxLength: 12 }),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    gzip: gzArb,
  }) as fc.Arbitrary<FileModel>;
}

/** Elements of JSON documents: any JSON value (an array element is one record), and duplicate keys, but no structural damage. */
function elementsArb(o: FileOpts) {
  return fc.array(
    fc.record(
      { rec: recordArb(o, o.times), mut: sometimes(dupKeyArb(), 0.15) },
      { requiredKeys: ['rec'] },
    ),
    { maxLength: 8 },
  );
}
const cutArb = sometimes(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), 0.15);

export function arrayArb(o: FileOpts): fc.Arbitrary<FileModel> {
  return fc.record(
    {
      form: fc.constant('array' as const),
      elements: elementsArb(o),
      pretty: fc.boolean(),
      bom: fc.boolean(),
      crlf: fc.boolean(),
      cut: cutArb,
      gzip: gzArb,
    },
    { requiredKeys: ['form', 'elements', 'pretty', 'bom', 'crlf', 'gzip'] },
  ) as fc.Arbitrary<FileModel>;
}

export function pageArb(o: FileOpts): fc.Arbitrary<FileModel> {
  return fc.record(
    {
      form: fc.constant('page' as const),
      elements: elementsArb(o),
      bom: fc.boolean(),
      crlf: fc.boolean(),
      cut: cutArb,
      gzip: gzArb,
    },
    { requiredKeys: ['form', 'elements', 'bom', 'crlf', 'gzip'] },
  ) as fc.Arbitrary<FileModel>;
}

export const emptyArb: fc.Arbitrary<FileModel> = fc.record({
  form: fc.constant('empty' as const),
  content: fc.constantFrom(
    '',
    '\n',
    '\r\n\r\n',
    ' \t\n',
    '\ufeff',
    '\ufeff\n\n',
    '[]',
    '[ ]\n',
    '{"results":[]}',
    '{\n  "results": []\n}\n',
  ),
  gzip: gzArb,
}) as fc.Arbitrary<FileModel>;

export function fileArb(o: FileOpts): fc.Arbitrary<FileModel> {
  return fc.oneof(
    { weight: 5, arbitrary: ndjsonArb(o) },
    { weight: 2, arbitrary: arrayArb(o) },
    { weight: 2, arbitrary: pageArb(o) },
    { weight: 1, arbitrary: emptyArb },
  );
}

/** What the oracle says about one file. */
export interface Expect {
  /** Exact record count and where each record starts, with the records that must be rejected. */
  exact: boolean;
  records: number; // exact count; or the lowest allowed when !exact
  maxRecords: number;
  bad: number[]; // lines of records that must be rejected (one entry per record)
  good: number; // records that must not be rejected
  unreadable: boolean; // a truncated gzip stream: the file cannot be read to its end
  /** A damaged document: between `records` and `maxRecords` records, and at least one rejected. */
  truncatedDoc: boolean;
  /**
   * Read as another container than the generator wrote (an NDJSON file whose first line makes
   * it a CSV export): how the reader delimits it is its own business, but none of its records
   * is a Mixpanel record, so every one of them is rejected.
   */
  allBad: boolean;
}

export interface BuiltFile {
  plain: Buffer; // before gzip
  bytes: Buffer; // as written
  expect: Expect;
}

export function buildFile(m: FileModel, u: UsersSpec, windowed: boolean): BuiltFile {
  let plain: Buffer;
  let expect: Expect;
  if (m.form === 'empty') {
    plain = Buffer.from(m.content);
    expect = exactly([], 0);
  } else if (m.form === 'ndjson') {
    const eol = m.crlf ? '\r\n' : '\n';
    const parts: Buffer[] = [];
    if (m.bom) parts.push(b(0xef, 0xbb, 0xbf));
    const all = [
      ...(m.head ?? []).map((h) => Buffer.from(h)),
      ...m.lines.map((l) => ('blank' in l ? Buffer.from(l.blank) : recordBytes(l.rec, u, l.mut))),
    ];
    all.forEach((x, i) => {
      if (i > 0) parts.push(Buffer.from(eol));
      parts.push(x);
    });
    if (m.finalNewline && all.length > 0) parts.push(Buffer.from(eol));
    plain = Buffer.concat(parts);
    expect = ndjsonOracle(plain, windowed);
  } else {
    const built = buildDocument(m, u);
    plain = built.bytes;
    const verdicts = built.elements.map((e) => ({
      line: e.line,
      v: classifyText(e.text, windowed),
    }));
    if (m.cut === undefined) {
      expect = exactly(
        verdicts.filter((x) => x.v === 'bad').map((x) => x.line),
        verdicts.filter((x) => x.v === 'good').length,
      );
    } else {
      // Cut inside the document, after its opening bracket and before its closing one.
      const cut = built.open + 1 + Math.floor(m.cut * (built.close - built.open));
      plain = plain.subarray(0, cut);
      const whole = built.elements.filter((e) => e.end <= cut).length;
      expect = {
        exact: false,
        records: whole,
        maxRecords: whole + 1,
        bad: [],
        good: 0,
        unreadable: false,
        truncatedDoc: true,
        allBad: false,
      };
    }
  }
  let bytes = plain;
  if (m.gzip.gz) {
    bytes = gzipSync(plain);
    if (m.gzip.cut !== undefined) {
      bytes = bytes.subarray(0, 2 + Math.floor(m.gzip.cut * (bytes.length - 2)));
      expect = { ...expect, exact: false, records: 0, unreadable: true };
    }
  }
  return { plain, bytes, expect };
}

function exactly(bad: number[], good: number): Expect {
  return {
    exact: true,
    records: bad.length + good,
    maxRecords: bad.length + good,
    bad,
    good,
    unreadable: false,
    truncatedDoc: false,
    allBad: false,
  };
}

interface Doc {
  bytes: Buffer;
  elements: Array<{ text: Buffer; line: number; end: number }>;
  open: number; // offset of the opening [ or {
  close: number; // offset of the closing ] or }
}

function buildDocument(m: Extract<FileModel, { form: 'array' | 'page' }>, u: UsersSpec): Doc {
  const nl = m.crlf ? '\r\n' : '\n';
  const pretty = m.form === 'page' || m.pretty;
  const parts: Buffer[] = [];
  let len = 0,
    line = 1;
  const push = (x: Buffer) => {
    parts.push(x);
    len += x.length;
    for (const c of x) if (c === 0x0a) line++;
  };
  const s = (t: string) => push(Buffer.from(t.replace(/\n/g, nl)));
  if (m.bom) push(b(0xef, 0xbb, 0xbf));
  let open: number;
  if (m.form === 'page') {
    open = len;
    s('{\n  "page": 0,\n  "session_id": "1234",\n  "results": [');
  } else {
    open = len;
    s('[');
  }
  const elements: Doc['elements'] = [];
  m.elements.forEach((e, i) => {
    if (i > 0) s(',');
    if (pretty) s(m.form === 'page' ? '\n    ' : '\n  ');
    const text = recordBytes(e.rec, u, e.mut, pretty && i % 2 === 0);
    // Line ends inside a pretty element follow the file's.
    const t = m.crlf ? Buffer.from(text.toString('latin1').replace(/\n/g, '\r\n'), 'latin1') : text;
    const at = line;
    push(t);
    elements.push({ text: t, line: at, end: len });
  });
  if (pretty) s('\n');
  if (m.form === 'page') s('  ],\n  "total": ' + m.elements.length + '\n');
  const close = len;
  s(m.form === 'page' ? '}\n' : ']\n');
  return { bytes: Buffer.concat(parts), elements, open, close };
}

// ---------------------------------------------------------------------------------------------
// Oracles: SPEC §3 and §4.1 read directly, on the bytes we wrote.

export type Verdict = 'good' | 'bad';

/**
 * NDJSON (SPEC §3, read-export.ts containerOf): every non-blank line is a record; a line holding
 * a container holds records: an Engage page on one line (each of its results), a non-empty JSON
 * array (each of its elements; `[]` is one bad record). The file's first content decides how
 * the whole file is read, by content alone:
 * - `[`: a JSON array document, whatever follows it read line by line: a first line that is a
 *   whole array gives its elements (none for `[]`), then each later line as above; an array
 *   that does not close on its first line is a damaged document;
 * - `{` on a first line that is not a whole JSON value but opens an object (`{` alone, or ends
 *   in `,` `:` `[` `{`), with the next non-blank line starting with `"` or `}`: a pretty-printed
 *   document, here a damaged one;
 * - anything else with `,` or TAB and no brace on its first line, when the next non-blank line
 *   does not start with `{` or `[`: a CSV export, whose header is that first line.
 */
export function ndjsonOracle(plain: Buffer, windowed: boolean): Expect {
  let buf = plain;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  const first = firstContentLine(buf);
  if (first?.kind === 'damagedDoc')
    return {
      exact: false,
      records: 1,
      maxRecords: Infinity,
      bad: [],
      good: 0,
      unreadable: false,
      truncatedDoc: true,
      allBad: false,
    };
  if (first?.kind === 'csv')
    return {
      exact: false,
      records: 0,
      maxRecords: Infinity,
      bad: [],
      good: 0,
      unreadable: false,
      truncatedDoc: false,
      allBad: true,
    };
  const bad: number[] = [];
  let good = 0,
    line = 0,
    s = 0;
  while (s <= buf.length) {
    let e = buf.indexOf(0x0a, s);
    if (e < 0) e = buf.length;
    line++;
    const raw = buf.subarray(s, e);
    if (![...raw].every((c) => c === 0x20 || c === 0x09 || c === 0x0d)) {
      let verdicts: Verdict[];
      if (first?.kind === 'array' && line === first.line)
        verdicts = first.elements.map((x) => classify(x, windowed));
      else {
        let text = raw.toString('utf8');
        if (text.endsWith('\r')) text = text.slice(0, -1);
        let v: unknown,
          parsed = true;
        try {
          v = JSON.parse(text);
        } catch {
          parsed = false;
        }
        verdicts = !parsed
          ? ['bad']
          : isPage(v)
            ? v.results.map((x) => classify(x, windowed))
            : Array.isArray(v) && v.length > 0
              ? v.map((x) => classify(x, windowed))
              : [classify(v, windowed)];
      }
      for (const x of verdicts) {
        if (x === 'bad') bad.push(line);
        else good++;
      }
    }
    s = e + 1;
  }
  return exactly(bad, good);
}

type FirstLine =
  { kind: 'array'; line: number; elements: unknown[] } | { kind: 'damagedDoc' } | { kind: 'csv' };

/** How the first content of an NDJSON file (BOM removed) makes the reader take the file; undefined: NDJSON. */
function firstContentLine(buf: Buffer): FirstLine | undefined {
  const ws = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  let s = 0;
  while (s < buf.length && ws(buf[s])) s++;
  if (s >= buf.length) return undefined;
  const nl = buf.indexOf(0x0a, s);
  const text = buf.toString('utf8', s, nl < 0 ? buf.length : nl);
  let next = nl < 0 ? buf.length : nl;
  while (next < buf.length && ws(buf[next])) next++;
  const nextByte = next < buf.length ? buf[next] : undefined;
  if (buf[s] === 0x5b) {
    const line = 1 + buf.subarray(0, s).filter((c) => c === 0x0a).length;
    try {
      const v = JSON.parse(text);
      if (Array.isArray(v)) return { kind: 'array', line, elements: v };
    } catch {
      // falls through
    }
    return { kind: 'damagedDoc' };
  }
  if (buf[s] === 0x7b) {
    const t = text.trim();
    let whole = true;
    try {
      JSON.parse(t);
    } catch {
      whole = false;
    }
    const opens = !whole && (t === '{' || /[,:[{]$/.test(t));
    return opens && (nextByte === 0x22 || nextByte === 0x7d) ? { kind: 'damagedDoc' } : undefined;
  }
  return /[,\t]/.test(text) && !/[{}]/.test(text) && nextByte !== 0x7b && nextByte !== 0x5b
    ? { kind: 'csv' }
    : undefined;
}

function isPage(v: unknown): v is { results: unknown[] } {
  return isObj(v) && Array.isArray(v.results) && !('event' in v) && !('$distinct_id' in v);
}

export function classifyText(text: Buffer, windowed: boolean): Verdict {
  try {
    return classify(JSON.parse(text.toString('utf8')), windowed);
  } catch {
    return 'bad';
  }
}

/**
 * SPEC §3: a Mixpanel event ({"event", "properties": {…}}), people record
 * ({"$distinct_id", "$properties"}) or connector row ({"distinct_id", "time"?, …});
 * §4.1: under --window an event needs a readable time.
 */
export function classify(v: unknown, windowed: boolean): Verdict {
  if (!isObj(v)) return 'bad';
  if (isObj(v.properties)) return !windowed || readableTime(v.properties.time) ? 'good' : 'bad';
  if (Object.hasOwn(v, '$distinct_id') || isObj(v.$properties)) return 'good';
  // FORMATS.md §1.5 pitfall 6: a connector copy (Airbyte, Fivetran) is one flat row with a
  // top-level distinct_id: an event when it has a time, else a profile.
  if (Object.hasOwn(v, 'distinct_id')) {
    const t = v.time;
    const event = t !== undefined && t !== null && t !== '';
    return !windowed || !event || readableTime(t) ? 'good' : 'bad';
  }
  return 'bad';
}

/**
 * SPEC §2 "Timestamps": ISO 8601 (with a zone, or none = UTC), `YYYY-MM-DD HH:MM:SS`, epoch s/ms/µs.
 * An epoch number is s below 1e11, ms below 1e14, else µs; beyond ±8.64e15 ms (the Date range)
 * it names no time.
 */
export function readableTime(t: unknown): boolean {
  if (typeof t === 'number') return epochInRange(t);
  if (typeof t !== 'string') return false;
  const s = t.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return epochInRange(Number(s));
  const m =
    /^(\d{4})-(\d{2})-(\d{2})([T ](\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      s,
    );
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

function epochInRange(n: number): boolean {
  if (!Number.isFinite(n)) return false;
  const a = Math.abs(n);
  const ms = a < 1e11 ? a * 1000 : a < 1e14 ? a : a / 1000;
  return ms <= 8.64e15;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
