/**
 * The affected-users output's columns (SPEC §5, issue 15): the default list, or --columns LIST,
 * which chooses, orders and renames them (`email=Email,name=Full Name,exposed_summary`) for the
 * tool that imports the file. A name that is not one of ours is a users-table column.
 */
import { UsageError } from '../errors.js';

/** Our columns, in the default order (the last five only when asked for). */
export const OUTPUT_COLUMNS = [
  'user_id',
  'email',
  'match',
  'confidence',
  'vendor_ids',
  'records',
  'first_seen',
  'last_seen',
  'exposed_fields',
  'exposed_categories',
  'exposed_summary',
  'events',
  'sources',
  'residence',
  'notification_basis',
] as const;
export type OutputKey = (typeof OUTPUT_COLUMNS)[number];

/** One output column: ours (`key`), or a users-table column (`table`, its index among the columns loaded). */
export interface OutputColumn {
  header: string;
  key?: OutputKey;
  table?: number;
}

/** --columns as written: names, with the header each is renamed to. */
export interface ColumnChoice {
  name: string;
  header: string;
}

export function parseColumns(spec: string): ColumnChoice[] {
  const out: ColumnChoice[] = [];
  for (const item of spec.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const header = eq < 0 ? name : item.slice(eq + 1).trim();
    if (name === '' || header === '')
      throw new UsageError(
        `--columns: "${item.trim()}" names no ${name === '' ? 'column' : 'header'}`,
        'write COLUMN or COLUMN=Header, e.g. --columns email=Email,name=Full Name,exposed_summary',
      );
    out.push({ name, header });
  }
  if (out.length === 0)
    throw new UsageError(
      '--columns names no column',
      `choose from ${OUTPUT_COLUMNS.join(', ')} and the users table's columns`,
    );
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.header))
      throw new UsageError(
        `--columns: two columns would be headed "${c.header}"`,
        'rename one: COLUMN=Header',
      );
    seen.add(c.header);
  }
  return out;
}

export function isOurs(name: string): name is OutputKey {
  return (OUTPUT_COLUMNS as readonly string[]).includes(name);
}

/** The default columns: ours, with --user-columns after `email`, and the basis when asked for. */
export function defaultColumns(userColumns: string[], basis: boolean): OutputColumn[] {
  const ours = (k: OutputKey): OutputColumn => ({ header: k, key: k });
  return [
    ours('user_id'),
    ours('email'),
    ...userColumns.map((header, table) => ({ header, table })),
    ...OUTPUT_COLUMNS.slice(
      OUTPUT_COLUMNS.indexOf('match'),
      OUTPUT_COLUMNS.indexOf('exposed_categories') + 1,
    ).map(ours),
    ...(basis ? [ours('residence'), ours('notification_basis')] : []),
  ];
}
