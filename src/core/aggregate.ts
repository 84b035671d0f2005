/**
 * What the correlator accumulates per user, per pending (session, identity) bucket and per
 * ambiguity: counts, time span, methods, exposed fields as a bitset, vendor ids. Aggregates
 * merge associatively, so the order records arrive in never changes a result.
 */
import { BitSet } from './bitset.js';
import type { Category } from './categorize.js';

export interface Counts {
  read: number;
  rejected: number;
  out_of_window: number;
  attributed: number;
  unmatched: number;
  ambiguous: number;
  /** In-window records already seen (same vendor dedup key); also counted in their bucket. */
  duplicates: number;
}

export class Agg {
  records = 0;
  first = Infinity;
  last = -Infinity;
  methods = 0;
  readonly fields = new BitSet();
  /**
   * The vendor ids seen: one string (most aggregates), then an array of exactly the ids (a
   * pushed-to array reserves 17 slots), then a Set past 16 to stay linear.
   */
  private ids: string | string[] | Set<string> | undefined;
  emails: Set<string> | undefined;
  places: Map<string, number> | undefined; // residence code → records, when collected
  events: Set<string> | undefined; // event names, when collected
  sources: Set<number> | undefined; // export file indices, when collected

  merge(o: Agg): void {
    this.records += o.records;
    if (o.first < this.first) this.first = o.first;
    if (o.last > this.last) this.last = o.last;
    this.methods |= o.methods;
    this.fields.or(o.fields);
    for (const v of o.vendorIds()) this.addVendorId(v);
    if (o.emails) for (const e of o.emails) (this.emails ??= new Set()).add(e);
    if (o.places)
      for (const [k, n] of o.places)
        (this.places ??= new Map()).set(k, (this.places.get(k) ?? 0) + n);
    if (o.events) for (const e of o.events) (this.events ??= new Set()).add(e);
    if (o.sources) for (const f of o.sources) (this.sources ??= new Set()).add(f);
  }

  hasVendorId(id: string): boolean {
    const ids = this.ids;
    return ids === undefined
      ? false
      : typeof ids === 'string'
        ? ids === id
        : Array.isArray(ids)
          ? ids.includes(id)
          : ids.has(id);
  }

  addVendorId(id: string): void {
    const ids = this.ids;
    if (ids === undefined) this.ids = id;
    else if (typeof ids === 'string') {
      if (ids !== id) this.ids = [ids, id];
    } else if (Array.isArray(ids)) {
      if (ids.includes(id)) return;
      this.ids = ids.length < 16 ? ids.concat(id) : new Set(ids).add(id);
    } else ids.add(id);
  }

  /** The vendor ids seen, in no particular order (a fresh array). */
  vendorIds(): string[] {
    const ids = this.ids;
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
  }

  /** The place most of the records come from (ties: the first in code order). */
  place(): string {
    let best = '',
      count = 0;
    for (const [k, n] of this.places ?? [])
      if (n > count || (n === count && k < best)) [best, count] = [k, n];
    return best;
  }
}

export interface UserRow {
  user: number;
  methods: string[];
  confidence: 'high' | 'medium';
  vendorIds: string[];
  records: number;
  first: number; // NaN when only profiles
  last: number;
  fields: string[];
  categories: Category[];
  /** Residence inferred from the vendor's location fields ('' when none). */
  inferredResidence: string;
  /** Distinct event names of the attributed records, sorted (when collected). */
  events?: string[];
  /** Indices of the export files the records came from, in file order (when collected). */
  sources?: number[];
}

export interface UnmatchedRow {
  vendorIds: string[];
  records: number;
  first: number;
  last: number;
  emails: string[];
  fields: string[];
}

export interface AmbiguousRow {
  vendorIds: string[];
  candidates: string[];
  reason: string;
  records: number;
}

export interface Result {
  counts: Counts;
  users: UserRow[];
  unmatched: UnmatchedRow[];
  ambiguous: AmbiguousRow[];
  fieldCategories: Map<string, Category>;
  /** For fields whose category a value decided: the shape of that value ('a JWT', 'an email address'). */
  fieldShapes: Map<string, string>;
  hashRecipes: Record<string, number>;
  identities: number;
  sessions: number;
  /** The --explain text, when asked for. */
  explanation?: string;
}
