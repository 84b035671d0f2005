/**
 * Output paths, checked before a byte is read (issue 13, SPEC §7): no output may overwrite an
 * input, lie inside an --export directory (a later run would read it back as export records),
 * be another output, or sit in a directory that does not exist or cannot be written. Paths are
 * compared as the file system sees them: real paths (so `./a.csv`, `a.csv` and a symlink to it
 * are one file) and, for files that exist, device and inode (a hard link, or stdout redirected
 * onto an input).
 */
import {
  accessSync,
  constants,
  fstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

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
export function statKind(path: string): 'file' | 'special' | 'none' {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st === undefined ? 'none' : st.isFile() ? 'file' : 'special';
  } catch {
    return 'none';
  }
}

/** A descriptor's name once its folder's links are followed: `/dev/stdout`, `/proc/PID/fd/N`. */
const DESCRIPTOR = new RegExp(
  `^/dev/(stdin|stdout|stderr)$|^/proc/(?:self|${process.pid})/fd/(\\d+)$`,
);

/**
 * The descriptor a path names, however spelled: `/dev/stdout`, `/dev//stdout`, `/dev/fd/01`,
 * `/proc/self/fd/1`, or a link to any of them. Undefined for a path that names a file.
 */
function descriptorNumber(path: string): number | undefined {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      p = join(realpathSync(dirname(p)), basename(p)); // `/dev/fd` is `/proc/PID/fd`
    } catch {
      return undefined;
    }
    const m = DESCRIPTOR.exec(p);
    if (m)
      return m[1] === 'stdin' ? 0 : m[1] === 'stdout' ? 1 : m[1] === 'stderr' ? 2 : Number(m[2]);
    let link: string;
    try {
      link = readlinkSync(p);
    } catch {
      return undefined; // not a link: a file's own name
    }
    p = resolve(dirname(p), link);
  }
  return undefined;
}

interface FdInfo {
  target: string; // what /proc/self/fd/N links to: a path, `pipe:[…]`, `anon_inode:[…]`
  flags: number; // open(2) flags
  pos: number;
}

function fdInfo(fd: number): FdInfo | undefined {
  try {
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    return {
      target: readlinkSync(`/proc/self/fd/${fd}`),
      flags: parseInt(/^flags:\s*([0-7]+)/m.exec(info)![1]!, 8),
      pos: Number(/^pos:\s*(\d+)/m.exec(info)![1]),
    };
  } catch {
    return undefined; // no /proc (not Linux)
  }
}

const STDIO = ['stdin', 'stdout', 'stderr'];

/**
 * What an output path that names a descriptor (`/dev/stdout`, `/dev/fd/3`) means: the
 * descriptor the process already has, which outputs write instead of opening the name again (a
 * socket cannot be reopened; a file the shell opened with `>>` would be truncated), or why it
 * cannot be written. Undefined for a path that names a file.
 */
export function descriptorOf(path: string): { fd: number } | { problem: string } | undefined {
  const fd = descriptorNumber(path);
  if (fd === undefined) return undefined;
  const which = fd <= 2 ? `${STDIO[fd]} (descriptor ${fd})` : `descriptor ${fd}`;
  if (fd > 0x7fffffff) return { problem: `no descriptor has that number` };
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch {
    return { problem: `${which} is not open` };
  }
  // The summary, warnings and --explain go to stderr: rows there would be mixed with them.
  if (fd === 2) return { problem: `${which} carries the summary and warnings: name a file` };
  // stdout is written whatever it is: a stdout closed with `>&-` is /dev/null read-write by now
  // (Node reopens it), as Python's DEVNULL and a Node child's 'ignore' give, like `>/dev/null`.
  const info = fdInfo(fd);
  if (fd !== 1) {
    // Past stderr, Node holds descriptors of its own (its event loop's epoll, eventfds, the pipe
    // that carries signals). Only one the shell gave for writing (`3>f`, `>(gzip > x)`) is ours.
    if (info === undefined)
      return { problem: `${which} cannot be checked (no /proc): name the file` };
    if ((info.flags & 3) === 0) return { problem: `${which} is open for reading, not writing` };
    if (nodesOwn(fd, info.target))
      return { problem: `${which} is one Node.js uses itself, not one the shell gave this run` };
  }
  // `3<>file` starts writing at its offset and leaves what the file held after the rows.
  if (info && !(info.flags & constants.O_APPEND) && st.isFile() && info.pos < st.size)
    return {
      problem: `${which} is ${info.target} open at byte ${info.pos} of ${st.size}: the rows would overwrite part of it and leave the rest`,
    };
  return { fd };
}

