/** Small helpers the presets share: reading dotted paths and collecting identifier values. */
import type { VendorRecord } from '../core/record.js';

/**
 * The value at a dotted path (`context.ip`), looked up nested (JSON) or as one flat key
 * (`context.ip` as a CSV column, as PostHog's CSV export writes them).
 */
export function at(obj: Record<string, unknown>, path: string): unknown {
  const flat = obj[path];
  if (flat !== undefined) return flat;
  let cur: unknown = obj;
  let from = 0;
  for (;;) {
    const dot = path.indexOf('.', from);
    const key = dot < 0 ? path.slice(from) : path.slice(from, dot);
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
    if (dot < 0) return cur;
    from = dot + 1;
  }
}

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
