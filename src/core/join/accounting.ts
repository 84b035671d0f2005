/**
 * The accounting line (SPEC §6): `read = rejected + out_of_window + attributed + unmatched +
 * ambiguous`, the tool's central promise. This class alone changes the counts; readers, the
 * join and the resolution report into it (docs/ARCHITECTURE.md, "Invariants").
 */
import type { Counts } from '../aggregate.js';

export type Bucket = 'attributed' | 'unmatched' | 'ambiguous';

export class Accounting {
  readonly counts: Counts = {
    read: 0,
    rejected: 0,
    out_of_window: 0,
    attributed: 0,
    unmatched: 0,
    ambiguous: 0,
    duplicates: 0,
  };

  /** Records the readers delimited, readable or not: the left side of the line. */
  delimited(n: number): void {
    this.counts.read += n;
  }

  /** Records that could not be read (a row in --rejects: one, or a file's lost tail of `n`). */
  rejected(n = 1): void {
    this.counts.rejected += n;
  }

  /** An event outside --window: evidence only, no exposure. */
  outOfWindow(): void {
    this.counts.out_of_window++;
  }

  /** An in-window record already seen (same dedup key): also counted in its bucket. */
  duplicate(): void {
    this.counts.duplicates++;
  }

  /** Records that ended in a bucket, once resolution has placed them. */
  settled(bucket: Bucket, records: number): void {
    this.counts[bucket] += records;
  }

  /** True when every record read is in exactly one bucket. */
  get balanced(): boolean {
    const c = this.counts;
    return c.read === c.rejected + c.out_of_window + c.attributed + c.unmatched + c.ambiguous;
  }
}
