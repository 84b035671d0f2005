/**
 * The fast path for Mixpanel NDJSON lines (issue #8), and why it exists.
 *
 * Most lines of a breach export fall outside the exposure window (77 % in the bench), and for
 * those the correlator needs only their evidence: time, identifiers, emails, hashed emails and
 * device, never their fields. So each line of a Mixpanel raw export is offered here as bytes
 * before it is decoded: a scan that checks the line is valid JSON and picks those few keys out
 * allocates only the evidence, where decoding, JSON.parse and mapping build the whole record.
 *
 * Measured (bench/RESULTS.md, `node bench/parse-speed.mjs`): on the 2-vCPU bench machine this
 * scanner runs at about JSON.parse's speed, 65–135 MB/s, so it buys only 1.02–1.08× end to end.
 * It stays because it is exact (below), and a faster scanner (native, or a better JIT) would
 * arrive here with nothing else to change; `npm run bench` measures it against
 * BREACH_IMPACT_FAST=0 in every run.
 *
 * When the line is a plain raw-export event `{"event": "...", "properties": {...}}` whose time
 * is outside the window, the evidence keys, as JSON.parse would have read them, go to the
 * preset's own map() as a small `properties` object: the record the correlator sees is the one
 * the ordinary path builds, less the fields it never reads for an out-of-window event.
 * Anything else is declined and takes the ordinary path:
 * - a time in the window, or no usable time;
 * - a line JSON.parse would refuse;
 * - an escape sequence in a key, or `$distinct_ids` (a $merge);
 * - an object or array where an identifier is expected;
 * - nesting deeper than 64.
 * So the fast path changes speed, never results. `test/property/mixpanel-fast.test.ts` holds it
 * to JSON.parse on generated and hostile lines, and the golden outputs are compared with it
 * switched off (BREACH_IMPACT_FAST=0).
 */
import type { MapContext, VendorRecord } from '../core/record.js';
import { isHashName, mixpanel } from './mixpanel.js';

const QUOTE = 0x22, BSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACK = 0x5b, RBRACK = 0x5d;
const MAX_DEPTH = 64;

/** The property keys map() reads for evidence (`$distinct_ids`, a $merge, is declined). */
const EVIDENCE_KEYS = ['time', 'distinct_id', '$device_id', '$user_id', '$distinct_id_before_identity', '$identified_id', '$anon_id', '$anon_distinct_id', 'alias', 'mp_original_distinct_id', '$email', 'email', '$distinct_ids'] as const;
const MERGE = EVIDENCE_KEYS.length - 1;
const KEY_BYTES = EVIDENCE_KEYS.map((k) => Buffer.from(k, 'latin1'));
/** Evidence keys by length: most property keys are told apart by their length alone. */
const BY_LENGTH: number[][] = [];
KEY_BYTES.forEach((k, n) => (BY_LENGTH[k.length] ??= []).push(n));
const EVENT = Buffer.from('event'), PROPERTIES = Buffer.from('properties');

/** Buffer's own slicers: Buffer#toString(enc, s, e) checks and dispatches on every call. */
interface Slicers {
  latin1Slice(s: number, e: number): string;
  utf8Slice(s: number, e: number): string;
}
type Bytes = Buffer & Slicers;

// What the last string scanned held, beyond where it ends. Set once per string, never per byte.
let escaped = false;
let high = false;

/** Past JSON whitespace from p. */
function ws(b: Bytes, p: number, e: number): number {
  while (p < e) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return p;
    p++;
  }
  return p;
}

/**
 * The JSON string opened by the quote at p: returns the index of its closing quote, or -1 when
 * JSON.parse would refuse it (a raw control character, a bad escape, no end). Sets `escaped`
 * and `high` (a byte ≥ 0x80: decode as UTF-8).
 */
function string(b: Bytes, p: number, e: number): number {
  let esc = false, hi = false;
  p++;
  for (;;) {
    // The tight loop: plain ASCII, which is nearly every byte of an export.
    let c = 0;
    while (p < e) {
      c = b[p]!;
      if (c === QUOTE || c === BSLASH || c < 0x20 || c >= 0x80) break;
      p++;
    }
    if (p >= e || c < 0x20) return -1;
    if (c === QUOTE) {
      escaped = esc;
      high = hi;
      return p;
    }
    if (c >= 0x80) {
      hi = true;
      p++;
      continue;
    }
    esc = true; // a backslash
    const n = b[p + 1];
    if (n === 0x75 /* u */) {
      for (let k = 2; k < 6; k++) if (!isHex(b[p + k])) return -1;
      p += 6;
    } else if (n === QUOTE || n === BSLASH || n === 0x2f || n === 0x62 || n === 0x66 || n === 0x6e || n === 0x72 || n === 0x74) p += 2;
    else return -1;
  }
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66));
}

