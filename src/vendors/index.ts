/** The vendor registry: adding a vendor is adding a preset file and a line here. */
import type { VendorPreset } from '../core/record.js';
import { UsageError } from '../errors.js';
import { amplitude } from './amplitude.js';
import { ga4 } from './ga4.js';
import { mixpanel } from './mixpanel.js';
import { posthog } from './posthog.js';
import { segment } from './segment.js';

/** In the order --vendor auto tries them: the first whose detect() holds reads the file. */
export const PRESETS: Record<string, VendorPreset> = { mixpanel, amplitude, segment, posthog, ga4 };

/** The preset whose shape this parsed record has, if any. */
export function detectPreset(raw: Record<string, unknown>): VendorPreset | undefined {
  for (const p of Object.values(PRESETS)) if (p.detect(raw)) return p;
  return undefined;
}

/**
 * The preset whose keys the records carry most of (two at least), said as "Mixpanel's shape
 * (event, properties)": for a file none of whose records could be read.
 */
export function closestShape(keys: ReadonlyMap<string, number>): string | undefined {
  let best: VendorPreset | undefined;
  let hits: string[] = [];
  for (const p of Object.values(PRESETS)) {
    const h = p.shape.filter((k) => keys.has(k));
    if (h.length >= 2 && h.length > hits.length) [best, hits] = [p, h];
  }
  return best && `${best.label}'s shape (${hits.join(', ')})`;
}

export const VENDOR_NAMES = [
  'auto',
  'mixpanel',
  'amplitude',
  'segment',
  'posthog',
  'ga4',
  'generic',
] as const;

export function presetFor(name: string): VendorPreset {
  if (name === 'generic')
    throw new UsageError(
      '--vendor generic needs --map',
      'e.g. --map time=ts,user_id=uid,email=contact.email,device_id=cookie',
    );
  const p = PRESETS[name];
  if (!p) {
    throw new UsageError(
      `vendor "${name}" is not supported yet; supported: auto, ${Object.keys(PRESETS).join(', ')}`,
      'use --vendor auto to detect it from the records',
    );
  }
  return p;
}
