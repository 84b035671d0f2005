/**
 * Duplicate detection (SPEC §6): overlapping daily exports repeat events. A duplicate is still
 * attributed like any other record and its (identical) fields change nothing; detection only
 * feeds the `duplicates` count. So a 64-bit fingerprint per key is enough — a collision (about
 * n²/2⁶⁵: 7·10⁻⁷ at 5 M events) could only miscount, never change who or what was exposed.
 *
 * This is the one structure that grows with events (in-window events that carry a dedup key):
 * 16 bytes each at the 0.5 load factor, ~18 MB for 1.15 M in-window events.
 */
export class Fingerprints {
  private hi = new Uint32Array(1 << 12);
  private lo = new Uint32Array(1 << 12);
  private used = 0;

  /** Adds the key; true when it was already there. */
  seen(key: string): boolean {
    fingerprint(key);
    return this.insert(fingerprint.hi, fingerprint.lo);
  }

  /** Adds a fingerprint made by `fingerprint()` (in any thread); true when it was already there. */
  seenPrint(hi: number, lo: number): boolean {
    return this.insert(hi, lo);
  }

  private insert(a: number, b: number): boolean {
    const mask = this.hi.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const lo = this.lo[i]!;
      if (lo === 0) break;
      if (lo === b && this.hi[i] === a) return true;
      i = (i + 1) & mask;
    }
    this.hi[i] = a;
    this.lo[i] = b;
    if (++this.used * 2 > this.hi.length) this.grow();
    return false;
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.used = 0;
    for (let i = 0; i < hi.length; i++) if (lo[i] !== 0) this.insert(hi[i]!, lo[i]!);
  }
}

/**
 * The 64-bit fingerprint of a key, left in `fingerprint.hi` and `fingerprint.lo` (no allocation
 * per record): two FNV-1a passes with different offsets; `lo` is never 0, so 0/0 means "empty".
 */
export function fingerprint(key: string): void {
  let a = 0x811c9dc5,
    b = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  fingerprint.hi = a >>> 0;
  fingerprint.lo = (b | 1) >>> 0;
}
fingerprint.hi = 0;
fingerprint.lo = 0;
