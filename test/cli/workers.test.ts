/**
 * The parallel path (issue 8) against the single-threaded one. `--workers 0` reads every record in
 * the main thread: that run is the reference. `--workers 2`, with the NDJSON cut into chunks of
 * BREACH_IMPACT_CHUNK_BYTES, must end with the same status, stdout, stderr and every file it
 * writes, byte for byte. Only what a run cannot repeat is set aside: the manifest's start and
 * finish times and its argv's `--workers N`, and the time on the notification brief.
 *
 * 1. Every golden correlate case, both ways (the reference must also be the case's expected
 *    output: that is what makes an equal pair mean something).
 * 2. Targeted cases for what the chunk machinery decides: the first copy of a duplicate, the
 *    value that settles a field's category, the preset --vendor auto locks, absolute line numbers,
 *    ends of files and of lines, damage, --strict, stdin, --explain, --sessions,
 *    --notification-basis, and NDJSON mixed with documents read in the main thread.
 * 3. A property over generated exports (test/property/gen.ts).
 *
 * Where the cuts fall: the chunker cuts what it holds at its last line end once it holds a
 * chunk's worth, and it is handed what one read gives: 1 MiB from a file or a gzip stream
 * (io/open.ts), what the pipe holds from stdin. So a chunk size below a read makes no smaller
 * chunks (as app/parallel.ts stands, a file under 1 MiB is one chunk whatever the size). The
 * targeted cases therefore write exports of a few MiB and place the records that matter on
 * either side of the 1 MiB read boundaries (one straddles a boundary, one has its CR before it
 * and its LF after, one its line end on the last byte); the property pads some files past 1 MiB
 * with blank lines for the same reason. The small sizes are there for when chunks follow them.
 *
 * Runs go through BI_BIN when set (a private snapshot of the build, as `npm run soak` uses).
 *
 * Where things are: the harness (running the CLI, setting aside what a run cannot repeat,
 * comparing; shared constants; the golden cases' list) in workers/harness.ts; the `Export` builder
 * and the targeted cases in workers/scenarios.ts (a new one is a `Scenario` function there and a
 * line in `SCENARIOS`); the property's generated cases in workers/property.ts. This file holds
 * only the `describe` blocks.
 */
import fc from 'fast-check';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { numRuns, SEED } from '../property/gen.js';
import {
  CHUNKS,
  compareAll,
  correlateCases,
  expectNoCrash,
  expectSame,
  GOLDEN,
  goldenArgs,
  goldenChunks,
  keepOnFailure,
  needsMissingShared,
  runWith,
  scratch,
  writeCase,
  type Spec,
} from './workers/harness.js';
import { propCaseArb, propSpec } from './workers/property.js';
import { SCENARIOS } from './workers/scenarios.js';

// ---------------------------------------------------------------------------------------------
// 1. The golden cases (their list: workers/harness.ts).

describe.concurrent('golden correlate cases: --workers 2 writes what --workers 0 writes', () => {
  it.skip.for(correlateCases.filter(needsMissingShared))(
    '%s (needs ../shared/samples beside the checkout)',
    () => {},
  );
  it.for(
    correlateCases
      .filter((c) => !needsMissingShared(c))
      .map((name, i) => ({ name, chunks: goldenChunks(i) })),
  )('$name', { timeout: 180_000 }, async ({ name, chunks }, { expect }) => {
    const dir = join(GOLDEN, name);
    const stdin = join(dir, 'stdin');
    const spec: Spec = {
      cwd: dir,
      args: goldenArgs(name),
      input: existsSync(stdin) ? readFileSync(stdin) : Buffer.alloc(0),
    };
    const ref = await compareAll(expect, spec, chunks);
    // The reference is the golden expectation: so the pair compared is a real run, not two
    // copies of an error about --workers.
    expect(ref.status, 'the --workers 0 run: status').toBe(
      Number(readFileSync(join(dir, 'expected.status'), 'utf8')),
    );
    expect(ref.stderr.toString('utf8'), 'the --workers 0 run: stderr').toBe(
      readFileSync(join(dir, 'expected.stderr'), 'utf8'),
    );
    expect(ref.stdout.toString('utf8'), 'the --workers 0 run: stdout').toBe(
      readFileSync(join(dir, 'expected.stdout'), 'utf8'),
    );
    const expectedDir = join(dir, 'expected.files');
    const expectedFiles = existsSync(expectedDir) ? readdirSync(expectedDir).sort() : [];
    expect([...ref.files.keys()], 'the --workers 0 run: files').toEqual(expectedFiles);
    for (const f of expectedFiles)
      expect(ref.files.get(f)!.toString('utf8'), f).toBe(
        readFileSync(join(expectedDir, f), 'utf8'),
      );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Targeted cases (workers/scenarios.ts): records that matter sit at known lines, on known sides
// of the 1 MiB read boundaries.

describe.concurrent('targeted cases: --workers 2 writes what --workers 0 writes', () => {
  it.for(SCENARIOS)('$name', { timeout: 180_000 }, async (s, { expect }) => {
    const dir = writeCase(s, 'case');
    await keepOnFailure(dir, async () => {
      const ref = await compareAll(
        expect,
        { cwd: dir, args: ['correlate', ...s.args], input: s.input },
        CHUNKS,
      );
      s.check(expect, ref);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 3. The property: generated exports (test/property/gen.ts), some padded past a read boundary
// with blank lines, a users table, options, a chunk size; every output the same both ways. The
// cases are generated in workers/property.ts.

describe('property: generated exports, --workers 2 writes what --workers 0 writes', () => {
  it(
    'every output, byte for byte, whatever the chunk size',
    { timeout: 600_000 },
    async ({ expect }) => {
      let n = 0;
      const out = await fc.check(
        fc.asyncProperty(propCaseArb, async (c) => {
          const dir = mkdtempSync(join(scratch, `prop-${++n}-`));
          await keepOnFailure(dir, async () => {
            const spec = propSpec(dir, c);
            const [ref, par] = await Promise.all([runWith(spec, 0), runWith(spec, 2, c.chunk)]);
            expectNoCrash(expect, ref, 'the --workers 0 run');
            expectSame(
              expect,
              ref,
              par,
              `--workers 2, BREACH_IMPACT_CHUNK_BYTES=${c.chunk}, ${spec.args.join(' ')}`,
            );
          });
          rmSync(dir, { recursive: true, force: true });
        }),
        // Shrinking runs the CLI twice a step: after 4 minutes the smallest case found so far is
        // reported (a run that finds no failure in that time passes with the runs it made).
        // FC_END_ON_FAILURE=1 reports the first failing case as generated.
        {
          seed: SEED,
          numRuns: numRuns(12),
          endOnFailure: !!process.env.FC_END_ON_FAILURE,
          plugins: [fc.interruptAfterTimeLimit(240_000)],
        },
      );
      if (process.env.FC_REPORT)
        appendFileSync(
          process.env.FC_REPORT,
          JSON.stringify({
            name: 'workers',
            seed: SEED,
            runs: out.numRuns,
            failed: out.failed,
            shrinks: out.numShrinks,
          }) + '\n',
        );
      if (out.failed) {
        const why =
          out.errorInstance instanceof Error
            ? out.errorInstance.message
            : String(out.errorInstance);
        throw new Error(
          `${fc.defaultReportMessage(out) ?? `property "workers" failed (seed ${SEED})`}\n\nGot error: ${why}`,
        );
      }
    },
  );
});
