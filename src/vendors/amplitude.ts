/**
 * Amplitude: Export API / S3 NDJSON (one flat event per line, `user_properties` and
 * `event_properties` nested), the merged-ids file, and Fivetran-style CSV copies.
 * FORMATS.md §2: `event_time` is `YYYY-MM-DD HH:MM:SS.ffffff` UTC; identity is user_id,
 * device_id and amplitude_id (merged through the merge file).
 */
import { parseTimestamp } from '../core/time.js';
import { stripDevicePrefix } from '../core/normalize.js';
import type { VendorPreset } from '../core/record.js';
import { exposeRoot, first, idString, pushEmails, pushIds } from './fields.js';

const TIME = ['event_time', 'client_event_time', 'server_received_time', 'server_upload_time'];

export const amplitude = {
  name: 'amplitude',
  label: 'Amplitude',
  shape: ['event_type', 'amplitude_id', 'device_id', 'user_id', 'event_time', 'user_properties', 'event_properties', 'session_id', 'insert_id', 'server_upload_time'],
  bookkeeping: new Set([
    'event_time', 'client_event_time', 'client_upload_time', 'server_received_time', 'server_upload_time', 'processed_time',
    '$insert_id', '$insert_key', '$schema', 'uuid', 'event_id', 'event_type', 'library', 'sample_rate', 'is_attribution_event',
    'amplitude_event_type', 'amplitude_attribution_ids', 'data', 'data_type', 'app', 'partner_id', 'source_id', 'session_id',
    'merge_time', 'merge_server_time', 'scope',
    // Fivetran's own columns on warehouse copies
    '_fivetran_synced', '_fivetran_id', '_file', '_line', 'id',
  ]),
  identifiers: ['user_id', 'device_id', 'amplitude_id', 'merged_amplitude_id'],
  residence: { country: ['country'], region: ['region'] },

  detect(raw) {
    return ('event_type' in raw && ('amplitude_id' in raw || 'device_id' in raw)) || ('merged_amplitude_id' in raw && 'amplitude_id' in raw);
  },

  map(raw, out, ctx) {
    if ('merged_amplitude_id' in raw && !('event_type' in raw)) {
      // The merged-ids file: identity evidence, no event.
      out.kind = 'profile';
      pushIds(out, raw, ['amplitude_id', 'merged_amplitude_id']);
      exposeRoot(out, raw);
      return undefined;
    }
    if (!('event_type' in raw)) return 'not an Amplitude event';
    out.kind = 'event';
    out.name = idString(raw.event_type);
    const t = first(raw, TIME);
    out.time = t === undefined ? NaN : parseTimestamp(t, ctx.zone);
    pushIds(out, raw, ['user_id', 'device_id', 'amplitude_id']);
    pushEmails(out, raw, ['user_properties.email', 'user_properties.Email', 'email']);
    const device = idString(raw.device_id);
    out.deviceKey = device !== '' ? stripDevicePrefix(device) : idString(raw.user_id) === '' ? idString(raw.amplitude_id) : '';
    out.keys.ip = idString(raw.ip_address);
    out.keys.device_id = device;
    const uuid = idString(raw.uuid);
    out.dedupKey = uuid !== '' ? uuid : raw.$insert_id ? `${raw.$insert_id}\0${device}` : '';
    exposeRoot(out, raw);
    return undefined;
  },
} satisfies VendorPreset;
