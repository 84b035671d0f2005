/**
 * Mixpanel: the raw event export (`{"event", "properties": {...}}`) and the Engage/people
 * export (`{"$distinct_id", "$properties": {...}}`, paged as `{"results": [...]}`).
 * FORMATS.md §1; identity fields from Mixpanel's reserved-properties reference.
 */
import { parseTimestamp } from '../core/time.js';
import { isEmailShaped, isHashShaped, stripDevicePrefix } from '../core/normalize.js';
import type { MapContext, VendorPreset, VendorRecord } from '../core/record.js';
import { idString, isObject } from './fields.js';

// Every identifier property (SPEC §3): never `distinct_id` alone.
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

function pushId(out: VendorRecord, v: unknown): void {
  const s = idString(v);
  if (s !== '' && !out.ids.includes(s)) out.ids.push(s);
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

export const mixpanel = {
  name: 'mixpanel',
  label: 'Mixpanel',
  shape: ['event', 'properties', 'distinct_id', 'time', '$insert_id', '$distinct_id', '$properties', 'mp_lib', '$device_id', '$user_id'],
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
  ]),

  identifiers: ['distinct_id', '$device_id', '$user_id', '$distinct_id_before_identity', '$identified_id', '$anon_id', '$anon_distinct_id', 'alias', 'mp_original_distinct_id', '$distinct_id'],
  residence: { country: ['mp_country_code', '$country_code'], region: ['$region'] },

  detect(raw) {
    // The raw export is exactly {event, properties}: PostHog's events also have event and
    // properties, but carry distinct_id, uuid or timestamp at the top.
    if (typeof raw.event === 'string' && isObject(raw.properties)) return !('timestamp' in raw || 'uuid' in raw || 'distinct_id' in raw);
    if ('$distinct_id' in raw && isObject(raw.$properties)) return true;
    // Connector copies (FORMATS.md §6): Airbyte's {stream, data} records, Fivetran's flat rows.
    if (typeof raw.stream === 'string' && isObject(raw.data)) return true;
    return 'distinct_id' in raw && ('insert_id' in raw || 'mp_processing_time_ms' in raw || '_fivetran_id' in raw || 'mp_country_code' in raw);
  },

  unwrap(raw) {
    if (typeof raw.stream === 'string' && isObject(raw.data)) return [raw.data];
    return Array.isArray(raw.results) && !('event' in raw) && !('$distinct_id' in raw) ? raw.results : undefined;
  },

  map(raw, out, ctx) {
    const props = raw.properties;
    if (isObject(props)) {
      out.kind = 'event';
      out.name = typeof raw.event === 'string' ? raw.event : '';
      const t = props.time;
      out.time = t === undefined || t === null || t === '' ? NaN : parseTimestamp(t, ctx.zone);
      if (ctx.localEpochs && typeof t === 'number') out.time = localToUtc(out.time, ctx.zone);
      for (const k of ID_PROPS) pushId(out, props[k]);
      const merged = props.$distinct_ids; // $merge
      if (Array.isArray(merged)) for (const v of merged) pushId(out, v);
      collectContact(out, props);
      out.deviceKey = deviceKeyOf(props);
      // Mixpanel's dedup key (FORMATS.md §1.5): $insert_id alone is not unique.
      const insertId = props.$insert_id;
      if (insertId !== undefined && insertId !== null && insertId !== '') out.dedupKey = `${raw.event}\0${props.distinct_id}\0${t}\0${insertId}`;
      // Mixpanel keeps no IP (FORMATS.md §1.2), but custom `ip` properties and $device_id exist.
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
      pushId(out, raw.$distinct_id);
      if (isObject(pprops)) {
        collectContact(out, pprops);
        out.fieldSources.push(pprops);
        out.fieldPrefixes.push('');
      }
      // `$distinct_id` itself is an exposed identifier (SPEC §4.6).
      out.fieldSources.push({ $distinct_id: raw.$distinct_id });
      out.fieldPrefixes.push('');
      return undefined;
    }
    if ('distinct_id' in raw) return mapConnector(raw, out, ctx);
    return typeof raw.event === 'string' ? 'event has no "properties" object' : 'not a Mixpanel event or profile record';
  },
} satisfies VendorPreset;

function deviceKeyOf(props: Record<string, unknown>): string {
  const dev = idString(props.$device_id);
  if (dev !== '') return stripDevicePrefix(dev);
  const did = idString(props.distinct_id);
  if (did.startsWith('$device:')) return stripDevicePrefix(did);
  // Original ID merge exports an anonymous UUID as distinct_id with no $device_id; an event
  // without $user_id is treated as anonymous for sessions (an identified id that is one of
  // ours is matched directly first, so this costs it nothing).
  if (did !== '' && idString(props.$user_id) === '' && !isEmailShaped(did)) return did;
  return '';
}

/**
 * A connector copy: one flat row, `$` stripped from the property names (Airbyte, Fivetran;
 * FORMATS.md §1.5 pitfall 6). An event when it has a time, else a profile (Engage stream).
 */
function mapConnector(raw: Record<string, unknown>, out: VendorRecord, ctx: MapContext): string | undefined {
  const t = raw.time;
  const isEvent = t !== undefined && t !== null && t !== '';
  out.kind = isEvent ? 'event' : 'profile';
  out.name = idString(raw.event ?? raw.name);
  if (isEvent) out.time = parseTimestamp(t, ctx.zone);
  for (const k of ['distinct_id', 'device_id', 'user_id', 'distinct_id_before_identity', 'identified_id', 'anon_id', 'alias']) pushId(out, raw[k]);
  const email = raw.email;
  if (typeof email === 'string' && email.indexOf('@') > 0) out.emails.push(email);
  const dev = idString(raw.device_id);
  const did = idString(raw.distinct_id);
  out.deviceKey = dev !== '' ? stripDevicePrefix(dev) : did.startsWith('$device:') ? stripDevicePrefix(did) : '';
  out.keys.device_id = stripDevicePrefix(dev);
  const insertId = raw.insert_id;
  if (isEvent && insertId) out.dedupKey = `${out.name}\0${did}\0${t}\0${insertId}`;
  out.fieldSources.push(raw);
  out.fieldPrefixes.push('');
  return undefined;
}

/** Mixpanel's pre-2023 `time` is the project's wall clock written as if it were UTC. */
function localToUtc(ms: number, zone: MapContext['zone']): number {
  if (Number.isNaN(ms)) return ms;
  const d = new Date(ms);
  return zone(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
