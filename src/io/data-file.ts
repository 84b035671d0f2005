/** The tool's own data files (rules/, phrases/): JSON, read whole; a file that cannot be read is named. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

export function readDataFile(dir: string, file: string, kind: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (e) {
    throw new InputError(
      'INPUT_UNREADABLE',
      `cannot read ${kind} file: ${(e as Error).message}`,
      { file: join(dir, file) },
      undefined,
      { cause: e },
    );
  }
}
