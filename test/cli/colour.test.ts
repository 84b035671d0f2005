/** Colour only where wanted (issue #5): chalk alone ignores NO_COLOR, so term.ts adds it. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, run } from './run.js';

const args = ['correlate', '--export', 'export', '--users', 'users.csv'];
const cwd = join(ROOT, 'fixtures/demo');
const ESC = '\x1b[';

describe('summary colour', () => {
  it('is off in a pipe', () => {
    expect(run(args, { cwd, env: { NO_COLOR: '' } }).stderr).not.toContain(ESC);
  });
  it('is on with FORCE_COLOR', () => {
    expect(run(args, { cwd, env: { NO_COLOR: '', FORCE_COLOR: '1' } }).stderr).toContain(ESC);
  });
  it('is off with NO_COLOR, and FORCE_COLOR wins over it', () => {
    expect(run(args, { cwd, env: { NO_COLOR: '1' } }).stderr).not.toContain(ESC);
    expect(run(args, { cwd, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }).stderr).toContain(ESC);
  });
  it('never reaches stdout', () => {
    expect(run(args, { cwd, env: { FORCE_COLOR: '3' } }).stdout).not.toContain(ESC);
  });
});
