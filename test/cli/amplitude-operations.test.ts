/**
 * Amplitude's HTTP API batches carry Identify operations in `user_properties`. `$unset` and
 * `$clearAll` name properties to remove, with "-" as their value: no data of the user's, so no
 * exposed field. The batch is the one navikt/amplitude-proxy keeps as its example
 * (examples/amplitude-v2-api-event.json), cut to three properties per operation.
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
      insert_id: '128d23c3-a4b4-4013-9e08-d0f845fcd1db',
      event_type: 'start game',
      user_properties: {
        $setOnce: {
          initial_utm_source: 'EMPTY',
          initial_referrer: 'EMPTY',
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

it('$unset and $clearAll expose nothing; $setOnce values are exposed as sent', () => {
  writeFileSync(join(dir, 'batch.json'), JSON.stringify(batch, null, 2));
  writeFileSync(join(dir, 'users.csv'), 'id,email\nu1,one@example.com\n');
  const unmatched = join(dir, 'unmatched.csv');
  const r = run([
    'correlate',
    '--export',
    join(dir, 'batch.json'),
    '--users',
    join(dir, 'users.csv'),
    '--unmatched',
    unmatched,
  ]);
  expect(r.status, r.stderr).toBe(0);
  const [, row] = readFileSync(unmatched, 'utf8').trim().split('\n');
  const fields = row!.split(',').at(-1)!.split(';');
  expect(fields).toContain('user_properties.$setOnce.initial_gclid');
  expect(fields.filter((f) => f.includes('$unset') || f.includes('$clearAll'))).toEqual([]);
  expect(fields).toEqual(expect.arrayContaining(['device_id', 'language', 'os_name', 'platform']));
});
