import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionWindows } from '../../src/core/sessions.js';

const MIN = 60_000;
const GAP = 30 * MIN;

/** Adds (device, t) events in order; returns the session root of each after all are added. */
function roots(sw: SessionWindows, events: Array<[string, number]>): number[] {
  const nodes = events.map(([d, t]) => sw.add(d, t));
  return nodes.map((n) => sw.root(n));
}

describe('SessionWindows: grouping by the inactivity gap', () => {
  it.each<[string, number[], number[]]>([
    // [case, event times on one device, expected session label per event]
    ['events within the gap form one session', [0, 10 * MIN, 25 * MIN], [0, 0, 0]],
    ['a gap exactly equal to --session-gap stays one session', [0, GAP], [0, 0]],
    ['a chain of exactly-gap steps stays one session', [0, GAP, 2 * GAP, 3 * GAP], [0, 0, 0, 0]],
    ['one ms more than the gap splits', [0, GAP + 1], [0, 1]],
    ['hours apart splits', [0, 5 * 60 * MIN], [0, 1]],
    [
      'three sessions',
      [0, 10 * MIN, 2 * 60 * MIN, 2 * 60 * MIN + 5 * MIN, 6 * 60 * MIN],
      [0, 0, 1, 1, 2],
    ],
    ['same timestamp twice', [1000, 1000], [0, 0]],
    ['arrival in reverse order, all within the gap', [3 * GAP, 2 * GAP, GAP, 0], [0, 0, 0, 0]],
    ['late event inside an existing session', [0, 20 * MIN, 10 * MIN], [0, 0, 0]],
    ['late event before an existing session, beyond the gap', [5 * GAP, 0], [0, 1]],
    ['out-of-order event bridges two sessions', [0, 2 * GAP, GAP], [0, 0, 0]],
    [
      'out-of-order event bridges three sessions',
      [0, 2 * GAP, 4 * GAP, 3 * GAP, GAP],
      [0, 0, 0, 0, 0],
    ],
    ['out-of-order event near but not bridging', [0, 3 * GAP, 3 * GAP - 10 * MIN], [0, 1, 1]],
  ])('%s', (_name, times, labels) => {
    const sw = new SessionWindows(GAP);
    const r = roots(
      sw,
      times.map((t) => ['dev', t]),
    );
    for (let i = 0; i < times.length; i++)
      for (let j = 0; j < times.length; j++) {
        expect(r[i] === r[j], `events ${i} (t=${times[i]}) and ${j} (t=${times[j]})`).toBe(
          labels[i] === labels[j],
        );
      }
  });

  // Every arrival order of the same events must end in the same grouping.
  const TIMES = [0, 10 * MIN, 35 * MIN, 2 * 60 * MIN, 2 * 60 * MIN + GAP, 5 * 60 * MIN];
  const LABELS = [0, 0, 0, 1, 1, 2];
  const perms = (a: number[]): number[][] =>
    a.length <= 1
      ? [a]
      : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p]));
  it.each(perms([0, 1, 2, 3, 4, 5]).map((p) => [p.join(','), p] as const))(
    'arrival order %s gives the same sessions',
    (_n, order) => {
      const sw = new SessionWindows(GAP);
      const node = new Array<number>(TIMES.length);
      for (const k of order) node[k] = sw.add('dev', TIMES[k]!);
      for (let i = 0; i < TIMES.length; i++)
        for (let j = i + 1; j < TIMES.length; j++)
          expect(sw.root(node[i]!) === sw.root(node[j]!)).toBe(LABELS[i] === LABELS[j]);
    },
  );
});

