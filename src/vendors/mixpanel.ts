/**
 * Mixpanel: the raw event export (`{"event", "properties": {...}}`), the Engage/people
 * export (`{"$distinct_id", "$properties": {...}}`, paged as `{"results": [...]}`), connector
 * copies, and the JSON Data Pipelines' events, people and identity-mapping rows.
 * docs/FORMATS.md §1; identity fields from Mixpanel's reserved-properties reference.
 */
import { isEmailShaped, isHashShaped, stripDevicePrefix } from '../core/normalize.js';
import type { MapContext, VendorPreset, VendorRecord } from '../core/record.js';
import { idString, isDirectReferrer, isObject, localTime, pushId, utcTime } from './fields.js';

/**
 * Every identifier property (SPEC §3): never `distinct_id` alone. The one declaration: the raw
 * export reads them from `properties`, connector copies from the top level, where Airbyte and
 * Fivetran strip the `$` (docs/FORMATS.md §1.5) and Singer taps keep it.
 */
const ID_PROPS = [
  'distinct_id',
  '$device_id',
  '$user_id',
  '$distinct_id_before_identity',
  '$identified_id',
  '$anon_id',
  '$anon_distinct_id',
  'alias',
  'mp_original_distinct_id',
] as const;

/** A connector's name for a property: as written, else with the `$` Airbyte and Fivetran strip. */
function flat(raw: Record<string, unknown>, k: string): [value: unknown, field: string] {
  const v = raw[k];
  if (v !== undefined && v !== null && v !== '') return [v, k];
  const bare = k.startsWith('$') ? k.slice(1) : k;
  return [raw[bare], bare];
}

const EMAIL_PROPS = ['$email', 'email'] as const;
// Hashed-email properties: the name mentions an email and a digest.
const HASH_NAME_RE = /email.*(hash|sha|md5)|(hash|sha\d*|md5).*email/i;
// Property names recur on every record: the regex runs once per name, not once per record.
const hashNames = new Map<string, boolean>();
function isHashName(k: string): boolean {
  let yes = hashNames.get(k);
  if (yes === undefined) {
    yes = k.length > 6 && HASH_NAME_RE.test(k);
    if (hashNames.size < 100_000) hashNames.set(k, yes);
  }
  return yes;
}

function collectContact(out: VendorRecord, props: Record<string, unknown>): void {
  for (const k of EMAIL_PROPS) {
    const v = props[k];
    if (typeof v === 'string' && v.indexOf('@') > 0) out.emails.push(v);
  }
  for (const k in props) {
    if (isHashName(k)) {
      const v = props[k];
      if (typeof v === 'string' && isHashShaped(v.trim())) out.hashes.push(v.trim());
    }
  }
}

const EXPECTS =
  'a Mixpanel event (event + properties, a flat event + time + distinct_id, or a pipeline row: event_name + distinct_id + time) or profile ($distinct_id + $properties, or distinct_id + properties)';

