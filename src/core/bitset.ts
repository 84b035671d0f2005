/** A growable set of small integers (interned field ids): one bit each, OR-able in bulk. */
export class BitSet {
  private words: Uint32Array;
  constructor(capacityBits = 64) {
    this.words = new Uint32Array(Math.max(2, (capacityBits + 31) >>> 5));
  }
  add(i: number): void {
    const w = i >>> 5;
    if (w >= this.words.length) this.grow(w + 1);
    this.words[w]! |= 1 << (i & 31);
  }
  has(i: number): boolean {
    const w = i >>> 5;
    return w < this.words.length && (this.words[w]! & (1 << (i & 31))) !== 0;
  }
  or(other: BitSet): void {
    if (other.words.length > this.words.length) this.grow(other.words.length);
    const a = this.words, b = other.words;
    for (let i = 0; i < b.length; i++) a[i]! |= b[i]!;
  }
  *[Symbol.iterator](): IterableIterator<number> {
    const a = this.words;
    for (let w = 0; w < a.length; w++) {
      let x = a[w]!;
      while (x !== 0) {
        const t = x & -x;
        yield (w << 5) + (31 - Math.clz32(t));
        x ^= t;
      }
    }
  }
  private grow(minWords: number): void {
    const next = new Uint32Array(Math.max(minWords, this.words.length * 2));
    next.set(this.words);
    this.words = next;
  }
}