/** An anonymous inode, or a pipe or socket whose other end this process holds past stderr. */
function nodesOwn(fd: number, target: string): boolean {
  if (target.startsWith('anon_inode:')) return true;
  if (!/^(pipe|socket):/.test(target)) return false;
  for (const other of readdirSync('/proc/self/fd')) {
    const n = Number(other);
    // 0-2 are the shell's: `3>&1` shares stdout's pipe, and is the user's own.
    if (n === fd || n <= 2) continue;
    try {
      if (readlinkSync(`/proc/self/fd/${other}`) === target) return true;
    } catch {
      // closed meanwhile (the descriptor readdir itself used)
    }
  }
  return false;
}

/** The descriptor an output path names, when it names one that may be written. */
export function inheritedFd(path: string): number | undefined {
  const d = descriptorOf(path);
  return d !== undefined && 'fd' in d ? d.fd : undefined;
}

/** True when `file` lies below the folder `dir` (both real paths). */
export const inside = (file: string, dir: string) =>
  file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/**
 * Every problem with the outputs, one line each (`--rejects users.csv: is the --users input`);
 * none when all is well. `inputs` are --export, --users and --sessions paths ('-' is skipped);
 * `stdoutFd`, when given, is the affected users' output: no other output may go there, and
 * when it is a regular file it must not be an input.
 */
export function outputProblems(
  outputs: NamedPath[],
  inputs: NamedPath[],
  exportFiles: string[] = [],
  stdoutFd?: number,
): string[] {
  const problems: string[] = [];
  const ins = inputs.filter((i) => i.path !== '-').map(resolvePath);
  // An input read from stdin (`--export - < events.ndjson`) is that file: no output may replace it.
  const fromStdin = inputs.find((i) => i.path === '-');
  if (fromStdin) {
    try {
      const st = fstatSync(0);
      if (st.isFile())
        ins.push({
          option: fromStdin.option,
          path: 'stdin',
          real: realpathSync('/proc/self/fd/0'),
          id: identity(st),
        });
    } catch {
      // no stdin, or no /proc: the identity alone is not worth a guess
    }
  }
  const seen: Resolved[] = [];
  const fds = new Map<Resolved, number>(); // the outputs that name a descriptor, and which
  for (const o of outputs.map(resolvePath)) {
    const name = `${o.option} ${o.path}`;
    if (o.dir || o.path.endsWith('/')) {
      problems.push(`${name}: is a directory; name a file in it`);
      continue;
    }
    // The partial file is made beside the file that is finally written: the target of a link
    // to a regular file, else the path. A device or FIFO (`/dev/null` for a user who cannot
    // write /dev) and the process's own stdout are written in place: no directory is touched.
    const descriptor = descriptorOf(o.path);
    if (descriptor && 'problem' in descriptor) {
      problems.push(`${name}: ${descriptor.problem}`);
      continue;
    }
    if (descriptor) fds.set(o, descriptor.fd);
    const kind = descriptor === undefined ? statKind(o.path) : 'special';
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
    // A side output sent to stdout would be mixed into the affected users' rows.
    const same =
      st === undefined
        ? []
        : seen.filter(
            (o) => o.real !== '/dev/null' && (fds.get(o) === stdoutFd || o.id === identity(st)),
          );
    for (const o of same)
      problems.push(
        `${o.option} ${o.path}: is stdout, where the affected users go; give them --out FILE, or name another file`,
      );
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