export const mixpanel = {
  name: 'mixpanel',
  wire: 0,
  expects: EXPECTS,
  label: 'Mixpanel',
  shape: [
    'event',
    'properties',
    'distinct_id',
    'time',
    '$insert_id',
    '$distinct_id',
    '$properties',
    'mp_lib',
    '$device_id',
    '$user_id',
  ],
  bookkeeping: new Set([
    'time',
    '$insert_id',
    'mp_lib',
    '$lib_version',
    '$mp_api_endpoint',
    '$mp_api_timestamp_ms',
    'mp_processing_time_ms',
    '$import',
    'mp_sent_by_lib_version',
    // the same as connector copies name them (Airbyte strips `$`, Fivetran adds its own columns)
    'insert_id',
    'lib_version',
    'mp_api_endpoint',
    'mp_api_timestamp_ms',
    'import',
    'event',
    'name',
    '_file',
    '_line',
    '_fivetran_id',
    '_fivetran_synced',
    'event_id',
    // Mixpanel's storage metadata on exported events (seen in mixpanel-import's test data of
    // export noise): how it stored, sampled, reshuffled or deleted the event, nothing of the person
    '$mp_event_size',
    '$mp_actor_type',
    '$bucket',
    '$possible_duplicate',
    '$sampling_factor',
    '$version',
    '$inserted_at',
    '$is_reshuffled',
    '$is_deleted',
    '$delete_event_name',
    '$delete_insert_id',
    '$delete_inserted_before',
    '$identity_failure_reason',
    '$had_persisted_distinct_id',
    '$warehouse_import_id',
    '$warehouse_import_job_id',
    '$warehouse_import_run_id',
    '$warehouse_table',
    '$warehouse_type',
    'mp_original_event_name',
    // The project's token, which every tracking call carries in its properties (Mixpanel
    // reserves the name): the project's, public in its web pages, not a credential of the person
    'token',
    // JSON Data Pipelines' event columns, and the schematized pipeline's
    'event_name',
    'mp_event_name',
    'mp_insert_id',
  ]),

  residence: { country: ['mp_country_code', '$country_code'], region: ['$region'] },
  placeholder: isDirectReferrer,

  detect(raw) {
    if (isPipelineRow(raw)) return true;
    // The raw export is exactly {event, properties}: PostHog's events also have event and
    // properties, but carry distinct_id, uuid or timestamp at the top.
    if (typeof raw.event === 'string' && isObject(raw.properties))
      return !('timestamp' in raw || 'uuid' in raw || 'distinct_id' in raw);
    if ('$distinct_id' in raw && isObject(raw.$properties)) return true;
    if (
      !('distinct_id' in raw) ||
      isObject(raw.properties) ||
      'type' in raw ||
      'uuid' in raw ||
      'timestamp' in raw
    )
      return false;
    // Connector copies (docs/FORMATS.md §6): flat rows with event, time and distinct_id at the top
    // (Singer taps, Airbyte), Fivetran's with its own columns.
    return (
      (typeof raw.event === 'string' && 'time' in raw) ||
      'insert_id' in raw ||
      '$insert_id' in raw ||
      'mp_processing_time_ms' in raw ||
      // the older schematized pipeline (docs/FORMATS.md §1.3)
      'mp_event_name' in raw ||
      'mp_insert_id' in raw ||
      '_fivetran_id' in raw ||
      'mp_country_code' in raw
    );
  },

  map(raw, out, ctx) {
    if (isPipelineRow(raw)) return mapPipeline(raw, out);
    const props = raw.properties;
    if (isObject(props)) {
      out.kind = 'event';
      out.name = typeof raw.event === 'string' ? raw.event : '';
      const t = props.time;
      out.time = eventTime(t, out, ctx);
      for (const k of ID_PROPS) pushId(out, props[k], k);
      const merged = props.$distinct_ids; // $merge
      if (Array.isArray(merged)) for (const v of merged) pushId(out, v, '$distinct_ids');
      collectContact(out, props);
      out.deviceKey = deviceKeyOf(props);
      // Mixpanel's dedup key (docs/FORMATS.md §1.5): $insert_id alone is not unique.
      const insertId = props.$insert_id;
      if (insertId !== undefined && insertId !== null && insertId !== '')
        out.dedupKey = `${raw.event}\0${props.distinct_id}\0${t}\0${insertId}`;
      // Mixpanel keeps no IP (docs/FORMATS.md §1.2), but custom `ip` properties and $device_id exist.
      out.keys.ip = idString(props.ip ?? props.$ip);
      out.keys.user_agent = idString(props.$user_agent ?? props.user_agent);
      out.keys.device_id = stripDevicePrefix(idString(props.$device_id));
      out.fieldSources.push(props);
      out.fieldPrefixes.push('');
      return undefined;
    }
    const pprops = raw.$properties;
    if ('$distinct_id' in raw || isObject(pprops)) {
      out.kind = 'profile';
      pushId(out, raw.$distinct_id, '$distinct_id');
      if (!isObject(pprops)) {
        // A profile flattened by the tool that exported it (mixpanel-engage-query writes the
        // properties beside `$distinct_id`): its own keys are the properties.
        collectContact(out, raw);
        out.fieldSources.push(raw);
        out.fieldPrefixes.push('');
        return undefined;
      }
      collectContact(out, pprops);
      // `$distinct_id` itself is an exposed identifier (SPEC §4.6).
      out.fieldSources.push(pprops, { $distinct_id: raw.$distinct_id });
      out.fieldPrefixes.push('', '');
      return undefined;
    }
    if ('distinct_id' in raw) return mapConnector(raw, out, ctx);
    return typeof raw.event === 'string'
      ? 'not a Mixpanel event: it has no "properties" object and no distinct_id'
      : `not ${EXPECTS}`;
  },
} satisfies VendorPreset;

