/**
 * Issue 14: inspect and correlate agree on what an identifier is, for every preset — the preset's
 * map says it once (VendorRecord.idFields), and this holds it to the record's own fields: every
 * identifier field is one the record exposes, and every identifier value comes from one of them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { scanExports } from '../../src/app/scan.js';
import { forEachField } from '../../src/core/record.js';
import { idString } from '../../src/vendors/fields.js';
import { stripDevicePrefix } from '../../src/core/normalize.js';
import { utcZone } from '../../src/core/time.js';
import { expandPaths } from '../../src/io/open.js';
import { ROOT } from '../cli/run.js';

const SHARED = join(ROOT, '../shared/samples');
const dirs = [
  'fixtures/demo/export',
  'fixtures/vendors',
  'fixtures/wrappers',
  'fixtures/categories',
].map((d) => join(ROOT, d));
if (existsSync(SHARED)) dirs.push(SHARED);

/** Every export-looking file below the folders (users tables and notes left out). */
function files(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        if (n !== 'generic') walk(p); // read only through --map
      } else if (!/^(users|EXPECTED|README|SOURCES|make)|\.(md|mjs)$/.test(n)) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

it.each(files().map((f) => [relative(ROOT, f)]))(
  '%s: identifiers are fields the record exposes, and their values the ids',
  async (rel) => {
    let checked = 0;
    await scanExports(
      expandPaths([join(ROOT, rel)]),
      'auto',
      { zone: utcZone, localEpochs: false },
      {
        record(rec) {
          const values = new Map<string, string[]>();
          forEachField(rec, new Set(), (name, v) =>
            values.set(name, Array.isArray(v) ? v.map(idString) : [idString(v)]),
          );
          for (const f of rec.idFields)
            expect(values.has(f), `${f} is a field of the record`).toBe(true);
          const fromFields = new Set(
            rec.idFields.flatMap((f) => values.get(f) ?? []).map((v) => v.trim()),
          );
          for (const id of rec.ids)
            expect(
              fromFields.has(id) || fromFields.has(stripDevicePrefix(id)),
              `id ${id} comes from an identifier field`,
            ).toBe(true);
          checked++;
          return undefined;
        },
        reject() {},
        warn() {},
        info() {},
      },
    );
    expect(checked, 'the file has readable records').toBeGreaterThan(0);
  },
);
