/**
 * The fast path for Mixpanel NDJSON lines (issue #8), and why it exists.
 *
 * Most lines of a breach export fall outside the exposure window (77 % in the bench), and for
 * those the correlator needs only their evidence: time, identifiers, emails, hashed emails and
 * device, never their fields. Decoding a 520-byte line to a string, JSON.parse of all of it and
 * mapping its properties costs several times a byte scan that checks the line is valid JSON
 * and picks those few keys out. So each line of a Mixpanel raw export is scanned here first.
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
 * So the fast path changes speed, never results. `test/vendors/mixpanel-fast.test.ts` holds it
 * to JSON.parse on generated and hostile lines, and the golden outputs are compared with it
 * switched off (BREACH_IMPACT_FAST=0).
 */
import type { MapContext, VendorRecord } from '../core/record.js';
import { isHashName, mixpanel } from './mixpanel.js';

const QUOTE = 0x22, BSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACK = 0x5b, RBRACK = 0x5d;
const MAIL = 0x6d61696c; // "mail", lower case: a key holding it may name a hashed email
const MAX_DEPTH = 64;

/** The property keys map() reads for evidence (`$distinct_ids`, a $merge, is declined). */
const EVIDENCE_KEYS = ['time', 'distinct_id', '$device_id', '$user_id', '$distinct_id_before_identity', '$identified_id', '$anon_id', '$anon_distinct_id', 'alias', 'mp_original_distinct_id', '$email', 'email', '$distinct_ids'] as const;
const MERGE = EVIDENCE_KEYS.length - 1;
const KEY_BYTES = EVIDENCE_KEYS.map((k) => Buffer.from(k, 'latin1'));

function hashOf(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
  return h;
}
/**
 * Key hash → 1 + index in EVIDENCE_KEYS, in a table small enough to stay in cache (the evidence
 * keys' slots do not collide: checked here once); a hit is confirmed byte by byte.
 */
const HASHES = EVIDENCE_KEYS.map(hashOf);
const slotOf = (h: number) => (h ^ (h >>> 2)) & 255;
const SLOTS = new Uint8Array(256);
HASHES.forEach((h, n) => {
  if (SLOTS[slotOf(h)] !== 0) throw new Error('mixpanel-fast: evidence key slots collide');
  SLOTS[slotOf(h)] = n + 1;
});
const EVENT = Buffer.from('event'), PROPERTIES = Buffer.from('properties');

/** Buffer's own slicers: Buffer#toString(enc, s, e) checks and dispatches on every call. */
interface Slicers {
  latin1Slice(s: number, e: number): string;
  utf8Slice(s: number, e: number): string;
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

// The scan's cursor and what it found in the last string. Module state, so that the hot loop
// allocates nothing but the evidence it returns; the loops copy it into locals.
let b: Buffer & Slicers = Buffer.alloc(0) as Buffer & Slicers;
let i = 0;
let end = 0;
let keyHash = 0;
let keyMail = false;
let strEscaped = false;
let strHigh = false;

function ws(): void {
  const buf = b;
  let p = i;
  while (p < end) {
    const c = buf[p]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    p++;
  }
  i = p;
}

/**
 * A key at b[i] === '"': returns the index of its closing quote (i is left after it), or -1
 * when it is invalid or has an escape (declined). Hashes its bytes and notes "mail", non-ASCII.
 */
function key(): number {
  const buf = b, e = end;
  let p = i + 1;
  let h = 0, w = 0, mail = false, high = false;
  while (p < e) {
    const c = buf[p]!;
    if (c === QUOTE) {
      keyHash = h;
      keyMail = mail;
      strHigh = high;
      i = p + 1;
      return p;
    }
    if (c === BSLASH) return -1; // rare in keys: the line is declined
    if (c < 0x20) return -1; // a raw control character: JSON.parse refuses it
    if (c >= 0x80) high = true;
    h = (Math.imul(h, 31) + c) | 0;
    w = (w << 8) | (c | 0x20);
    if (w === MAIL) mail = true;
    p++;
  }
  return -1;
}

/**
 * A JSON string at b[i] === '"': returns the index of its closing quote (i is left after it),
 * or -1 when it is not valid JSON. Notes escapes and non-ASCII bytes.
 */
function skipString(): number {
  const buf = b, e = end;
  let p = i + 1;
  let esc = false, high = false;
  while (p < e) {
    const c = buf[p]!;
    if (c === QUOTE) {
      strEscaped = esc;
      strHigh = high;
      i = p + 1;
      return p;
    }
    if (c === BSLASH) {
      esc = true;
      const n = buf[p + 1];
      if (n === 0x75 /* u */) {
        for (let k = 2; k < 6; k++) if (!isHex(buf[p + k])) return -1;
        p += 6;
      } else if (n === QUOTE || n === BSLASH || n === 0x2f || n === 0x62 || n === 0x66 || n === 0x6e || n === 0x72 || n === 0x74) p += 2;
      else return -1;
      continue;
    }
    if (c < 0x20) return -1;
    if (c >= 0x80) high = true;
    p++;
  }
  return -1;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66));
}

function digits(): number {
  const buf = b, e = end;
  let p = i;
  while (p < e) {
    const c = buf[p]!;
    if (c < 0x30 || c > 0x39) break;
    p++;
  }
  const n = p - i;
  i = p;
  return n;
}

/** A JSON number at b[i] (RFC 8259 grammar); false when it is not one. */
function number(): boolean {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (digits() === 0) return false;
  if (b[i] === 0x2e) {
    i++;
    if (digits() === 0) return false;
  }
  const c = b[i];
  if (c === 0x65 || c === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (digits() === 0) return false;
  }
  return true;
}

