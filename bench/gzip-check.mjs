#!/usr/bin/env node
/**
 * `npm run bench:gzip` (issue 8, "gzip input costs no more than the decompression itself"):
 * correlate on one gzipped day against the same day uncompressed, and the decompression alone.
 *
 *   BENCH_GZIP_SIZE=L   which generated size's gzipped in-window day to use (default L)
 *   BENCH_RUNS=3        runs of each; medians are compared
 *
 * The target is met when median(correlate on .gz) − median(correlate on plain) ≤
 * median(decompression alone): the tool's gunzip (zlib on libuv's thread pool) overlaps with its
 * parsing instead of adding to it. Files go to bench/data/<size>/gzcheck/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const size = (process.env.BENCH_GZIP_SIZE ?? 'L').toUpperCase();
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) | 0);
const data = join(BENCH, 'data', size);
const DAY = '2025-11-07.ndjson'; // the gzipped day inside the bench window (bench/generate.mjs)
if (!existsSync(join(data, 'export', DAY + '.gz'))) {
  console.error(
    `bench:gzip: ${join(data, 'export', DAY + '.gz')} is missing: run BENCH_SIZES=${size} npm run bench (or node bench/generate.mjs ${size}) first`,
  );
  process.exit(1);
}
const window = readFileSync(join(data, 'window.txt'), 'utf8').trim();
const gzDir = join(data, 'gzcheck', 'gz');
const plainDir = join(data, 'gzcheck', 'plain');
mkdirSync(gzDir, { recursive: true });
mkdirSync(plainDir, { recursive: true });
if (!existsSync(join(gzDir, DAY + '.gz')))
  copyFileSync(join(data, 'export', DAY + '.gz'), join(gzDir, DAY + '.gz'));
if (!existsSync(join(plainDir, DAY)))
  await pipeline(
    createReadStream(join(gzDir, DAY + '.gz')),
    createGunzip(),
    createWriteStream(join(plainDir, DAY)),
  );

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`bench:gzip: ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return s;
}
const correlate = (dir) =>
  timed([
    'bin/breach-impact.js',
    'correlate',
    '--export',
    dir,
    '--users',
    join(data, 'users.csv'),
    '--window',
    window,
    '--quiet',
  ]);
// The decompression alone, as the tool does it: a createGunzip stream over the file.
const gunzipOnly = () =>
  timed([
    '-e',
    `const z=require('node:zlib'),f=require('node:fs');f.createReadStream(${JSON.stringify(join(gzDir, DAY + '.gz'))}).pipe(z.createGunzip()).on('data',()=>{})`,
  ]);

const runs = { gz: [], plain: [], gunzip: [] };
for (let r = 0; r < RUNS; r++) {
  runs.plain.push(correlate(plainDir));
  runs.gz.push(correlate(gzDir));
  runs.gunzip.push(gunzipOnly());
  console.error(
    `bench:gzip: run ${r + 1}/${RUNS}: plain ${runs.plain[r].toFixed(2)} s, gz ${runs.gz[r].toFixed(2)} s, gunzip alone ${runs.gunzip[r].toFixed(2)} s`,
  );
}
const extra = median(runs.gz) - median(runs.plain);
const dec = median(runs.gunzip);
console.log(`| input (${size}, ${DAY}) | median wall s | runs s |`);
console.log('|---|---:|---|');
console.log(
  `| correlate, uncompressed | ${median(runs.plain).toFixed(2)} | ${runs.plain.map((x) => x.toFixed(2)).join(' / ')} |`,
);
console.log(
  `| correlate, gzipped | ${median(runs.gz).toFixed(2)} | ${runs.gz.map((x) => x.toFixed(2)).join(' / ')} |`,
);
console.log(
  `| decompression alone (zlib createGunzip) | ${dec.toFixed(2)} | ${runs.gunzip.map((x) => x.toFixed(2)).join(' / ')} |`,
);
console.log('');
console.log(
  `gzip adds ${extra.toFixed(2)} s to correlate (median gz − median plain; below 0 is run-to-run noise); the decompression alone takes ${dec.toFixed(2)} s: target ${extra <= dec ? 'met' : 'MISSED'}`,
);
