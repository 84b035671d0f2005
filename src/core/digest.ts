/**
 * What a record exposes, worked out from the record alone, with no state shared between
 * records but a table of field names: the part of the correlation that can run in any thread
 * (SPEC §4.6). The correlator applies a digest in file order, and that is where every decision
 * that depends on earlier records is made (the first copy of a duplicate, a field's category).
 *
 * One Digest runs per thread: in the main thread for a single-threaded run, in each worker for
 * a parallel one (app/parallel.ts). Field names get local numbers here; the correlator maps
 * each thread's numbers onto its own when it first applies them, so the numbering the output
 * depends on is the single-threaded one whatever the number of threads.
 */
import {
  urlFindings,
  valueHint,
  verdictFor,
  type Category,
  type NameVerdict,
} from './categorize.js';
import { fingerprint } from './dedup.js';
import { at, clear, forEachField, type VendorRecord, type VendorPreset } from './record.js';
import { residenceCode } from './residence.js';

export interface Window {
  start: number; // inclusive, epoch ms
  end: number; // exclusive
}

/**
 * The local field numbers of one thread: names, and the category their name (and preset) gives
 * outright ('other' when only values can decide: core/categorize.ts).
 */
export interface FieldTable {
  readonly names: readonly string[];
  readonly cats: readonly Category[];
}

/** A digest as the correlator reads it: made here, or decoded from a worker's message. */
export interface Digested {
  /** False for an event outside --window: it is evidence only, and nothing below is filled. */
  inWindow: boolean;
  /** The dedup key's 64-bit fingerprint as two non-zero-when-set halves; 0/0 when it has none. */
  dedupHi: number;
  dedupLo: number;
  /** Local numbers of the exposed fields, in walk order (with `#email`/`#token` findings). */
  readonly fields: number[];
  /**
   * Triples (local field, hint code, shape index): what a value says of a field whose name
   * decides nothing outright (core/categorize.ts valueHint). The correlator keeps the lowest
   * code per field, and the shape of the first value that gave it.
   */
  readonly valueHints: number[];
  /** The residence code of the record (SPEC §4.8), '' when none or not asked for. */
  residence: string;
  /**
   * Set by a worker: per record id and per email, what its probe tables said (core/probe.ts),
   * for the correlator to confirm; empty in the main thread's own digests.
   */
  readonly idProbes: number[];
  readonly emailProbes: number[];
  /** Whose local field numbers these are: 0 for the main thread, 1 + n for worker n. */
  readonly source: number;
  readonly table: FieldTable;
}

export interface DigestOptions {
  window?: Window;
  collectResidence?: boolean;
}

export const NO_TIME = 'event has no readable time';

/** A digest's slots, filled per record: by Digest.take here, or from a worker's message. */
export class DigestSlots {
  inWindow = false;
  dedupHi = 0;
  dedupLo = 0;
  readonly fields: number[] = [];
  readonly valueHints: number[] = [];
  residence = '';
  readonly idProbes: number[] = [];
  readonly emailProbes: number[] = [];
}

export class Digest extends DigestSlots implements Digested, FieldTable {
  readonly names: string[] = [];
  readonly cats: Category[] = [];
  readonly source: number = 0;
  readonly table: FieldTable = this;
  /** Per preset, field name → local number. */
  private readonly byPreset = new Map<VendorPreset | undefined, Map<string, number>>();
  /** Per local field: what its name says, and the best hint given on a record that is surely no duplicate. */
  private readonly verdicts: NameVerdict[] = [];
  private readonly best: number[] = [];
  /** Local fields added since the last `newFields()`: what a worker sends along with its records. */
  private announced = 0;

  constructor(private readonly opts: DigestOptions) {
    super();
  }

  /**
   * Digests one mapped record. Returns a reject reason when the record cannot be placed: an
   * event with no usable time while a window is set.
   */
  make(rec: VendorRecord): string | undefined {
    const w = this.opts.window;
    const t = rec.time;
    const event = rec.kind === 'event';
    if (w !== undefined && event && Number.isNaN(t)) return NO_TIME;
    clear(this.fields);
    clear(this.valueHints);
    this.residence = '';
    this.dedupHi = this.dedupLo = 0;
    // Exposure is limited to the window (start inclusive, end exclusive).
    this.inWindow = w === undefined || !event || (t >= w.start && t < w.end);
    if (!this.inWindow) return undefined;
    if (rec.dedupKey !== '') {
      fingerprint(rec.dedupKey);
      this.dedupHi = fingerprint.hi;
      this.dedupLo = fingerprint.lo;
    }
    const where = this.opts.collectResidence ? rec.preset?.residence : undefined;
    if (where) {
      const src = rec.fieldSources[0];
      const pick = (names: readonly string[]) => {
        for (const n of names) {
          const v = src === undefined ? undefined : at(src, n);
          if (typeof v === 'string' && v.trim() !== '') return v;
        }
        return '';
      };
      this.residence = residenceCode(pick(where.country), pick(where.region));
    }
    const preset = rec.preset;
    const own = preset?.categories;
    let local = this.byPreset.get(preset);
    if (local === undefined) this.byPreset.set(preset, (local = new Map()));
    const table = local;
    const fields = this.fields;
    // A value can settle a category only on a record that can be no duplicate: a duplicate
    // exposes nothing, and whether a record is one is known only in the main thread.
    const final = rec.dedupKey === '';
    forEachField(rec, preset?.bookkeeping ?? NO_FIELDS, (name, v) => {
      const f = this.field(table, name, own?.[name]);
      fields.push(f);
      const best = this.best[f]!;
      if (best > 0) {
        const h = valueHint(this.verdicts[f]!, v, best);
        if (h) {
          this.valueHints.push(f, h[0], h[1]);
          if (final) this.best[f] = h[0];
        }
      }
      if (typeof v === 'string' && v.length > 10 && (v.indexOf('?') >= 0 || v.indexOf('#') >= 0)) {
        const found = urlFindings(v);
        if (found & 1) fields.push(this.field(table, name + '#email', 'contact'));
        if (found & 2) fields.push(this.field(table, name + '#token', 'credential'));
      }
    });
    return undefined;
  }

  /** The local fields added since the last call, as [first number, names, categories]. */
  newFields(): { first: number; names: string[]; cats: Category[] } {
    const first = this.announced;
    this.announced = this.names.length;
    return { first, names: this.names.slice(first), cats: this.cats.slice(first) };
  }

  private field(table: Map<string, number>, name: string, cat: Category | undefined): number {
    let f = table.get(name);
    if (f === undefined) {
      f = this.names.length;
      table.set(name, f);
      const v = verdictFor(name, cat);
      this.names.push(name);
      this.cats.push(v.base);
      this.verdicts.push(v);
      // Values are tried while the name leaves the category to them.
      this.best.push(v.base === 'other' ? Infinity : 0);
    }
    return f;
  }
}

const NO_FIELDS: ReadonlySet<string> = new Set();
