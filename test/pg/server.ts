/**
 * A real PostgreSQL server for the tests of issue 19 (vitest globalSetup): Debian's postgresql
 * package (.ci/run installs it), started on a temporary data directory and a free port on
 * localhost, with a password-protected role and a 100,000-user table; torn down after. When
 * BI_TEST_PG_URL names a server, that one is used: a throwaway database, where the tables are made
 * unless a `users` table is there already (then it must be the one made here).
 * A users CSV with exactly the table's rows is written beside it, for the byte-for-byte test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { binDir, startCluster } from './cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pg:
      | { url: string; password: string; port: number; csv: string; dir: string }
      | { missing: string };
  }
}

export const PASSWORD = 'S3cret-pw-9z!';
export const USERS = 100_000;

/** The table's rows, made the same way for PostgreSQL and the CSV. */
export function userRow(i: number): string[] {
  const id = `u${String(i).padStart(6, '0')}`;
  const name = i % 97 === 0 ? `Zoë "Z" Müller, ${i}` : `User ${i}`;
  return [
    id,
    i % 11 === 0 ? '' : `user${i}@example.com`,
    name,
    ['DE', 'US', 'FR', 'GB'][i % 4]!,
    i % 3 === 0 ? `d-${i}` : '',
  ];
}
export const COLUMNS = ['id', 'email', 'name', 'country', 'mixpanel_distinct_id'];

/** Creates the tables the tests read: `users` (USERS rows of userRow) and `orders`. */
async function fill(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE users (${COLUMNS.map((n) => `${n} text`).join(', ')})`);
  await c.query('CREATE TABLE orders (id int)');
  for (let i = 0; i < USERS; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, USERS - i) }, (_, k) => userRow(i + k + 1));
    const params = rows.flatMap((r) => r.map((v) => (v === '' ? null : v)));
    const values = rows
      .map((_, k) => `(${COLUMNS.map((__, j) => `$${k * COLUMNS.length + j + 1}`).join(', ')})`)
      .join(', ');
    await c.query(`INSERT INTO users VALUES ${values}`, params);
  }
  await c.end();
}

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'bi-pg-'));
  const csv = join(dir, 'users.csv');
  writeFileSync(
    csv,
    [COLUMNS, ...Array.from({ length: USERS }, (_, i) => userRow(i + 1))]
      .map((r) => r.map(csvCell).join(','))
      .join('\n') + '\n',
  );
  if (process.env.BI_TEST_PG_URL) {
    // A server of the user's: a throwaway database; the tables are made unless `users` is there.
    const c = new pg.Client({ connectionString: process.env.BI_TEST_PG_URL });
    await c.connect();
    const there = (await c.query("SELECT to_regclass('public.users') AS t")).rows[0].t !== null;
    await c.end();
    if (!there) await fill(process.env.BI_TEST_PG_URL);
    project.provide('pg', {
      url: process.env.BI_TEST_PG_URL,
      password: new URL(process.env.BI_TEST_PG_URL).password,
      port: Number(new URL(process.env.BI_TEST_PG_URL).port),
      csv,
      dir,
    });
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const bin = process.env.BI_NO_PG ? undefined : binDir();
  if (!bin) {
    project.provide('pg', {
      missing: 'no PostgreSQL server binaries (initdb): run .ci/run, or apt-get install postgresql',
    });
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const cluster = await startCluster(bin, dir, 'admin-pw');
  const { port } = cluster;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`CREATE ROLE bi LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
  await admin.query('CREATE DATABASE bi_test OWNER bi');
  await admin.end();
  const url = `postgres://bi:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/bi_test`;
  await fill(url);
  project.provide('pg', { url, password: PASSWORD, port, csv, dir });
  return cluster.stop;
}
