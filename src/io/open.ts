/**
 * path | directory | '-' → byte chunks, gunzipped when the magic bytes 1f 8b say so, with the
 * SHA-256 and size of the bytes as stored (for the manifest, SPEC §6).
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { isZip, listZip, readZipMember, type ZipMember } from './zip.js';

export interface InputFile {
  path: string; // as the user named it (or '-'); for a zip member, the archive's path
  display: string; // how messages name it (`export.zip:2025/123_2025-11-08_14#1.json.gz`)
  member?: ZipMember; // a member of the zip archive at `path`
}

export interface InputStats {
  bytes: number;
  sha256: string;
  gzip: boolean;
  /** Set when the bytes were decoded from UTF-16 (a byte-order mark said so). */
  encoding?: 'utf-16le' | 'utf-16be';
  /** What the bytes look like when they are not UTF-8 and no byte-order mark says otherwise. */
  looksLike?: string;
  /** A CSV export's header (io/read-export.ts), for messages about its records. */
  columns?: string[];
}

/** A file in an --export directory that is not read, and why (listed on stderr and in the manifest). */
export interface Skipped {
  path: string;
  reason: string;
}

/**
 * Files a handover puts beside the export that are not exports (issue 13): read as records,
 * a README is rejected line by line. Only in directories: a file named explicitly is read.
 */
const NOT_EXPORTS: Array<[RegExp, string]> = [
  [/^readme/i, 'a README'],
  [/\.(txt|md|markdown|pdf|rtf|docx?|html?|odt)$/i, 'a document'],
  [
    /\.(sha\d*|md5|sum|asc|sig)$|^(sha\d*|md5)sums?(\.txt)?$|^checksums?(\.\w+)?$/i,
    'a checksum or signature file',
  ],
  [/^(thumbs\.db|desktop\.ini)$/i, 'a system file'],
];

export function notAnExport(name: string): string | undefined {
  for (const [re, reason] of NOT_EXPORTS) if (re.test(name)) return reason;
  return undefined;
}

/**
 * Expands directories (every file below, sorted, dot-files skipped) into files; files in them
 * that are not exports go to `skipped`.
 */
export function expandPaths(paths: string[], skipped: Skipped[] = []): InputFile[] {
  const out: InputFile[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ path: '-', display: '<stdin>' });
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new InputError(
        'INPUT_UNREADABLE',
        `cannot open: ${reason(e)}`,
        { file: p },
        'check the path given to --export',
        { cause: e },
      );
    }
    if (st.isDirectory()) walk(p, out, skipped);
    else pushFile(p, out, skipped);
  }
  return out;
}

/** A file, or each member of a zip archive (by its magic bytes, not its name). */
function pushFile(p: string, out: InputFile[], skipped: Skipped[]): void {
  if (!isZip(p)) {
    out.push({ path: p, display: p });
    return;
  }
  // Members in name order, as a directory's files are: the archive's own order is arbitrary.
  for (const member of listZip(p).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const base = member.name.slice(member.name.lastIndexOf('/') + 1);
    if (base.startsWith('.') || member.name.startsWith('__MACOSX/') || member.name.endsWith('/'))
      continue;
    const not = notAnExport(base);
    if (not) skipped.push({ path: `${p}:${member.name}`, reason: not });
    else out.push({ path: p, display: `${p}:${member.name}`, member });
  }
}

function walk(dir: string, out: InputFile[], skipped: Skipped[]): void {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch (e) {
    throw new InputError(
      'INPUT_UNREADABLE',
      `cannot list the directory: ${reason(e)}`,
      { file: dir },
      'check the path given to --export',
      { cause: e },
    );
  }
  for (const n of names) {
    const p = join(dir, n);
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // A dangling link or a file gone since the listing: reading it reports the error.
    }
    const not = isDir ? undefined : notAnExport(n);
    if (isDir) walk(p, out, skipped);
    else if (not) skipped.push({ path: p, reason: not });
    else pushFile(p, out, skipped);
  }
}

const CHUNK = 1 << 20;
/** Decompressed bytes held for a slow reader before the compressed input waits. */
const HOLD = 16 << 20;

/**
 * Streams the file's decompressed bytes as UTF-8: UTF-16 with a byte-order mark (Excel's
 * "Unicode Text") is decoded, anything else passes as it is, and what the head looks like when
 * it is not UTF-8 is noted in `stats.looksLike`. `stats` is complete once iteration ends.
 * Errors are InputErrors naming the file.
 */
