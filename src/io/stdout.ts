/**
 * Writing the result to stdout. When stdout is a regular file (`> affected.csv`), Node's
 * stream writes each chunk once with writeSync and does not retry a short write, so a disk
 * filling up loses the end of the output silently. We write such files ourselves, to the end
 * or to the error.
 */
import { fstatSync, writeSync } from 'node:fs';

export function writeStdout(text: string): void {
  let isFile = false;
  try {
    isFile = fstatSync(1).isFile();
  } catch {
    // no stdout at all: nothing to write to
    return;
  }
  if (!isFile) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  try {
    for (let off = 0; off < bytes.length; ) off += writeSync(1, bytes, off, bytes.length - off);
  } catch (e) {
    process.stdout.emit('error', e);
  }
}
