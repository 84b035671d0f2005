/**
 * Timestamp parsing (SPEC §2 "Timestamps"). Everything becomes epoch milliseconds (UTC), with
 * the vendor's microseconds kept as the fraction (issue 14: a GA4 event at `…18.347831` lies
 * before a window ending `…18.347832`); NaN means "not a timestamp". Written back as ISO 8601
 * UTC with `Z`, with as many fraction digits as the time has (none, 3 or 6).
 *
 * Every time is the double nearest to a whole number of microseconds divided by 1000, made by
 * one division (`fromMicros`): the same instant written as epoch µs, epoch ms with a fraction,
 * or ISO text is then the same number, and times compare exactly at a window's edge. Doubles
 * hold whole microseconds exactly until the year 2255; the fraction's error (< 0.25 µs today)
 * is far below the microsecond that separates two distinct times.
 */

// Epoch magnitudes: seconds until ~year 5138, ms until ~5138, then µs. Told apart by size,
// as PostHog's Mixpanel importer does (> 1e10 ⇒ ms).
const MS_THRESHOLD = 1e11; // 1e11 s is year 5138; 1e11 ms is 1973
const US_THRESHOLD = 1e14; // 1e14 ms is year 5138; 1e14 µs is 1973

/** The largest epoch ms a Date can hold (±273,790 years); beyond it a value names no time. */
const MAX_MS = 8.64e15;

export function epochToMs(n: number): number {
  if (!Number.isFinite(n)) return NaN;
  const a = Math.abs(n);
  const us =
    a < MS_THRESHOLD
      ? Math.round(n * 1e6)
      : a < US_THRESHOLD
        ? Math.round(n * 1000)
        : Math.round(n);
  const ms = fromMicros(us);
  return Math.abs(ms) <= MAX_MS ? ms : NaN;
}

/** Epoch ms from a whole number of microseconds: one division, the same for every spelling. */
export function fromMicros(us: number): number {
  return us / 1000;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC_RE = /^-?\d+(?:\.\d+)?$/;

/** A zone resolver turns a wall-clock time into UTC ms; UTC when absent. */
export type ZoneResolver = (
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
) => number;

export const utcZone: ZoneResolver = (y, mo, d, h, mi, s, ms) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

/** Resolver for an IANA zone, using Intl to find the offset (DST-aware). */
export function ianaZone(tz: string): ZoneResolver {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const offsetAt = (utcMs: number): number => {
    const parts = fmt.formatToParts(new Date(utcMs));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    const asUtc = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return asUtc - Math.floor(utcMs / 1000) * 1000;
  };
  return (y, mo, d, h, mi, s, ms) => {
    const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    // Two rounds settle the offset across a DST change.
    let guess = wall - offsetAt(wall);
    guess = wall - offsetAt(guess);
    return guess;
  };
}

/** True when the zone name is one Intl knows. */
export function isValidZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseTimestamp(v: unknown, zone: ZoneResolver = utcZone): number {
  if (typeof v === 'number') return epochToMs(v);
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  if (s === '') return NaN;
  if (NUMERIC_RE.test(s)) return epochToMs(Number(s));
  const m = ISO_RE.exec(s);
  if (!m) return NaN;
  const y = +m[1]!,
    mo = +m[2]!,
    d = +m[3]!;
  const h = m[4] ? +m[4] : 0,
    mi = m[5] ? +m[5] : 0,
    sec = m[6] ? +m[6] : 0;
  // The fraction to the microsecond, truncated (nanoseconds are dropped, never rounded up).
  const us = m[7] ? Number((m[7] + '00000').slice(0, 6)) : 0;
  // An impossible date (Feb 30) would silently roll over into the next month, and could
  // move a record across a window edge: it is not a timestamp.
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 60) return NaN;
  const z = m[8];
  if (z === undefined) return fromMicros(zone(y, mo, d, h, mi, sec, 0) * 1000 + us);
  const base = Date.UTC(y, mo - 1, d, h, mi, sec, 0);
  // `UTC` spelled out: BigQuery writes TIMESTAMP values so in its JSON and CSV extracts.
  if (z === 'Z' || z === 'z' || z === 'UTC') return fromMicros(base * 1000 + us);
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const off = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  return fromMicros((base - sign * off) * 1000 + us);
}

/** True when a time is written without a zone: the times --timezone applies to (SPEC §2). */
export function isZoneless(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = ISO_RE.exec(v.trim());
  return m !== null && m[8] === undefined;
}

function daysIn(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

export function formatIso(ms: number): string {
  if (!(Math.abs(ms) <= MAX_MS)) return '';
  if (Number.isInteger(ms)) return new Date(ms).toISOString().replace('.000Z', 'Z');
  // Microseconds: the whole second, then six digits.
  const us = Math.round(ms * 1000);
  const inSecond = ((us % 1e6) + 1e6) % 1e6;
  const second = (us - inSecond) / 1000;
  return (
    new Date(second).toISOString().slice(0, 19) + '.' + String(inSecond).padStart(6, '0') + 'Z'
  );
}

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `90s`, `1d`, `500ms`, or `0`; NaN when unparsable or a number has no unit. */
export function parseDuration(s: string): number {
  const m = DURATION_RE.exec(s.trim());
  if (!m) return NaN;
  if (m[2] === undefined) return Number(m[1]) === 0 ? 0 : NaN;
  return Number(m[1]) * UNIT_MS[m[2]]!;
}
