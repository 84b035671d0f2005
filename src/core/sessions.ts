/**
 * Vendor session windows (SPEC §4.3): per device key, events closer than the gap form one
 * session, whatever order they arrive in. Memory holds one interval per session, never events:
 * an event extends an interval or opens one, and an event that bridges two intervals joins
 * them (union-find), so a session split across files or out of order still ends as one node.
 *
 * Layout (issue #8): a device comes back day after day, so windows outnumber devices and
 * devices outnumber users. A window is a slot in typed arrays (start, end, its neighbours in its
 * device's list sorted by start, device: 36 bytes with its union-find parent and user), and a
 * session's users one integer unless it names several: no object, array or map entry per
 * window. Each device keeps a finger on the window its last event touched, and the search for
 * a new event's window walks from there: one step for events in time order (or in reverse),
 * however many windows the device has.
 */
import { RootUsers, UnionFind, withRoom } from './union-find.js';

const NO_WINDOW = -1;

export class SessionWindows {
  private readonly devices = new Map<string, number>();
  private readonly deviceKeys: string[] = [];
  private head = new Int32Array(1024); // per device: its first window, NO_WINDOW when it has none
  private finger = new Int32Array(1024); // per device: the window its last event touched
  private start = new Float64Array(1024); // per window
  private end = new Float64Array(1024);
  private next = new Int32Array(1024);
  private prev = new Int32Array(1024);
  private device = new Int32Array(1024);
  private readonly users = new RootUsers(); // per root: the users identified in the session
  private readonly uf = new UnionFind();

  /**
   * `canonical`: the string already held for a device key with this content, if any (the
   * identity graph's), so that a device's key is kept once, not once per structure.
   */
  constructor(
    private readonly gapMs: number,
    private readonly canonical: (key: string) => string = (k) => k,
  ) {}

  get count(): number {
    return this.uf.size;
  }

  /** The session node of an event at time t on this device. */
  add(deviceKey: string, t: number): number {
    let d = this.devices.get(deviceKey);
    if (d === undefined) {
      const key = this.canonical(deviceKey);
      d = this.deviceKeys.length;
      this.devices.set(key, d);
      this.deviceKeys.push(key);
      this.head = withRoom(this.head, d);
      this.finger = withRoom(this.finger, d);
      this.head[d] = NO_WINDOW;
      this.finger[d] = NO_WINDOW;
    }
    const gap = this.gapMs;
    const { start, end, next, prev } = this;
    // w: the last window starting at or before t + gap, found from the finger; before and
    // after: its neighbours (after is the first window starting later).
    let w = this.finger[d]!;
    if (w !== NO_WINDOW && start[w]! <= t + gap) {
      while (next[w] !== NO_WINDOW && start[next[w]!]! <= t + gap) w = next[w]!;
    } else {
      while (w !== NO_WINDOW && start[w]! > t + gap) w = prev[w]!;
    }
    const after = w === NO_WINDOW ? this.head[d]! : next[w]!;
    if (w === NO_WINDOW || end[w]! < t - gap) return (this.finger[d] = this.open(d, t, w, after));
    // Joins window w; it may now reach the window before it or the one after it.
    if (t < start[w]!) start[w] = t;
    if (t > end[w]!) end[w] = t;
    const before = prev[w]!;
    if (before !== NO_WINDOW && end[before]! >= start[w]! - gap) {
      this.join(before, w);
      if (end[w]! > end[before]!) end[before] = end[w]!;
      this.unlink(w); // absorbed: its slot stays a union-find node, off the list
      w = before;
    }
    if (after !== NO_WINDOW && start[after]! <= end[w]! + gap) {
      this.join(w, after);
      if (end[after]! > end[w]!) end[w] = end[after]!;
      this.unlink(after);
    }
    this.finger[d] = w;
    return this.uf.find(w);
  }

  /** Records that an event in this session identifies these users. */
  identify(node: number, users: readonly number[]): void {
    const r = this.uf.find(node);
    for (const u of users) this.users.add(r, u);
  }

  root(node: number): number {
    return this.uf.find(node);
  }

  /** Users identified anywhere in the node's session, sorted. */
  usersOf(node: number): number[] {
    return this.users.of(this.uf.find(node));
  }

  deviceOf(node: number): string {
    return this.deviceKeys[this.device[node]!]!;
  }

  /** A new window for an event at t, between windows `prev` and `after` of device d. */
  private open(d: number, t: number, prev: number, after: number): number {
    const n = this.uf.add();
    this.start = withRoom(this.start, n);
    this.end = withRoom(this.end, n);
    this.next = withRoom(this.next, n);
    this.prev = withRoom(this.prev, n);
    this.device = withRoom(this.device, n);
    this.users.grow(n);
    this.start[n] = t;
    this.end[n] = t;
    this.device[n] = d;
    this.next[n] = after;
    this.prev[n] = prev;
    if (prev === NO_WINDOW) this.head[d] = n;
    else this.next[prev] = n;
    if (after !== NO_WINDOW) this.prev[after] = n;
    return n;
  }

  /** Takes window w off its device's list (it was absorbed by a neighbour, never the first). */
  private unlink(w: number): void {
    const p = this.prev[w]!,
      n = this.next[w]!;
    this.next[p] = n;
    if (n !== NO_WINDOW) this.prev[n] = p;
  }

  private join(a: number, b: number): void {
    const kept = this.uf.union(a, b),
      gone = this.uf.absorbed;
    if (gone >= 0) this.users.move(kept, gone);
  }
}
