/**
 * DuckDB is loaded only when a Parquet or DuckDB file is read: where its native library is
 * missing (a platform npm has no binary for), every other run works, and a Parquet input is a
 * clear message, not a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from './run.js';

const HOOK = join(ROOT, 'test/cli/hooks/no-duckdb.mjs');

function withoutDuckdb(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C' },
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const DEMO = [
  'correlate',
  '--export',
  'fixtures/demo/export',
  '--users',
  'fixtures/demo/users.csv',
  '--window',
  '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z',
  '--quiet',
];

describe('without DuckDB', () => {
  it('--help and a CSV/JSON run work as ever', () => {
    expect(withoutDuckdb(['--help']).status).toBe(0);
    const r = withoutDuckdb(DEMO);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(run(DEMO).stdout);
  });

  it('a Parquet export is a clear message naming the file, exit 1', () => {
    const r = withoutDuckdb([
      'correlate',
      '--export',
      'fixtures/vendors/posthog-parquet/export/persons/persons.parquet',
      '--users',
      'fixtures/vendors/posthog/users.csv',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/persons\.parquet.*needs DuckDB, whose native library did not load/);
    expect(r.stderr).toContain('reinstall with npm ci');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
