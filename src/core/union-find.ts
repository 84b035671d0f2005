/** Union-find over dense integer nodes, with path halving. Grows as nodes are added. */
export class UnionFind {
  private parent = new Int32Array(1024);
  private n = 0;
  get size(): number {
    return this.n;
  }
  add(): number {
    if (this.n === this.parent.length) {
      const next = new Int32Array(this.parent.length * 2);
      next.set(this.parent);
      this.parent = next;
    }
    this.parent[this.n] = this.n;
    return this.n++;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  /** Joins the two sets; returns [kept root, absorbed root] (equal when already joined). */
  union(a: number, b: number): [number, number] {
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return [ra, ra];
    // The older (smaller) root survives, so roots are stable for a given input order.
    if (ra < rb) {
      this.parent[rb] = ra;
      return [ra, rb];
    }
    this.parent[ra] = rb;
    return [rb, ra];
  }
}

/**
 * Merge two small sorted-unique arrays of user indices. Returns `a` itself when it already
 * holds all of `b` (the common case: every event of a session names the same user), and never
 * `b` itself: callers keep the result, and `b` may be scratch.
 */
export function mergeUsers(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (!b || b.length === 0) return a;
  if (!a || a.length === 0) return b.slice();
  let missing = false;
  for (const u of b) if (!a.includes(u)) missing = true;
  if (!missing) return a;
  const out = a.slice();
  for (const u of b) if (!out.includes(u)) out.push(u);
  return out.sort((x, y) => x - y);
}
