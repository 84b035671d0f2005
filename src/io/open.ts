/**
 * path | directory | '-' → byte chunks, gunzipped when the magic bytes 1f 8b say so, with the
 * SHA-256 and size of the bytes as stored (for the manifest, SPEC §6).
 */
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
}

/** Expands directories (every file below, sorted, dot-files skipped) into files. */
export function expandPaths(paths: string[]): InputFile[] {
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
      throw new InputError('INPUT_UNREADABLE', `cannot open: ${reason(e)}`, { file: p }, 'check the path given to --export', { cause: e });
    }
    if (st.isDirectory()) walk(p, out);
    else pushFile(p, out);
  }
  return out;
}

/** A file, or each member of a zip archive (by its magic bytes, not its name). */
function pushFile(p: string, out: InputFile[]): void {
  if (!isZip(p)) {
    out.push({ path: p, display: p });
    return;
  }
  // Members in name order, as a directory's files are: the archive's own order is arbitrary.
  for (const member of listZip(p).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const base = member.name.slice(member.name.lastIndexOf('/') + 1);
    if (!base.startsWith('.') && !member.name.startsWith('__MACOSX/')) out.push({ path: p, display: `${p}:${member.name}`, member });
  }
}

function walk(dir: string, out: InputFile[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  } catch (e) {
    throw new InputError('INPUT_UNREADABLE', `cannot list the directory: ${reason(e)}`, { file: dir }, 'check the path given to --export', { cause: e });
  }
  for (const n of names) {
    const p = join(dir, n);
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // A dangling link or a file gone since the listing: reading it reports the error.
    }
    if (isDir) walk(p, out);
    else pushFile(p, out);
  }
}

const CHUNK = 1 << 20;
/** Decompressed bytes held for a slow reader before the compressed input waits. */
const HOLD = 16 << 20;

/**
 * Streams the file's decompressed bytes; `stats` is complete once iteration ends.
 * Errors are InputErrors naming the file.
 */
export async function* readBytes(file: InputFile, stats: InputStats): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const raw = file.member ? [readZipMember(file.path, file.member)] : file.path === '-' ? process.stdin : createReadStream(file.path, { highWaterMark: CHUNK });
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
      const gunzip = createGunzip({ chunkSize: CHUNK });
      // What gunzip produces is taken at once, into a queue of its own: a stream that fails
      // (a truncated file) drops the output it still buffers, so a reader that pauses between
      // chunks (the parallel path waits for its workers) would lose whole lines a reader that
      // never pauses keeps. Input waits instead while the queue holds HOLD bytes.
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
        for await (const c of { [Symbol.asyncIterator]: () => it }) {
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
    } else {
      yield head;
      for await (const c of { [Symbol.asyncIterator]: () => it }) yield c;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const gz = (e as { code?: string }).code?.startsWith('Z_') || /gzip|zlib|unexpected end of file|incorrect header/i.test(String((e as Error).message));
    throw new InputError(
      'INPUT_UNREADABLE',
      gz ? `gzip stream is corrupt or truncated: ${reason(e)}` : `cannot read: ${reason(e)}`,
      { file: file.display },
      gz ? 'the records before the damage were read; re-fetch the file to read the rest' : undefined,
      { cause: e },
    );
  } finally {
    stats.sha256 = hash.digest('hex');
  }
}

export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or directory';
  if (err?.code === 'EACCES') return 'permission denied';
  if (err?.code === 'EISDIR') return 'is a directory';
  return err?.message ?? String(e);
}
