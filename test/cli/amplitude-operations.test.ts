/**
 * Amplitude's own conventions for "no value", which must not read as exposed data:
 * - HTTP API batches carry Identify operations in `user_properties`: `$unset` and `$clearAll`
 *   name properties to remove, with "-" as their value;
 * - the SDKs set each initial attribution property they have nothing for to "EMPTY";
 * - the HTTP API's `ip: "$remote"` means "the IP the request came from", not an IP;
 * - the browser SDK's payload says what Amplitude must *not* record in
 *   `api_properties.tracking_options` (`{"city": false, "ip_address": false}`).
 * The shapes are those navikt/amplitude-proxy keeps as examples (examples/amplitude-v2-api-
 * event.json, examples/amplitude-event.json), cut down, with values of our own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { run } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'bi-amp-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const batch = {
  api_key: 'default',
  events: [
    {
      device_id: '6fc4f5bf-05cd-4605-bd6c-7211b6805c0aR',
      session_id: 1568981102098,
      time: 1568984110457,
      platform: 'Web',
      os_name: 'Chrome',
      language: 'en-GB',
      ip: '$remote',
      insert_id: '128d23c3-a4b4-4013-9e08-d0f845fcd1db',
      event_type: 'start game',
      user_properties: {
        $setOnce: {
          initial_utm_source: 'EMPTY',
          initial_referrer: 'https://news.example.org/story?id=7',
          initial_gclid: 'EMPTY',
        },
        $unset: { utm_source: '-', referrer: '-', gclid: '-' },
        $clearAll: '-',
      },
      event_id: 4,
      library: 'amplitude-ts/1.6.1',
    },
  ],
  options: {},
};

/** Runs correlate on `record` as a JSON file against a one-user table: the unmatched file's lines. */
function unmatchedLines(name: string, record: object): string[] {
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(record, null, 2));
  writeFileSync(join(dir, 'users.csv'), 'id,email\nu1,one@example.com\n');
  const unmatched = join(dir, `${name}-unmatched.csv`);
  const r = run([
    'correlate',
    '--export',
    join(dir, `${name}.json`),
    '--users',
    join(dir, 'users.csv'),
    '--unmatched',
    unmatched,
  ]);
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(unmatched, 'utf8').trim().split('\n');
}

it('$unset, $clearAll, "EMPTY" and ip "$remote" expose nothing; real $setOnce values do', () => {
  const [, row] = unmatchedLines('batch', batch);
  const fields = row!.split(',').at(-1)!.split(';');
  expect(fields).toContain('user_properties.$setOnce.initial_referrer');
  expect(fields.filter((f) => f.includes('$unset') || f.includes('$clearAll'))).toEqual([]);
  expect(fields).not.toContain('user_properties.$setOnce.initial_gclid');
  expect(fields).not.toContain('user_properties.$setOnce.initial_utm_source');
  expect(fields).not.toContain('ip');
  expect(fields).toEqual(expect.arrayContaining(['device_id', 'language', 'os_name', 'platform']));
});

it("the browser SDK's payload: its opt-out switches are no location, its timestamp its time", () => {
  const event = {
    device_id: '0b1e5c7a-93d4-4f0e-8d55-6a2f1c9e7b31R',
    user_id: null,
    timestamp: 1762600000123,
    event_id: 9,
    session_id: 1762599000000,
    event_type: 'open settings',
    platform: 'Web',
    os_name: 'Firefox',
    language: 'nb-NO',
    api_properties: { tracking_options: { city: false, ip_address: false } },
    event_properties: {},
    user_properties: {},
    uuid: '5d0a3f0e-2b8c-4c55-9a47-0c6f1e2d3b4a',
    library: { name: 'amplitude-js', version: '5.3.1' },
    sequence_number: 9,
  };
  expect(unmatchedLines('sdk', event)).toEqual([
    'vendor_id,records,first_seen,last_seen,emails_seen,exposed_fields',
    '0b1e5c7a-93d4-4f0e-8d55-6a2f1c9e7b31R,1,2025-11-08T11:06:40.123Z,2025-11-08T11:06:40.123Z,,device_id;language;os_name;platform',
  ]);
});