export async function* readBytes(file: InputFile, stats: InputStats): AsyncGenerator<Buffer> {
  let decoder: TextDecoder | undefined;
  let first = true;
  for await (const chunk of decompressed(file, stats)) {
    if (first) {
      first = false;
      const bom =
        chunk.length >= 2
          ? chunk[0] === 0xff && chunk[1] === 0xfe
            ? 'utf-16le'
            : chunk[0] === 0xfe && chunk[1] === 0xff
              ? 'utf-16be'
              : undefined
          : undefined;
      if (bom) {
        stats.encoding = bom;
        decoder = new TextDecoder(bom); // drops the byte-order mark
      } else stats.looksLike = sniffEncoding(chunk);
    }
    if (!decoder) yield chunk;
    else {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') yield Buffer.from(text, 'utf8');
    }
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest !== '') yield Buffer.from(rest, 'utf8');
  }
}

/**
 * What a head of bytes with no byte-order mark looks like when it is not UTF-8: UTF-16 (a NUL
 * beside most ASCII characters), or a single-byte code page. Undefined when it reads as UTF-8.
 */
export function sniffEncoding(head: Uint8Array): string | undefined {
  const n = Math.min(head.length, 4096);
  let evenNul = 0,
    oddNul = 0;
  for (let i = 0; i < n; i++) {
    if (head[i] !== 0) continue;
    if (i % 2 === 0) evenNul++;
    else oddNul++;
  }
  if (oddNul > n / 8 && oddNul > 4 * evenNul) return 'UTF-16 LE without a byte-order mark';
  if (evenNul > n / 8 && evenNul > 4 * oddNul) return 'UTF-16 BE without a byte-order mark';
  // A character cut at the end of the head is not a fault: look at whole characters only.
  let end = Math.min(head.length, 1 << 16);
  for (let k = end - 1; k >= 0 && k >= end - 3; k--) {
    const c = head[k]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (k + len > end) end = k;
    break;
  }
  const b = Buffer.from(head.buffer, head.byteOffset, end);
  if (isUtf8(b)) return undefined;
  return evenNul + oddNul > 0
    ? 'binary data, not text'
    : 'a single-byte code page such as Windows-1252 or Latin-1, not UTF-8';
}

async function* decompressed(file: InputFile, stats: InputStats): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const raw = file.member
    ? [readZipMember(file.path, file.member)]
    : file.path === '-'
      ? process.stdin
      : createReadStream(file.path, { highWaterMark: CHUNK });
  const counted = async function* () {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      hash.update(chunk);
      stats.bytes += chunk.length;
      yield chunk;
    }
  };
  try {
    const it = counted();
    const first = await it.next();
    if (first.done) return;
    const head = first.value;
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      stats.gzip = true;
      yield* gunzipped(head, it);
    } else {
      yield head;
      for await (const c of { [Symbol.asyncIterator]: () => it }) yield c;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const gz =
      (e as { code?: string }).code?.startsWith('Z_') ||
      /gzip|zlib|unexpected end of file|incorrect header/i.test(String((e as Error).message));
    throw new InputError(
      'INPUT_UNREADABLE',
      gz ? `gzip stream is corrupt or truncated: ${reason(e)}` : `cannot read: ${reason(e)}`,
      { file: file.display },
      gz
        ? 'the records before the damage were read; re-fetch the file to read the rest'
        : undefined,
      { cause: e },
    );
  } finally {
    stats.sha256 = hash.digest('hex');
  }
}

/**
 * The decompressed bytes of a gzip stream. What gunzip produces is taken at once, into a queue
 * of its own: a stream that fails (a truncated file) drops the output it still buffers, so a
 * reader that pauses between chunks (the parallel path waits for its workers) would lose whole
 * lines a reader that never pauses keeps. Input waits instead while the queue holds HOLD bytes.
 */
async function* gunzipped(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: CHUNK });
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const pump = (async () => {
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) {
        queue.push(c);
        queued += c.length;
        poke();
      }
    } catch (e) {
      failure = e;
    }
    ended = true;
    poke();
  })();
  const feed = (async () => {
    gunzip.write(head);
    for await (const c of { [Symbol.asyncIterator]: () => rest }) {
      while (queued > HOLD && !ended) await new Promise<void>((r) => (room = r));
      if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
    }
    gunzip.end();
  })();
  feed.catch((e) => gunzip.destroy(e));
  for (;;) {
    const c = queue.shift();
    if (c !== undefined) {
      queued -= c.length;
      if (queued <= HOLD && room) {
        const r = room;
        room = undefined;
        r();
      }
      yield c;
      continue;
    }
    if (ended) break;
    await new Promise<void>((r) => (wake = r));
  }
  await pump;
  if (failure !== undefined) throw failure;
  await feed;
}

export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or directory';
  if (err?.code === 'EACCES') return 'permission denied';
  if (err?.code === 'EISDIR') return 'is a directory';
  if (err?.code === 'ENOSPC') return 'no space left on the device';
  if (err?.code === 'EROFS') return 'read-only file system';
  return err?.message ?? String(e);
}