function digits(b: Bytes, p: number, e: number): number {
  while (p < e) {
    const c = b[p]!;
    if (c < 0x30 || c > 0x39) return p;
    p++;
  }
  return p;
}

/** The end of the JSON number at p (RFC 8259 grammar), or -1 when it is not one. */
function number(b: Bytes, p: number, e: number): number {
  if (b[p] === 0x2d) p++;
  if (b[p] === 0x30) p++;
  else {
    const q = digits(b, p, e);
    if (q === p) return -1;
    p = q;
  }
  if (b[p] === 0x2e) {
    const q = digits(b, p + 1, e);
    if (q === p + 1) return -1;
    p = q;
  }
  const c = b[p];
  if (c === 0x65 || c === 0x45) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    const q = digits(b, p, e);
    if (q === p) return -1;
    p = q;
  }
  return p;
}

/** The end of `word` at p, or -1. */
function literal(b: Bytes, p: number, word: Buffer): number {
  for (let k = 0; k < word.length; k++) if (b[p + k] !== word[k]) return -1;
  return p + word.length;
}
const TRUE = Buffer.from('true'), FALSE = Buffer.from('false'), NULL = Buffer.from('null');

/** The end of any JSON value at p, or -1 when invalid or nested deeper than MAX_DEPTH. */
function skipValue(b: Bytes, p: number, e: number, depth: number): number {
  const c = b[p];
  if (c === QUOTE) {
    const q = string(b, p, e);
    return q < 0 ? -1 : q + 1;
  }
  if (c === LBRACE || c === LBRACK) {
    if (depth >= MAX_DEPTH) return -1;
    const close = c === LBRACE ? RBRACE : RBRACK;
    p = ws(b, p + 1, e);
    if (b[p] === close) return p + 1;
    for (;;) {
      if (close === RBRACE) {
        if (b[p] !== QUOTE) return -1;
        const q = string(b, p, e);
        if (q < 0) return -1;
        p = ws(b, q + 1, e);
        if (b[p] !== COLON) return -1;
        p = ws(b, p + 1, e);
      }
      p = skipValue(b, p, e, depth + 1);
      if (p < 0) return -1;
      p = ws(b, p, e);
      if (b[p] === COMMA) {
        p = ws(b, p + 1, e);
        continue;
      }
      return b[p] === close ? p + 1 : -1;
    }
  }
  if (c === 0x74) return literal(b, p, TRUE);
  if (c === 0x66) return literal(b, p, FALSE);
  if (c === 0x6e) return literal(b, p, NULL);
  return number(b, p, e);
}

/** The string whose content is b[s, q), as JSON.parse would give it (after string()). */
function text(b: Bytes, s: number, q: number): string {
  if (escaped) return JSON.parse(b.utf8Slice(s - 1, q + 1)) as string;
  return high ? b.utf8Slice(s, q) : b.latin1Slice(s, q);
}

