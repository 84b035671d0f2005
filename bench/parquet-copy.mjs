/**
 * The bench's export as Parquet, for the 'correlate, export as Parquet' row (issue 17): one
 * Parquet file per NDJSON day, written by DuckDB (objects become structs; the corrupt lines the
 * generator plants are left out, so the copy has fewer rejects and the same affected users).
 * Made once per size, beside the export, and reused while the export is older than it.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export async function parquetCopy(exportDir, outDir) {
  const days = readdirSync(exportDir)
    .filter((f) => /\.ndjson(\.gz)?$/.test(f))
    .sort();
  const done = join(outDir, '.complete');
  if (existsSync(done) && statSync(done).mtimeMs >= statSync(exportDir).mtimeMs) return outDir;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const f of days) {
    const dst = join(outDir, f.replace(/\.ndjson(\.gz)?$/, '.parquet'));
    await c.run(
      `COPY (SELECT * FROM read_json('${join(exportDir, f)}', format = 'newline_delimited', records = true, sample_size = -1, ignore_errors = true, maximum_object_size = 67108864)) TO '${dst}.tmp' (FORMAT parquet)`,
    );
    renameSync(`${dst}.tmp`, dst);
  }
  c.closeSync();
  db.closeSync();
  writeFileSync(done, ''); // a dot-file: never read as an export
  return outDir;
}
