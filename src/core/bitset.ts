/**
 * A growable set of small integers (interned field ids): one bit each, OR-able in bulk.
 *
 * Words are 30-bit small integers in a plain array, not a Uint32Array: there is one set per
 * affected user and per pending identity (500 k at the bench's L size), and a typed array
 * costs ~200 bytes of object, buffer and backing store where two array slots cost ~50.
 */
const BITS = 30;

export class BitSet {
  private words: number[] = [0];

  add(i: number): void {
    const w = (i / BITS) | 0;
    const words = this.words;
    while (words.length <= w) words.push(0);
    words[w] = words[w]! | (1 << (i - w * BITS));
  }
  has(i: number): boolean {
    const w = (i / BITS) | 0;
    return w < this.words.length && (this.words[w]! & (1 << (i - w * BITS))) !== 0;
  }
  or(other: BitSet): void {
    const a = this.words, b = other.words;
    while (a.length < b.length) a.push(0);
    for (let i = 0; i < b.length; i++) a[i] = a[i]! | b[i]!;
  }
  *[Symbol.iterator](): IterableIterator<number> {
    const a = this.words;
    for (let w = 0; w < a.length; w++) {
      let x = a[w]!;
      while (x !== 0) {
        const t = x & -x;
        yield w * BITS + (31 - Math.clz32(t));
        x ^= t;
      }
    }
  }
}
