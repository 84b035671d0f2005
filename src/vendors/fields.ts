/** Small helpers the presets share: reading dotted paths and collecting identifier values. */
import { at, type MapContext, type VendorRecord } from '../core/record.js';
import { isZoneless, parseTimestamp, utcZone } from '../core/time.js';

export { at };

/** The first non-blank value among the paths, as written. */
export function first(obj: Record<string, unknown>, paths: readonly string[]): unknown {
  for (const p of paths) {
    const v = at(obj, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

export function idString(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** Adds one identifier value, and the field it came from (as field names are reported). */
export function pushId(out: VendorRecord, v: unknown, field: string): void {
  const s = idString(v);
  if (s === '') return;
  if (!out.ids.includes(s)) out.ids.push(s);
  if (!out.idFields.includes(field)) out.idFields.push(field);
}

/** Adds every non-blank value at these paths (field names from the record root) to the identifiers. */
export function pushIds(
  out: VendorRecord,
  obj: Record<string, unknown>,
  paths: readonly string[],
): void {
  for (const p of paths) pushId(out, at(obj, p), p);
}

/**
 * A time the vendor writes in UTC by definition (Amplitude, Segment, PostHog, GA4), or that
 * carries its zone: --timezone never shifts it (issue 14, SPEC §2).
 */
export function utcTime(v: unknown): number {
  return v === undefined || v === null || v === '' ? NaN : parseTimestamp(v, utcZone);
}

/** A time that may be written without a zone, in the zone --timezone names; noted when shifted. */
export function localTime(v: unknown, out: VendorRecord, ctx: MapContext): number {
  if (v === undefined || v === null || v === '') return NaN;
  const t = parseTimestamp(v, ctx.zone);
  if (ctx.localEpochs && isZoneless(v)) out.shifted = true;
  return t;
}

export function pushEmails(
  out: VendorRecord,
  obj: Record<string, unknown>,
  paths: readonly string[],
): void {
  for (const p of paths) {
    const v = at(obj, p);
    if (typeof v === 'string' && v.indexOf('@') > 0) out.emails.push(v);
  }
}

/**
 * Mixpanel's and PostHog's "no referrer": a visit typed in or bookmarked has `$direct` as its
 * `$referrer`, `$initial_referrer`, `$session_entry_referrer` and their `…referring_domain`, which
 * tells nothing of where the person came from (VendorPreset.placeholder).
 */
export function isDirectReferrer(name: string, value: unknown): boolean {
  return value === '$direct' && /(^|\.)\$?[a-z_]*referr(er|ing_domain)$/.test(name);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The whole record as one nested field source: fields are dotted paths from the root. */
export function exposeRoot(out: VendorRecord, raw: Record<string, unknown>): void {
  out.fieldSources.push(raw);
  out.fieldPrefixes.push('');
  out.fieldNested.push(true);
}
