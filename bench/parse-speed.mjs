#!/usr/bin/env node
/**
 * `node bench/parse-speed.mjs [SIZE]` (issue 8): what one core does per NDJSON line on this
 * machine, in one process, rounds interleaved: a bare byte loop (the ceiling for any scanner
 * written in JavaScript), V8's JSON.parse alone, and JSON.parse plus the Mixpanel preset's
 * map() (what correlate does per line), over the uncompressed days of a generated size
 * (default S). Prints MB/s of NDJSON per round. Run `npm run build` first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const size = (process.argv[2] ?? 'S').toUpperCase();
const dir = join(ROOT, 'bench', 'data', size, 'export');
const { VendorRecord } = await import(join(ROOT, 'dist', 'core', 'record.js'));
const { mixpanel } = await import(join(ROOT, 'dist', 'vendors', 'mixpanel.js'));
const { utcZone } = await import(join(ROOT, 'dist', 'core', 'time.js'));

// At most ~100 MB of lines, so that L fits in memory too.
const parts = [];
let total = 0;
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith('.ndjson'))
  .sort()) {
  if (total > 100e6) break;
  const b = readFileSync(join(dir, f));
  parts.push(b);
  total += b.length;
}
const buf = Buffer.concat(parts);
const rec = new VendorRecord();
const ctx = { zone: utcZone, localEpochs: false };
const everyLine = (fn) => {
  let s = 0,
    n = 0;
  for (;;) {
    const e = buf.indexOf(10, s);
    if (e < 0) return n;
    if (fn(s, e)) n++;
    s = e + 1;
  }
};
// The ceiling for any JavaScript scanner: one pass over the bytes, three comparisons each.
const byteLoop = (s, e) => {
  let n = 0;
  for (let p = s; p < e; p++) {
    const c = buf[p];
    if (c === 0x22 || c === 0x5c || c < 0x20) n++;
  }
  return n > 0;
};
const ways = [
  ['byte loop', byteLoop],
  ['JSON.parse', (s, e) => JSON.parse(buf.toString('utf8', s, e)) !== null],
  [
    'JSON.parse + map',
    (s, e) => {
      const raw = JSON.parse(buf.toString('utf8', s, e));
      rec.reset();
      return mixpanel.map(raw, rec, ctx) === undefined;
    },
  ],
];
console.log(`${size}: ${(buf.length / 1e6).toFixed(1)} MB of NDJSON, MB/s per round (one core):`);
for (let round = 1; round <= 5; round++) {
  const out = ways.map(([name, fn]) => {
    const t0 = performance.now();
    everyLine(fn);
    return `${name} ${(buf.length / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)}`;
  });
  console.log(`round ${round}: ${out.join(' | ')}`);
}