/** True when b[s, q) holds exactly these bytes. */
function same(b: Bytes, s: number, q: number, want: Buffer): boolean {
  if (q - s !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (b[s + k] !== want[k]) return false;
  return true;
}

/** The evidence key b[s, q) names (an index in EVIDENCE_KEYS), or -1. */
function evidenceKey(b: Bytes, s: number, q: number): number {
  const cands = BY_LENGTH[q - s];
  if (cands === undefined) return -1;
  for (const n of cands) if (same(b, s, q, KEY_BYTES[n]!)) return n;
  return -1;
}

/** True when b[s, q) holds "mail" in any case: only such a key can name a hashed email. */
function mentionsMail(b: Bytes, s: number, q: number): boolean {
  for (let p = s; p + 3 < q; p++) {
    if ((b[p]! | 0x20) === 0x6d && (b[p + 1]! | 0x20) === 0x61 && (b[p + 2]! | 0x20) === 0x69 && (b[p + 3]! | 0x20) === 0x6c) return true;
  }
  return false;
}

// Where the last scalar() ended (it returns the value itself).
let after = 0;

/**
 * The scalar at p as JSON.parse reads it, for an evidence key, with `after` set past it;
 * undefined when the value is invalid or not a scalar (the line is declined).
 */
function scalar(b: Bytes, p: number, e: number): unknown {
  const c = b[p];
  if (c === QUOTE) {
    const q = string(b, p, e);
    if (q < 0) return undefined;
    after = q + 1;
    return text(b, p + 1, q);
  }
  let q: number;
  let v: unknown;
  if (c === 0x74) (q = literal(b, p, TRUE)), (v = true);
  else if (c === 0x66) (q = literal(b, p, FALSE)), (v = false);
  else if (c === 0x6e) (q = literal(b, p, NULL)), (v = null);
  else {
    q = number(b, p, e);
    if (q >= 0) v = Number(b.latin1Slice(p, q));
  }
  if (q < 0) return undefined;
  after = q;
  return v;
}

/** The `properties` object at p: its evidence keys into `props`; returns its end, or -1. */
function properties(b: Bytes, p: number, e: number, props: Record<string, unknown>): number {
  if (b[p] !== LBRACE) return -1;
  p = ws(b, p + 1, e);
  if (b[p] === RBRACE) return p + 1;
  for (;;) {
    if (b[p] !== QUOTE) return -1;
    const ks = p + 1;
    const kq = string(b, p, e);
    if (kq < 0 || escaped) return -1; // an escaped key is rare: the ordinary path reads it
    const keyHigh = high;
    p = ws(b, kq + 1, e);
    if (b[p] !== COLON) return -1;
    p = ws(b, p + 1, e);
    const n = evidenceKey(b, ks, kq);
    if (n === MERGE) return -1;
    let name: string | undefined = n < 0 ? undefined : EVIDENCE_KEYS[n];
    if (name === undefined && kq - ks > 6 && mentionsMail(b, ks, kq)) {
      const k = keyHigh ? b.utf8Slice(ks, kq) : b.latin1Slice(ks, kq);
      if (isHashName(k)) name = k;
    }
    if (name !== undefined) {
      const v = scalar(b, p, e);
      if (v === undefined) return -1;
      props[name] = v;
      p = after;
    } else {
      p = skipValue(b, p, e, 1);
      if (p < 0) return -1;
    }
    p = ws(b, p, e);
    if (b[p] === COMMA) {
      p = ws(b, p + 1, e);
      continue;
    }
    return b[p] === RBRACE ? p + 1 : -1;
  }
}

/** What map() is given: every evidence key present (one object shape), undefined when absent. */
function emptyProps(): Record<string, unknown> {
  return {
    time: undefined,
    distinct_id: undefined,
    $device_id: undefined,
    $user_id: undefined,
    $distinct_id_before_identity: undefined,
    $identified_id: undefined,
    $anon_id: undefined,
    $anon_distinct_id: undefined,
    alias: undefined,
    mp_original_distinct_id: undefined,
    $email: undefined,
    email: undefined,
  };
}

/**
 * Scans one NDJSON line, buf[s, e). When it is a Mixpanel raw event whose time makes
 * `evidenceOnly(time)` true, fills `out` as mixpanel.map() would (less the exposed fields) and
 * returns true; otherwise returns false and `out` must not be used.
 */
export function scanEvidence(buf: Buffer, s: number, e: number, out: VendorRecord, ctx: MapContext, evidenceOnly: (t: number) => boolean): boolean {
  const b = buf as Bytes;
  let p = ws(b, s, e);
  if (b[p] !== LBRACE) return false;
  p = ws(b, p + 1, e);
  let event: string | undefined;
  let props: Record<string, unknown> | undefined;
  for (;;) {
    if (b[p] !== QUOTE) return false;
    const ks = p + 1;
    const kq = string(b, p, e);
    if (kq < 0 || escaped) return false;
    p = ws(b, kq + 1, e);
    if (b[p] !== COLON) return false;
    p = ws(b, p + 1, e);
    if (event === undefined && same(b, ks, kq, EVENT)) {
      if (b[p] !== QUOTE) return false;
      const q = string(b, p, e);
      if (q < 0) return false;
      event = text(b, p + 1, q);
      p = q + 1;
    } else if (props === undefined && same(b, ks, kq, PROPERTIES)) {
      props = emptyProps();
      p = properties(b, p, e, props);
      if (p < 0) return false;
    } else return false; // another key, or one twice: not the plain raw-export shape
    p = ws(b, p, e);
    if (b[p] === COMMA) {
      p = ws(b, p + 1, e);
      continue;
    }
    if (b[p] !== RBRACE) return false;
    p++;
    break;
  }
  if (ws(b, p, e) !== e || event === undefined || props === undefined) return false;
  out.reset();
  out.preset = mixpanel;
  if (mixpanel.map({ event, properties: props }, out, ctx) !== undefined) return false;
  return !Number.isNaN(out.time) && evidenceOnly(out.time);
}
