/**
 * Issue 14: pipeline containers, told from the record's shape, on the shapes of real samples
 * (fixtures/wrappers/README.md names them): the records inside, or a protocol line.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../src/vendors/wrappers.js';

describe('#14 wrappers as containers (vendors/wrappers.ts)', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    [
      'Singer RECORD (tap-mixpanel)',
      {
        type: 'RECORD',
        stream: 'export',
        record: { event: 'Page View', time: '2020-02-17T06:52:46.000000Z', distinct_id: 'x' },
        time_extracted: '2021-08-27T11:14:29.725574Z',
      },
      {
        wrapper: 'singer',
        inner: [{ event: 'Page View', time: '2020-02-17T06:52:46.000000Z', distinct_id: 'x' }],
        stream: 'export',
      },
    ],
    [
      'Singer SCHEMA',
      { type: 'SCHEMA', stream: 'export', schema: { type: 'object' }, key_properties: [] },
      { protocol: 'Singer SCHEMA' },
    ],
    [
      'Singer STATE',
      { type: 'STATE', value: { currently_syncing: 'export' } },
      { protocol: 'Singer STATE' },
    ],
    [
      'Singer ACTIVATE_VERSION',
      { type: 'ACTIVATE_VERSION', stream: 'engage', version: 1 },
      { protocol: 'Singer ACTIVATE_VERSION' },
    ],
    [
      'Airbyte RECORD message',
      {
        type: 'RECORD',
        record: { stream: 'events', data: { event_type: 'x' }, emitted_at: 1694709513300 },
      },
      { wrapper: 'airbyte', inner: [{ event_type: 'x' }], stream: 'events' },
    ],
    [
      'Airbyte RECORD with no stream (sync1_messages)',
      { type: 'RECORD', record: { emitted_at: 1000, data: { id1: 1 } } },
      { wrapper: 'airbyte', inner: [{ id1: 1 }], stream: undefined },
    ],
    ['Airbyte STATE', { type: 'STATE', state: { type: 'STREAM' } }, { protocol: 'Airbyte STATE' }],
    [
      'Airbyte LOG',
      { type: 'LOG', log: { level: 'INFO', message: 'x' } },
      { protocol: 'Airbyte LOG' },
    ],
    [
      'Airbyte TRACE',
      { type: 'TRACE', trace: { type: 'STREAM_STATUS' } },
      { protocol: 'Airbyte TRACE' },
    ],
    [
      'Airbyte record (expected_records.jsonl)',
      { stream: 'engage', data: { distinct_id: 'a' }, emitted_at: 1 },
      { wrapper: 'airbyte-record', inner: [{ distinct_id: 'a' }], stream: 'engage' },
    ],
    [
      'Airbyte raw table, data as an object',
      { _airbyte_raw_id: 'u', _airbyte_extracted_at: 't', _airbyte_data: { id1: 1 } },
      { wrapper: 'airbyte-raw', inner: [{ id1: 1 }] },
    ],
    [
      'Airbyte raw table, data as JSON text',
      { _airbyte_raw_id: 'u', _airbyte_data: '{"type":"track"}' },
      { wrapper: 'airbyte-raw', inner: [{ type: 'track' }] },
    ],
    [
      'Airbyte typed table: the _airbyte_ columns go',
      {
        _airbyte_raw_id: 'u',
        _airbyte_extracted_at: 't',
        _airbyte_meta: '{}',
        event: 'Purchase',
        distinct_id: 'u1',
      },
      { wrapper: 'airbyte-typed', inner: [{ event: 'Purchase', distinct_id: 'u1' }] },
    ],
    [
      'Amplitude HTTP API batch',
      { api_key: 'k', events: [{ event_type: 'x' }] },
      { wrapper: 'amplitude-batch', inner: [{ event_type: 'x' }], vendor: 'amplitude' },
    ],
    [
      'PostHog capture batch',
      { api_key: 'k', historical_migration: false, batch: [{ event: '$pageview' }] },
      { wrapper: 'capture-batch', inner: [{ event: '$pageview' }], vendor: 'posthog' },
    ],
    [
      'Segment batch (analytics-go)',
      { batch: [{ type: 'alias' }], context: {}, messageId: 'm', sentAt: 1 },
      { wrapper: 'capture-batch', inner: [{ type: 'alias' }] },
    ],
    [
      'Mixpanel Engage page',
      { page: 0, results: [{ $distinct_id: 'a' }] },
      { wrapper: 'results-page', inner: [{ $distinct_id: 'a' }] },
    ],
    [
      'PostHog persons API page',
      { next: null, results: [{ distinct_ids: ['1234'], properties: {} }] },
      { wrapper: 'results-page', inner: [{ distinct_ids: ['1234'], properties: {} }] },
    ],
  ])('%s', (_name, raw, expected) => {
    expect(unwrap(raw)).toEqual(expected);
  });

  it('a raw table row whose _airbyte_data is not JSON holds one unreadable record, with the reason', () => {
    const u = unwrap({ _airbyte_raw_id: 'u', _airbyte_data: '{"type": "track", "event": "Cut' });
    expect(u).toMatchObject({ wrapper: 'airbyte-raw', inner: [] });
    expect((u as { broken: string }).broken).toMatch(/^its _airbyte_data is not valid JSON: /);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a Mixpanel event', { event: 'x', properties: { time: 1 } }],
    ['a Segment track message (lower-case type)', { type: 'track', userId: 'u', event: 'x' }],
    ['a Segment identify', { type: 'identify', userId: 'u', traits: {} }],
    ['an Amplitude event', { event_type: 'x', device_id: 'd', user_id: 'u' }],
    ['a PostHog event', { event: '$pageview', distinct_id: 'd', properties: {}, timestamp: 't' }],
    ['a GA4 row', { event_timestamp: '1', user_pseudo_id: 'p', event_params: [] }],
    [
      'a record whose own field is named type: RECORD',
      { type: 'RECORD', event: 'x', properties: {} },
    ],
  ])('is not a container: %s', (_name, raw) => {
    expect(unwrap(raw)).toBeUndefined();
  });
});
