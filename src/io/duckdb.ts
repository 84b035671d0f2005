/**
 * Embedded DuckDB, for Parquet exports (io/read-parquet.ts) and Parquet or DuckDB users tables
 * (io/users-duckdb.ts). Loaded on first use, so that a run that reads no such file never loads
 * the native library (a platform npm has no binary for still reads CSV and JSON). Configured
 * for this tool's promise of no network access: DuckDB never installs or loads an extension on
 * its own (Parquet and JSON are built in), and it works in UTC.
 *
 * Memory: each database's buffer manager is held to MEMORY_LIMIT and spills beyond it into a private
 * folder (mode 0700) made for each database under `--temp-dir` or the system's temporary folder,
 * removed when the database closes and on Ctrl-C. Left to itself, an in-memory DuckDB spills
 * into `.tmp` in the current folder: personal data in whatever folder the responder stands in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { InputError, messageLine, UsageError } from '../errors.js';
import { sqlString } from './sql.js';

export type { DuckDBConnection, DuckDBResult };

/**
 * Per database: up to two are open at once (a Parquet file read, the next one's query started
 * ahead: io/read-parquet.ts), so DuckDB's share of the 1 GiB a run may use is 512 MB
 * (docs/PERFORMANCE.md, "Memory"); the rest is Node's.
 */
const MEMORY_LIMIT = '256MB';

let spillRoot: string | undefined;
const spillDirs = new Set<string>();

/** Where DuckDB's spill folders are made (`--temp-dir`); the system's temporary folder if unset. */
export function setSpillRoot(dir: string | undefined): void {
  spillRoot = dir;
}

/** Removes every spill folder still open (SIGINT/SIGTERM): no personal data is left behind. */
export function removeSpillDirs(): void {
  for (const dir of spillDirs) rmSync(dir, { recursive: true, force: true });
  spillDirs.clear();
}

function makeSpillDir(): string {
  const root = spillRoot ?? tmpdir();
  try {
    // Absolute: DuckDB would expand a leading `~` of `--temp-dir '~/x'` to the home folder.
    const dir = mkdtempSync(join(resolve(root), 'breach-impact-duckdb-'));
    spillDirs.add(dir);
    return dir;
  } catch (e) {
    throw new UsageError(
      `cannot make a folder for DuckDB to spill to in ${root}: ${messageLine(e)}`,
      'name a writable folder with --temp-dir DIR',
    );
  }
}

/** Runs `job` on a fresh in-memory database, closed after; `file` names the input in errors. */
export async function withDuckdb<T>(
  file: string,
  job: (c: DuckDBConnection) => Promise<T>,
): Promise<T> {
  let api: typeof import('@duckdb/node-api');
  try {
    api = await import('@duckdb/node-api');
  } catch (e) {
    throw new InputError(
      'INPUT_UNREADABLE',
      `reading this file needs DuckDB, whose native library did not load: ${messageLine(e)}`,
      { file },
      'reinstall with npm ci (DuckDB ships a binary per platform); CSV and JSON inputs need none',
      { cause: e },
    );
  }
  const spill = makeSpillDir();
  try {
    const db = await api.DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      memory_limit: MEMORY_LIMIT,
      temp_directory: spill,
    });
    const c = await db.connect();
    try {
      await c.run("SET TimeZone = 'UTC'");
      return await job(c);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  } finally {
    rmSync(spill, { recursive: true, force: true });
    spillDirs.delete(spill);
  }
}

/**
 * A path as a DuckDB string literal that names exactly this file: DuckDB expands `*`, `?`, `[`
 * and `{` in file paths as globs, so each is put in a bracket class of its own, and a leading
 * `~` as the home folder, so the path is made absolute first (a folder named `~` is a folder).
 */
export function pathLiteral(path: string): string {
  return sqlString(resolve(path).replace(/[*?[\]{}]/g, (ch) => `[${ch}]`));
}
