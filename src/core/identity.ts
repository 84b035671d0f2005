/**
 * Identity merge (SPEC §4.2). Every identifier value on a record is a node; the identifiers
 * of one record are linked. Values that match an internal user directly are *terminals*: they
 * are never joined to anything, so two user ids are never merged into one identity. A
 * component of non-terminal ids remembers which users' terminals it touched; reaching one user
 * is an `alias` match, reaching two is ambiguous ("merge links two users").
 */
import { UnionFind, mergeUsers } from './union-find.js';

export class IdentityGraph {
  private readonly nodes = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly uf = new UnionFind();
  private readonly touches = new Map<number, number[]>(); // root → users

  get count(): number {
    return this.uf.size;
  }

  node(key: string): number {
    let n = this.nodes.get(key);
    if (n === undefined) {
      n = this.uf.add();
      this.nodes.set(key, n);
      this.keys.push(key);
    }
    return n;
  }

  lookup(key: string): number | undefined {
    return this.nodes.get(key);
  }

  keyOf(node: number): string {
    return this.keys[node]!;
  }

  /**
   * Links the non-terminal nodes of one record and notes the users its terminals matched.
   * Returns true when the record joined two identities that were separate until now.
   */
  link(nodes: readonly number[], count: number, users: number[] | undefined): boolean {
    if (count === 0) return false;
    let joined = false;
    let root = this.uf.find(nodes[0]!);
    for (let i = 1; i < count; i++) {
      const [kept, gone] = this.uf.union(root, nodes[i]!);
      if (kept !== gone) {
        joined = true;
        const moved = this.touches.get(gone);
        if (moved) {
          this.touches.set(kept, mergeUsers(this.touches.get(kept), moved)!);
          this.touches.delete(gone);
        }
      }
      root = kept;
    }
    if (users && users.length > 0) this.touches.set(root, mergeUsers(this.touches.get(root), users)!);
    return joined;
  }

  root(node: number): number {
    return this.uf.find(node);
  }

  usersOf(node: number): number[] {
    return this.touches.get(this.uf.find(node)) ?? [];
  }
}
