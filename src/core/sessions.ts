/**
 * Vendor session windows (SPEC §4.3): per device key, events closer than the gap form one
 * session, whatever order they arrive in. Memory holds one interval per session, never events:
 * an event extends an interval or opens one, and an event that bridges two intervals joins
 * them (union-find), so a session split across files or out of order still ends as one node.
 */
import { UnionFind, mergeUsers } from './union-find.js';

interface DeviceSessions {
  start: number[]; // sorted by start; intervals never overlap within gap
  end: number[];
  node: number[];
}

export class SessionWindows {
  private readonly devices = new Map<string, DeviceSessions>();
  private readonly uf = new UnionFind();
  private readonly users = new Map<number, number[]>(); // root → users identified in the session
  private readonly device: string[] = [];

  constructor(private readonly gapMs: number) {}

  get count(): number {
    return this.uf.size;
  }

  /** The session node of an event at time t on this device. */
  add(deviceKey: string, t: number): number {
    let d = this.devices.get(deviceKey);
    if (d === undefined) {
      d = { start: [], end: [], node: [] };
      this.devices.set(deviceKey, d);
    }
    const gap = this.gapMs;
    // Index of the last interval starting at or before t + gap (exports are roughly
    // time-ordered, so check the last interval before searching).
    const n = d.start.length;
    let i: number;
    if (n === 0 || d.start[n - 1]! <= t + gap) i = n - 1;
    else {
      let lo = 0, hi = n - 1;
      i = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (d.start[mid]! <= t + gap) {
          i = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    if (i >= 0 && d.end[i]! >= t - gap) {
      // Joins interval i; it may now reach the one before or after it.
      if (t < d.start[i]!) d.start[i] = t;
      if (t > d.end[i]!) d.end[i] = t;
      let node = d.node[i]!;
      if (i > 0 && d.end[i - 1]! >= d.start[i]! - gap) {
        node = this.join(d.node[i - 1]!, node);
        d.end[i - 1] = Math.max(d.end[i - 1]!, d.end[i]!);
        d.start.splice(i, 1), d.end.splice(i, 1), d.node.splice(i, 1);
        i--;
        d.node[i] = node;
      }
      if (i + 1 < d.start.length && d.start[i + 1]! <= d.end[i]! + gap) {
        node = this.join(node, d.node[i + 1]!);
        d.end[i] = Math.max(d.end[i]!, d.end[i + 1]!);
        d.start.splice(i + 1, 1), d.end.splice(i + 1, 1), d.node.splice(i + 1, 1);
        d.node[i] = node;
      }
      return node;
    }
    const node = this.uf.add();
    this.device.push(deviceKey);
    d.start.splice(i + 1, 0, t), d.end.splice(i + 1, 0, t), d.node.splice(i + 1, 0, node);
    return node;
  }

  /** Records that an event in this session identifies these users. */
  identify(node: number, users: number[]): void {
    const r = this.uf.find(node);
    this.users.set(r, mergeUsers(this.users.get(r), users)!);
  }

  root(node: number): number {
    return this.uf.find(node);
  }

  /** Users identified anywhere in the node's session, sorted. */
  usersOf(node: number): number[] {
    return this.users.get(this.uf.find(node)) ?? [];
  }

  deviceOf(node: number): string {
    return this.device[node]!;
  }

  private join(a: number, b: number): number {
    const [kept, gone] = this.uf.union(a, b);
    if (kept !== gone) {
      const moved = this.users.get(gone);
      if (moved) {
        this.users.set(kept, mergeUsers(this.users.get(kept), moved)!);
        this.users.delete(gone);
      }
    }
    return kept;
  }
}
