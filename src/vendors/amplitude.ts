/**
 * Amplitude: Export API / S3 NDJSON (one flat event per line, `user_properties` and
 * `event_properties` nested), the merged-ids file, and Fivetran-style CSV copies.
 * docs/FORMATS.md §2: `event_time` is `YYYY-MM-DD HH:MM:SS.ffffff` UTC; identity is user_id,
 * device_id and amplitude_id (merged through the merge file).
 */
import { stripDevicePrefix } from '../core/normalize.js';
import type { VendorPreset } from '../core/record.js';
import { exposeRoot, first, idString, pushEmails, pushIds, utcTime } from './fields.js';

/** Event times, all UTC by Amplitude's definition (`time` is the HTTP API's epoch ms). */
const TIME = [
  'event_time',
  'client_event_time',
  'server_received_time',
  'server_upload_time',
  'time',
  // the browser SDK's own payload (amplitude-js 5, as a proxy in front of Amplitude keeps it)
  'timestamp',
];
const IDS = ['user_id', 'device_id', 'amplitude_id'];
const MERGE_IDS = ['amplitude_id', 'merged_amplitude_id'];

export const amplitude = {
  name: 'amplitude',
  wire: 1,
  expects:
    'an Amplitude event (event_type with user_id, device_id or amplitude_id) or a merged-ids row (amplitude_id, merged_amplitude_id)',
  label: 'Amplitude',
  shape: [
    'event_type',
    'amplitude_id',
    'device_id',
    'user_id',
    'event_time',
    'user_properties',
    'event_properties',
    'session_id',
    'insert_id',
    'server_upload_time',
  ],
  bookkeeping: new Set([
    'event_time',
    'client_event_time',
    'client_upload_time',
    'server_received_time',
    'server_upload_time',
    'processed_time',
    '$insert_id',
    '$insert_key',
    '$schema',
    'uuid',
    'event_id',
    'event_type',
    'library',
    'sample_rate',
    'is_attribution_event',
    'amplitude_event_type',
    'amplitude_attribution_ids',
    'data',
    'data_type',
    'app',
    'partner_id',
    'source_id',
    'session_id',
    'merge_time',
    'merge_server_time',
    'scope',
    // Fivetran's own columns on warehouse copies
    '_fivetran_synced',
    '_fivetran_id',
    '_file',
    '_line',
    'id',
    // the HTTP API's names (an Amplitude batch: vendors/wrappers.ts)
    'time',
    'insert_id',
    // Identify operations that carry no value: `{"$unset": {"gclid": "-"}}` removes a property,
    // and its "-" is Amplitude's placeholder, not the user's data.
    'user_properties.$unset',
    'user_properties.$clearAll',
    // The browser SDK's payload: its event time and counter, and the switches that tell
    // Amplitude what *not* to record (`tracking_options: {"city": false, "ip_address": false}`):
    // settings, not the person's city or IP address.
    'timestamp',
    'sequence_number',
    'api_properties.tracking_options',
  ]),
  /**
   * Amplitude's own "no value": the SDKs set each initial attribution property it has nothing
   * for (`initial_referrer`, `initial_utm_source` …) to "EMPTY", and the HTTP API takes
   * `ip: "$remote"` to mean "the IP the request came from", which the batch does not hold.
   */
  placeholder(name, value) {
    if (value === 'EMPTY') return /(^|\.)initial_[^.]*$/.test(name);
    return value === '$remote' && (name === 'ip' || name === 'ip_address');
  },
  residence: { country: ['country'], region: ['region'] },

  detect(raw) {
    return (
      ('event_type' in raw &&
        ('amplitude_id' in raw ||
          'device_id' in raw ||
          ('user_id' in raw && ('event_properties' in raw || 'user_properties' in raw)))) ||
      ('merged_amplitude_id' in raw && 'amplitude_id' in raw)
    );
  },

  map(raw, out) {
    if ('merged_amplitude_id' in raw && !('event_type' in raw)) {
      // The merged-ids file: identity evidence, no event.
      out.kind = 'profile';
      pushIds(out, raw, MERGE_IDS);
      exposeRoot(out, raw);
      return undefined;
    }
    if (!('event_type' in raw)) return 'not an Amplitude event: it has no event_type';
    out.kind = 'event';
    out.name = idString(raw.event_type);
    out.time = utcTime(first(raw, TIME));
    pushIds(out, raw, IDS);
    pushEmails(out, raw, ['user_properties.email', 'user_properties.Email', 'email']);
    const device = idString(raw.device_id);
    out.deviceKey =
      device !== ''
        ? stripDevicePrefix(device)
        : idString(raw.user_id) === ''
          ? idString(raw.amplitude_id)
          : '';
    const ip = idString(raw.ip_address ?? raw.ip);
    out.keys.ip = ip === '$remote' ? '' : ip;
    out.keys.device_id = device;
    const uuid = idString(raw.uuid);
    const insertId = raw.$insert_id ?? raw.insert_id;
    out.dedupKey = uuid !== '' ? uuid : insertId ? `${insertId}\0${device}` : '';
    exposeRoot(out, raw);
    return undefined;
  },
} satisfies VendorPreset;
