#!/usr/bin/env node
/**
 * `npm run bench` (issue 8): `correlate` against DuckDB on the same generated files, same invocation.
 *
 *   BENCH_SIZES=S,L   sizes to run (default S,L; also M: L's 1M users with 1/10 of its events, for the
 *                     memory target); data is generated into bench/data/<size>/ if missing
 *   BENCH_RUNS=3      runs per tool and size; the table shows medians
 *   BENCH_TIMEOUT_S   per-run timeout in seconds (default 1800): a run past it is killed and marked
 *   BENCH_TOOLS       comma list of tools: correlate-w0,correlate-w1,correlate-w2,correlate,duckdb
 *                     (default: correlate-w0,correlate-w2,duckdb)
 *   BENCH_NO_TIME=1   measure RSS/CPU with the preload even where /usr/bin/time exists
 *
 * Tools, each a child process, interleaved round by round (correlate, duckdb, correlate, …):
 *   correlate --workers 0 node bin/breach-impact.js correlate --export DIR --users users.csv --window W --quiet --workers 0:
 *                         one thread, the default on a 2-core machine (--workers auto), the parallel path's baseline
 *   correlate --workers 2 two parse workers beside the main thread (1: one; correlate (default): --workers auto)
 *   duckdb (2 threads)    node bench/duckdb-job.mjs: the simpler job (see that file)
 * Wall time is measured here around the child; peak RSS and CPU time (user+sys, as % of wall:
 * 200% = both cores busy) by `/usr/bin/time -f '%e %M %U %S'` when it exists, else by a preload
 * (bench/rss-probe.mjs) reporting process.resourceUsage().
 * MB/s = export bytes on disk (gzip days counted compressed) / 1e6 / s; events/s = lines / s.
 * "vs DuckDB" = median wall / DuckDB's median wall (≤ 1.0 means faster than DuckDB).
 * "vs 1 thread" = `--workers 0`'s median / this median (the parallel path's speed-up).
 *
 * Outputs go to bench/data/<size>/out/; the raw numbers to bench/data/results-<SIZES>.json.
 * Also checked and printed: every correlate run's stdout is byte-identical across runs and worker counts, and every DuckDB user appears in correlate's output with a superset of the
 * exposed fields (correlate does more: sessions and identity merge add users and fields).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  openSync,
  closeSync,
  rmSync,
} from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { parquetCopy } from './parquet-copy.mjs';
import { startPg } from './pg-server.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const DATA = join(BENCH, 'data');
const sizes = (process.env.BENCH_SIZES ?? 'S,L')
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter(Boolean);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) | 0);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 1800);
const TIME_BIN = process.env.BENCH_NO_TIME
  ? undefined
  : ['/usr/bin/time'].find((p) => existsSync(p));
const log = (...m) => console.error(...m);

const TOOLS = [
  {
    key: 'correlate-w0',
    label: 'correlate --workers 0',
    kind: 'correlate',
    env: {},
    args: ['--workers', '0'],
  },
  {
    key: 'correlate-w1',
    label: 'correlate --workers 1',
    kind: 'correlate',
    env: {},
    args: ['--workers', '1'],
    optional: true,
  },
  {
    key: 'correlate-w2',
    label: 'correlate --workers 2',
    kind: 'correlate',
    env: {},
    args: ['--workers', '2'],
  },
  {
    key: 'correlate',
    label: 'correlate (default)',
    kind: 'correlate',
    env: {},
    args: [],
    optional: true,
  },
  { key: 'duckdb', label: 'duckdb (2 threads)', kind: 'duckdb', env: {}, args: [] },
  // The same job with the users table read from PostgreSQL (issue 19) instead of the CSV.
  {
    key: 'correlate-pg',
    label: 'correlate, users from PostgreSQL',
    kind: 'correlate',
    env: {},
    args: ['--workers', '0', '--users-table', 'users'],
    pg: true,
  },
  // The same export as Parquet (issue 17), made once per size by DuckDB from the NDJSON
  // (bench/parquet-copy.mjs). Run when named: BENCH_TOOLS=correlate-w0,correlate-parquet.
  {
    key: 'correlate-parquet',
    label: 'correlate, export as Parquet',
    kind: 'correlate',
    env: {},
    args: ['--workers', '0'],
    parquet: true,
    optional: true,
  },
];
const wanted = process.env.BENCH_TOOLS?.split(',').map((s) => s.trim());
const tools = wanted
  ? TOOLS.filter((t) => wanted.includes(t.key))
  : TOOLS.filter((t) => !t.optional);

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  log('bench: dist/ is missing: build first (npm run bench does: tsc -p tsconfig.json)');
  process.exit(1);
}

function argsFor(tool, d, outFile) {
  if (tool.kind === 'duckdb') {
    return [
      join(BENCH, 'duckdb-job.mjs'),
      '--export',
      d.exportDir,
      '--users',
      d.users,
      '--window',
      d.window,
      '--out',
      outFile,
      '--threads',
      '2',
    ];
  }
  return [
    join(ROOT, 'bin', 'breach-impact.js'),
    'correlate',
    '--export',
    tool.parquet ? d.parquetDir : d.exportDir,
    '--users',
    tool.pg ? d.pgUrl : d.users,
    '--window',
    d.window,
    '--quiet',
    ...tool.args,
  ];
}

/** Run one child; resolves {wall, rssKiB, code, signal, timedOut}. */
function runOnce(tool, d, outFile, errFile) {
  return new Promise((resolveRun) => {
    const nodeArgs = argsFor(tool, d, outFile);
    const rssFile = join(d.outDir, `.rss-${process.pid}`);
    rmSync(rssFile, { force: true });
    let cmd, args;
    const env = { ...process.env, ...tool.env };
    if (TIME_BIN) {
      cmd = TIME_BIN;
      args = ['-f', '%e %M %U %S', '-o', rssFile, process.execPath, ...nodeArgs];
    } else {
      cmd = process.execPath;
      args = ['--import', join(BENCH, 'rss-probe.mjs'), ...nodeArgs];
      env.BENCH_RSS_FILE = rssFile;
    }
    // correlate writes its result to stdout; DuckDB's stdout is its own one-line JSON report.
    const outFd = openSync(tool.kind === 'correlate' ? outFile : outFile + '.stdout', 'w');
    const errFd = openSync(errFile, 'w');
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', outFd, errFd],
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL'); // the child's own process group (started here)
      } catch {
        /* gone */
      }
    }, TIMEOUT_S * 1000);
    child.on('exit', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      clearTimeout(timer);
      closeSync(outFd);
      closeSync(errFd);
      let rssKiB = NaN;
      let cpuS = NaN;
      try {
        const txt = readFileSync(rssFile, 'utf8').trim();
        if (TIME_BIN) {
          // /usr/bin/time -o: "Command exited with non-zero status N" may precede "%e %M %U %S"
          const last = txt.split('\n').pop().trim().split(/\s+/).map(Number);
          rssKiB = last[1];
          cpuS = last[2] + last[3];
        } else {
          const [rss, cpuUs] = txt.split(/\s+/).map(Number);
          rssKiB = rss;
          cpuS = cpuUs / 1e6;
        }
        rmSync(rssFile, { force: true });
      } catch {
        /* no number */
      }
      resolveRun({ wall, rssKiB, cpuS, code, signal, timedOut });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const sha256File = (p) =>
  new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(p)
      .on('data', (b) => h.update(b))
      .on('end', () => res(h.digest('hex')))
      .on('error', rej);
  });

