/**
 * The vendor registry: adding a vendor is a preset file and a line here (docs/ARCHITECTURE.md
 * has the checklist). Names, help choices and the workers' wire numbers all come from here.
 */
import type { VendorPreset } from '../core/record.js';
import { UsageError } from '../errors.js';
import { amplitude } from './amplitude.js';
import { ga4 } from './ga4.js';
import { mixpanel } from './mixpanel.js';
import { posthog } from './posthog.js';
import { segment } from './segment.js';

/** In the order --vendor auto tries them: the first whose detect() holds reads the file. */
const ORDER: readonly VendorPreset[] = [mixpanel, amplitude, segment, posthog, ga4];

export const PRESETS: Readonly<Record<string, VendorPreset>> = Object.fromEntries(
  ORDER.map((p) => [p.name, p]),
);

/** The preset a worker's message names by its wire number (VendorPreset.wire). */
export function presetByWire(wire: number): VendorPreset | undefined {
  return ORDER.find((p) => p.wire === wire);
}

/** The preset whose shape this parsed record has, if any. */
export function detectPreset(raw: Record<string, unknown>): VendorPreset | undefined {
  for (const p of ORDER) if (p.detect(raw)) return p;
  return undefined;
}

/**
 * The preset whose keys the records carry most of (two at least), said as "Mixpanel's shape
 * (event, properties)": for a file none of whose records could be read.
 */
export function closestShape(keys: ReadonlyMap<string, number>): string | undefined {
  let best: VendorPreset | undefined;
  let hits: string[] = [];
  for (const p of ORDER) {
    const h = p.shape.filter((k) => keys.has(k));
    if (h.length >= 2 && h.length > hits.length) [best, hits] = [p, h];
  }
  return best && `${best.label}'s shape (${hits.join(', ')})`;
}

/** --vendor's choices: auto, every preset, and generic (--map). */
export const VENDOR_NAMES: readonly string[] = ['auto', ...ORDER.map((p) => p.name), 'generic'];

/** The preset --vendor names (the CLI allows only VENDOR_NAMES; generic is built from --map). */
export function presetFor(name: string): VendorPreset {
  const p = PRESETS[name];
  if (!p)
    throw new UsageError(`no preset reads vendor "${name}"`, `one of: ${VENDOR_NAMES.join(', ')}`);
  return p;
}