function deviceKeyOf(
  props: Record<string, unknown>,
  dev = idString(props.$device_id),
  did = idString(props.distinct_id),
  userId = idString(props.$user_id),
): string {
  if (dev !== '') return stripDevicePrefix(dev);
  if (did.startsWith('$device:')) return stripDevicePrefix(did);
  // Original ID merge exports an anonymous UUID as distinct_id with no $device_id; an event
  // without $user_id is treated as anonymous for sessions (an identified id that is one of
  // ours is matched directly first, so this costs it nothing).
  if (did !== '' && userId === '' && !isEmailShaped(did)) return did;
  return '';
}

/**
 * A row of Mixpanel's JSON Data Pipelines (docs/FORMATS.md §1.3): an event (`event_name`,
 * `distinct_id` as ingested, `device_id`, `user_id`, `insert_id`, `time`, `properties`), a
 * people row (exactly `distinct_id` and `properties`), or an identity mapping (`distinct_id`,
 * `resolved_distinct_id`). PostHog's rows also have distinct_id and properties, but never
 * `event_name`, and always more keys than these two.
 */
export function isPipelineRow(raw: Record<string, unknown>): boolean {
  if (!('distinct_id' in raw) || 'event' in raw) return false;
  if (typeof raw.event_name === 'string') return 'time' in raw || 'insert_id' in raw;
  if ('resolved_distinct_id' in raw) return true;
  if (propertiesOf(raw) === undefined) return false;
  for (const k in raw) if (k !== 'distinct_id' && k !== 'properties') return false;
  return true;
}

/**
 * A pipeline row's `properties`: an object, or the JSON column as text, as a warehouse's extract
 * writes it (a BigQuery JSON column in a JSON or CSV extract).
 */
