import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/core/identity.js';

type Step = [keys: string[], users?: number[]];

function build(steps: Step[]): IdentityGraph {
  const g = new IdentityGraph();
  for (const [keys, users] of steps)
    g.link(
      keys.map((k) => g.node(k)),
      keys.length,
      users,
    );
  return g;
}

describe('IdentityGraph.link / usersOf', () => {
  it.each<[string, Step[], Record<string, number[]>]>([
    ['a single node touching a user', [[['anon-1'], [0]]], { 'anon-1': [0] }],
    [
      'linked nodes share the touched user',
      [[['anon-1', 'dev-1']], [['dev-1'], [3]]],
      { 'anon-1': [3], 'dev-1': [3] },
    ],
    [
      'a chain of links carries the user to its far end',
      [[['a', 'b']], [['b', 'c']], [['c', 'd']], [['a'], [1]]],
      { a: [1], b: [1], c: [1], d: [1] },
    ],
    [
      'two components touching different users stay separate',
      [
        [['a', 'b'], [0]],
        [['c', 'd'], [1]],
      ],
      { a: [0], b: [0], c: [1], d: [1] },
    ],
    [
      'a node touching two users reports both',
      [
        [['dev'], [0]],
        [['dev'], [1]],
      ],
      { dev: [0, 1] },
    ],
    [
      'one link touching two users at once (callers pass sorted users)',
      [[['dev'], [1, 2]]],
      { dev: [1, 2] },
    ],
    [
      'linking two components merges their users',
      [[['x'], [0]], [['y'], [4]], [['x', 'y']]],
      { x: [0, 4], y: [0, 4] },
    ],
    [
      'the same user twice is listed once',
      [[['x'], [2]], [['y'], [2]], [['x', 'y']]],
      { x: [2], y: [2] },
    ],
    ['a component with no user', [[['p', 'q']]], { p: [], q: [] }],
    ['a link without users touches none', [[['p'], []]], { p: [] }],
  ])('%s', (_name, steps, expected) => {
    const g = build(steps);
    for (const [key, users] of Object.entries(expected)) {
      const n = g.lookup(key);
      expect(n, key).toBeDefined();
      expect(g.usersOf(n!), key).toEqual(users);
    }
  });

  it('separate components have different roots; linked ones the same', () => {
    const g = build([
      [['a', 'b'], [0]],
      [['c'], [1]],
    ]);
    expect(g.root(g.lookup('a')!)).toBe(g.root(g.lookup('b')!));
    expect(g.root(g.lookup('a')!)).not.toBe(g.root(g.lookup('c')!));
  });

  it('only the first `count` nodes of the array are linked (scratch arrays are reused)', () => {
    const g = new IdentityGraph();
    const a = g.node('a'),
      b = g.node('b'),
      c = g.node('c');
    g.link([a, b, c], 2, [5]);
    expect(g.usersOf(a)).toEqual([5]);
    expect(g.usersOf(b)).toEqual([5]);
    expect(g.usersOf(c)).toEqual([]);
    expect(g.root(c)).not.toBe(g.root(a));
  });

  it('link with no nodes changes nothing', () => {
    const g = new IdentityGraph();
    const a = g.node('a'),
      b = g.node('b');
    g.link([a, b], 0, [1]);
    expect(g.usersOf(a)).toEqual([]);
    expect(g.root(a)).not.toBe(g.root(b));
  });

  it('node() is idempotent per key; keyOf and lookup round-trip', () => {
    const g = new IdentityGraph();
    const a = g.node('alpha');
    expect(g.node('alpha')).toBe(a);
    expect(g.lookup('alpha')).toBe(a);
    expect(g.lookup('missing')).toBeUndefined();
    expect(g.keyOf(a)).toBe('alpha');
    g.node('beta');
    expect(g.count).toBe(2);
  });
});
