/**
 * Mixpanel's pipeline rows (docs/FORMATS.md §1.3), mapped one by one: JSON Data Pipelines'
 * events, people and identity mappings, and the older schematized pipeline's flat rows.
 */
import { describe, expect, it } from 'vitest';
import { forEachField, VendorRecord, type MapContext } from '../../src/core/record.js';
import { ianaZone } from '../../src/core/time.js';
import { mixpanel } from '../../src/vendors/mixpanel.js';
import { posthog } from '../../src/vendors/posthog.js';

// --timezone Europe/Berlin given: a time it may shift would move by an hour.
const BERLIN: MapContext = { zone: ianaZone('Europe/Berlin'), localEpochs: true };

function mapped(raw: Record<string, unknown>): VendorRecord {
  const out = new VendorRecord();
  expect(mixpanel.detect(raw)).toBe(true);
  expect(posthog.detect(raw)).toBe(false);
  expect(mixpanel.map(raw, out, BERLIN)).toBeUndefined();
  return out;
}

const EVENT = {
  device_id: 'd-1',
  distinct_id: '$device:d-1',
  event_name: 'Page View',
  insert_id: 'ins-1',
  properties: {
    $device_id: 'd-1',
    $current_url: 'https://app.example.com/',
    $email: 'a@example.com',
  },
  time: '2025-11-08T09:00:00.123Z',
  user_id: null,
};

describe('Mixpanel JSON Data Pipelines rows', () => {
  it('an event: name, UTC time never shifted, ids, device key, dedup key', () => {
    const r = mapped(EVENT);
    expect(r.kind).toBe('event');
    expect(r.name).toBe('Page View');
    expect(r.time).toBe(Date.UTC(2025, 10, 8, 9, 0, 0, 123));
    expect(r.shifted).toBeFalsy();
    expect(r.ids).toEqual(['$device:d-1', 'd-1']);
    expect(r.emails).toEqual(['a@example.com']);
    expect(r.deviceKey).toBe('d-1');
    expect(r.dedupKey).toBe(`Page View\0$device:d-1\0${r.time}\0ins-1`);
  });

  it('an event from a BigQuery extract: `… UTC` time, properties as JSON text', () => {
    const r = mapped({
      ...EVENT,
      time: '2025-11-08 09:00:00.123 UTC',
      properties: JSON.stringify(EVENT.properties),
    });
    expect(r.time).toBe(Date.UTC(2025, 10, 8, 9, 0, 0, 123));
    expect(r.emails).toEqual(['a@example.com']);
    expect(r.deviceKey).toBe('d-1');
    // The same event as the JSON pipeline file wrote it: one dedup key, so one record.
    expect(r.dedupKey).toBe(mapped(EVENT).dedupKey);
  });

  it('a $merge joins the ids it lists, as in the raw export', () => {
    const r = mapped({
      ...EVENT,
      event_name: '$merge',
      properties: { $distinct_ids: ['$device:d-1', 'u_1'] },
    });
    expect(r.ids).toEqual(['$device:d-1', 'd-1', 'u_1']);
  });

  it('a people row and an identity mapping: identity evidence with no time', () => {
    const p = mapped({ distinct_id: 'u_1', properties: { $email: 'b@example.com', $name: 'B' } });
    expect(p.kind).toBe('profile');
    expect(p.time).toBeNaN();
    expect(p.emails).toEqual(['b@example.com']);
    const m = mapped({ distinct_id: '$device:d-1', resolved_distinct_id: 'u_1' });
    expect(m.kind).toBe('profile');
    expect(m.ids).toEqual(['$device:d-1', 'u_1']);
  });

  it('not a pipeline row: PostHog persons and events keep their own preset', () => {
    const person = { distinct_id: 'x', person_id: 'p', properties: { $device_id: 'd' } };
    expect(mixpanel.detect(person)).toBe(false);
    expect(posthog.detect(person)).toBe(true);
    const event = {
      event: '$pageview',
      distinct_id: 'x',
      properties: {},
      uuid: 'u',
      timestamp: 't',
    };
    expect(mixpanel.detect(event)).toBe(false);
  });
});

describe('the older schematized pipeline', () => {
  it('mp_event_name is the name, mp_insert_id the dedup key, neither an exposed field', () => {
    // Detected by its own columns, with no other Mixpanel column beside them.
    const r = mapped({ mp_event_name: 'Signup', mp_insert_id: 'abc', distinct_id: 'u_1', time: 1 });
    expect(r.name).toBe('Signup');
    expect(r.dedupKey).toContain('abc');
    expect(mixpanel.bookkeeping.has('mp_event_name')).toBe(true);
    expect(mixpanel.bookkeeping.has('mp_insert_id')).toBe(true);
  });
});

describe('export noise (ak--47/mixpanel-import tests/fixtures/noise)', () => {
  it("Mixpanel's storage metadata is bookkeeping; identifiers and the raw user agent stay exposed", () => {
    for (const k of ['$mp_event_size', '$possible_duplicate', '$is_reshuffled', '$warehouse_table'])
      expect(mixpanel.bookkeeping.has(k), k).toBe(true);
    for (const k of ['$preshuffle_distinct_id', '$original_distinct_id', '$mp_raw_user_agent'])
      expect(mixpanel.bookkeeping.has(k), k).toBe(false);
  });
});

describe('Mixpanel profiles flattened by the tool that exported them', () => {
  // mixpanel-engage-query's README shows its output so: the properties beside `$distinct_id`,
  // no `$properties`. Only `$distinct_id` was reported, not the city, timezone or nickname.
  it('exposes the properties written beside $distinct_id', () => {
    const out = new VendorRecord();
    const raw = {
      $browser: 'Chrome',
      $city: 'Kathmandu',
      $country_code: 'NP',
      $initial_referrer: '$direct',
      $timezone: 'Asia/Katmandu',
      nickname: 'sample-nick',
      $distinct_id: '15b9cba739b75-03c7e24a3',
      $email: 'p@example.com',
    };
    expect(mixpanel.map(raw, out, BERLIN)).toBeUndefined();
    out.preset = mixpanel;
    const names: string[] = [];
    forEachField(out, mixpanel.bookkeeping, (name) => names.push(name));
    expect(out.kind).toBe('profile');
    expect(out.ids).toEqual(['15b9cba739b75-03c7e24a3']);
    expect(out.emails).toEqual(['p@example.com']);
    expect(names.sort()).toEqual(
      [
        '$browser',
        '$city',
        '$country_code',
        '$distinct_id',
        '$email',
        '$timezone',
        'nickname',
      ].sort(),
    );
  });
});

describe("Mixpanel's project token", () => {
  // A tracking call's properties carry the project's token (a real capture: "token":
  // "4b1009bb…" beside $city): the project's, public in its pages, not the person's credential.
  it('is not an exposed field', () => {
    const out = new VendorRecord();
    const raw = {
      event: 'Page View',
      properties: {
        token: '4b1009bbca2c2045c5b045d9e75c6e49',
        time: 1700795411,
        distinct_id: 'u1',
        $city: 'Nairobi',
      },
    };
    expect(mixpanel.map(raw, out, BERLIN)).toBeUndefined();
    out.preset = mixpanel;
    const names: string[] = [];
    forEachField(out, mixpanel.bookkeeping, (name) => names.push(name));
    expect(names.sort()).toEqual(['$city', 'distinct_id']);
  });
});
