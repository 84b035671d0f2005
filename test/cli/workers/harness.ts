/**
 * The harness of test/cli/workers.test.ts: runs the CLI with `--workers 0` (the reference) and
 * `--workers 2` under a chunk size, sets aside what a run cannot repeat, and compares the two
 * (`compareAll`, `expectSame`, `expectNoCrash`). Also the constants the cases share, the scratch
 * folder and the case folders in it, and the list of golden correlate cases.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, type ExpectStatic } from 'vitest';
import { ROOT } from '../run.js';

const BIN = process.env.BI_BIN || join(ROOT, 'bin/breach-impact.js');
export const MiB = 1 << 20;
/**
 * Chunk sizes the targeted cases run under with --workers 2 (a line or so a chunk, a few lines),
 * and the golden cases in turn. WORKERS_CHUNKS=1,64,300,4096 runs every case under each.
 */
export const CHUNKS = process.env.WORKERS_CHUNKS
  ? process.env.WORKERS_CHUNKS.split(',').map(Number)
  : [1, 300];
export const WINDOW = '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z';

/** The side files every targeted and property case writes, into the run's own output folder. */
export const SIDE = [
  '--rejects',
  '$OUT/rejects.csv',
  '--unmatched',
  '$OUT/unmatched.csv',
  '--ambiguous',
  '$OUT/ambiguous.csv',
  '--manifest',
  '$OUT/manifest.json',
];

// The scratch folder holds every case folder; it is removed after the test file that imports this
// module, unless a case failed (its folder is then kept and named in the error).
export const scratch = mkdtempSync(join(tmpdir(), 'bi-workers-'));
let kept = false;
afterAll(() => {
  if (!kept) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Running the CLI, two processes a core: a parallel run spends much of its time starting its threads.

export interface Spec {
  cwd: string;
  /** Starts with `correlate`; `$OUT` is the run's own output folder. */
  args: string[];
  input?: Buffer;
  env?: Record<string, string>;
}

export interface Outcome {
  status: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** Every file the run wrote into $OUT, by name. */
  files: Map<string, Buffer>;
}

const HANG_MS = 120_000;
const slots = { free: 2 * availableParallelism(), queue: [] as Array<() => void> };

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (slots.free > 0) slots.free--;
  else await new Promise<void>((r) => slots.queue.push(r));
  try {
    return await fn();
  } finally {
    const next = slots.queue.shift();
    if (next) next();
    else slots.free++;
  }
}

function spawnCli(
  args: string[],
  cwd: string,
  input: Buffer | undefined,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: Buffer; stderr: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC', LC_ALL: 'C', ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // a usage error exits before stdin is read
    // A run that waits forever (a lost chunk, a worker that never answers) is stopped and says so.
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (hung)
        err.push(
          Buffer.from(
            `\n(the run was stopped after ${HANG_MS / 1000} s without finishing: ${args.join(' ')})\n`,
          ),
        );
      resolve({
        status: code ?? (signal ? -1 : null),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
      });
    });
    child.stdin.end(input ?? '');
  });
}