function propertiesOf(raw: Record<string, unknown>): Record<string, unknown> | undefined {
  const p = raw.properties;
  if (isObject(p)) return p;
  if (typeof p !== 'string' || !p.trimStart().startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(p);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function mapPipeline(raw: Record<string, unknown>, out: VendorRecord): string | undefined {
  const did = idString(raw.distinct_id);
  const props = propertiesOf(raw) ?? {};
  if (typeof raw.event_name !== 'string') {
    // People and identity mappings: identity evidence with no time (SPEC §4.1: always counted).
    out.kind = 'profile';
    pushId(out, did, 'distinct_id');
    pushId(out, raw.resolved_distinct_id, 'resolved_distinct_id');
    collectContact(out, props);
    out.fieldSources.push(props, { distinct_id: raw.distinct_id });
    out.fieldPrefixes.push('', '');
    if ('resolved_distinct_id' in raw) {
      out.fieldSources.push({ resolved_distinct_id: raw.resolved_distinct_id });
      out.fieldPrefixes.push('');
    }
    return undefined;
  }
  out.kind = 'event';
  out.name = raw.event_name;
  // A TIMESTAMP column, UTC (docs/FORMATS.md §1.3): unlike the raw export's epoch `time`, never
  // project-local, so --timezone does not shift it.
  out.time = utcTime(raw.time);
  const dev = idString(raw.device_id) || idString(props.$device_id);
  const userId = idString(raw.user_id) || idString(props.$user_id);
  pushId(out, did, 'distinct_id');
  pushId(out, raw.device_id, 'device_id');
  pushId(out, raw.user_id, 'user_id');
  for (const k of ID_PROPS) pushId(out, props[k], k);
  const merged = props.$distinct_ids; // $merge
  if (Array.isArray(merged)) for (const v of merged) pushId(out, v, '$distinct_ids');
  collectContact(out, props);
  out.deviceKey = deviceKeyOf(props, dev, did, userId);
  const insertId = idString(raw.insert_id);
  // The parsed time, not its text: one event in a JSON file and in a BigQuery extract is one.
  if (insertId !== '') out.dedupKey = `${raw.event_name}\0${did}\0${out.time}\0${insertId}`;
  out.keys.ip = idString(props.ip ?? props.$ip);
  out.keys.user_agent = idString(props.$user_agent ?? props.user_agent);
  out.keys.device_id = stripDevicePrefix(dev);
  // The property names as the raw export names them, and the row's own identifier columns.
  out.fieldSources.push(props, {
    distinct_id: raw.distinct_id,
    device_id: raw.device_id,
    user_id: raw.user_id,
  });
  out.fieldPrefixes.push('', '');
  return undefined;
}

/**
 * A connector copy: one flat row, `$` stripped from the property names (Airbyte, Fivetran;
 * docs/FORMATS.md §1.5 pitfall 6). An event when it has a time, else a profile (Engage stream).
 */
function mapConnector(
  raw: Record<string, unknown>,
  out: VendorRecord,
  ctx: MapContext,
): string | undefined {
  const t = raw.time;
  const isEvent = t !== undefined && t !== null && t !== '';
  out.kind = isEvent ? 'event' : 'profile';
  // The older schematized pipeline writes `mp_event_name` and `mp_insert_id` (docs/FORMATS.md §1.3).
  out.name = idString(raw.event ?? raw.name ?? raw.mp_event_name);
  if (isEvent) out.time = eventTime(t, out, ctx);
  for (const k of ID_PROPS) {
    const [v, field] = flat(raw, k);
    pushId(out, v, field);
  }
  for (const k of EMAIL_PROPS) {
    const v = flat(raw, k)[0];
    if (typeof v === 'string' && v.indexOf('@') > 0) out.emails.push(v);
  }
  const dev = idString(flat(raw, '$device_id')[0]);
  const did = idString(raw.distinct_id);
  out.deviceKey =
    dev !== '' ? stripDevicePrefix(dev) : did.startsWith('$device:') ? stripDevicePrefix(did) : '';
  out.keys.device_id = stripDevicePrefix(dev);
  const insertId = flat(raw, '$insert_id')[0] ?? raw.mp_insert_id;
  if (isEvent && insertId) out.dedupKey = `${out.name}\0${did}\0${t}\0${insertId}`;
  out.fieldSources.push(raw);
  out.fieldPrefixes.push('');
  return undefined;
}

/**
 * Mixpanel's event time: epoch seconds (or ms), which projects created before 2023 write in the
 * project's wall clock as if it were UTC (docs/FORMATS.md §1.1), or a connector's ISO string; both
 * are shifted by --timezone when they carry no zone (SPEC §2).
 */
function eventTime(t: unknown, out: VendorRecord, ctx: MapContext): number {
  const ms = localTime(t, out, ctx);
  if (
    !ctx.localEpochs ||
    Number.isNaN(ms) ||
    !(typeof t === 'number' || (typeof t === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(t)))
  )
    return ms;
  out.shifted = true;
  return localToUtc(ms, ctx.zone);
}

/** Mixpanel's pre-2023 `time` is the project's wall clock written as if it were UTC. */
function localToUtc(ms: number, zone: MapContext['zone']): number {
  const d = new Date(Math.floor(ms));
  return (
    zone(
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ) +
    (ms - Math.floor(ms))
  );
}
