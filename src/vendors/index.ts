/** The vendor registry: adding a vendor is adding a preset file and a line here. */
import type { VendorPreset } from '../core/record.js';
import { UsageError } from '../errors.js';
import { mixpanel } from './mixpanel.js';

export const PRESETS: Record<string, VendorPreset> = { mixpanel };
export const VENDOR_NAMES = ['auto', 'mixpanel', 'amplitude', 'segment', 'posthog', 'generic'] as const;

export function presetFor(name: string): VendorPreset {
  const p = PRESETS[name];
  if (!p) {
    throw new UsageError(`vendor "${name}" is not supported yet; supported: ${Object.keys(PRESETS).join(', ')}`, 'use --vendor mixpanel (or auto)');
  }
  return p;
}