describe('SessionWindows: identification', () => {
  it('an identify on one of two bridged sessions reaches every event of the merged session', () => {
    const sw = new SessionWindows(GAP);
    const a = sw.add('dev', 0);
    const b = sw.add('dev', 2 * GAP);
    sw.identify(a, [7]);
    expect(sw.usersOf(a)).toEqual([7]);
    expect(sw.usersOf(b)).toEqual([]);
    const bridge = sw.add('dev', GAP);
    expect(sw.usersOf(b)).toEqual([7]);
    expect(sw.usersOf(bridge)).toEqual([7]);
    expect(sw.root(a)).toBe(sw.root(b));
  });

  it('identify after the bridge, on the later node', () => {
    const sw = new SessionWindows(GAP);
    const a = sw.add('dev', 0);
    const b = sw.add('dev', 2 * GAP);
    sw.add('dev', GAP);
    sw.identify(b, [3]);
    expect(sw.usersOf(a)).toEqual([3]);
  });

  it('bridging two sessions each identifying a different user yields both users', () => {
    const sw = new SessionWindows(GAP);
    const a = sw.add('dev', 0);
    const b = sw.add('dev', 2 * GAP);
    sw.identify(a, [5]);
    sw.identify(b, [2]);
    expect(sw.usersOf(a)).toEqual([5]);
    sw.add('dev', GAP);
    expect(sw.usersOf(a)).toEqual([2, 5]);
    expect(sw.usersOf(b)).toEqual([2, 5]);
  });

  it.each<[string, number[][], number[]]>([
    ['one user', [[4]], [4]],
    ['the same user twice', [[4], [4]], [4]],
    ['two users, sorted', [[9], [1]], [1, 9]],
    ['two users in one call', [[9, 1]], [1, 9]],
    ['three users', [[3], [1], [2]], [1, 2, 3]],
  ])('identify with %s → usersOf', (_name, calls, expected) => {
    const sw = new SessionWindows(GAP);
    const n = sw.add('dev', 0);
    const m = sw.add('dev', MIN);
    for (const users of calls) sw.identify(n, users);
    expect([...sw.usersOf(m)].sort((x, y) => x - y)).toEqual(expected);
  });

  it('two devices are independent, even at the same time', () => {
    const sw = new SessionWindows(GAP);
    const d1 = sw.add('dev-1', 1000);
    const d2 = sw.add('dev-2', 1000);
    const d1b = sw.add('dev-1', 2000);
    expect(sw.root(d1)).not.toBe(sw.root(d2));
    expect(sw.root(d1)).toBe(sw.root(d1b));
    sw.identify(d1, [1]);
    expect(sw.usersOf(d2)).toEqual([]);
    expect(sw.usersOf(d1b)).toEqual([1]);
    expect(sw.deviceOf(d1)).toBe('dev-1');
    expect(sw.deviceOf(d2)).toBe('dev-2');
  });

  it('a session with no identify has no users', () => {
    const sw = new SessionWindows(GAP);
    expect(sw.usersOf(sw.add('dev', 0))).toEqual([]);
  });

  it('counts one node per opened session', () => {
    const sw = new SessionWindows(GAP);
    roots(sw, [
      ['a', 0],
      ['a', MIN],
      ['a', 5 * GAP],
      ['b', 0],
    ]);
    expect(sw.count).toBe(3);
  });
});

// Against a reference: per device, sort the times and cut where consecutive events are more than
// the gap apart. Any arrival order, any number of windows per device (the finger walks both ways).
describe('SessionWindows: against a sorted reference, in random orders', () => {
  it('groups and identifies exactly as sorting and cutting at the gap would', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('a', 'b', 'c'),
            fc.integer({ min: 0, max: 40 }),
            fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
          ),
          { minLength: 1, maxLength: 60 },
        ),
        fc.constantFrom('random', 'sorted', 'reversed'),
        (raw, order) => {
          const events = raw.map(([d, step, user]) => ({ d, t: step * 10 * MIN, user }));
          if (order !== 'random')
            events.sort((x, y) => (order === 'sorted' ? x.t - y.t : y.t - x.t));
          const sw = new SessionWindows(GAP);
          const nodes = events.map((e) => {
            const n = sw.add(e.d, e.t);
            if (e.user !== undefined) sw.identify(n, [e.user]);
            return n;
          });
          // Reference labels: per device, sorted distinct times split where the step exceeds GAP.
          const label = (e: (typeof events)[number]) => {
            const ts = [...new Set(events.filter((x) => x.d === e.d).map((x) => x.t))].sort(
              (a, b) => a - b,
            );
            let k = 0;
            for (let i = 1; i < ts.length && ts[i]! <= e.t; i++) if (ts[i]! - ts[i - 1]! > GAP) k++;
            return `${e.d}:${k}`;
          };
          const labels = events.map(label);
          for (let i = 0; i < events.length; i++) {
            for (let j = 0; j < events.length; j++)
              expect(sw.root(nodes[i]!) === sw.root(nodes[j]!)).toBe(labels[i] === labels[j]);
            const want = [
              ...new Set(
                events
                  .filter((_, j) => labels[j] === labels[i])
                  .flatMap((e) => (e.user === undefined ? [] : [e.user])),
              ),
            ].sort((a, b) => a - b);
            expect(sw.usersOf(nodes[i]!)).toEqual(want);
          }
        },
      ),
      { seed: 3, numRuns: 400 },
    );
  });
});
