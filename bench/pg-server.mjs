/**
 * A PostgreSQL server for `npm run bench` (issue 19): a throwaway cluster (test/pg/cluster.mjs,
 * the one the tests start) holding the bench's users.csv as table `users`, all columns text.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { binDir, startCluster } from '../test/pg/cluster.mjs';

/** Starts a server holding `usersCsv` as table `users`; resolves { url, stop } (undefined without binaries). */
export async function startPg(usersCsv) {
  const bin = binDir();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bi-bench-pg-'));
  const { adminUrl: url, stop } = await startCluster(bin, dir, 'bench-pw');
  // A bench that dies half-way must not leave a server running.
  process.on('exit', stop);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const header = readFileSync(usersCsv, 'utf8').slice(0, 4096).split('\n')[0];
  const names = header.replace(/^\uFEFF/, '').split(',');
  await c.query(`CREATE TABLE users (${names.map((h) => `"${h.trim()}" text`).join(', ')})`);
  // The server reads the file itself (COPY … FROM a path): a copy it may read.
  const copy = join(dir, 'users.csv');
  writeFileSync(copy, readFileSync(usersCsv));
  chmodSync(copy, 0o644);
  await c.query(`COPY users FROM '${copy}' (FORMAT csv, HEADER true)`);
  await c.end();
  return { url, stop };
}