function literal(word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  i += word.length;
  return true;
}

/** Any JSON value at b[i], skipped; false when invalid or too deep. */
function skipValue(depth: number): boolean {
  const c = b[i];
  if (c === QUOTE) return skipString() >= 0;
  if (c === LBRACE || c === LBRACK) {
    if (depth >= MAX_DEPTH) return false;
    const close = c === LBRACE ? RBRACE : RBRACK;
    i++;
    ws();
    if (b[i] === close) {
      i++;
      return true;
    }
    for (;;) {
      if (close === RBRACE) {
        if (b[i] !== QUOTE || skipString() < 0) return false;
        ws();
        if (b[i] !== COLON) return false;
        i++;
        ws();
      }
      if (!skipValue(depth + 1)) return false;
      ws();
      if (b[i] === COMMA) {
        i++;
        ws();
        continue;
      }
      if (b[i] !== close) return false;
      i++;
      return true;
    }
  }
  if (c === 0x74) return literal('true');
  if (c === 0x66) return literal('false');
  if (c === 0x6e) return literal('null');
  return number();
}

/** The string whose content is b[s, e), as JSON.parse would give it. */
function text(s: number, e: number): string {
  if (strEscaped) return JSON.parse(b.utf8Slice(s - 1, e + 1)) as string;
  return strHigh ? b.utf8Slice(s, e) : b.latin1Slice(s, e);
}

/** True when b[s, e) holds exactly these bytes. */
function same(s: number, e: number, want: Buffer): boolean {
  if (e - s !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (b[s + k] !== want[k]) return false;
  return true;
}

/**
 * A scalar value at b[i] as JSON.parse reads it, for an evidence key; undefined when the value
 * is invalid or not a scalar (the line is declined).
 */
function scalar(): unknown {
  const c = b[i];
  if (c === QUOTE) {
    const s = i + 1;
    const e = skipString();
    return e < 0 ? undefined : text(s, e);
  }
  if (c === 0x74) return literal('true') ? true : undefined;
  if (c === 0x66) return literal('false') ? false : undefined;
  if (c === 0x6e) return literal('null') ? null : undefined;
  const s = i;
  return number() ? Number(b.latin1Slice(s, i)) : undefined;
}

/** The `properties` object at b[i]: its evidence keys into `props`; false to decline. */
function properties(props: Record<string, unknown>): boolean {
  if (b[i] !== LBRACE) return false;
  i++;
  ws();
  if (b[i] === RBRACE) {
    i++;
    return true;
  }
  for (;;) {
    if (b[i] !== QUOTE) return false;
    const ks = i + 1;
    const ke = key();
    if (ke < 0) return false;
    const mail = keyMail;
    const h = keyHash;
    let n: number | undefined = SLOTS[slotOf(h)]! - 1;
    if (n < 0 || HASHES[n] !== h || !same(ks, ke, KEY_BYTES[n]!)) n = undefined;
    ws();
    if (b[i] !== COLON) return false;
    i++;
    ws();
    if (n === MERGE) return false;
    let name: string | undefined = n === undefined ? undefined : EVIDENCE_KEYS[n];
    if (name === undefined && mail) {
      const k = strHigh ? b.utf8Slice(ks, ke) : b.latin1Slice(ks, ke);
      if (isHashName(k)) name = k;
    }
    if (name !== undefined) {
      const v = scalar();
      if (v === undefined) return false;
      props[name] = v;
    } else if (!skipValue(1)) return false;
    ws();
    if (b[i] === COMMA) {
      i++;
      ws();
      continue;
    }
    if (b[i] !== RBRACE) return false;
    i++;
    return true;
  }
}

/**
 * Scans one NDJSON line, buf[s, e). When it is a Mixpanel raw event whose time makes
 * `evidenceOnly(time)` true, fills `out` as mixpanel.map() would (less the exposed fields) and
 * returns true; otherwise returns false and `out` must not be used.
 */
export function scanEvidence(buf: Buffer, s: number, e: number, out: VendorRecord, ctx: MapContext, evidenceOnly: (t: number) => boolean): boolean {
  b = buf as Buffer & Slicers;
  i = s;
  end = e;
  ws();
  if (b[i] !== LBRACE) return false;
  i++;
  ws();
  let event: string | undefined;
  let props: Record<string, unknown> | undefined;
  for (;;) {
    if (b[i] !== QUOTE) return false;
    const ks = i + 1;
    const ke = key();
    if (ke < 0) return false;
    ws();
    if (b[i] !== COLON) return false;
    i++;
    ws();
    if (event === undefined && same(ks, ke, EVENT)) {
      if (b[i] !== QUOTE) return false;
      const vs = i + 1;
      const ve = skipString();
      if (ve < 0) return false;
      event = text(vs, ve);
    } else if (props === undefined && same(ks, ke, PROPERTIES)) {
      props = emptyProps();
      if (!properties(props)) return false;
    } else return false; // another key, or one twice: not the plain raw-export shape
    ws();
    if (b[i] === COMMA) {
      i++;
      ws();
      continue;
    }
    if (b[i] !== RBRACE) return false;
    i++;
    break;
  }
  ws();
  if (i !== end || event === undefined || props === undefined) return false;
  out.reset();
  out.preset = mixpanel;
  if (mixpanel.map({ event, properties: props }, out, ctx) !== undefined) return false;
  return !Number.isNaN(out.time) && evidenceOnly(out.time);
}
