/**
 * Identity merge (SPEC §4.2). Every identifier value on a record is a node; the identifiers
 * of one record are linked. Values that match an internal user directly are *terminals*: they
 * are never joined to anything, so two user ids are never merged into one identity. A
 * component of non-terminal ids remembers which users' terminals it touched; reaching one user
 * is an `alias` match, reaching two is ambiguous ("merge links two users").
 *
 */
import { RootUsers, UnionFind } from './union-find.js';

export class IdentityGraph {
  private readonly nodes = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly uf = new UnionFind();
  private readonly users = new RootUsers(); // per root: the users its terminals matched

  get count(): number {
    return this.uf.size;
  }

  node(key: string): number {
    let n = this.nodes.get(key);
    if (n === undefined) {
      n = this.uf.add();
      this.nodes.set(key, n);
      this.keys.push(key);
      this.users.grow(n);
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
  link(nodes: readonly number[], count: number, users: readonly number[] | undefined): boolean {
    if (count === 0) return false;
    let joined = false;
    let root = this.uf.find(nodes[0]!);
    for (let i = 1; i < count; i++) {
      root = this.uf.union(root, nodes[i]!);
      const gone = this.uf.absorbed;
      if (gone < 0) continue;
      joined = true;
      this.users.move(root, gone);
    }
    if (users) for (const u of users) this.users.add(root, u);
    return joined;
  }

  root(node: number): number {
    return this.uf.find(node);
  }

  /** The users the node's identity touched, sorted. */
  usersOf(node: number): number[] {
    return this.users.of(this.uf.find(node));
  }
}
