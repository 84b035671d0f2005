/** Spawns the built CLI the way a user runs it (knip's exec helper): NO_COLOR, UTC, C locale. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = ROOT + 'bin/breach-impact.js';

export interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** BI_BIN points at another build of the CLI (`npm run soak` runs a private snapshot of dist/). */
export function run(
  args: string[],
  opts: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {},
): Run {
  const r = spawnSync(process.execPath, [process.env.BI_BIN || BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C', ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The accounting line of the summary, parsed: read and the five buckets. */
export function accounting(stderr: string): { read: number; buckets: number[] } | undefined {
  const m =
    /accounting\s+read ([\d,]+) = rejected ([\d,]+) \+ out_of_window ([\d,]+) \+ attributed ([\d,]+) \+ unmatched ([\d,]+) \+ ambiguous ([\d,]+)/.exec(
      stderr,
    );
  if (!m) return undefined;
  const num = (s: string) => Number(s.replace(/,/g, ''));
  return { read: num(m[1]!), buckets: m.slice(2).map(num) };
}
