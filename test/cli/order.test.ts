/**
 * The output does not depend on the order of the records: every golden correlate and inspect
 * case, run on a copy of its exports with the records of each NDJSON file shuffled, still writes
 * its expected status, stdout, summary and side files (rejects but for their line and reason),
 * and a correlate run's manifest is that of the same run on the checkout's files (but for sizes
 * and hashes). A responder who downloads the same export twice, paged or sorted otherwise, gets
 * the same notification list.
 *
 * It is also what lets an engine group records (issue 17) and what a warehouse table, which has
 * no line order, needs (issue 18): docs/ARCHITECTURE.md, "What depends on record order", lists
 * the rules that do look at order (the first copy of a duplicate, the preset --vendor auto
 * settles on, the line numbers of rejects) and why the golden cases do not meet them.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './run.js';

const GOLDEN = join(ROOT, 'fixtures/golden');
const SHARED = join(ROOT, '../shared/samples');
const args = (name: string) =>
  readFileSync(join(GOLDEN, name, 'cmd'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** A seeded shuffle (a linear congruential generator: the same order on every run). */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  for (let i = items.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = Math.floor((s / 2147483648) * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * An NDJSON file (its first record a whole JSON object on one line, more records after it) with
 * its records' lines shuffled among themselves, blank lines left where they were; undefined for
 * anything else (a JSON document, a CSV, Parquet, a zip).
 */
function shuffledNdjson(bytes: Buffer, seed: number): Buffer | undefined {
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = (gz ? gunzipSync(bytes) : bytes).toString('utf8');
  if (text.includes('\0')) return undefined;
  const lines = text.split('\n');
  const at = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i]));
  if (at.length < 2) return undefined;
  try {
    const first: unknown = JSON.parse(lines[at[0]!]!.replace(/^\uFEFF/, ''));
    if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  } catch {
    return undefined;
  }
  const moved = shuffle(
    at.map((i) => lines[i]!.replace(/^\uFEFF/, '')),
    seed,
  );
  at.forEach((i, k) => (lines[i] = moved[k]!));
  const out = Buffer.from(lines.join('\n'), 'utf8');
  return gz ? gzipSync(out) : out;
}

/** Copies a tree, each NDJSON file in it shuffled; returns how many files were shuffled. */
function copyShuffled(from: string, to: string, seed: number): number {
  cpSync(from, to, { recursive: true });
  let n = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.startsWith('expected.') && name !== 'cmd') {
        const out = shuffledNdjson(readFileSync(p), seed + n);
        if (out) {
          writeFileSync(p, out);
          n++;
        }
      }
    }
  };
  walk(to);
  return n;
}

