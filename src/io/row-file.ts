/**
 * A side or output file written row by row, so that millions of rejects never sit in memory.
 * Written under a temporary name and renamed on close: an interrupted run never leaves a file
 * that looks complete. Format by extension (SPEC §5): `.json`, `.ndjson`, `.tsv`, else CSV.
 */
import {
  closeSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';
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
  /** A device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO): written in place, never renamed over. */
  private readonly inPlace: boolean;

  constructor(
    readonly path: string,
    private readonly columns: readonly string[],
    private readonly format: Format = formatForPath(path),
  ) {
    // A symlink is written through: the file it points at gets the output, the link stays.
    const target = linkTarget(path);
    this.inPlace = isSpecial(target);
    this.tmp = this.inPlace
      ? target
      : join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
    try {
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
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
    closeSync(this.fd);
    if (!this.inPlace) renameSync(this.tmp, linkTarget(this.path));
    open.delete(this);
  }

  abort(): void {
    open.delete(this);
    try {
      closeSync(this.fd);
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
      for (let off = 0; off < bytes.length;)
        off += writeSync(this.fd, bytes, off, bytes.length - off);
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
 * Where writing `path` lands: the end of its chain of symlinks when that file exists, else the
 * path itself. A dangling link is replaced, never followed: followed from an unresolved folder it
 * could land on an input the pre-checks never saw.
 */
/** A device, FIFO or socket: written in place. A loop or other stat error: an ordinary file. */
function isSpecial(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === false;
  } catch {
    return false;
  }
}

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
