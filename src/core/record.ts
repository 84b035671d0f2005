/**
 * The canonical record every vendor preset maps onto (SPEC §3): `{kind, time?, ids, fields}`.
 * One instance is reused for every record of a run, so the hot loop allocates no shell per
 * record; a preset fills it, the correlator reads it, and it is cleared before the next one.
 */
import type { Category } from './categorize.js';
import type { ZoneResolver } from './time.js';

export type Kind = 'event' | 'profile';

/**
 * What the join reads of a record besides its digest: a VendorRecord, or a worker's record
 * decoded (app/parallel.ts).
 */
export interface Evidence {
  readonly kind: Kind;
  /** The event's name ('' for profiles): read only when events are collected. */
  readonly name: string;
  readonly time: number;
  readonly ids: readonly string[];
  readonly emails: readonly string[];
  readonly hashes: readonly string[];
  readonly deviceKey: string;
  readonly keys: { readonly ip: string; readonly user_agent: string; readonly device_id: string };
}

export class VendorRecord implements Evidence {
  kind: Kind = 'event';
  /** The event's name ('' for profiles). */
  name = '';
  /** Event time in epoch ms; NaN for profiles or when the record has none. */
  time = NaN;
  /** Every identifier value on the record, as written (strings). */
  ids: string[] = [];
  /**
   * The fields the identifiers came from, as field names are reported: the preset's map says
   * once what an identifier is, and inspect reads it here (issue 14: they disagreed).
   */
  idFields: string[] = [];
  /** True when --timezone shifted the record's time (it was written without a zone). */
  shifted = false;
  /** Values of the record's email fields (not identifiers). */
  emails: string[] = [];
  /** Values of fields that hold hashed emails. */
  hashes: string[] = [];
  /** The anonymous/device key that groups events into vendor session windows; '' when none. */
  deviceKey = '';
  /** The objects whose keys are the exposed fields (e.g. Mixpanel `properties`). */
  fieldSources: Array<Record<string, unknown>> = [];
  /** Dotted-path prefix per field source ('' for Mixpanel, which reports bare property names). */
  fieldPrefixes: string[] = [];
  /**
   * Per field source: true when nested objects are walked down to their leaves and named by
   * their dotted path from the record root (`context.ip`, `traits.email`: SPEC §3, for every
   * vendor but Mixpanel, whose property names are reported as written).
   */
  fieldNested: boolean[] = [];
  /** The vendor's dedup key ('' when the record has none): equal keys are the same event. */
  dedupKey = '';
  /** What internal login sessions are matched on ('' when the record has none). */
  readonly keys = { ip: '', user_agent: '', device_id: '' };
  /** The preset that read the record: its bookkeeping fields and residence fields apply. */
  preset: VendorPreset | undefined;

  reset(): void {
    this.kind = 'event';
    this.name = '';
    this.time = NaN;
    clear(this.ids);
    clear(this.idFields);
    this.shifted = false;
    clear(this.emails);
    clear(this.hashes);
    this.deviceKey = '';
    clear(this.fieldSources);
    clear(this.fieldPrefixes);
    clear(this.fieldNested);
    this.keys.ip = this.keys.user_agent = this.keys.device_id = '';
    this.dedupKey = '';
  }
}

/**
 * Empties a scratch array. Setting `length` is a call into V8's runtime even when the array is
 * already empty: ten per record were 3 s of the bench's L run (5 M records).
 */
export function clear(a: unknown[]): void {
  if (a.length !== 0) a.length = 0;
}

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

/**
 * JSON text of a value for messages and counts, never throwing: a record nested thousands of
 * levels deep (hostile input) overflows JSON.stringify's recursion.
 */
export function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '(a value too deeply nested to show)';
  }
}

/** A value that counts as exposed: not null, not blank, not an empty array or object (SPEC §4.6). */
export function hasValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

/**
 * Every exposed field of a record with its value: bookkeeping fields and empty values skipped,
 * names as the vendor writes them (with the source's dotted prefix). The one place that walks
 * a record's fields, for correlate and inspect alike.
 */
export function forEachField(
  rec: VendorRecord,
  skip: ReadonlySet<string>,
  fn: (name: string, value: unknown) => void,
): void {
  const none = rec.preset?.placeholder;
  for (let s = 0; s < rec.fieldSources.length; s++) {
    const nested = rec.fieldNested[s] === true;
    walk(rec.fieldSources[s]!, rec.fieldPrefixes[s]!, nested, skip, none, fn, 0);
  }
}

const MAX_DEPTH = 32; // deeper than any export nests; hostile input cannot recurse further

function walk(
  src: Record<string, unknown>,
  prefix: string,
  nested: boolean,
  skip: ReadonlySet<string>,
  none: VendorPreset['placeholder'],
  fn: (name: string, value: unknown) => void,
  depth: number,
): void {
  for (const k in src) {
    const name = prefix === '' ? k : prefix + k;
    if (skip.has(name)) continue;
    const v = src[k];
    if (!hasValue(v)) continue;
    if (nested && depth < MAX_DEPTH && typeof v === 'object' && !Array.isArray(v))
      walk(v as Record<string, unknown>, name + '.', true, skip, none, fn, depth + 1);
    else if (none === undefined || !none(name, v)) fn(name, v);
  }
}

export interface MapContext {
  /** The zone --timezone names, for times written without one (UTC by default). */
  zone: ZoneResolver;
  /**
   * True when --timezone names a zone: then epoch times a vendor writes in project-local time
   * (Mixpanel projects created before 2023, docs/FORMATS.md §1.1) are shifted to UTC too.
   */
  localEpochs: boolean;
}

/** A vendor preset: data, plus the one small function that maps a parsed record (knip-style). */
export interface VendorPreset {
  readonly name: string;
  /** The number a worker's message names the preset by (app/worker-protocol.ts): never reused. */
  readonly wire: number;
  /** The vendor as a person names it, in messages ("Mixpanel"). */
  readonly label: string;
  /** Keys its records carry: what a file of unreadable records is compared with (issue 13). */
  readonly shape: readonly string[];
  /** The vendor's own bookkeeping fields: never reported as exposed (SPEC §4.6). */
  readonly bookkeeping: ReadonlySet<string>;
  /**
   * True for a value that stands for none in the vendor's own conventions (Amplitude's "EMPTY"
   * initial attribution, its HTTP API's `ip: "$remote"`): it exposes nothing of the person.
   */
  placeholder?(name: string, value: unknown): boolean;
  /** Categories the vendor's own field names mean, where the name alone would mislead. */
  readonly categories?: Readonly<Record<string, Category>>;
  /** What its records look like, in the vendor's own terms: said when a record is not one. */
  readonly expects: string;
  /** Fields, in order of preference, that say where a person is (country code, region). */
  readonly residence: { country: readonly string[]; region: readonly string[] };
  /** True when a parsed record has this vendor's shape (for --vendor auto). */
  detect(raw: Record<string, unknown>): boolean;
  /** Fills `out` from one parsed record; returns a reject reason when it cannot. */
  map(raw: Record<string, unknown>, out: VendorRecord, ctx: MapContext): string | undefined;
}
