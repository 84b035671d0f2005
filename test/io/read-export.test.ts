/** Container detection (SPEC §3) and what follows a document — regressions of issue #6. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExport } from '../../src/io/read-export.js';

const dir = mkdtempSync(join(tmpdir(), 'bi-read-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(
  text: string | Buffer,
): Promise<{ container: string | undefined; got: Array<[number, string]> }> {
  const path = join(dir, 'f');
  writeFileSync(path, text);
  const got: Array<[number, string]> = [];
  const { container } = await readExport(
    { path, display: 'f' },
    { bytes: 0, sha256: '', gzip: false },
    (t, line) => got.push([line, t.trim()]),
  );
  return { container, got };
}

const EV = (n: number) => `{"event":"e${n}","properties":{"time":1762600000}}`;

describe('container detection', () => {
  it('#6 an NDJSON file whose first record is truncated after a comma is still NDJSON', async () => {
    const { container, got } = await records(
      `{"event":"x","properties":{"time":1,\n${EV(2)}\n${EV(3)}\n`,
    );
    expect(container).toBe('ndjson');
    expect(got.map(([l]) => l)).toEqual([1, 2, 3]);
  });

  it('a pretty-printed Engage page is one document whose results are the records', async () => {
    const { container, got } = await records(
      '{\n  "page": 0,\n  "results": [\n    {"$distinct_id": "a"},\n    {"$distinct_id": "b"}\n  ]\n}\n',
    );
    expect(container).toBe('json');
    expect(got).toEqual([
      [4, '{"$distinct_id": "a"}'],
      [5, '{"$distinct_id": "b"}'],
    ]);
  });

  it('#6 whatever follows a JSON array is read line by line, not ignored', async () => {
    const { got } = await records(`[${EV(1)},\n${EV(2)}]\n${EV(3)}\n\nnot json\n`);
    expect(got).toEqual([
      [1, EV(1)],
      [2, EV(2)],
      [3, EV(3)],
      [5, 'not json'],
    ]);
  });

  it('#6 a second page after the first is read, not ignored', async () => {
    const { got } = await records(`{"results": [${EV(1)}]}\n{"results": [${EV(2)}]}\n`);
    expect(got.map(([l]) => l)).toEqual([1, 2]);
  });

  it('a first line longer than 1 MiB is one NDJSON record', async () => {
    const big = `{"event":"big","properties":{"time":1,"pad":"${'x'.repeat(1.5 * 2 ** 20)}"}}`;
    const { container, got } = await records(`${big}\n${EV(2)}\n`);
    expect(container).toBe('ndjson');
    expect(got.map(([l, t]) => [l, t.length])).toEqual([
      [1, big.length],
      [2, EV(2).length],
    ]);
  });
});
