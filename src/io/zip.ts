/**
 * Reading a zip archive's members (Amplitude's Export API answers with a zip of hourly
 * `*.json.gz` files, docs/FORMATS.md §2.1): the central directory lists them, each member is read
 * and inflated on its own, so memory holds one member at a time. ZIP64 sizes and offsets are
 * understood; encrypted members are refused by name.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../errors.js';

export interface ZipMember {
  name: string;
  method: number; // 0 stored, 8 deflated
  compressedSize: number;
  localOffset: number;
  encrypted: boolean;
}

const EOCD = 0x06054b50,
  EOCD64_LOCATOR = 0x07064b50,
  CENTRAL = 0x02014b50,
  LOCAL = 0x04034b50;

export function isZip(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32LE(0) === LOCAL;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function read(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, b, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return b.subarray(0, got);
}

/** The archive's file members (directories left out), in the archive's order. */
export function listZip(path: string): ZipMember[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLen = Math.min(size, 65_557);
    const tail = read(fd, size - tailLen, tailLen);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    if (at < 0)
      throw new InputError(
        'INPUT_UNREADABLE',
        'zip archive has no central directory (truncated?)',
        { file: path },
        're-download the export',
      );
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (
      (cdOffset === 0xffffffff || count === 0xffff) &&
      at >= 20 &&
      tail.readUInt32LE(at - 20) === EOCD64_LOCATOR
    ) {
      const eocd64 = read(fd, Number(tail.readBigUInt64LE(at - 20 + 8)), 56);
      count = Number(eocd64.readBigUInt64LE(32));
      cdSize = Number(eocd64.readBigUInt64LE(40));
      cdOffset = Number(eocd64.readBigUInt64LE(48));
    }
    const cd = read(fd, cdOffset, cdSize);
    const out: ZipMember[] = [];
    let p = 0;
    for (let i = 0; i < count && p + 46 <= cd.length && cd.readUInt32LE(p) === CENTRAL; i++) {
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      let compressedSize = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28),
        extraLen = cd.readUInt16LE(p + 30),
        commentLen = cd.readUInt16LE(p + 32);
      let localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // ZIP64 extra field: the 64-bit values, in order, for the fields that overflowed.
      for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
        const id = cd.readUInt16LE(e),
          len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressed === 0xffffffff) q += 8;
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localOffset === 0xffffffff) localOffset = Number(cd.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      if (!name.endsWith('/'))
        out.push({ name, method, compressedSize, localOffset, encrypted: (flags & 1) !== 0 });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** One member's bytes, as they were before zipping. */
export function readZipMember(path: string, m: ZipMember): Buffer {
  const where = { file: `${path}:${m.name}` };
  if (m.encrypted)
    throw new InputError(
      'INPUT_UNREADABLE',
      'zip member is encrypted',
      where,
      'unzip it with its password first',
    );
  if (m.method !== 0 && m.method !== 8)
    throw new InputError(
      'INPUT_UNREADABLE',
      `zip member uses compression method ${m.method}`,
      where,
      'unzip it first',
    );
  const fd = openSync(path, 'r');
  try {
    const local = read(fd, m.localOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL)
      throw new InputError(
        'INPUT_UNREADABLE',
        'zip member header is damaged',
        where,
        're-download the export',
      );
    const data = read(
      fd,
      m.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28),
      m.compressedSize,
    );
    try {
      return m.method === 8 ? inflateRawSync(data) : data;
    } catch (e) {
      throw new InputError(
        'INPUT_UNREADABLE',
        `zip member is corrupt: ${(e as Error).message}`,
        where,
        're-download the export',
        { cause: e },
      );
    }
  } finally {
    closeSync(fd);
  }
}
