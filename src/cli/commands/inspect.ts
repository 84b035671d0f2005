/** `breach-impact inspect`: what is in an export, before a user table is at hand (issue #5). */
import { Command, Option } from 'commander';
import { runInspect, type InspectReport } from '../../app/inspect.js';
import type { Log } from '../../app/run-correlate.js';
import { formatIso } from '../../core/time.js';
import { UsageError } from '../../errors.js';
import { safe } from '../../term.js';
import { jsonSafe } from '../../core/text.js';
import { wrapperLabel } from '../../vendors/wrappers.js';
import { parseWindow, parseZone, sourceMapping } from '../plan.js';
import { addSourceOptions, addWindowOptions } from '../options.js';
import { protocolKinds } from '../summary.js';
import { ProgressLine } from '../progress.js';

export const INSPECT_EXAMPLE = `
Example:
  $ breach-impact inspect --export mixpanel-export/ --window 2025-11-08T00:00:00Z/2025-11-09T17:00:00Z
  $ breach-impact inspect --export people.json --format json | jq .fields

Values are never printed unless --show-values is given, and then only masked (j***@e***.com).`;

export const INSPECT_FORMATS = ['text', 'json'] as const;

export interface InspectFlags {
  export?: string[];
  vendor: string;
  map?: string;
  window?: string;
  since?: string;
  until?: string;
  timezone?: string;
  format: (typeof INSPECT_FORMATS)[number];
  showValues?: boolean;
  quiet?: boolean;
}

export function addInspectOptions(cmd: Command): Command {
  return addWindowOptions(
    addSourceOptions(cmd),
    'also count the records inside this window (start inclusive, end exclusive)',
  )
    .addOption(
      new Option('--format <fmt>', 'output format').choices(INSPECT_FORMATS).default('text'),
    )
    .option('--show-values', 'show up to 3 masked example values per field')
    .option('--quiet', 'no progress on stderr');
}

export async function inspect(
  f: InspectFlags,
  log: Log,
): Promise<{ text: string; errors: number }> {
  if (!f.export?.length)
    throw new UsageError(
      '--export is required',
      'name the vendor export: --export PATH (a file, a directory or - for stdin)',
    );
  const { timezone, zone } = parseZone(f.timezone);
  const mapping = sourceMapping(f);
  let bar: ProgressLine | undefined;
  const report = await runInspect(
    {
      exports: f.export,
      vendor: f.vendor,
      mapping,
      window: parseWindow(f, zone),
      timezone,
      zone,
      showValues: !!f.showValues,
    },
    log,
    (p) => {
      if (ProgressLine.enabled(!!f.quiet)) (bar = new ProgressLine(p)).start();
    },
  ).finally(() => bar?.stop());
  const text =
    f.format === 'json'
      ? jsonSafe(JSON.stringify(toJson(report), null, 2)) + '\n'
      : renderText(report);
  return { text, errors: report.errors.length };
}

function toJson(r: InspectReport) {
  return { ...r, time: { ...r.time, first: iso(r.time.first), last: iso(r.time.last) } };
}

