/**
 * Google Analytics 4 → BigQuery export, as JSON rows (docs/FORMATS.md §5): `event_timestamp` in µs
 * UTC, `user_pseudo_id` (the browser's client id) and `user_id` (only when the site sets it),
 * nested `geo.*` and `device.*`, and `event_params` / `user_properties` as key–value arrays,
 * reported as `event_params.page_location`, `user_properties.plan`.
 */
import type { VendorPreset } from '../core/record.js';
import { exposeRoot, idString, isObject, pushEmails, pushIds, utcTime } from './fields.js';

const IDS = ['user_id', 'user_pseudo_id'];

/** `[{key, value: {string_value | int_value | float_value | double_value}}]` → `{key: value}`. */
function keyValues(list: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, unknown> = {};
  for (const item of list) {
    if (!isObject(item) || typeof item.key !== 'string') continue;
    const v = item.value;
    if (!isObject(v)) continue;
    out[item.key] = v.string_value ?? v.int_value ?? v.float_value ?? v.double_value ?? null;
  }
  return out;
}

export const ga4 = {
  name: 'ga4',
  wire: 4,
  expects:
    'a GA4 BigQuery row (event_timestamp with user_pseudo_id or event_params), or a flattened copy (user_pseudo_id with timestamp)',
  label: 'GA4 (BigQuery export)',
  shape: [
    'event_timestamp',
    'event_name',
    'user_pseudo_id',
    'event_params',
    'user_id',
    'geo',
    'device',
    'traffic_source',
    'privacy_info',
    'event_date',
  ],
  bookkeeping: new Set([
    'event_date',
    'event_timestamp',
    'event_previous_timestamp',
    'event_server_timestamp_offset',
    'event_bundle_sequence_id',
    'event_name',
    'stream_id',
    'batch_event_index',
    'batch_page_id',
    'batch_ordering_id',
    'is_active_user',
    'event_params.ga_session_number',
    'event_params.engagement_time_msec',
    'event_params.batch_ordering_id',
    'event_params.batch_page_id',
    'event_params.ignore_referrer',
    // Fivetran's GA4 export connector flattens a row: `geo_city`, `param_*`, its own columns
    'timestamp',
    'date',
    'name',
    'bundle_sequence_id',
    'is_intraday',
    'param_ga_session_number',
    'param_engagement_time_msec',
    '_fivetran_id',
    '_fivetran_synced',
  ]),
  residence: { country: ['geo.country', 'geo_country'], region: ['geo.region', 'geo_region'] },

  detect(raw) {
    return (
      ('event_timestamp' in raw && ('user_pseudo_id' in raw || 'event_params' in raw)) ||
      ('user_pseudo_id' in raw && 'timestamp' in raw)
    );
  },

  map(raw, out) {
    out.kind = 'event';
    out.name = idString(raw.event_name ?? raw.name);
    // µs since the epoch, UTC (docs/FORMATS.md §5): kept to the microsecond (core/time.ts); a
    // flattened copy's `timestamp` is UTC too.
    out.time = utcTime(raw.event_timestamp ?? raw.timestamp);
    pushIds(out, raw, IDS);
    const params = keyValues(raw.event_params);
    const props = keyValues(raw.user_properties);
    if (props) pushEmails(out, props, ['email']);
    out.deviceKey = idString(raw.user_pseudo_id);
    // The key–value arrays become objects so that their keys are field names (a copy: the
    // record itself is left as read).
    exposeRoot(
      out,
      params || props
        ? {
            ...raw,
            ...(params ? { event_params: params } : {}),
            ...(props ? { user_properties: props } : {}),
          }
        : raw,
    );
    return undefined;
  },
} satisfies VendorPreset;
