/**
 * Golden CLI cases (Miller's cmd/expout/experr): each `fixtures/golden/<case>/` holds `cmd`
 * (one argument per line; `$OUT` is a fresh output folder), an optional `stdin` file, and
 * `expected.stdout`, `expected.stderr`, `expected.status`, plus `expected.files/<name>` for
 * every file the command writes into `$OUT`. `UPDATE_GOLDEN=1 npx vitest run test/cli`
 * rewrites the expected files; review them with `git diff`.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accounting, ROOT, run } from './run.js';

const CASES = join(ROOT, 'fixtures/golden');
const update = !!process.env.UPDATE_GOLDEN;
const cases = readdirSync(CASES)
  .filter((c) => existsSync(join(CASES, c, 'cmd')))
  .sort();

/** Cases reading ../shared/samples run where the shared folder is beside the checkout (CI lays it there). */
const needsMissingShared = (name: string) => {
  const cmd = readFileSync(join(CASES, name, 'cmd'), 'utf8');
  return cmd
    .split('\n')
    .some((a) => a.includes('shared/samples/') && !existsSync(join(CASES, name, a)));
};

describe('golden CLI cases', () => {
  it.skip.each(cases.filter(needsMissingShared))(
    '%s (needs ../shared/samples beside the checkout)',
    () => {},
  );
  it.each(cases.filter((c) => !needsMissingShared(c)))('%s', (name) => {
    const dir = join(CASES, name);
    const out = mkdtempSync(join(tmpdir(), 'bi-golden-'));
    try {
      const args = readFileSync(join(dir, 'cmd'), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((a) => a.replaceAll('$OUT', out));
      const stdinPath = join(dir, 'stdin');
      const r = run(args, {
        cwd: dir,
        input: existsSync(stdinPath) ? readFileSync(stdinPath) : '',
      });
      const stderr = r.stderr.replaceAll(out, '$OUT');
      const files = Object.fromEntries(
        readdirSync(out)
          .sort()
          .map((f) => [f, readFileSync(join(out, f), 'utf8')]),
      );
      if (update) {
        writeFileSync(join(dir, 'expected.stdout'), r.stdout);
        writeFileSync(join(dir, 'expected.stderr'), stderr);
        writeFileSync(join(dir, 'expected.status'), `${r.status}\n`);
        rmSync(join(dir, 'expected.files'), { recursive: true, force: true });
        if (Object.keys(files).length) {
          mkdirSync(join(dir, 'expected.files'));
          for (const [f, text] of Object.entries(files))
            writeFileSync(join(dir, 'expected.files', f), text);
        }
        return;
      }
      expect(r.status).toBe(Number(readFileSync(join(dir, 'expected.status'), 'utf8')));
      expect(stderr).toBe(readFileSync(join(dir, 'expected.stderr'), 'utf8'));
      expect(r.stdout).toBe(readFileSync(join(dir, 'expected.stdout'), 'utf8'));
      const expectedDir = join(dir, 'expected.files');
      const expectedFiles = existsSync(expectedDir) ? readdirSync(expectedDir).sort() : [];
      expect(Object.keys(files)).toEqual(expectedFiles);
      for (const f of expectedFiles)
        expect(files[f], f).toBe(readFileSync(join(expectedDir, f), 'utf8'));
      // Nothing lost: whenever a run prints its accounting line, the buckets add up to read.
      const acc = accounting(stderr);
      if (acc) expect(acc.buckets.reduce((a, b) => a + b, 0)).toBe(acc.read);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
