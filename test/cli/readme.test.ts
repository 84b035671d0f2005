/** The README's worked example is executed (csv-parse's samples test): its output must be real. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, run } from './run.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1]!,
  body: m[2]!,
}));

/** Every file below a folder, for a before/after look. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

it('README worked example runs as printed from the checkout, prints what the README shows, writes nothing into fixtures/', () => {
  const example = blocks.find(
    (b) => b.lang === 'console' && b.body.includes('$ npx breach-impact correlate'),
  )!;
  const lines = example.body.split('\n');
  const cmdStart = lines.findIndex((l) => l.startsWith('$ npx breach-impact'));
  let cmd = '';
  let i = cmdStart;
  for (; i < lines.length; i++) {
    cmd += lines[i]!.replace(/^\$ /, '').replace(/\\$/, ' ');
    if (!lines[i]!.endsWith('\\')) break;
  }
  const shownStderr = lines.slice(i + 1).join('\n');
  const out = mkdtempSync(join(tmpdir(), 'bi-readme-'));
  const before = tree(join(ROOT, 'fixtures'));
  try {
    const args = cmd.replace(/>.*$/, '').trim().split(/\s+/).slice(2);
    expect(args[0]).toBe('correlate');
    mkdirSync(join(out, 'results'));
    const r = run(
      args.map((a) => (a.startsWith('results/') ? join(out, a) : a)),
      { cwd: ROOT },
    );
    expect(r.status).toBe(0);
    expect(r.stderr.replaceAll(out + '/', '')).toBe(shownStderr);
    const csvBlocks = blocks.filter((b) => b.lang === 'csv');
    for (const row of csvBlocks[0]!.body.trimEnd().split('\n'))
      expect(r.stdout.split('\n')).toContain(row);
    expect(readFileSync(join(out, 'results/ambiguous.csv'), 'utf8')).toBe(csvBlocks[1]!.body);
    expect(tree(join(ROOT, 'fixtures'))).toEqual(before);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

it('README inspect example shows lines of the real output, in order', () => {
  const example = blocks.find(
    (b) => b.lang === 'console' && b.body.includes('$ npx breach-impact inspect'),
  )!;
  const lines = example.body.split('\n');
  const cmd = lines
    .find((l) => l.startsWith('$ npx breach-impact'))!
    .slice(2)
    .split(/\s+/)
    .slice(2);
  const shown = lines
    .slice(lines.findIndex((l) => l.startsWith('$ npx breach-impact')) + 1)
    .filter((l) => l !== '' && l.trim() !== '…');
  const r = run(cmd, { cwd: ROOT });
  expect(r.status).toBe(0);
  const real = r.stdout.split('\n');
  let at = 0;
  for (const l of shown) {
    const i = real.indexOf(l, at);
    expect(i, l).toBeGreaterThanOrEqual(at);
    at = i + 1;
  }
});

/** A console command as a shell splits it: words, and 'single-quoted' words with spaces. */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

it('#15 README mail-merge example gives the rows the README shows', () => {
  const example = blocks.find((b) => b.lang === 'console' && b.body.includes('--columns'))!;
  const cmd = example.body
    .split('\n')
    .map((l) => l.replace(/^\$ /, '').replace(/\\$/, ' '))
    .join(' ');
  const args = words(cmd.replace(/>.*$/, '')).slice(2);
  const r = run(args, { cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  const shown = blocks.find((b) => b.lang === 'csv' && b.body.startsWith('Email,Full Name'))!.body;
  expect(r.stdout.startsWith(shown)).toBe(true);
});
