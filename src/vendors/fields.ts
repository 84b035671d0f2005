/** Small helpers the presets share: reading dotted paths and collecting identifier values. */
import { at, type VendorRecord } from '../core/record.js';

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

/** Adds every non-blank value at these paths to the record's identifiers. */
export function pushIds(out: VendorRecord, obj: Record<string, unknown>, paths: readonly string[]): void {
  for (const p of paths) {
    const v = at(obj, p);
    const s = idString(v);
    if (s !== '' && !out.ids.includes(s)) out.ids.push(s);
  }
}

export function pushEmails(out: VendorRecord, obj: Record<string, unknown>, paths: readonly string[]): void {
  for (const p of paths) {
    const v = at(obj, p);
    if (typeof v === 'string' && v.indexOf('@') > 0) out.emails.push(v);
  }
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
