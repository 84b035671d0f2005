/**
 * Issue 14 through the CLI: what the manifest says of pipeline wrappers, protocol lines and
 * --timezone (the goldens pin the rest: fixtures/golden/wrapper-*, timezone-only-zoneless).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './run.js';

const out = mkdtempSync(join(tmpdir(), 'bi-pipelines-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const W = (f: string) => join('fixtures/wrappers', f);

function manifest(args: string[]): {
  inputs: Array<Record<string, unknown>>;
  counts: Record<string, number>;
} {
  const m = join(out, `m${Math.random()}.json`);
  const r = run(['correlate', ...args, '--users', W('users.csv'), '--manifest', m, '--quiet'], {
    cwd: ROOT,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(m, 'utf8'));
}

describe('#14 pipeline wrappers in the manifest', () => {
  it('Singer: the container and the vendor inside are recorded, protocol lines counted apart from records', () => {
    const m = manifest(['--export', W('singer-tap-mixpanel.jsonl')]);
    const e = m.inputs.find((i) => i.role === 'export')!;
    expect(e).toMatchObject({
      vendor: 'mixpanel',
      wrappers: ['singer'],
      protocol_lines: { 'Singer STATE': 3, 'Singer SCHEMA': 2, 'Singer ACTIVATE_VERSION': 1 },
      records: 8,
      rejected: 1,
    });
    expect(m.counts.read).toBe(8); // 14 lines: 8 records, 6 protocol lines
  });

  it.each([
    ['airbyte-protocol-amplitude.jsonl', 'amplitude', 'airbyte'],
    ['airbyte-raw-segment.jsonl', 'segment', 'airbyte-raw'],
    ['airbyte-typed-mixpanel.csv', 'mixpanel', 'airbyte-typed'],
    ['amplitude-http-batch.json', 'amplitude', 'amplitude-batch'],
    ['segment-batch.json', 'segment', 'capture-batch'],
  ])('%s: vendor %s inside %s', (file, vendor, wrapper) => {
    const e = manifest(['--export', W(file)]).inputs.find((i) => i.role === 'export')!;
    expect(e.vendor).toBe(vendor);
    expect(e.wrappers).toEqual([wrapper]);
  });

  it('flat Mixpanel connector records are recorded as mixpanel, not none', () => {
    expect(
      manifest(['--export', W('mixpanel-flat.jsonl')]).inputs.find((i) => i.role === 'export')!
        .vendor,
    ).toBe('mixpanel');
  });
});

describe('#14 --timezone shifts only times written without a zone', () => {
  it("records which inputs it shifted; Amplitude's times (UTC by definition) are never shifted", () => {
    const files = [
      'mixpanel-flat.jsonl',
      'airbyte-typed-mixpanel.csv',
      'amplitude-http-batch.json',
      'airbyte-protocol-amplitude.jsonl',
    ].map(W);
    const m = manifest(['--export', ...files, '--timezone', 'America/New_York']);
    const shifted = Object.fromEntries(
      m.inputs
        .filter((i) => i.role === 'export')
        .map((i) => [String(i.path).split('/').pop(), i.timezone_shifted ?? 0]),
    );
    expect(shifted).toEqual({
      'mixpanel-flat.jsonl': 1,
      'airbyte-typed-mixpanel.csv': 2,
      'amplitude-http-batch.json': 0,
      'airbyte-protocol-amplitude.jsonl': 0,
    });
    const rows = (tz: string) =>
      run(
        ['correlate', '--export', ...files, '--users', W('users.csv'), '--timezone', tz, '--quiet'],
        { cwd: ROOT },
      ).stdout.split('\n');
    const utc = rows('UTC'),
      ny = rows('America/New_York');
    // Amplitude's users keep their times; the zone-less Mixpanel connector rows move by 5 hours.
    expect(ny.find((l) => l.startsWith('u_2003,'))).toBe(utc.find((l) => l.startsWith('u_2003,')));
    expect(utc.find((l) => l.startsWith('u_2006,'))).toContain('2025-11-08T13:00:00Z');
    expect(ny.find((l) => l.startsWith('u_2006,'))).toContain('2025-11-08T18:00:00Z');
  });
});