/** Minimal RFC 4180 line split (no embedded newlines in these outputs). */
function splitCsv(line) {
  const out = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = line.length;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      i++; // the comma
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}
async function readCsvMap(path, keyCol, valCol) {
  const m = new Map();
  let header;
  for await (const line of createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  })) {
    if (!line) continue;
    const cells = splitCsv(line);
    if (!header) {
      header = cells;
      continue;
    }
    m.set(cells[header.indexOf(keyCol)], cells[header.indexOf(valCol)]);
  }
  return m;
}
/** DuckDB users must be in correlate's output, with a superset of their exposed fields. */
async function crossCheck(correlateCsv, duckCsv) {
  const c = await readCsvMap(correlateCsv, 'user_id', 'exposed_fields');
  const k = await readCsvMap(duckCsv, 'user_id', 'exposed_fields');
  let missing = 0;
  let notSuperset = 0;
  for (const [id, fields] of k) {
    const cf = c.get(id);
    if (cf === undefined) {
      missing++;
      continue;
    }
    const have = new Set(cf.split(';'));
    if (fields.split(';').some((f) => f && !have.has(f))) notSuperset++;
  }
  return {
    correlateUsers: c.size,
    duckdbUsers: k.size,
    missingInCorrelate: missing,
    fieldsNotSuperset: notSuperset,
  };
}

function gitCommit() {
  // Read .git directly: no git process is started by the bench.
  try {
    const gitDir = join(ROOT, '.git');
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 7);
    const ref = head.slice(5);
    if (existsSync(join(gitDir, ref)))
      return readFileSync(join(gitDir, ref), 'utf8').trim().slice(0, 7);
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8')
      .split('\n')
      .find((l) => l.endsWith(' ' + ref));
    return packed ? packed.slice(0, 7) : 'unknown';
  } catch {
    return 'unknown';
  }
}

