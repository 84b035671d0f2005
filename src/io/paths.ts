/**
 * Output paths, checked before a byte is read (issue 13, SPEC §7): no output may overwrite an
 * input, lie inside an --export directory (a later run would read it back as export records),
 * be another output, or sit in a directory that does not exist or cannot be written. Paths are
 * compared as the file system sees them: real paths (so `./a.csv`, `a.csv` and a symlink to it
 * are one file) and, for files that exist, device and inode (a hard link, or stdout redirected
 * onto an input).
 */
import { accessSync, constants, fstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';

/** A path as the user gave it, with the option that named it. */
export interface NamedPath {
  option: string;
  path: string;
}

interface Resolved extends NamedPath {
  real: string; // the real path, or where the file would be created
  id?: string; // dev:ino when the file exists
  dir?: boolean; // an existing directory
}

function identity(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

function resolvePath(p: NamedPath): Resolved {
  const abs = resolve(p.path);
  try {
    const st = statSync(abs);
    return { ...p, real: realpathSync(abs), id: identity(st), dir: st.isDirectory() };
  } catch {
    // Not there (yet): its real path is its real directory's, plus its name.
    try {
      return { ...p, real: resolve(realpathSync(dirname(abs)), basename(abs)) };
    } catch {
      return { ...p, real: abs };
    }
  }
}

/** What is at `path` now, links followed: a regular file, something else, or nothing. */
function statKind(path: string): 'file' | 'special' | 'none' {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st === undefined ? 'none' : st.isFile() ? 'file' : 'special';
  } catch {
    return 'none';
  }
}

/**
 * `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N` when N is open: N, the
 * descriptor the process already has, which outputs write instead of opening the name again.
 */
export function inheritedFd(path: string): number | undefined {
  const m = /^\/dev\/(stdout|stderr)$|^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(path);
  if (!m) return undefined;
  const fd = m[1] === 'stdout' ? 1 : m[1] === 'stderr' ? 2 : Number(m[2]);
  try {
    fstatSync(fd);
    return fd;
  } catch {
    return undefined;
  }
}

const inside = (file: string, dir: string) => file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/**
 * Every problem with the outputs, one line each (`--rejects users.csv: is the --users input`);
 * none when all is well. `inputs` are --export, --users and --sessions paths ('-' is skipped);
 * `stdoutFd`, when given, is checked as the affected users' output when it is a regular file.
 */
export function outputProblems(
  outputs: NamedPath[],
  inputs: NamedPath[],
  exportFiles: string[] = [],
  stdoutFd?: number,
): string[] {
  const problems: string[] = [];
  const ins = inputs.filter((i) => i.path !== '-').map(resolvePath);
  const seen: Resolved[] = [];
  for (const o of outputs.map(resolvePath)) {
    const name = `${o.option} ${o.path}`;
    if (o.dir || o.path.endsWith('/')) {
      problems.push(`${name}: is a directory; name a file in it`);
      continue;
    }
    // The partial file is made beside the file that is finally written: the target of a link
    // to a regular file, else the path. A device or FIFO (`/dev/null` for a user who cannot
    // write /dev) and the process's own stdout are written in place: no directory is touched.
    const kind = inheritedFd(o.path) === undefined ? statKind(o.path) : 'special';
    const dir = dirname(kind === 'file' ? o.real : resolve(o.path));
    let dirOk = kind === 'special';
    if (!dirOk)
      try {
        if (!statSync(dir).isDirectory())
          problems.push(`${name}: ${dirname(o.path)} is not a directory`);
        else {
          accessSync(dir, constants.W_OK);
          dirOk = true;
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const shown = kind === 'file' ? dir : dirname(o.path);
        problems.push(
          code === 'ENOENT'
            ? `${name}: the directory ${shown} does not exist`
            : `${name}: the directory ${shown} cannot be written (${code === 'EACCES' ? 'permission denied' : code})`,
        );
      }
    for (const i of ins) {
      if (o.real === i.real || (o.id !== undefined && o.id === i.id))
        problems.push(
          `${name}: is the ${i.option} input ${i.path}; writing it would destroy the evidence`,
        );
      else if (i.dir && i.option === '--export' && inside(o.real, i.real))
        problems.push(
          `${name}: lies inside the --export directory ${i.path}; a later run would read it as export records`,
        );
    }
    // Two outputs thrown away together are fine; two into one file or stream would interleave.
    const twin =
      o.real === '/dev/null'
        ? undefined
        : seen.find((s) => s.real === o.real || (o.id !== undefined && s.id === o.id));
    if (twin) problems.push(`${name}: is also ${twin.option}; each output needs a file of its own`);
    if (dirOk || twin === undefined) seen.push(o);
  }
  if (stdoutFd !== undefined) {
    let st: Stats | undefined;
    try {
      st = fstatSync(stdoutFd);
    } catch {
      // no stdout: nothing to check
    }
    if (st?.isFile()) {
      const id = identity(st);
      const hit = ins.find((i) => i.id === id) ?? seen.find((s) => s.id === id);
      if (hit)
        problems.push(
          `stdout: is redirected to ${hit.path}, the ${hit.option} ${ins.includes(hit) ? 'input' : 'output'}; the shell may already have emptied it`,
        );
      else if (exportFiles.some((f) => sameFile(f, id)))
        problems.push(
          'stdout: is redirected into an --export directory; a later run would read it as export records',
        );
    }
  }
  return problems;
}

function sameFile(path: string, id: string): boolean {
  try {
    return identity(statSync(path)) === id;
  } catch {
    return false;
  }
}
