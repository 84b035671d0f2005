/**
 * Embedded DuckDB, for Parquet exports (io/read-parquet.ts) and Parquet or DuckDB users tables
 * (io/users-duckdb.ts). Loaded on first use, so that a run that reads no such file never loads
 * the native library (a platform npm has no binary for still reads CSV and JSON). Configured
 * for this tool's promise of no network access: DuckDB never installs or loads an extension on
 * its own (Parquet and JSON are built in), and it works in UTC.
 */
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError, messageLine } from '../errors.js';
import { sqlString } from './sql.js';

export type { DuckDBConnection };

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
  const db = await api.DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const c = await db.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    return await job(c);
  } finally {
    c.closeSync();
    db.closeSync();
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
