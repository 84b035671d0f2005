/** The accounting line's one writer (core/join/accounting.ts): every record in exactly one bucket. */
import { describe, expect, it } from 'vitest';
import { Accounting } from '../../../src/core/join/accounting.js';

describe('Accounting', () => {
  it('balances when every delimited record is reported into exactly one bucket', () => {
    const a = new Accounting();
    a.delimited(10);
    a.rejected();
    a.outOfWindow();
    a.outOfWindow();
    a.settled('attributed', 4);
    a.settled('unmatched', 2);
    expect(a.balanced).toBe(false); // one record not yet placed
    a.settled('ambiguous', 1);
    expect(a.balanced).toBe(true);
    a.duplicate(); // a duplicate is counted in its bucket too, not beside it
    expect(a.balanced).toBe(true);
    expect(a.counts).toEqual({
      read: 10,
      rejected: 1,
      out_of_window: 2,
      attributed: 4,
      unmatched: 2,
      ambiguous: 1,
      duplicates: 1,
    });
  });

  it('does not balance when a record is lost or counted twice', () => {
    const lost = new Accounting();
    lost.delimited(2);
    lost.settled('attributed', 1);
    expect(lost.balanced).toBe(false);
    const twice = new Accounting();
    twice.delimited(1);
    twice.rejected();
    twice.settled('unmatched', 1);
    expect(twice.balanced).toBe(false);
  });
});
