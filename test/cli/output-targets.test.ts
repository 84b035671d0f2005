/**
 * An output path that is a symlink or a device is written through, never replaced: `--out
 * /dev/null` once turned /dev/null into a regular file (run as root), and `--out link.csv`
 * replaced the link and left its target unwritten.
 */
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'bi-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEMO = [
  'correlate',
  '--export',
  'fixtures/demo/export',
  '--users',
  'fixtures/demo/users.csv',
];

describe('outputs written through, not replaced', () => {
  it('a symlink: the file it points at gets the output, the link stays a link', () => {
    const target = join(dir, 'target.csv');
    const link = join(dir, 'link.csv');
    writeFileSync(target, 'an older run\n');
    symlinkSync(target, link);
    const r = run([...DEMO, '--out', link, '--rejects', join(dir, 'rejects.csv'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toMatch(/^user_id,email,/);
  });

  it('a dangling symlink is replaced, never followed onto a file it might name (an input)', () => {
    const link = join(dir, 'dangling.csv');
    symlinkSync(join(dir, 'nowhere', 'x.csv'), link);
    const r = run([...DEMO, '--out', link, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isFile()).toBe(true);
  });

  // A device node of one's own needs root (CI runs as root); elsewhere this case is skipped.
  it.runIf(process.getuid?.() === 0)(
    'a device (a null device made for the test) stays a device',
    () => {
      const dev = join(dir, 'null');
      execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
      const r = run([...DEMO, '--out', dev, '--rejects', dev + '2', '--quiet']);
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(dev).isCharacterDevice()).toBe(true);
    },
  );
});
