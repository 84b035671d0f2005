/** A user index from rows in memory, as the app builds one from a table (app/run-correlate.ts). */
import { UserIndexBuilder, type UserIndex, type UserTableSpec } from '../../src/core/user-index.js';
import type { HashFn } from '../../src/core/normalize.js';

export function buildUserIndex(
  src: { header: string[]; rows: Iterable<{ cells: string[]; line: number }> },
  spec: UserTableSpec,
  hash: HashFn,
): UserIndex {
  const b = new UserIndexBuilder(src.header, spec, hash);
  for (const { cells, line } of src.rows) b.add(cells, line);
  return b.build();
}
