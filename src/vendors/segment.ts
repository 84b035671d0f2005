/**
 * Segment: Spec messages (S3/AWS-S3 archives: gzipped JSON lines; analytics.js payloads) and
 * warehouse tables (`context_*` columns, snake_case). docs/FORMATS.md §3: identity is userId +
 * anonymousId, alias carries previousId; `timestamp` is the time to use.
 */
import type { VendorPreset } from '../core/record.js';
import { exposeRoot, first, idString, pushEmails, pushIds, utcTime } from './fields.js';

const IDS = ['userId', 'anonymousId', 'previousId', 'user_id', 'anonymous_id', 'previous_id'];

export const segment = {
  name: 'segment',
  wire: 2,
  expects:
    'a Segment message (type track, identify, page, screen, group or alias, with userId or anonymousId) or warehouse row (anonymous_id, received_at)',
  label: 'Segment',
  shape: [
    'type',
    'userId',
    'anonymousId',
    'messageId',
    'timestamp',
    'traits',
    'context',
    'receivedAt',
    'sentAt',
    'properties',
  ],
  bookkeeping: new Set([
    'messageId',
    'timestamp',
    'originalTimestamp',
    'sentAt',
    'receivedAt',
    'version',
    'integrations',
    'writeKey',
    '_metadata',
    'type',
    'event',
    'channel',
    'context.library',
    'context.library.name',
    'context.library.version',
    // warehouse columns
    'id',
    'received_at',
    'sent_at',
    'original_timestamp',
    'uuid_ts',
    'event_text',
    'loaded_at',
    'context_library_name',
    'context_library_version',
  ]),
  // A page or screen message's `name` is the page's, not a person's.
  categories: { name: 'web' },
  residence: {
    country: ['context.location.country', 'traits.address.country', 'context_location_country'],
    region: ['context.location.region', 'traits.address.state', 'context_location_region'],
  },

  detect(raw) {
    const type = raw.type;
    return (
      (typeof type === 'string' &&
        ['track', 'identify', 'page', 'screen', 'group', 'alias'].includes(type) &&
        ('anonymousId' in raw || 'userId' in raw || 'messageId' in raw)) ||
      ('anonymous_id' in raw && 'received_at' in raw)
    );
  },

  map(raw, out) {
    out.kind = 'event';
    out.name = idString(first(raw, ['event', 'name', 'event_text', 'type']));
    // UTC by Segment's definition, warehouse columns written without a zone too.
    out.time = utcTime(
      first(raw, [
        'timestamp',
        'originalTimestamp',
        'receivedAt',
        'sentAt',
        'original_timestamp',
        'received_at',
      ]),
    );
    pushIds(out, raw, IDS);
    pushEmails(out, raw, ['traits.email', 'context.traits.email', 'email', 'context_traits_email']);
    out.deviceKey = idString(first(raw, ['anonymousId', 'anonymous_id']));
    out.keys.ip = idString(first(raw, ['context.ip', 'context_ip']));
    out.keys.user_agent = idString(first(raw, ['context.userAgent', 'context_user_agent']));
    out.keys.device_id = idString(first(raw, ['context.device.id', 'context_device_id']));
    out.dedupKey = idString(first(raw, ['messageId', 'id']));
    exposeRoot(out, raw);
    return undefined;
  },
} satisfies VendorPreset;