/** One run of `spec` with `--workers N` right after `correlate`, and the chunk size when given. */
export async function runWith(spec: Spec, workers: number, chunk?: number): Promise<Outcome> {
  if (spec.args[0] !== 'correlate')
    throw new Error(`not a correlate command: ${spec.args.join(' ')}`);
  const out = mkdtempSync(join(scratch, 'out-'));
  try {
    const args = ['correlate', '--workers', String(workers), ...spec.args.slice(1)].map((a) =>
      a.replaceAll('$OUT', out),
    );
    const env = {
      ...spec.env,
      ...(chunk === undefined ? {} : { BREACH_IMPACT_CHUNK_BYTES: String(chunk) }),
    };
    const r = await withSlot(() => spawnCli(args, spec.cwd, spec.input, env));
    const files = new Map<string, Buffer>();
    for (const name of readdirSync(out).sort()) {
      const p = join(out, name);
      files.set(
        name,
        statSync(p).isDirectory()
          ? Buffer.from('(a directory)')
          : normalizeFile(name, unOut(readFileSync(p), out)),
      );
    }
    return { status: r.status, stdout: unOut(r.stdout, out), stderr: unOut(r.stderr, out), files };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The run's own output folder, named `$OUT` (bytes kept as they are: latin1 round-trips). */
function unOut(b: Buffer, out: string): Buffer {
  const s = b.toString('latin1');
  return s.includes(out) ? Buffer.from(s.replaceAll(out, '$OUT'), 'latin1') : b;
}

/** What a run cannot repeat: the manifest's times and its `--workers N`, the brief's time. */
function normalizeFile(name: string, b: Buffer): Buffer {
  const text = b.toString('utf8');
  if (name.endsWith('.md'))
    return Buffer.from(
      text.replace(/^(Generated by breach-impact \S+ at )\d{4}-\d\d-\d\dT[\d:.]+Z\./m, '$1<time>.'),
    );
  if (!name.endsWith('.json')) return b;
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return b;
  }
  if (
    typeof m !== 'object' ||
    m === null ||
    (m as { tool?: { name?: string } }).tool?.name !== 'breach-impact'
  )
    return b;
  const o = m as Record<string, unknown>;
  o.started_at = o.finished_at = '<time>';
  if (Array.isArray(o.argv)) {
    const i = o.argv.indexOf('--workers');
    if (i >= 0) o.argv.splice(i, 2);
  }
  return Buffer.from(JSON.stringify(o, null, 2) + '\n');
}

/** Everything `par` holds is `ref`'s, byte for byte. */
export function expectSame(expect: ExpectStatic, ref: Outcome, par: Outcome, label: string): void {
  expect(par.stderr.toString('utf8'), `${label}: stderr`).toBe(ref.stderr.toString('utf8'));
  expect(par.status, `${label}: exit status`).toBe(ref.status);
  expect(par.stdout.toString('utf8'), `${label}: stdout`).toBe(ref.stdout.toString('utf8'));
  expect(
    par.stdout.equals(ref.stdout) && par.stderr.equals(ref.stderr),
    `${label}: stdout and stderr, byte for byte`,
  ).toBe(true);
  expect([...par.files.keys()], `${label}: the files written to $OUT`).toEqual([
    ...ref.files.keys(),
  ]);
  for (const [name, bytes] of ref.files) {
    const got = par.files.get(name)!;
    expect(got.toString('utf8'), `${label}: $OUT/${name}`).toBe(bytes.toString('utf8'));
    expect(got.equals(bytes), `${label}: $OUT/${name}, byte for byte`).toBe(true);
  }
}

/** The reference, then `--workers 2` under each chunk size, each compared with it. */
export async function compareAll(
  expect: ExpectStatic,
  spec: Spec,
  chunks: readonly number[],
): Promise<Outcome> {
  const [ref, ...pars] = await Promise.all([
    runWith(spec, 0),
    ...chunks.map((c) => runWith(spec, 2, c)),
  ]);
  expectNoCrash(expect, ref!, 'the --workers 0 run');
  pars.forEach((par, i) =>
    expectSame(expect, ref!, par, `--workers 2, BREACH_IMPACT_CHUNK_BYTES=${chunks[i]}`),
  );
  return ref!;
}

export function expectNoCrash(expect: ExpectStatic, o: Outcome, label: string): void {
  const err = o.stderr.toString('utf8');
  expect(
    /\n\s{4}at |internal error|TypeError|RangeError|ReferenceError/.test('\n' + err),
    `${label} crashed:\n${err}`,
  ).toBe(false);
}

// ---------------------------------------------------------------------------------------------
// Case folders.

export function writeCase(s: { files: Record<string, string | Buffer> }, tag: string): string {
  const dir = mkdtempSync(join(scratch, `${tag}-`));
  for (const [name, content] of Object.entries(s.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Runs `body`; the case folder is kept (and named in the error) when it throws. */
export async function keepOnFailure<T>(dir: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    kept = true;
    if (e instanceof Error) e.message += `\n(case files kept in ${dir})`;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The golden correlate cases (fixtures/golden), run both ways in section 1 of the test.

export const GOLDEN = join(ROOT, 'fixtures/golden');
export const goldenArgs = (name: string) =>
  readFileSync(join(GOLDEN, name, 'cmd'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
export const correlateCases = readdirSync(GOLDEN)
  .filter((c) => existsSync(join(GOLDEN, c, 'cmd')) && goldenArgs(c)[0] === 'correlate')
  .sort();
/** As golden.test.ts: cases reading ../shared/samples run where that folder is beside the checkout. */
export const needsMissingShared = (name: string) =>
  goldenArgs(name).some((a) => a.includes('shared/samples/') && !existsSync(join(GOLDEN, name, a)));

/**
 * One chunk size a case, in turn (every golden export is under a read, so today each is one
 * chunk a file whatever the size); WORKERS_CHUNKS runs every case under every size it lists.
 */
export const goldenChunks = (i: number) =>
  process.env.WORKERS_CHUNKS ? CHUNKS : [CHUNKS[i % CHUNKS.length]!];