// The mirror keeps the checkout's layout, so that every relative path of a case (and the
// sources column that prints them) reads as in the checkout: <scratch>/main/fixtures beside
// <scratch>/shared/samples.
const scratch = mkdtempSync(join(tmpdir(), 'bi-order-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const SEED = 20251108;
const shuffledFiles = copyShuffled(join(ROOT, 'fixtures'), join(scratch, 'main/fixtures'), SEED);
if (existsSync(SHARED)) copyShuffled(SHARED, join(scratch, 'shared/samples'), SEED);
const MIRROR = join(scratch, 'main/fixtures/golden');

/** A case reads records of which at least one shuffled NDJSON file holds some. */
function readsShuffled(name: string): boolean {
  const a = args(name);
  const read: string[] = [];
  a.forEach((v, i) => {
    if (a[i - 1] === '--export' && v !== '-') read.push(join(MIRROR, name, v));
  });
  if (existsSync(join(GOLDEN, name, 'stdin'))) read.push(join(MIRROR, name, 'stdin'));
  const differs = (p: string): boolean => {
    if (!existsSync(p)) return false;
    if (statSync(p).isDirectory()) return readdirSync(p).some((f) => differs(join(p, f)));
    const original = p
      .replace(join(scratch, 'main'), ROOT)
      .replace(join(scratch, 'shared'), join(ROOT, '../shared'));
    return existsSync(original) && !readFileSync(p).equals(readFileSync(original));
  };
  return read.some(differs);
}

const cases = readdirSync(GOLDEN)
  .filter(
    (c) => existsSync(join(GOLDEN, c, 'cmd')) && ['correlate', 'inspect'].includes(args(c)[0]!),
  )
  // --strict stops at the first bad record: which one that is depends on the order.
  .filter((c) => !args(c).includes('--strict'))
  // Its Airbyte streams hold records of no vendor before and after the first Mixpanel one:
  // inspect's table of reject reasons says which came before --vendor auto settled.
  .filter((c) => c !== 'inspect-sample-mixpanel-expected-records-jsonl')
  .filter(readsShuffled)
  .sort();

function runCase(name: string, dir: string, out: string, extra: string[]) {
  return run(
    args(name)
      .map((a) => a.replaceAll('$OUT', out))
      .concat(extra),
    { cwd: dir, input: existsSync(join(dir, 'stdin')) ? readFileSync(join(dir, 'stdin')) : '' },
  );
}

/**
 * A manifest without what a run cannot repeat (times, the output folder in argv and outputs)
 * and what shuffled bytes change by nature (each input's size and SHA-256).
 */
function comparable(path: string): string {
  const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const k of ['started_at', 'finished_at', 'argv', 'outputs']) delete m[k];
  for (const i of m.inputs as Array<Record<string, unknown>>) {
    delete i.sha256;
    delete i.bytes;
  }
  return JSON.stringify(m, null, 1);
}

/**
 * The rejects file's rows as file and record, in a fixed order: a reject names its line, and
 * its reason says whether --vendor auto had settled the file's preset when it came.
 */
function rejectRows(path: string): string[] {
  const rows = parse(readFileSync(path, 'utf8'), { relax_column_count: true }) as string[][];
  return rows.map((r) => JSON.stringify([r[0], r[3]])).sort();
}

/**
 * inspect's report without what shuffling changes by nature: a file's SHA-256, a gzipped file's
 * size (it is compressed again) and the line a reject reason was first seen on.
 */
function inspected(text: string): string {
  return text
    .replace(/[\d,]+ bytes|"bytes": \d+/g, 'N bytes')
    .replace(/"sha256": "[0-9a-f]+"/g, 'SHA-256')
    .replace(/(\.[a-z]+):\d+\b/g, '$1:N');
}

describe('the output does not depend on the order of the records', () => {
  it('shuffles the records of the golden cases', () => {
    expect(shuffledFiles, 'NDJSON fixtures shuffled').toBeGreaterThan(20);
    expect(cases.length, 'golden cases reading shuffled records').toBeGreaterThan(40);
  });

  it.each(cases)('%s, its records shuffled', (name) => {
    const correlate = args(name)[0] === 'correlate';
    const out = mkdtempSync(join(scratch, 'out-'));
    // A manifest from the checkout's files and one from the shuffled copy, to compare.
    const manifest = correlate && !args(name).includes('--manifest');
    const r = runCase(
      name,
      join(MIRROR, name),
      out,
      manifest ? ['--manifest', join(out, 'm.json')] : [],
    );
    const expected = (f: string) => readFileSync(join(GOLDEN, name, f), 'utf8');
    expect(String(r.status), 'exit status').toBe(expected('expected.status').trim());
    if (correlate) expect(r.stdout, 'stdout').toBe(expected('expected.stdout'));
    else expect(inspected(r.stdout), 'stdout').toBe(inspected(expected('expected.stdout')));
    const summary = manifest ? r.stderr.replace(`, ${join(out, 'm.json')}`, '') : r.stderr;
    expect(summary.replaceAll(out, '$OUT'), 'the summary').toBe(expected('expected.stderr'));
    const files = join(GOLDEN, name, 'expected.files');
    for (const f of existsSync(files) ? readdirSync(files) : []) {
      const got = join(out, f);
      // A reject names its line: the same rows but for that.
      if (/reject/i.test(f) && f.endsWith('.csv'))
        expect(rejectRows(got), f).toEqual(rejectRows(join(files, f)));
      else if (!/reject|manifest/i.test(f))
        expect(readFileSync(got, 'utf8'), f).toBe(readFileSync(join(files, f), 'utf8'));
    }
    if (!manifest || !existsSync(join(out, 'm.json'))) return;
    const ref = mkdtempSync(join(scratch, 'ref-'));
    runCase(name, join(GOLDEN, name), ref, ['--manifest', join(ref, 'm.json')]);
    // As text: the order of keys is part of the bytes (protocol_lines are listed by name).
    expect(comparable(join(out, 'm.json')), 'the manifest').toBe(comparable(join(ref, 'm.json')));
  });
});