const iso = (ms: number) => (Number.isFinite(ms) ? formatIso(ms) : null);
const n = (x: number) => x.toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(x >= 0.995 || x === 0 ? 0 : 1)}%`;

function table(header: string[], rows: string[][], indent = '  '): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    indent +
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function renderText(r: InspectReport): string {
  const out = [
    ...summaryLines(r),
    ...eventLines(r),
    ...identifierLines(r),
    ...fieldLines(r),
    ...rejectLines(r),
    ...errorLines(r),
  ];
  return out.join('\n') + '\n';
}

/** The opening lines: files, records, containers, protocol lines and time span. */
function summaryLines(r: InspectReport): string[] {
  const out: string[] = [];
  const files = r.inputs.length;
  const bytes = r.inputs.reduce((a, i) => a + (i.bytes ?? 0), 0);
  out.push(
    `export: ${n(files)} file${files === 1 ? '' : 's'}, ${n(bytes)} bytes, vendor ${r.vendor}`,
  );
  const kinds =
    Object.entries(r.records.by_kind)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ') || 'none';
  out.push(
    `records: ${n(r.records.read)} (${kinds}; rejected ${n(r.records.rejected)}; duplicates ${n(r.records.duplicates)})`,
  );
  if (r.wrappers.length) out.push(`inside: ${r.wrappers.map(wrapperLabel).join(', ')}`);
  const protocol = Object.entries(r.protocol_lines);
  if (protocol.length) out.push(`protocol lines (not records): ${protocolKinds(protocol)}`);
  const t = r.time;
  out.push(
    `time span: ${iso(t.first) ?? '-'} … ${iso(t.last) ?? '-'} (UTC)` +
      (t.in_window !== undefined ? `; in window: ${n(t.in_window)} records` : '') +
      (t.untimed_events ? `; events without a readable time: ${n(t.untimed_events)}` : ''),
  );
  return out;
}

/** The 20 most frequent event names. */
function eventLines(r: InspectReport): string[] {
  if (!r.events.length) return [];
  const out = ['', `events (${n(r.events.length)} names):`];
  const top = r.events.slice(0, 20);
  out.push(
    ...table(
      ['event', 'records'],
      top.map(([name, c]) => [safe(name), n(c)]),
    ),
  );
  if (r.events.length > top.length) out.push(`  … (+${r.events.length - top.length} more names)`);
  return out;
}

function identifierLines(r: InspectReport): string[] {
  if (!r.identifiers.length) return [];
  return [
    '',
    'identifiers:',
    ...table(
      ['field', 'distinct', 'records without'],
      r.identifiers.map((i) => [safe(i.field), n(i.distinct), n(i.records_without)]),
    ),
  ];
}

/** The fields table, then which fields hold sensitive values. */
function fieldLines(r: InspectReport): string[] {
  if (!r.fields.length) return [];
  const hasExamples = r.fields.some((f) => f.examples);
  return [
    '',
    'fields, by category:',
    ...table(
      [
        'category',
        'field',
        'fill',
        'distinct',
        'holds',
        ...(hasExamples ? ['examples (masked)'] : []),
      ],
      fieldRows(r, hasExamples),
    ),
    ...sensitiveLines(r.fields),
  ];
}

type FieldRow = InspectReport['fields'][number];

function fieldRows(r: InspectReport, hasExamples: boolean): string[][] {
  // Families of one kind (feature flags, UTM parameters …) are one row each (issue 14);
  // --format json keeps every field.
  const rows: string[][] = [];
  const byName = new Map(r.fields.map((f) => [f.field, f]));
  const done = new Set<string>();
  for (const f of r.fields) {
    if (done.has(f.field)) continue;
    const group = r.families.find((g) => g.fields.includes(f.field));
    if (group) {
      const members = group.fields.map((m) => byName.get(m)!);
      for (const m of members) done.add(m.field);
      rows.push(familyRow(f, group.label, members, hasExamples));
      continue;
    }
    rows.push([
      f.category,
      safe(f.field),
      pct(f.fill_rate),
      (f.distinct_capped ? '>' : '') + n(f.distinct),
      f.holds.join(',') || '-',
      ...(hasExamples ? [safe((f.examples ?? []).join(' | '))] : []),
    ]);
  }
  return rows;
}

/** A family's one row: the category of its member listed first, the most any member has. */
function familyRow(
  f: FieldRow,
  label: string,
  members: FieldRow[],
  hasExamples: boolean,
): string[] {
  const holds = [...new Set(members.flatMap((m) => m.holds))];
  const fill = Math.max(...members.map((m) => m.fill_rate));
  const distinct = Math.max(...members.map((m) => m.distinct));
  return [
    f.category,
    `${label} (${n(members.length)} fields)`,
    pct(fill),
    n(distinct),
    holds.join(',') || '-',
    ...(hasExamples ? ['-'] : []),
  ];
}

function sensitiveLines(fields: FieldRow[]): string[] {
  const flagged = (k: string) =>
    fields.filter((f) => f.holds.includes(k)).map((f) => safe(f.field));
  const lines: Array<[string, string[]]> = [
    ['emails', flagged('email')],
    ['IP addresses', flagged('ip')],
    ['URLs with query strings', flagged('url_query')],
    ['hashed values', flagged('hash')],
  ];
  return [
    '',
    'sensitive values found in:',
    ...lines.map(([what, list]) => `  ${(what + ':').padEnd(25)} ${list.join(', ') || 'none'}`),
  ];
}

function rejectLines(r: InspectReport): string[] {
  const out = ['', `rejects: ${n(r.records.rejected)}`];
  if (r.rejects.length)
    out.push(
      ...table(
        ['reason', 'records', 'first at'],
        r.rejects.map((x) => [safe(x.reason), n(x.count), safe(x.first)]),
      ),
    );
  return out;
}

function errorLines(r: InspectReport): string[] {
  if (!r.errors.length) return [];
  return ['', 'unreadable inputs:', ...r.errors.map((e) => '  ' + safe(e))];
}
