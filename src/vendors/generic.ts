/**
 * `--vendor generic --map time=ts,user_id=uid,email=contact.email,device_id=cookie`: any CSV or
 * JSON export, read through a field mapping (issue #4). The mapping is data; this builds the
 * preset from it and remembers which mapped fields were ever seen, so that a mapping naming a
 * field no record has is reported (a usage error) rather than silently matching nothing.
 */
import { stripDevicePrefix } from '../core/normalize.js';
import type { VendorPreset } from '../core/record.js';
import type { Category } from '../core/categorize.js';
import { UsageError } from '../errors.js';
import { at, exposeRoot, idString, localTime, pushId } from './fields.js';

export const MAP_TARGETS = [
  'time',
  'event',
  'user_id',
  'email',
  'device_id',
  'anonymous_id',
  'ip',
  'user_agent',
] as const;
export type MapTarget = (typeof MAP_TARGETS)[number];

export interface GenericPreset extends VendorPreset {
  readonly mapping: Partial<Record<MapTarget, string>>;
  /** Mapped targets whose field no record carried. */
  unseen(): MapTarget[];
}

export function parseMap(spec: string): Partial<Record<MapTarget, string>> {
  const mapping: Partial<Record<MapTarget, string>> = {};
  for (const pair of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const target = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const field = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!(MAP_TARGETS as readonly string[]).includes(target)) {
      throw new UsageError(
        `--map: unknown target "${target}"; targets: ${MAP_TARGETS.join(', ')}`,
        'write --map time=ts,user_id=uid,email=contact.email',
      );
    }
    if (field === '')
      throw new UsageError(
        `--map: "${target}" names no field`,
        `write ${target}=FIELD (a column, or a dotted path like context.ip)`,
      );
    mapping[target as MapTarget] = field;
  }
  if (!mapping.user_id && !mapping.email && !mapping.device_id && !mapping.anonymous_id) {
    throw new UsageError(
      '--map names no identifier: nothing could be matched to a user',
      'map at least one of user_id, email, device_id, anonymous_id',
    );
  }
  return mapping;
}

const TARGET_CATEGORY: Partial<Record<MapTarget, Category>> = {
  user_id: 'account',
  device_id: 'account',
  anonymous_id: 'account',
  email: 'contact',
  ip: 'location',
  user_agent: 'device',
};

export function genericPreset(mapping: Partial<Record<MapTarget, string>>): GenericPreset {
  const seen = new Set<MapTarget>();
  const get = (raw: Record<string, unknown>, t: MapTarget): unknown => {
    const path = mapping[t];
    if (path === undefined) return undefined;
    const v = at(raw, path);
    if (v !== undefined && v !== null && v !== '') seen.add(t);
    return v;
  };
  return {
    name: 'generic',
    wire: -1, // never crosses to a worker: --map reads in the main thread
    label: 'the --map mapping',
    shape: Object.values(mapping).filter((x): x is string => x !== undefined),
    mapping,
    bookkeeping: new Set(mapping.time ? [mapping.time] : []),
    // The mapping says what its fields hold: that is their category, whatever the names.
    categories: Object.fromEntries(
      (Object.entries(mapping) as Array<[MapTarget, string]>)
        .filter(([t]) => TARGET_CATEGORY[t])
        .map(([t, field]) => [field, TARGET_CATEGORY[t]!]),
    ),
    expects: `a record with the --map fields (${Object.values(mapping).join(', ')})`,
    residence: {
      country: ['country', 'geo.country', 'country_code'],
      region: ['region', 'state', 'geo.region'],
    },
    detect: () => false,
    map(raw, out, ctx) {
      const t = get(raw, 'time');
      out.kind = mapping.time ? 'event' : 'profile';
      out.name = idString(get(raw, 'event'));
      if (mapping.time) out.time = localTime(t, out, ctx);
      for (const target of ['user_id', 'device_id', 'anonymous_id'] as const)
        pushId(out, get(raw, target), mapping[target] ?? target);
      const email = get(raw, 'email');
      if (typeof email === 'string' && email.indexOf('@') > 0) out.emails.push(email);
      out.deviceKey = stripDevicePrefix(
        idString(get(raw, 'device_id')) || idString(get(raw, 'anonymous_id')),
      );
      out.keys.ip = idString(get(raw, 'ip'));
      out.keys.user_agent = idString(get(raw, 'user_agent'));
      out.keys.device_id = idString(get(raw, 'device_id'));
      exposeRoot(out, raw);
      return undefined;
    },
    unseen: () => (Object.keys(mapping) as MapTarget[]).filter((t) => !seen.has(t)),
  };
}
