/** BitSet keeps two words inline and spills the rest: every id, on both sides of the spill. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitSet } from '../../src/core/bitset.js';

const ids = fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 40 });
const sorted = (s: Iterable<number>) => [...new Set(s)].sort((a, b) => a - b);

describe('BitSet', () => {
  it('holds exactly the ids added, in order, and ORs like a set union', () => {
    fc.assert(
      fc.property(ids, ids, (a, b) => {
        const x = new BitSet(),
          y = new BitSet();
        for (const i of a) x.add(i);
        for (const i of b) y.add(i);
        expect([...x]).toEqual(sorted(a));
        for (let i = 0; i <= 201; i++) expect(x.has(i)).toBe(a.includes(i));
        x.or(y);
        expect([...x]).toEqual(sorted([...a, ...b]));
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it('keeps ids 29, 30, 59, 60 and 61 apart (the word edges)', () => {
    const s = new BitSet();
    for (const i of [61, 29, 60, 30, 59, 0]) s.add(i);
    expect([...s]).toEqual([0, 29, 30, 59, 60, 61]);
  });
});
