/**
 * What one in-window record adds to its aggregate (SPEC §4.6): a record, its time span, its
 * vendor ids, its exposed fields (with the categories its values give them), its residence,
 * and the event names and sources when the output asks for them.
 */
import type { Agg } from '../aggregate.js';
import type { Digested } from '../digest.js';
import type { Evidence } from '../record.js';
import type { FieldRegistry } from './fields.js';

export interface ExposureOptions {
  collectEvents?: boolean;
  collectSources?: boolean;
}

export class Exposure {
  constructor(
    private readonly fields: FieldRegistry,
    /** The string already held for an id with this content (join.ts `canonical`). */
    private readonly canonical: (id: string) => string,
    private readonly opts: ExposureOptions,
  ) {}

  add(rec: Evidence, d: Digested, agg: Agg, source: number | undefined): void {
    agg.records++;
    if (this.opts.collectEvents && rec.name !== '') (agg.events ??= new Set()).add(rec.name);
    if (this.opts.collectSources && source !== undefined) (agg.sources ??= new Set()).add(source);
    const t = rec.time;
    if (!Number.isNaN(t)) {
      if (t < agg.first) agg.first = t;
      if (t > agg.last) agg.last = t;
    }
    for (const id of rec.ids) if (!agg.hasVendorId(id)) agg.addVendorId(this.canonical(id));
    if (d.residence !== '')
      (agg.places ??= new Map()).set(d.residence, (agg.places.get(d.residence) ?? 0) + 1);
    const registry = this.fields;
    const local = registry.locals(d);
    const fields = d.fields;
    for (let i = 0; i < fields.length; i++)
      agg.fields.add(local[fields[i]!] ?? registry.resolve(d, fields[i]!));
    registry.hint(d);
  }
}
