/**
 * The property of test/cli/workers.test.ts (section 3): a generated case (test/property/gen.ts),
 * NDJSON files some of which are padded past a 1 MiB read boundary with blank lines, a users
 * table, options and a chunk size, written into a case folder as the `Spec` both runs take.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  buildFile,
  ndjsonArb,
  fileArb,
  sometimes,
  userEmail,
  userId,
  userKey,
  type FileModel,
  type UsersSpec,
} from '../../property/gen.js';
import { MiB, SIDE, WINDOW, type Spec } from './harness.js';

interface PropFile {
  model: FileModel;
  /** NDJSON only: blank lines of ~1 KiB (or one long blank line) inserted after line `after`, past 1 MiB. */
  pad?: { after: number; bytes: number; long: boolean };
  ext: string;
}

export interface PropCase {
  users: UsersSpec;
  files: PropFile[];
  windowed: boolean;
  vendor: 'auto' | 'mixpanel';
  strict: boolean;
  stdin: boolean;
  explain: boolean;
  basis: boolean;
  format: 'csv' | 'json' | 'ndjson';
  chunk: number;
}

const valueOpts = { splices: true, deep: false };
export const propCaseArb: fc.Arbitrary<PropCase> = fc.record({
  users: fc.record({ n: fc.integer({ min: 1, max: 4 }), numeric: fc.boolean() }),
  files: fc.array(
    fc.record(
      {
        model: fc.oneof(
          { weight: 4, arbitrary: ndjsonArb(valueOpts) },
          { weight: 1, arbitrary: fileArb(valueOpts) },
        ),
        pad: sometimes(
          fc.record({
            after: fc.nat(12),
            bytes: fc.integer({ min: MiB, max: MiB + 5000 }),
            long: fc.boolean(),
          }),
          0.4,
        ),
        ext: fc.constantFrom('.ndjson', '.json', '.jsonl', '.gz', ''),
      },
      { requiredKeys: ['model', 'ext'] },
    ),
    { minLength: 1, maxLength: 3 },
  ),
  windowed: fc.boolean(),
  vendor: fc.constantFrom('auto' as const, 'mixpanel' as const),
  // WORKERS_STRICT=0 leaves --strict out, to look past a --strict difference for others.
  strict:
    process.env.WORKERS_STRICT === '0'
      ? fc.constant(false)
      : fc.oneof(
          { weight: 1, arbitrary: fc.constant(true) },
          { weight: 5, arbitrary: fc.constant(false) },
        ),
  stdin: fc.oneof(
    { weight: 1, arbitrary: fc.constant(true) },
    { weight: 3, arbitrary: fc.constant(false) },
  ),
  explain: fc.boolean(),
  basis: fc.boolean(),
  format: fc.constantFrom('csv' as const, 'json' as const, 'ndjson' as const),
  chunk: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(1, 64, 300, 4096, 65_536)),
});

/** The file's bytes: the generator's, padded and (re)compressed as its model says. */
function propBytes(f: PropFile, u: UsersSpec, windowed: boolean): Buffer {
  const built = buildFile(f.model, u, windowed);
  if (!f.pad || f.model.form !== 'ndjson') return built.bytes;
  let plain = built.plain;
  let at = plain[0] === 0xef && plain[1] === 0xbb && plain[2] === 0xbf ? 3 : 0;
  for (let k = 0; k < f.pad.after; k++) {
    const nl = plain.indexOf(0x0a, at);
    if (nl < 0) break;
    at = nl + 1;
  }
  const blank = f.pad.long
    ? Buffer.from(' '.repeat(f.pad.bytes) + '\n')
    : Buffer.from(
        ('\t'.repeat(8) + ' '.repeat(1000) + '\r\n').repeat(Math.ceil(f.pad.bytes / 1011)),
      );
  plain = Buffer.concat([plain.subarray(0, at), blank, plain.subarray(at)]); // where a line begins
  const gz = f.model.gzip;
  if (!gz.gz) return plain;
  const z = gzipSync(plain);
  return gz.cut === undefined ? z : z.subarray(0, 2 + Math.floor(gz.cut * (z.length - 2)));
}

function propUsers(u: UsersSpec): string {
  const rows = ['id,email,mp,name'];
  for (let i = 1; i <= u.n; i++)
    rows.push(`${userId(u, i)},${userEmail(i)},${userKey(i)},Name ${i}`);
  return rows.join('\n') + '\n';
}

export function propSpec(dir: string, c: PropCase): Spec {
  const paths = c.files.map((f, i) => (c.stdin && i === 0 ? '-' : `e${i}${f.ext}`));
  let input: Buffer | undefined;
  c.files.forEach((f, i) => {
    const bytes = propBytes(f, c.users, c.windowed);
    if (paths[i] === '-') input = bytes;
    else writeFileSync(join(dir, paths[i]!), bytes);
  });
  writeFileSync(join(dir, 'users.csv'), propUsers(c.users));
  const args = [
    'correlate',
    ...paths.flatMap((p) => ['--export', p]),
    '--users',
    'users.csv',
    '--user-key',
    'mp',
    '--vendor',
    c.vendor,
    '--format',
    c.format,
    ...SIDE,
  ];
  if (c.windowed) args.push('--window', WINDOW);
  if (c.strict) args.push('--strict');
  if (c.explain) args.push('--explain', userId(c.users, 1));
  if (c.basis) args.push('--notification-basis');
  // Kept with the files when the case fails: the two runs, to repeat by hand.
  if (input) writeFileSync(join(dir, 'stdin'), input);
  const line = (w: number, out: string) =>
    ['node "$BIN"', 'correlate', '--workers', String(w), ...args.slice(1)]
      .map((a) => (a.includes('$OUT') ? a.replace('$OUT', out) : a))
      .join(' ') + (input ? ' < stdin' : '');
  writeFileSync(
    join(dir, 'repro.sh'),
    `# BIN=.../bin/breach-impact.js sh repro.sh; then diff -r out0 out2\nmkdir -p out0 out2\n${line(0, 'out0')} > out0/stdout 2> out0/stderr\nBREACH_IMPACT_CHUNK_BYTES=${c.chunk} ${line(2, 'out2')} > out2/stdout 2> out2/stderr\n`,
  );
  return { cwd: dir, args, input };
}
