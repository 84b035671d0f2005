/**
 * The user index copies every kept value out of the table's text (memory, issue #8); the copy
 * must be the same string, UTF-16 unit for unit, or ids stop matching the export's.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildUserIndex } from './build-index.js';

const hash = (name: 'md5' | 'sha1' | 'sha256', s: string) =>
  createHash(name).update(s).digest('hex');
const spec = {
  file: 'users.ndjson',
  idColumn: 'user_id',
  emailColumn: 'email',
  userKeys: [],
  userColumns: ['name'],
};

function index(rows: string[][]) {
  return buildUserIndex(
    {
      header: ['user_id', 'email', 'name'],
      rows: rows.map((cells, i) => ({ cells, line: i + 2 })),
    },
    spec,
    hash,
  );
}

describe('user index: values kept exactly', () => {
  it('keeps lone surrogates (an NDJSON table can hold "\\ud800"): ids still match, and differ', () => {
    const a = 'user-\ud800-0000000001',
      b = 'user-\udc00-0000000001';
    const u = index([
      [a, 'ann@example.com', 'Ann \udc00 Long Name'],
      [b, 'bob@example.com', 'Bob'],
    ]);
    expect(u.ids).toEqual([a, b]); // not a duplicate: they differ in one unpaired unit
    expect(u.byId.get(a)).toBe(0);
    expect(u.byId.get(b)).toBe(1);
    expect(u.extra[0]).toEqual(['Ann \udc00 Long Name']);
  });

  it('keeps long ASCII and non-ASCII values, and emoji pairs, as they were', () => {
    const values = [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'Zoë Ångström-Łukasiewicz',
      'name with 😀 emoji pair',
      ' padded id 1234567890 ',
    ];
    const u = index(values.map((v, i) => [v, `p${i}@example.com`, v]));
    expect(u.ids).toEqual(values.map((v) => v.trim()));
    expect(u.extra.map((e) => e[0])).toEqual(values);
  });
});
