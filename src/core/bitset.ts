/**
 * A growable set of small integers (interned field ids): one bit each, OR-able in bulk.
 *
 * There is one set per affected user and per pending identity (460 k at the bench's L size), so
 * the first 60 ids live in two small-integer fields of the object itself and only more spill
 * into an array: a Uint32Array cost ~200 bytes of object, buffer and backing store, a plain
 * array that grew by one word ~150; this is 48.
 */
const BITS = 30; // a small integer on every V8 build

export class BitSet {
  private w0 = 0;
  private w1 = 0;
  private rest: number[] | undefined; // words 2, 3, …

  add(i: number): void {
    if (i < BITS) this.w0 |= 1 << i;
    else if (i < 2 * BITS) this.w1 |= 1 << (i - BITS);
    else {
      const w = ((i / BITS) | 0) - 2;
      const rest = (this.rest ??= []);
      while (rest.length <= w) rest.push(0);
      rest[w] = rest[w]! | (1 << (i - (w + 2) * BITS));
    }
  }

  has(i: number): boolean {
    const w = (i / BITS) | 0;
    return (this.word(w) & (1 << (i - w * BITS))) !== 0;
  }

  or(other: BitSet): void {
    this.w0 |= other.w0;
    this.w1 |= other.w1;
    const b = other.rest;
    if (b === undefined) return;
    const a = (this.rest ??= []);
    while (a.length < b.length) a.push(0);
    for (let i = 0; i < b.length; i++) a[i] = a[i]! | b[i]!;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    const n = 2 + (this.rest?.length ?? 0);
    for (let w = 0; w < n; w++) {
      let x = this.word(w);
      while (x !== 0) {
        const t = x & -x;
        yield w * BITS + (31 - Math.clz32(t));
        x ^= t;
      }
    }
  }

  private word(w: number): number {
    return w === 0 ? this.w0 : w === 1 ? this.w1 : (this.rest?.[w - 2] ?? 0);
  }
}
