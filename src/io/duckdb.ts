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
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
 * What tells whether a file changed: DuckDB reads an input by its path after Node has hashed its
 * bytes for the manifest, so a file written to in between would give rows the SHA-256 does not
 * name (a sync tool still downloading it, a second export job).
 */
export interface FileVersion {
  size: number;
  mtimeMs: number;
  ino: number;
}

export function fileVersion(path: string): FileVersion | undefined {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch {
    return undefined;
  }
}

/**
 * Why the file is no longer the one whose `hashed` bytes were hashed since `before` was taken,
 * or undefined when it is the same.
 */
export function changedSince(
  path: string,
  before: FileVersion | undefined,
  hashed: number,
): string | undefined {
  const now = fileVersion(path);
  if (before === undefined || now === undefined)
    return before === now ? undefined : 'it could no longer be found';
  if (now.ino !== before.ino) return 'it was replaced by another file';
  if (now.size !== hashed) return `${hashed} bytes were hashed and it now holds ${now.size}`;
  if (now.mtimeMs !== before.mtimeMs) return 'it was written to';
  return undefined;
}

/**
 * Why a stream ended early, which it does not say (@duckdb/node-api's fetchChunk gives null for
 * an error as for the end of the rows): `probe`, a query that reads the same cells at once, is
 * run and its error returned. Only for a read that has already failed.
 */
export async function whyStopped(c: DuckDBConnection, probe: string): Promise<string> {
  return c.run(probe).then(
    () => 'DuckDB stopped reading it without saying why',
    (e: unknown) => messageLine(e),
  );
}

/** The InputError for a file that changed while it was read (see changedSince). */
export function changedError(file: string, why: string): InputError {
  return new InputError(
    'INPUT_UNREADABLE',
    `the file changed while it was read (${why}): the rows read may not be the bytes its SHA-256 names`,
    { file },
    'read a copy that nothing writes to (copy it first), and run again',
  );
}

/**
 * A path as a DuckDB string literal that names exactly this file: DuckDB expands `*`, `?`, `[`
 * and `{` in file paths as globs, so each is put in a bracket class of its own, and a leading
 * `~` as the home folder, so the path is made absolute first (a folder named `~` is a folder).
 */
export function pathLiteral(path: string): string {
  return sqlString(resolve(path).replace(/[*?[\]{}]/g, (ch) => `[${ch}]`));
}
