/**
 * PostHog: batch/file exports (JSON lines: `uuid, event, distinct_id, person_id, properties,
 * person_properties, timestamp`), the legacy CSV export (dotted columns like
 * `properties.$browser`), the persons table (distinct_id → person_id, an identity map) and the
 * capture payload (`{"batch": [...]}`). docs/FORMATS.md §4.
 */
import { stripDevicePrefix } from '../core/normalize.js';
import type { VendorPreset } from '../core/record.js';
import {
  at,
  exposeRoot,
  first,
  idString,
  isDirectReferrer,
  isObject,
  pushEmails,
  pushId,
  pushIds,
  utcTime,
} from './fields.js';
import { isPipelineRow } from './mixpanel.js';

const IDS = [
  'distinct_id',
  'person_id',
  'properties.$user_id',
  'properties.$device_id',
  'properties.$anon_distinct_id',
  'properties.alias',
  'properties.distinct_id',
];
const EMAILS = [
  'person_properties.email',
  'properties.$set.email',
  'properties.email',
  'properties.$set_once.email',
];

export const posthog = {
  name: 'posthog',
  wire: 3,
  expects:
    'a PostHog event (event, distinct_id, properties, timestamp) or person (distinct_id with person_id, or distinct_ids with properties)',
  label: 'PostHog',
  shape: [
    'event',
    'distinct_id',
    'uuid',
    'properties',
    'timestamp',
    'person_id',
    '$lib',
    '$session_id',
    'elements_chain',
    'person_properties',
  ],
  bookkeeping: new Set([
    'uuid',
    'id',
    'event',
    'timestamp',
    'created_at',
    '_inserted_at',
    'team_id',
    'elements_chain',
    'person_distinct_id_version',
    'person_version',
    'version',
    'is_deleted',
    'properties.$lib',
    'properties.$lib_version',
    'properties.$insert_id',
    'properties.$time',
    'properties.$sent_at',
    'properties.token',
    'properties.$plugins_succeeded',
    'properties.$plugins_failed',
    'api_key',
    'historical_migration',
    'sent_at',
    'offset',
  ]),
  // In the persons table `properties` are the person's own: its `name` is a person's name.
  categories: {
    'properties.name': 'contact',
    'properties.first_name': 'contact',
    'properties.last_name': 'contact',
  },
  residence: {
    country: ['properties.$geoip_country_code'],
    region: ['properties.$geoip_subdivision_1_code', 'properties.$geoip_subdivision_1_name'],
  },
  placeholder: isDirectReferrer,

  detect(raw) {
    // Mixpanel's pipeline rows have distinct_id and properties too (and $device_id in them).
    if (isPipelineRow(raw)) return false;
    // Segment's track messages also carry event, properties and timestamp: theirs say who they
    // are with type/messageId/anonymousId/userId, which PostHog's rows never have.
    if (
      'messageId' in raw ||
      'anonymousId' in raw ||
      'userId' in raw ||
      typeof raw.type === 'string'
    )
      return false;
    if (
      typeof raw.event === 'string' &&
      isObject(raw.properties) &&
      ('timestamp' in raw || 'uuid' in raw || 'distinct_id' in raw)
    )
      return true;
    // A person from the persons API or its export: its distinct ids as a list.
    if (
      Array.isArray(raw.distinct_ids) &&
      isObject(raw.properties) &&
      ('uuid' in raw || 'created_at' in raw)
    )
      return true;
    const props = at(raw, 'properties');
    return (
      ('distinct_id' in raw &&
        ('person_id' in raw ||
          'uuid' in raw ||
          'elements_chain' in raw ||
          (isObject(props) &&
            ('$lib' in props || '$device_id' in props || '$session_id' in props)))) ||
      Array.isArray(raw.batch) ||
      Object.keys(raw).some((k) => k.startsWith('properties.$'))
    );
  },

  map(raw, out) {
    const isEvent = 'event' in raw;
    out.kind = isEvent ? 'event' : 'profile';
    out.name = idString(raw.event);
    // UTC by PostHog's definition (ISO with +00:00, or `$time` in epoch seconds).
    if (isEvent) out.time = utcTime(first(raw, ['timestamp', 'properties.$time']));
    pushIds(out, raw, IDS);
    if (Array.isArray(raw.distinct_ids))
      for (const v of raw.distinct_ids) pushId(out, v, 'distinct_ids');
    pushEmails(out, raw, EMAILS);
    const device = idString(at(raw, 'properties.$device_id'));
    const did = idString(raw.distinct_id);
    out.deviceKey =
      device !== ''
        ? stripDevicePrefix(device)
        : at(raw, 'properties.$is_identified') === false
          ? did
          : '';
    out.keys.ip = idString(at(raw, 'properties.$ip'));
    out.keys.user_agent = idString(at(raw, 'properties.$raw_user_agent'));
    out.keys.device_id = device;
    out.dedupKey = isEvent ? idString(first(raw, ['uuid', 'id'])) : '';
    exposeRoot(out, raw);
    return undefined;
  },
} satisfies VendorPreset;
