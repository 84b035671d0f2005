import { describe, expect, it } from 'vitest';
import { Fingerprints } from '../../src/core/dedup.js';

describe('Fingerprints', () => {
  it('reports a key the second time only', () => {
    const f = new Fingerprints();
    expect(f.seen('Page View\0u1\x001762600000\0a1')).toBe(false);
    expect(f.seen('Page View\0u1\x001762600000\0a1')).toBe(true);
    expect(f.seen('Page View\0u1\x001762600001\0a1')).toBe(false);
  });

  it('keeps every key through growth (100k keys, each seen twice)', () => {
    const f = new Fingerprints();
    let first = 0,
      again = 0;
    for (let i = 0; i < 100_000; i++) if (!f.seen(`e\0d${i}\0${i * 7}\0ins-${i}`)) first++;
    for (let i = 0; i < 100_000; i++) if (f.seen(`e\0d${i}\0${i * 7}\0ins-${i}`)) again++;
    expect([first, again]).toEqual([100_000, 100_000]);
  });
});
