/**
 * A typed array with room for index n: the same kind, at least doubled, contents kept. The
 * per-node and per-window arrays of the union-finds and session windows all grow this way.
 */
export function withRoom<A extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(
  a: A,
  n: number,
): A {
  if (n < a.length) return a;
  const next = new (a.constructor as new (length: number) => A)(Math.max(n + 1, a.length * 2));
  next.set(a);
  return next;
}

/** Union-find over dense integer nodes, with path halving. Grows as nodes are added. */
export class UnionFind {
  private parent = new Int32Array(1024);
  private n = 0;
  get size(): number {
    return this.n;
  }
  add(): number {
    this.parent = withRoom(this.parent, this.n);
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
  /** The root the last union() absorbed; -1 when its two nodes were already joined. */
  absorbed = -1;
  /** Joins the two sets; returns the kept root (see `absorbed`). No allocation: it runs per record. */
  union(a: number, b: number): number {
    const ra = this.find(a),
      rb = this.find(b);
    if (ra === rb) {
      this.absorbed = -1;
      return ra;
    }
    // The older (smaller) root survives, so roots are stable for a given input order.
    if (ra < rb) {
      this.parent[rb] = ra;
      this.absorbed = rb;
      return ra;
    }
    this.parent[ra] = rb;
    this.absorbed = ra;
    return rb;
  }
}

/**
 * The users each union-find root has reached: one integer per node unless it reached several
 * (then a sorted list in a side map). A map entry and an array per root cost ~100 bytes at the
 * bench's 700 k identities and 1 M session windows; this costs 4.
 */
export class RootUsers {
  private one = new Int32Array(1024); // per root: the one user, NONE or SEVERAL
  private readonly several = new Map<number, number[]>();

  /** Makes room for node n (a fresh node reaches no one). */
  grow(n: number): void {
    this.one = withRoom(this.one, n);
    this.one[n] = NONE;
  }

  add(r: number, u: number): void {
    const cur = this.one[r]!;
    if (cur === u) return;
    if (cur === NONE) {
      this.one[r] = u;
      return;
    }
    let list = this.several.get(r);
    if (cur !== SEVERAL) {
      list = [cur];
      this.several.set(r, list);
      this.one[r] = SEVERAL;
    }
    if (!list!.includes(u)) {
      list!.push(u);
      list!.sort((x, y) => x - y);
    }
  }

  /** Root `gone` was absorbed into `kept`: its users go with it. */
  move(kept: number, gone: number): void {
    const moved = this.one[gone]!;
    if (moved === SEVERAL) {
      for (const u of this.several.get(gone)!) this.add(kept, u);
      this.several.delete(gone);
    } else if (moved !== NONE) this.add(kept, moved);
    this.one[gone] = NONE;
  }

  /** The root's users, sorted (a fresh array). */
  of(r: number): number[] {
    const u = this.one[r]!;
    return u === NONE ? [] : u === SEVERAL ? this.several.get(r)!.slice() : [u];
  }
}

const NONE = -1,
  SEVERAL = -2;
