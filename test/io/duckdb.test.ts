/**
 * Embedded DuckDB's memory and spill settings (io/duckdb.ts): held to MEMORY_LIMIT, spilling
 * into a private folder under --temp-dir (never `.tmp` in the current folder), removed after.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  watch,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { changedSince, fileVersion, setSpillRoot, withDuckdb } from '../../src/io/duckdb.js';
import type { InputStats } from '../../src/io/open.js';
import { ParquetExport, startAhead } from '../../src/io/read-parquet.js';

const root = mkdtempSync(join(tmpdir(), 'bi-spill-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => setSpillRoot(undefined));

async function setting(name: string): Promise<string> {
  return withDuckdb('test', async (c) => {
    const r = await c.runAndReadAll(`SELECT current_setting('${name}')::VARCHAR`);
    return String(r.getRows()[0]![0]);
  });
}

describe('DuckDB memory and spill folder', () => {
  it('a relative --temp-dir starting with ~ is that folder, not the home folder', async () => {
    const here = mkdtempSync(join(tmpdir(), 'bi-tilde-'));
    mkdirSync(join(here, '~'));
    const cwd = process.cwd();
    process.chdir(here);
    try {
      setSpillRoot('~');
      expect(await setting('temp_directory')).toMatch(
        new RegExp(`^${here}/~/breach-impact-duckdb-`),
      );
    } finally {
      process.chdir(cwd);
      rmSync(here, { recursive: true, force: true });
    }
  });

  it('spills into a private folder under --temp-dir, made for the run and removed after', async () => {
    setSpillRoot(root);
    let during: string | undefined;
    let mode = 0;
    await withDuckdb('test', async (c) => {
      const r = await c.runAndReadAll(`SELECT current_setting('temp_directory')::VARCHAR`);
      during = String(r.getRows()[0]![0]);
      mode = statSync(during).mode & 0o777;
    });
    expect(during).toMatch(new RegExp(`^${root}/breach-impact-duckdb-`));
    expect(mode).toBe(0o700);
    expect(existsSync(during!)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('without --temp-dir, the system temporary folder, not .tmp where the user stands', async () => {
    expect(await setting('temp_directory')).toMatch(
      new RegExp(`^${tmpdir()}/breach-impact-duckdb-`),
    );
  });

  it('holds its buffers to 256 MB (two may be open at once)', async () => {
    expect(await setting('memory_limit')).toBe('244.1 MiB');
  });

  it('a sort larger than its memory spills there and finishes', async () => {
    setSpillRoot(root);
    const spilled = new Set<string>();
    const n = await withDuckdb('test', async (c) => {
      const r = await c.runAndReadAll(`SELECT current_setting('temp_directory')::VARCHAR`);
      const watcher = watch(String(r.getRows()[0]![0]), (_, name) => spilled.add(String(name)));
      try {
        await c.run("SET memory_limit = '100MB'");
        const sorted = await c.runAndReadAll(
          'SELECT count(*)::INTEGER FROM (SELECT range AS i, md5(range::VARCHAR) AS h FROM range(3000000) ORDER BY h)',
        );
        await new Promise((done) => setTimeout(done, 50)); // the last inotify events
        return Number(sorted.getRows()[0]![0]);
      } finally {
        watcher.close();
      }
    });
    expect(n).toBe(3_000_000);
    expect([...spilled].some((f) => f.startsWith('duckdb_temp_storage'))).toBe(true);
    expect(readdirSync(root)).toEqual([]);
  });

  it('a folder it cannot make a spill folder in is a usage error naming --temp-dir', async () => {
    setSpillRoot(join(root, 'missing'));
    await expect(withDuckdb('test', async () => 1)).rejects.toMatchObject({
      message: expect.stringMatching(/^cannot make a folder for DuckDB to spill to in /),
      hint: expect.stringMatching(/--temp-dir/),
    });
  });
});

describe('a file DuckDB reads after Node hashed it must be the file hashed', () => {
  const file = join(root, 'export.parquet');
  const rows: number[] = [];
  const parquet = async () => {
    await withDuckdb('test', (c) =>
      c.run(
        `COPY (SELECT 'Login' AS event, 'u1' AS distinct_id, 1762560000 AS "time") TO '${file}' (FORMAT parquet)`,
      ),
    );
    return statSync(file).size;
  };

  it('says why a file is not the one hashed: replaced, grown, written to', async () => {
    const size = await parquet();
    const before = fileVersion(file);
    expect(changedSince(file, before, size)).toBeUndefined();
    expect(changedSince(file, before, size - 1)).toBe(
      `${size - 1} bytes were hashed and it now holds ${size}`,
    );
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    expect(changedSince(file, before, size)).toBe('it was written to');
    const copy = join(root, 'copy.parquet');
    copyFileSync(file, copy);
    renameSync(copy, file);
    expect(changedSince(file, before, size)).toBe('it was replaced by another file');
    rmSync(file);
    expect(changedSince(file, before, size)).toBe('it could no longer be found');
  });

  it('a Parquet export written to between its hash and its rows: its rows stand, the file fails', async () => {
    const size = await parquet();
    const got = new ParquetExport(
      { path: file, display: 'export.parquet' },
      statsOf(size),
      (_t, line) => rows.push(line),
    );
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    await expect(got.end()).rejects.toThrow(
      /the file changed while it was read \(it was written to\)/,
    );
    expect(rows).toEqual([1]);
    expect(got.abort()).toEqual({ line: 2, text: '', records: 0 }); // no record lost with it
  });

  it('read ahead before its hash began (startAhead), then written to: the file fails too', async () => {
    const size = await parquet();
    const file0 = { path: file, display: 'export.parquet' };
    startAhead(file0); // DuckDB may read all of a small file before Node hashes a byte
    await new Promise((r) => setTimeout(r, 300));
    utimesSync(file, new Date(), new Date(Date.now() + 120_000));
    const got = new ParquetExport(file0, statsOf(size), () => {});
    await expect(got.end()).rejects.toThrow(/the file changed while it was read/);
  });
});

function statsOf(bytes: number): InputStats {
  return { bytes, sha256: '', gzip: false };
}
