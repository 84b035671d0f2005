/**
 * Writing the result to stdout. When stdout is a regular file (`> affected.csv`), Node's
 * stream writes each chunk once with writeSync and does not retry a short write, so a disk
 * filling up loses the end of the output silently. We write such files ourselves, to the end
 * or to the error.
 */
import { fstatSync, writeSync } from 'node:fs';

/** Writes the text, given whole or in chunks (each is written before the next is made). */
export function writeStdout(text: string | Iterable<string>): void {
  const chunks = typeof text === 'string' ? [text] : text;
  let isFile: boolean;
  try {
    isFile = fstatSync(1).isFile();
  } catch {
    // no stdout at all: nothing to write to
    return;
  }
  if (!isFile) {
    for (const chunk of chunks) process.stdout.write(chunk);
    return;
  }
  try {
    for (const chunk of chunks) {
      const bytes = Buffer.from(chunk, 'utf8');
      for (let off = 0; off < bytes.length;) off += writeSync(1, bytes, off, bytes.length - off);
    }
  } catch (e) {
    process.stdout.emit('error', e);
  }
}
