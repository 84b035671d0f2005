/**
 * A throwaway PostgreSQL cluster on localhost, for the tests (test/pg/server.ts) and the bench
 * (bench/pg-server.mjs): Debian's postgresql binaries (`initdb` on PATH or under
 * /usr/lib/postgresql), a temporary data directory, a free port, password logins only, fsync off.
 * postgres will not run as root: as root, the server runs as the package's `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The directory holding initdb and pg_ctl, or undefined when PostgreSQL is not installed. */
export function binDir() {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath.replace(/\/initdb$/, '');
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base).sort().pop();
  return v ? join(base, v, 'bin') : undefined;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster in `dir` (which it owns and removes on stop) with superuser `postgres` /
 * `adminPassword`. Resolves { port, adminUrl, stop }; stop() is synchronous and idempotent.
 */
export async function startCluster(bin, dir, adminPassword) {
  const root = process.getuid?.() === 0;
  const as = (cmd, args) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  if (root)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    );
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o644 });
  as(
    'initdb',
    ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '-A', 'scram-sha-256'].concat([
      '-E',
      'UTF8',
      '--locale=C',
    ]),
  );
  const port = await freePort();
  as('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const adminUrl = `postgres://postgres:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}/postgres`;
  return { port, adminUrl, stop };
}
