/**
 * A side or output file written row by row, so that millions of rejects never sit in memory.
 * Written under a temporary name and renamed on close: an interrupted run never leaves a file
 * that looks complete. Format by extension (SPEC §5): `.json`, `.ndjson`, `.tsv`, else CSV.
 */
import {
  closeSync,
  constants,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';
import { inheritedFd, statKind } from './paths.js';
import { reason } from './open.js';
import { render, renderRow, type Cell, type Format } from './write-rows.js';

export function formatForPath(path: string): Format {
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.ndjson') || path.endsWith('.jsonl')) return 'ndjson';
  if (path.endsWith('.tsv')) return 'tsv';
  return 'csv';
}

/** Files being written now: an interrupted run removes them (see abortOpenFiles). */
const open = new Set<RowFile>();

/** Removes every half-written output (SIGINT/SIGTERM): nothing incomplete is left looking finished. */
export function abortOpenFiles(): number {
  const n = open.size;
  for (const f of [...open]) f.abort();
  return n;
}

export class RowFile {
  private fd: number;
  private buf = '';
  private rows = 0;
  private readonly tmp: string;
  /** Where the finished file is renamed to: the path, or the file its symlinks end at. */
  private readonly target: string;
  /** A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO): written in place, never renamed over. */
  private readonly inPlace: boolean;
  /** The process's own descriptor (`/dev/stdout` is fd 1): written, never opened or closed. */
  private readonly inherited: boolean;

  constructor(
    readonly path: string,
    private readonly columns: readonly string[],
    private readonly format: Format = formatForPath(path),
  ) {
    // `/dev/stdout` and its kin are the descriptor the process already has: opened again, a
    // socket refuses (ENXIO) and a file appended to by `>>` would be truncated. Any other device
    // or pipe is opened by the name given (`/proc/…/pipe:[N]`, where links end, cannot be
    // opened). A symlink to a regular file is written through: its target gets the output.
    const fd = inheritedFd(path);
    this.inherited = fd !== undefined;
    this.inPlace = this.inherited || statKind(path) === 'special'; // a device, FIFO or socket
    this.target = this.inPlace ? path : linkTarget(path);
    this.tmp = this.inPlace
      ? path
      : join(dirname(this.target), `.${basename(this.target)}.${process.pid}.partial`);
    const ready = waited.get(path);
    waited.delete(path);
    try {
      this.fd = fd ?? ready ?? openNow(this.tmp);
    } catch (e) {
      if (e instanceof OutputError) throw e;
      // The user's path, not the temporary name beside it: that is the file they asked for.
      throw new OutputError(
        `cannot write: ${reason(e)}`,
        { file: path },
        'check that the directory exists and is writable',
        { cause: e },
      );
    }
    open.add(this);
    if (format === 'json') this.buf = '[';
    else if (format === 'csv' || format === 'tsv') this.buf = render(format, columns, []);
  }

  add(row: Cell[]): void {
    const line = renderRow(this.format, this.columns, row);
    this.write(
      this.format === 'json' ? (this.rows === 0 ? '\n  ' : ',\n  ') + line.trimEnd() : line,
    );
    this.rows++;
  }

  write(text: string): void {
    this.buf += text;
    if (this.buf.length > 1 << 16) this.flush();
  }

  close(): void {
    if (this.format === 'json') this.buf += this.rows === 0 ? ']\n' : '\n]\n';
    this.flush();
    if (!this.inherited) closeSync(this.fd);
    if (!this.inPlace) renameSync(this.tmp, this.target);
    open.delete(this);
  }

  abort(): void {
    open.delete(this);
    try {
      if (!this.inherited) closeSync(this.fd);
    } catch {
      // already closed
    }
    if (!this.inPlace) rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.buf === '') return;
    try {
      // writeSync may write less than asked (a disk filling up): loop until all is down, so
      // the next call meets the ENOSPC instead of the bytes being lost silently.
      const bytes = Buffer.from(this.buf, 'utf8');
      for (let off = 0; off < bytes.length;) off += writeAll(this.fd, bytes, off);
    } catch (e) {
      this.abort();
      throw new OutputError(
        `cannot write: ${reason(e)}`,
        { file: this.path },
        (e as NodeJS.ErrnoException).code === 'ENOSPC'
          ? 'the disk is full: free space or write elsewhere'
          : undefined,
        { cause: e },
      );
    }
    this.buf = '';
  }
}

/**
 * Writes what it can of `bytes` from `off`. A descriptor the process inherited may be
 * non-blocking (a pipe Node set up for process.stdout): EAGAIN waits a millisecond and tries
 * again rather than losing rows.
 */
function writeAll(fd: number, bytes: Buffer, off: number): number {
  for (;;) {
    try {
      return writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

function isFifo(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFIFO() === true;
  } catch {
    return false;
  }
}

/**
 * Opens for writing without ever blocking the process: opening a FIFO nobody reads would wait
 * inside open(2), where not even Ctrl-C reaches the run. Such a FIFO is an OutputError here;
 * `waitForReaders` is the patient way, before the run reads anything.
 */
function openNow(path: string): number {
  if (!isFifo(path)) return openSync(path, 'w');
  const fd = openIfRead(path);
  if (fd !== undefined) return fd;
  throw new OutputError(
    'cannot write: it is a FIFO and no process is reading it',
    { file: path },
    'start the reader first (e.g. cat FIFO), or write to a file',
  );
}

/**
 * A FIFO opened for writing when a process reads it, else undefined, never waiting. The
 * non-blocking probe tells (ENXIO: no reader); the descriptor kept is a blocking one, which
 * returns at once while the reader is there, so writes wait for the reader instead of failing
 * with EAGAIN. A reader that leaves between the two opens makes the second wait for the next.
 */
function openIfRead(path: string): number | undefined {
  let probe: number;
  try {
    probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
    throw e;
  }
  try {
    return openSync(path, 'w');
  } finally {
    closeSync(probe);
  }
}

/** FIFOs already opened by `waitForReaders`, by path, for the RowFile that writes them. */
const waited = new Map<string, number>();

/**
 * Opens each output that is a FIFO once a process reads it, polling with the event loop free:
 * a blocking open(2) would hold a thread that even process.exit waits for, so Ctrl-C could not
 * end the run. `onWait` is told once per FIFO still without a reader after a second.
 */
export async function waitForReaders(
  paths: readonly string[],
  onWait: (path: string) => void,
): Promise<void> {
  for (const path of paths) {
    if (waited.has(path) || inheritedFd(path) !== undefined || !isFifo(path)) continue;
    const started = Date.now();
    let told = false;
    for (;;) {
      let fd: number | undefined;
      try {
        fd = openIfRead(path);
      } catch (e) {
        throw new OutputError(`cannot write: ${reason(e)}`, { file: path }, undefined, {
          cause: e,
        });
      }
      if (fd !== undefined) {
        waited.set(path, fd);
        break;
      }
      if (!told && Date.now() - started >= 1000) {
        told = true;
        onWait(path);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}

/**
 * Where writing `path` lands: the end of its chain of symlinks when that file exists, else the
 * path itself. A dangling link is replaced, never followed: followed from an unresolved folder it
 * could land on an input the pre-checks never saw.
 */
function linkTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Writes a whole text, given whole or in chunks, atomically (temporary name, then rename). */
export function writeFileAtomic(path: string, text: string | Iterable<string>): void {
  const f = new RowFile(path, [], 'ndjson');
  try {
    for (const chunk of typeof text === 'string' ? [text] : text) f.write(chunk);
  } catch (e) {
    f.abort();
    throw e;
  }
  f.close();
}
