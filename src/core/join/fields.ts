/**
 * The join's field numbers: one per exposed field name, with its category (SPEC §4.7). Each
 * thread's digests number fields locally (core/digest.ts); they are mapped onto these numbers
 * as they are first applied, in file order, so the numbering the output depends on is the
 * single thread's whatever the number of workers.
 */
import {
  hintCategory,
  SHAPES,
  verdictFor,
  type Category,
  type NameVerdict,
} from '../categorize.js';
import type { Digested } from '../digest.js';

export class FieldRegistry {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly cats: Category[] = [];
  /** Per field: what its name says, the best value hint applied, and the shape of its value. */
  private readonly verdicts: NameVerdict[] = [];
  private readonly codes: number[] = [];
  private readonly shapes: number[] = [];
  /** Per digest source (0: this thread, 1 + n: worker n), its local field number → ours. */
  private readonly locals_: number[][] = [];

  /**
   * A digest source's local field numbers → ours, filled as they are first applied: read
   * `locals(d)[f] ?? resolve(d, f)` (the hot loop allocates nothing).
   */
  locals(d: Digested): number[] {
    return (this.locals_[d.source] ??= []);
  }

  /** Our number for a digest's local field `f`, made the first time it is met. */
  resolve(d: Digested, f: number): number {
    const g = this.field(d.table.names[f]!, d.table.cats[f]);
    this.locals_[d.source]![f] = g;
    return g;
  }

  /**
   * Applies a digest's value hints (triples: local field, code, shape): the lowest code decides
   * a field's category (core/categorize.ts), the same whatever order values come in.
   */
  hint(d: Digested): void {
    const local = this.locals_[d.source]!;
    const hints = d.valueHints;
    for (let i = 0; i < hints.length; i += 3) {
      const f = local[hints[i]!]!;
      const code = hints[i + 1]!;
      if (code < this.codes[f]! && this.verdicts[f]!.base === 'other') {
        this.codes[f] = code;
        this.shapes[f] = hints[i + 2]!;
        this.cats[f] = hintCategory(this.verdicts[f]!, code);
      }
    }
  }

  nameOf(f: number): string {
    return this.names[f]!;
  }

  categoryOf(f: number): Category {
    return this.cats[f]!;
  }

  /** Every field's category, by name. */
  categories(): Map<string, Category> {
    return new Map(this.names.map((n, i) => [n, this.cats[i]!]));
  }

  /** For fields a value decided (or a URL finding): the shape that did, by name. */
  valueShapes(): Map<string, string> {
    const out = new Map<string, string>();
    this.names.forEach((n, i) => {
      const shape = this.shapes[i]!;
      if (shape >= 0) out.set(n, SHAPES[shape]!);
      else if (n.endsWith('#token')) out.set(n, 'a URL parameter named like a credential');
      else if (n.endsWith('#email')) out.set(n, 'an email address in a URL');
    });
    return out;
  }

  private field(name: string, cat?: Category): number {
    let f = this.ids.get(name);
    if (f === undefined) {
      f = this.names.length;
      this.ids.set(name, f);
      this.names.push(name);
      const v = cat === undefined || cat === 'other' ? verdictFor(name) : { base: cat, tests: [] };
      this.verdicts.push(v);
      this.cats.push(v.base);
      this.codes.push(Infinity);
      this.shapes.push(-1);
    }
    return f;
  }
}
