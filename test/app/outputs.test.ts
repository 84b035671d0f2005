/**
 * The affected-users output is made in chunks as it is written (memory at a million users):
 * joined, the chunks must be byte for byte the text the whole-table writer makes.
 */
import { describe, expect, it } from 'vitest';
import { affectedColumns, affectedText } from '../../src/app/outputs.js';
import { defaultColumns } from '../../src/app/output-columns.js';
import type { RunReport } from '../../src/app/run-correlate.js';
import type { CorrelatePlan } from '../../src/app/plan.js';
import { render, type Cell, type Format } from '../../src/io/write-rows.js';

function fixture(n: number): { report: RunReport; rows: Cell[][] } {
  const ids: string[] = [],
    emails: string[] = [],
    extra: string[][] = [];
  const users = [];
  const rows: Cell[][] = [];
  for (let u = 0; u < n; u++) {
    ids.push(`u_${u}`);
    emails.push(u % 7 === 0 ? '' : `Person.${u}@example.com`);
    extra.push([u % 3 === 0 ? 'Zoë, "the" admin' : `name ${u}`]);
    const r = {
      user: u,
      methods: u % 2 ? ['id'] : ['id', 'session'],
      confidence: 'high' as const,
      vendorIds: [`u_${u}`, `$device:${'d'.repeat(30)}${u}`],
      records: u + 1,
      first: Date.UTC(2025, 10, 8, 0, 0, u % 60),
      last: u % 5 === 0 ? NaN : Date.UTC(2025, 10, 9),
      fields: ['$browser', '$city', '$current_url', '$current_url#email', 'org_id', '=cmd|calc'],
      categories: ['contact', 'device', 'location', 'other'] as never[],
      inferredResidence: '',
    };
    users.push(r);
    rows.push([
      ids[u]!,
      emails[u]!,
      ...extra[u]!,
      r.methods,
      r.confidence,
      r.vendorIds,
      r.records,
      new Date(r.first).toISOString().replace('.000Z', 'Z'),
      Number.isNaN(r.last) ? '' : new Date(r.last).toISOString().replace('.000Z', 'Z'),
      r.fields,
      r.categories,
    ]);
  }
  const report = {
    users: { ids, emails, extra },
    result: { users },
    columns: { userColumns: [], output: defaultColumns(['name'], false) },
  } as unknown as RunReport;
  return { report, rows };
}

describe('affected-users output in chunks', () => {
  for (const format of ['csv', 'tsv', 'json', 'ndjson'] as Format[]) {
    it.each([0, 1, 3000])(`${format}, %i users: the chunks join to the whole-table text`, (n) => {
      const plan = {
        format,
        userColumns: ['name'],
        notificationBasis: false,
        width: 100,
      } as unknown as CorrelatePlan;
      const { report, rows } = fixture(n);
      const chunks = [...affectedText(plan, report)];
      if (n === 3000) expect(chunks.length).toBeGreaterThan(1); // really chunked
      expect(chunks.join('')).toBe(render(format, affectedColumns(plan, report), rows));
    });
  }
});
