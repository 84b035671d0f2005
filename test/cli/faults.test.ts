/**
 * Faults (issue #6): stdout closed early, an input that disappears or turns into a directory
 * mid-run, SIGINT, and a full disk. Each would fail if the behaviour broke.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounting, BIN } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'bi-faults-'));
const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C' };
const N = 5000; // enough output (~1 MB) to overflow a pipe's buffer

beforeAll(() => {
  const users = ['id,email'];
  const events: string[] = [];
  for (let i = 0; i < N; i++) {
    users.push(`u${i},user${i}@example.com`);
    events.push(
      JSON.stringify({
        event: 'View',
        properties: {
          time: 1762600000 + i,
          distinct_id: `u${i}`,
          $city: 'Oslo',
          $current_url: `https://app.example.com/item/${i}`,
        },
      }),
    );
  }
  writeFileSync(join(dir, 'users.csv'), users.join('\n') + '\n');
  writeFileSync(join(dir, 'big.ndjson'), events.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Starts the CLI with stdin open and one record fed, waits until it has listed its inputs and
 * opened its outputs (it then says which vendor it reads), lets the test act, then ends stdin
 * (or sends a signal).
 */
function midRun(
  args: string[],
  act: () => void | Promise<void>,
  opts: { signal?: NodeJS.Signals } = {},
) {
  return new Promise<{
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    let acted = false;
    child.stderr.on('data', async (d) => {
      stderr += d;
      if (acted || !stderr.includes('vendor:')) return;
      acted = true;
      await act();
      if (opts.signal) child.kill(opts.signal);
      else child.stdin.end();
    });
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.write(
      JSON.stringify({
        event: 'View',
        properties: { time: 1762600000, distinct_id: 'u1', $os: 'Linux' },
      }) + '\n',
    );
  });
}

describe('faults', () => {
  it('| head -1 closes stdout early: exit 0, nothing on stderr', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `${process.execPath} ${BIN} correlate --export big.ndjson --users users.csv --quiet | head -1; echo "status=\${PIPESTATUS[0]}"`,
      ],
      { cwd: dir, env, encoding: 'utf8' },
    );
    expect(r.stdout).toBe(
      'user_id,email,match,confidence,vendor_ids,records,first_seen,last_seen,exposed_fields,exposed_categories\nstatus=0\n',
    );
    expect(r.stderr).not.toMatch(/breach-impact|Error|EPIPE/);
  });

  it('a file that disappears mid-run is reported by name, the rest is read, exit 1', async () => {
    writeFileSync(
      join(dir, 'gone.ndjson'),
      '{"event":"x","properties":{"time":1762600000,"distinct_id":"u2"}}\n',
    );
    const r = await midRun(
      [
        'correlate',
        '--export',
        '-',
        '--export',
        'gone.ndjson',
        '--users',
        'users.csv',
        '--manifest',
        'm1.json',
      ],
      () => rmSync(join(dir, 'gone.ndjson')),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('warning: gone.ndjson: cannot read: no such file or directory');
    // The file that could not be read is one rejects row: the rejects file tells the whole story.
    expect(accounting(r.stderr)).toEqual({ read: 2, buckets: [1, 0, 1, 0, 0] });
    expect(r.stdout.split('\n')[1]).toMatch(/^u1,/);
  });

  it('a file that becomes unreadable (now a directory) mid-run is reported, exit 1', async () => {
    writeFileSync(join(dir, 'turned.ndjson'), '{}\n');
    const r = await midRun(
      ['correlate', '--export', '-', '--export', 'turned.ndjson', '--users', 'users.csv'],
      () => {
        rmSync(join(dir, 'turned.ndjson'));
        mkdirSync(join(dir, 'turned.ndjson'));
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('warning: turned.ndjson: cannot read: is a directory');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('SIGINT leaves no output file that looks complete', async () => {
    const out = join(dir, 'sigint');
    mkdirSync(out);
    const r = await midRun(
      [
        'correlate',
        '--export',
        '-',
        '--users',
        '../users.csv',
        '--rejects',
        'rejects.csv',
        '--out',
        'affected.csv',
      ].map((a) =>
        a === '../users.csv' ? join(dir, 'users.csv') : a.endsWith('.csv') ? join(out, a) : a,
      ),
      () => {},
      { signal: 'SIGINT' },
    );
    expect(r.status).toBe(130);
    expect(r.stderr).toContain(
      'interrupted (SIGINT): 1 unfinished output file removed; no result was written',
    );
    expect(readdirSync(out)).toEqual([]);
  });
});

// A full disk: a 64 KiB tmpfs, where ~1 MB of output cannot fit (mounting needs root).
const mnt = join(dir, 'full');
mkdirSync(mnt, { recursive: true });
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status === 0;
afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
});

describe.skipIf(!mounted)('disk full', () => {
  it('writing --out to a full disk: exit 1, a clear message, no partial file', () => {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        'correlate',
        '--export',
        'big.ndjson',
        '--users',
        'users.csv',
        '--out',
        join(mnt, 'affected.csv'),
      ],
      { cwd: dir, env, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /affected\.csv: error: cannot write: no space left on the device \(OUTPUT_UNWRITABLE\)\n {2}hint: the disk is full: free space or write elsewhere\n/,
    );
    expect(existsSync(join(mnt, 'affected.csv'))).toBe(false);
    expect(readdirSync(mnt)).toEqual([]);
  });

  it('stdout redirected to a full disk: exit 1 and a clear message, no stack trace', () => {
    const r = spawnSync(
      'sh',
      [
        '-c',
        `${process.execPath} ${BIN} correlate --export big.ndjson --users users.csv --quiet > ${join(mnt, 'out.csv')}`,
      ],
      { cwd: dir, env, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'breach-impact: <stdout>: error: cannot write: ENOSPC: no space left on device, write\n  hint: the disk is full: free space, or write elsewhere with --out\n',
    );
    rmSync(join(mnt, 'out.csv'), { force: true });
  });
});
