/**
 * Containers that pipelines put around a vendor's records (issue 14, SPEC §3): told from the
 * record's own shape, like every other shape, and unwrapped before a vendor is detected in what
 * they hold. Their protocol lines (a Singer SCHEMA or STATE, an Airbyte LOG) are not records:
 * they are counted on their own, as a blank line is not a record either.
 *
 * Shapes, from real samples (fixtures/wrappers/README.md names them):
 * - Singer (tap-mixpanel, tap-amplitude …): `{"type":"RECORD","stream":S,"record":{…}}`, and
 *   SCHEMA / STATE / ACTIVATE_VERSION / BATCH messages.
 * - Airbyte protocol: `{"type":"RECORD","record":{"stream":S,"data":{…},"emitted_at":N}}`, and
 *   STATE / LOG / TRACE / SPEC / CATALOG / CONNECTION_STATUS / CONTROL messages.
 * - Airbyte records as connectors' tests and older destinations store them: `{"stream","data",
 *   "emitted_at"}`; raw tables: `_airbyte_data` (an object or JSON text) beside `_airbyte_raw_id`
 *   or `_airbyte_ab_id`; typed tables: the data's own columns beside `_airbyte_*` ones.
 * - Batches: Amplitude's HTTP API `{"api_key","events":[…]}`, PostHog's capture
 *   `{"api_key","batch":[…]}`, Segment's `{"batch":[…]}`, a page of results `{"results":[…]}` (Mixpanel Engage, PostHog persons).
 */
import { isObject } from './fields.js';

/** The containers, by an explicit number (it crosses to the parse workers: app/worker.ts). */
export const WRAPPERS = [
  { id: 0, name: 'singer', label: 'Singer messages' },
  { id: 1, name: 'airbyte', label: 'Airbyte messages' },
  { id: 2, name: 'airbyte-record', label: 'Airbyte records' },
  { id: 3, name: 'airbyte-raw', label: 'an Airbyte raw table (_airbyte_data)' },
  { id: 4, name: 'airbyte-typed', label: 'an Airbyte typed table (_airbyte_* columns)' },
  { id: 5, name: 'amplitude-batch', label: 'Amplitude HTTP API batches' },
  { id: 6, name: 'capture-batch', label: 'capture batches ({"batch": [...]})' },
  {
    id: 7,
    name: 'results-page',
    label: 'result pages ({"results": [...]}: Mixpanel Engage, PostHog persons)',
  },
] as const;

export type WrapperName = (typeof WRAPPERS)[number]['name'];

export type Unwrapped =
  /**
   * Records inside; `vendor` when the container says whose they are; `stream` names where they
   * came from; `broken` when the one record it holds cannot be read (why).
   */
  | { wrapper: WrapperName; inner: unknown[]; vendor?: string; stream?: string; broken?: string }
  /** A protocol line: no record. */
  | { protocol: string };

const SINGER_PROTOCOL = new Set(['SCHEMA', 'STATE', 'ACTIVATE_VERSION', 'BATCH']);
const AIRBYTE_PROTOCOL = new Set([
  'STATE',
  'LOG',
  'TRACE',
  'SPEC',
  'CATALOG',
  'CONNECTION_STATUS',
  'CONTROL',
]);

const stringOr = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The container this parsed record is, if it is one. */
export function unwrap(raw: Record<string, unknown>): Unwrapped | undefined {
  const type = raw.type;
  if (
    typeof type === 'string' &&
    (type === 'RECORD' || SINGER_PROTOCOL.has(type) || AIRBYTE_PROTOCOL.has(type))
  ) {
    if (type === 'RECORD') {
      const rec = raw.record;
      // Airbyte's record message holds its stream and data one level down.
      if (isObject(rec) && isObject(rec.data) && 'emitted_at' in rec)
        return { wrapper: 'airbyte', inner: [rec.data], stream: stringOr(rec.stream) };
      if ('record' in raw) return { wrapper: 'singer', inner: [rec], stream: stringOr(raw.stream) };
    }
    if (!('event' in raw) && !('properties' in raw)) {
      if (AIRBYTE_PROTOCOL.has(type) && (type !== 'STATE' || 'state' in raw))
        return { protocol: `Airbyte ${type}` };
      if (SINGER_PROTOCOL.has(type)) return { protocol: `Singer ${type}` };
    }
  }
  if (
    typeof raw.stream === 'string' &&
    isObject(raw.data) &&
    ('emitted_at' in raw || Object.keys(raw).length === 2)
  ) {
    return { wrapper: 'airbyte-record', inner: [raw.data], stream: raw.stream };
  }
  if ('_airbyte_data' in raw) {
    const d = raw._airbyte_data;
    if (typeof d !== 'string') return { wrapper: 'airbyte-raw', inner: [d] };
    try {
      return { wrapper: 'airbyte-raw', inner: [JSON.parse(d)] };
    } catch (e) {
      return {
        wrapper: 'airbyte-raw',
        inner: [],
        broken: `its _airbyte_data is not valid JSON: ${(e as Error).message}`,
      };
    }
  }
  if (Array.isArray(raw.events) && ('api_key' in raw || 'options' in raw))
    return { wrapper: 'amplitude-batch', inner: raw.events, vendor: 'amplitude' };
  if (Array.isArray(raw.batch) && !('event' in raw))
    return {
      wrapper: 'capture-batch',
      inner: raw.batch,
      ...('api_key' in raw ? { vendor: 'posthog' } : {}),
    };
  // Mixpanel's Engage pages and PostHog's persons API answer alike: whose records, the records say.
  if (Array.isArray(raw.results) && !('event' in raw) && !('$distinct_id' in raw))
    return { wrapper: 'results-page', inner: raw.results };
  // Typed tables keep Airbyte's id and time columns beside the data's (v2 and v1 names).
  if (
    '_airbyte_raw_id' in raw ||
    '_airbyte_ab_id' in raw ||
    '_airbyte_extracted_at' in raw ||
    '_airbyte_emitted_at' in raw
  ) {
    const data: Record<string, unknown> = {};
    for (const k in raw) if (!k.startsWith('_airbyte_')) data[k] = raw[k];
    return { wrapper: 'airbyte-typed', inner: [data] };
  }
  return undefined;
}

export function wrapperLabel(name: string): string {
  return WRAPPERS.find((w) => w.name === name)?.label ?? name;
}