function dirSize(dir) {
  let n = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    n += f.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return n;
}

async function warm(dir) {
  for (const f of readdirSync(dir).sort()) {
    await new Promise((res, rej) =>
      createReadStream(join(dir, f), { highWaterMark: 1 << 20 })
        .on('data', () => {})
        .on('end', res)
        .on('error', rej),
    );
  }
}

/** Hash of dist/**\/*.js: a concurrent rebuild during the bench would change what is measured. */
function distHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const f of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const p = join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.js')) h.update(p).update(readFileSync(p));
    }
  };
  walk(join(ROOT, 'dist'));
  return h.digest('hex').slice(0, 12);
}

// ---------------------------------------------------------------- main

const machine = {
  date: new Date().toISOString(),
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? '?',
  mem_gib: +(totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  commit: gitCommit(),
  rss_source: TIME_BIN ? '/usr/bin/time %M' : 'process.resourceUsage().maxRSS (preload)',
  loadavg_start: loadavg().map((x) => +x.toFixed(2)),
};
const duckVersion = JSON.parse(
  readFileSync(join(ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8'),
).version;
machine.dist = distHash();
log(
  `bench: ${JSON.stringify(machine)} duckdb node-api ${duckVersion}; sizes ${sizes.join(',')}, ${RUNS} runs each`,
);

const results = [];
const checks = [];
let distChangedRuns = 0;
for (const size of sizes) {
  const g = await generate(size, { log: (m) => log(m) });
  const dir = g.dir;
  const d = {
    size,
    dir,
    exportDir: join(dir, 'export'),
    users: join(dir, 'users.csv'),
    window: readFileSync(join(dir, 'window.txt'), 'utf8').trim(),
    outDir: join(dir, 'out'),
    events: g.meta.counts.events,
  };
  mkdirSync(d.outDir, { recursive: true });
  d.exportBytes = dirSize(d.exportDir);
  log(
    `bench ${size}: ${relative(ROOT, dir)}: ${d.events} events, ${(d.exportBytes / 1e6).toFixed(1)} MB on disk (${(g.meta.export_bytes_uncompressed / 1e6).toFixed(1)} MB uncompressed), ${g.meta.users} users, window ${d.window}`,
  );
  await warm(d.exportDir);
  // PostgreSQL holds the same users table for the correlate-pg row (bench/pg-server.mjs).
  const pgServer = tools.some((t) => t.pg) ? await startPg(d.users) : undefined;
  if (tools.some((t) => t.parquet))
    d.parquetDir = await parquetCopy(d.exportDir, join(dir, 'export-parquet'));
  if (pgServer) d.pgUrl = pgServer.url;
  else if (tools.some((t) => t.pg))
    log('bench: no PostgreSQL binaries: the correlate-pg row is skipped');

  const runs = new Map(tools.map((t) => [t.key, []]));
  const hashes = new Map();
  for (let r = 1; r <= RUNS; r++) {
    for (const tool of tools) {
      if (tool.pg && !d.pgUrl) continue;
      const outFile = join(d.outDir, `${tool.key}.csv`);
      const errFile = join(d.outDir, `${tool.key}.stderr`);
      const dist = distHash();
      if (dist !== machine.dist) distChangedRuns++;
      const res = await runOnce(tool, d, outFile, errFile);
      const ok = res.code === 0 && !res.timedOut;
      let note = '';
      if (!ok) {
        const tail = readFileSync(errFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
        note = res.timedOut
          ? `timeout ${TIMEOUT_S}s`
          : `exit ${res.code ?? res.signal}${tail ? `: ${tail.slice(0, 300)}` : ''}`;
      } else if (tool.kind === 'correlate') {
        const h = await sha256File(outFile);
        hashes.set(`${tool.key}#${r}`, h);
      }
      runs.get(tool.key).push({ ...res, ok, note });
      log(
        `bench ${size} run ${r}/${RUNS} ${tool.label.padEnd(21)} ${res.wall.toFixed(2).padStart(8)} s  ${(res.rssKiB / 1024).toFixed(0).padStart(6)} MiB${note ? '  ' + note : ''}`,
      );
    }
  }

  const duckRuns = runs.get('duckdb')?.filter((x) => x.ok) ?? [];
  const duckMedian = duckRuns.length ? median(duckRuns.map((x) => x.wall)) : NaN;
  const oneRuns = runs.get('correlate-w0')?.filter((x) => x.ok) ?? [];
  const oneMedian = oneRuns.length ? median(oneRuns.map((x) => x.wall)) : NaN;
  pgServer?.stop();
  for (const tool of tools) {
    const all = runs.get(tool.key);
    if (!all.length) continue;
    const good = all.filter((x) => x.ok);
    const wall = median(good.map((x) => x.wall));
    const rssMiB = Math.max(...good.map((x) => x.rssKiB)) / 1024;
    let rows = NaN;
    const outFile = join(d.outDir, `${tool.key}.csv`);
    if (good.length && existsSync(outFile))
      rows = readFileSync(outFile, 'utf8').split('\n').filter(Boolean).length - 1;
    results.push({
      tool: tool.label,
      key: tool.key,
      size,
      runs: all.map((x) => +x.wall.toFixed(3)),
      failed: all.filter((x) => !x.ok).map((x) => x.note),
      median_s: wall,
      mb_s: d.exportBytes / 1e6 / wall,
      events_s: d.events / wall,
      peak_rss_mib: rssMiB,
      cpu_pct: median(good.map((x) => (100 * x.cpuS) / x.wall)),
      vs_duckdb: wall / duckMedian,
      vs_one_thread: tool.kind === 'correlate' ? oneMedian / wall : NaN,
      rows,
    });
  }
  const distinct = new Set(hashes.values());
  const check = {
    size,
    correlateOutputsIdentical: hashes.size ? distinct.size === 1 : null,
    correlateRunsHashed: hashes.size,
  };
  if (
    existsSync(join(d.outDir, 'correlate-w0.csv')) &&
    existsSync(join(d.outDir, 'duckdb.csv')) &&
    hashes.size &&
    duckRuns.length
  ) {
    Object.assign(
      check,
      await crossCheck(join(d.outDir, 'correlate-w0.csv'), join(d.outDir, 'duckdb.csv')),
    );
  }
  checks.push(check);
}

// ---------------------------------------------------------------- report

const f = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const fi = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const header = [
  'tool',
  'size',
  'median wall s',
  'MB/s',
  'events/s',
  'peak RSS MiB',
  'vs DuckDB',
  'vs 1 thread',
  'CPU %',
  'rows out',
  'runs s',
];
const rows = results.map((r) => [
  r.tool,
  r.size,
  f(r.median_s, 2),
  f(r.mb_s, 1),
  fi(r.events_s),
  fi(r.peak_rss_mib),
  f(r.vs_duckdb, 2),
  f(r.vs_one_thread, 2),
  fi(r.cpu_pct),
  fi(r.rows),
  r.runs.map((x) => x.toFixed(2)).join(' / ') +
    (r.failed.length ? ` (${r.failed.length} failed: ${r.failed[0]})` : ''),
]);
const table = [
  `| ${header.join(' | ')} |`,
  `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
machine.loadavg_end = loadavg().map((x) => +x.toFixed(2));
if (distHash() !== machine.dist) distChangedRuns++;
if (distChangedRuns) {
  machine.dist_changed = true;
  log(
    `bench: WARNING: dist/ changed while the bench ran (a concurrent build?): ${distChangedRuns} check(s) saw another build; runs may have measured different code`,
  );
}
console.log(
  `machine: ${machine.nproc} cpu (${machine.cpu}), ${machine.mem_gib} GiB, node ${machine.node}, @duckdb/node-api ${duckVersion}; ${machine.date}; commit ${machine.commit} (dist ${machine.dist}${machine.dist_changed ? ', CHANGED during the run' : ''}); peak RSS from ${machine.rss_source}; load avg (1/5/15 min) at start ${machine.loadavg_start.join(' ')}, at end ${machine.loadavg_end.join(' ')}`,
);
console.log('');
console.log(table);
console.log('');
for (const c of checks) {
  const parts = [`${c.size}:`];
  if (c.correlateOutputsIdentical !== null)
    parts.push(
      `correlate stdout byte-identical across its ${c.correlateRunsHashed} runs (every worker count): ${c.correlateOutputsIdentical ? 'yes' : 'NO'}`,
    );
  if (c.duckdbUsers !== undefined) {
    parts.push(
      `users: correlate ${fi(c.correlateUsers)}, duckdb ${fi(c.duckdbUsers)}; duckdb users missing from correlate ${fi(c.missingInCorrelate)}, with fields not in correlate's ${fi(c.fieldsNotSuperset)}`,
    );
  }
  console.log(parts.join(' '));
}
const resultsFile = join(DATA, `results-${sizes.join('')}.json`);
writeFileSync(
  resultsFile,
  JSON.stringify({ machine, duckdb: duckVersion, results, checks }, null, 2) + '\n',
);
log(`bench: raw numbers in ${relative(ROOT, resultsFile)}`);
if (results.some((r) => r.failed.length)) process.exitCode = 1;
