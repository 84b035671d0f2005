#!/usr/bin/env node
/**
 * `npm run soak` (issue 6): the property tests of test/property/, round after round, each round
 * with a fresh seed and many more cases than `npm test` runs, for a few minutes. Prints every
 * round's seed and case counts; a failing round prints its seed (replay it with
 * `FC_SEED=<seed> FC_RUNS=<runs> npx vitest run test/property`) and the soak exits 1.
 *
 *   npm run soak                      # 5 minutes, 60 cases per property per round
 *   npm run soak -- --minutes 30 --runs 200
 *   SOAK_MINUTES=3 SOAK_RUNS=40 npm run soak
 *
 * The first round also runs the soak-only tests (FC_SOAK=1: the gzipped 100 MB line) and the
 * known-bug reproductions; later rounds run only the seeded properties.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, env, def) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.env[env];
  return v === undefined || v === '' ? def : Number(v);
};
const minutes = arg('minutes', 'SOAK_MINUTES', 5);
const runs = arg('runs', 'SOAK_RUNS', 60);
const PROPERTIES = [
  'test/property/accounting.test.ts',
  'test/property/users.test.ts',
  'test/property/hostile.test.ts',
];
const ONCE = ['test/property/big-line.test.ts', 'test/property/regressions.test.ts'];

// A private build of the CLI for the whole soak (BI_BIN): dist/ may be rebuilt by others meanwhile.
const tmp = mkdtempSync(join(tmpdir(), 'bi-soak-'));
const snap = join(tmp, 'build');
mkdirSync(join(snap, 'bin'), { recursive: true });
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json', '--outDir', join(snap, 'dist')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('soak: the build failed; nothing was run');
  process.exit(build.status ?? 1);
}
copyFileSync(join(ROOT, 'package.json'), join(snap, 'package.json'));
copyFileSync(join(ROOT, 'bin/breach-impact.js'), join(snap, 'bin/breach-impact.js'));
for (const d of ['node_modules', 'rules', 'fixtures'])
  symlinkSync(join(ROOT, d), join(snap, d), 'dir');
const BI_BIN = join(snap, 'bin/breach-impact.js');

const deadline = Date.now() + minutes * 60_000;
const totals = new Map();
const failures = [];
let round = 0;
console.log(`soak: ${minutes} min, ${runs} cases per property per round, CLI snapshot ${BI_BIN}`);
do {
  round++;
  const seed = randomInt(1, 2 ** 31 - 1);
  const report = join(tmp, `round-${round}.jsonl`);
  const files = round === 1 ? [...PROPERTIES, ...ONCE] : PROPERTIES;
  const started = Date.now();
  console.log(`\nround ${round}: FC_SEED=${seed} FC_RUNS=${runs}`);
  const r = spawnSync('npx', ['vitest', 'run', ...files], {
    cwd: ROOT,
    env: {
      ...process.env,
      BI_BIN,
      FC_SEED: String(seed),
      FC_RUNS: String(runs),
      FC_REPORT: report,
      FC_SOAK: round === 1 ? '1' : '0',
      FORCE_COLOR: '0',
    },
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  let lines = [];
  try {
    lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    // no property reported (e.g. a file failed to load)
  }
  for (const l of lines) {
    totals.set(l.name, (totals.get(l.name) ?? 0) + l.runs);
    console.log(
      `  ${l.name.padEnd(16)} ${String(l.runs).padStart(5)} cases${l.failed ? '  FAILED' : ''}`,
    );
  }
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (r.status !== 0) {
    failures.push(seed);
    console.log(
      `  round ${round} FAILED (seed ${seed}, ${secs} s):\n` +
        (r.stdout + r.stderr)
          .split('\n')
          .filter((l) => /FAIL|Error|Counterexample|Got error|expected|seed/.test(l))
          .slice(0, 40)
          .join('\n'),
    );
  } else console.log(`  ok (${secs} s)`);
} while (Date.now() < deadline);
rmSync(tmp, { recursive: true, force: true });

const all = [...totals.values()].reduce((a, b) => a + b, 0);
console.log(
  `\nsoak done: ${round} round(s), ${all} cases in all (${[...totals].map(([k, v]) => `${k} ${v}`).join(', ')})`,
);
if (failures.length) {
  console.log(`FAILED rounds, seeds: ${failures.join(', ')}`);
  process.exit(1);
}
