/**
 * Issue 16: every fixture's records are claimed by their own preset's detect() only — so adding
 * a vendor cannot silently take another's files (--vendor auto picks the first that claims).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { isObject } from '../../src/vendors/fields.js';
import { PRESETS } from '../../src/vendors/index.js';
import { unwrap } from '../../src/vendors/wrappers.js';
import { ROOT } from '../cli/run.js';

/** Fixture folders and the preset whose records they hold. */
const OWNER: Array<[string, string]> = [
  ['fixtures/demo/export', 'mixpanel'],
  ['fixtures/vendors/amplitude/export', 'amplitude'],
  ['fixtures/vendors/segment/export', 'segment'],
  ['fixtures/vendors/posthog/export', 'posthog'],
  ['fixtures/vendors/ga4', 'ga4'],
  ['fixtures/wrappers/singer-tap-mixpanel.jsonl', 'mixpanel'],
  ['fixtures/wrappers/mixpanel-flat.jsonl', 'mixpanel'],
  ['fixtures/vendors/mixpanel-pipeline/export', 'mixpanel'],
  ['fixtures/wrappers/airbyte-protocol-amplitude.jsonl', 'amplitude'],
  ['fixtures/wrappers/amplitude-http-batch.json', 'amplitude'],
  ['fixtures/wrappers/airbyte-raw-segment.jsonl', 'segment'],
  ['fixtures/wrappers/segment-batch.json', 'segment'],
  ['fixtures/categories/ga4-privacy.ndjson', 'ga4'],
  ['fixtures/categories/posthog-flags.ndjson', 'posthog'],
];

function files(path: string): string[] {
  const p = join(ROOT, path);
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).flatMap((n) => files(relative(ROOT, join(p, n))));
}

/** The JSON records of a fixture file (NDJSON, a JSON document or array), containers unwrapped. */
function records(path: string): Record<string, unknown>[] {
  if (!/\.(ndjson|jsonl|json)(\.gz)?$/.test(path)) return [];
  const text = path.endsWith('.gz')
    ? gunzipSync(readFileSync(path)).toString('utf8')
    : readFileSync(path, 'utf8');
  let values: unknown[];
  try {
    values = [JSON.parse(text)]; // a JSON document or array
  } catch {
    values = text.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // a damaged line: a reject, claimed by no one
      }
    });
  }
  const out: Record<string, unknown>[] = [];
  const take = (v: unknown, depth: number): void => {
    if (Array.isArray(v)) return v.forEach((x) => take(x, depth));
    if (!isObject(v)) return;
    const c = depth < 4 ? unwrap(v) : undefined;
    if (c && 'inner' in c) return c.inner.forEach((x) => take(x, depth + 1));
    if (c) return; // a protocol line
    out.push(v);
  };
  values.forEach((v) => take(v, 0));
  return out;
}

it.each(
  OWNER.flatMap(([path, owner]) => files(path).map((f) => [relative(ROOT, f), owner] as const)),
)('%s is claimed by %s only', (file, owner) => {
  const recs = records(join(ROOT, file));
  let claimed = 0;
  for (const r of recs) {
    const by = Object.values(PRESETS)
      .filter((p) => p.detect(r))
      .map((p) => p.name);
    // Records no preset claims (a funnel row, a broken line) are read as rejects; none may be claimed by another.
    expect(
      by.filter((n) => n !== owner),
      JSON.stringify(r).slice(0, 200),
    ).toEqual([]);
    if (by.length) claimed++;
  }
  if (recs.length) expect(claimed, 'some record of the file is claimed').toBeGreaterThan(0);
});
