/**
 * The progress line appears on a terminal and never in a pipe (issue #5). The tool runs under
 * a pseudo-terminal made by script(1); its input arrives in two parts a second apart, so the
 * run is long enough for the line to be drawn.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './run.js';

const DAY = join(ROOT, 'fixtures/demo/export/2025-11-07.ndjson');
const slow = `(cat ${DAY}; sleep 1.2; cat ${DAY}) | ${process.execPath} ${BIN} inspect --export - --format json`;
const env = { PATH: process.env.PATH ?? '', TERM: 'xterm', TZ: 'UTC', LC_ALL: 'C' };

describe.skipIf(!existsSync('/usr/bin/script'))('progress line', () => {
  it('is drawn on a TTY stderr, in place, and cleared at the end', () => {
    // script(1) gives the command a pseudo-terminal for stdin, stdout and stderr alike.
    const r = spawnSync('script', ['-qec', `sh -c '${slow} >/dev/null'`, '/dev/null'], {
      encoding: 'utf8',
      env,
      timeout: 20_000,
    });
    expect(r.stdout).toMatch(/\r\x1b\[2K.*records\/s · elapsed 0:0\d/);
    expect(r.stdout).toMatch(/MB read/); // stdin: the total is unknown, so no percentage and no ETA
    expect(r.stdout).not.toMatch(/ETA/);
    // The last drawing is wiped before the process ends, so no stale line is left behind.
    const last = r.stdout.lastIndexOf('records/s');
    expect(r.stdout.slice(last)).toContain('\r\x1b[2K');
  });

  it('is not drawn when stderr is a pipe', () => {
    const r = spawnSync('sh', ['-c', slow], { encoding: 'utf8', env, timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/records\/s|\r|\x1b/);
    expect(JSON.parse(r.stdout).records.read).toBe(22);
  });

  it('is not drawn under --quiet on a TTY', () => {
    const r = spawnSync(
      'script',
      [
        '-qec',
        `sh -c '${slow.replace('--format json', '--format json --quiet')} >/dev/null'`,
        '/dev/null',
      ],
      { encoding: 'utf8', env, timeout: 20_000 },
    );
    expect(r.stdout).not.toMatch(/records\/s/);
  });
});
