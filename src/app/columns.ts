/**
 * The users table's columns (SPEC §2): which holds the id, the email, the --user-key values and
 * the columns copied to the output. Names are found the way a person reads a header, ignoring
 * case, spaces, `-` and `_` (`ID`, `Email`, `E-mail Address`, `User ID`): a header written
 * `ID,Email` silently matched nobody (issue 13). An exact name always wins; a name two columns
 * answer to is a usage error naming both.
 */
import { UsageError } from '../errors.js';
import { usersDisplay } from '../io/users-source.js';
import { defaultColumns, isOurs, OUTPUT_COLUMNS, type OutputColumn } from './output-columns.js';
import type { CorrelatePlan } from './plan.js';

export interface UserColumns {
  idColumn: string;
  emailColumn?: string;
  userKeys: string[];
  /** The columns whose values are kept per user: for the output, and --locale-column last. */
  userColumns: string[];
  residenceColumns: string[];
  /** The affected-users output's columns (--columns, or the default). */
  output: OutputColumn[];
  /** --locale-column: its index among `userColumns`. */
  locale?: number;
}

const ID_NAMES = ['id', 'userid', 'uid'];
const EMAIL_NAMES = ['email', 'emailaddress', 'useremail'];

export const looseName = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/** The column a name means: itself, or the one column it loosely equals; undefined when none. */
function find(present: string[], wanted: string, option: string, file: string): string | undefined {
  if (present.includes(wanted)) return wanted;
  const hits = present.filter((c) => looseName(c) === looseName(wanted));
  if (hits.length > 1)
    throw new UsageError(
      `${file}: ${option} "${wanted}" could be any of the columns ${hits.map((h) => `"${h}"`).join(', ')}`,
      `name one exactly: ${option} "${hits[0]}"`,
    );
  return hits[0];
}

/** The users table's header, with how messages name the file and list its columns. */
interface Header {
  present: string[];
  file: string;
  listing: string;
}

/** The column options, checked against the header: a missing one is a usage error. */
export function resolveColumns(present: string[], plan: CorrelatePlan): UserColumns {
  const h: Header = {
    present,
    file: usersDisplay({ path: plan.users }),
    listing: `columns present: ${present.join(', ') || '(none)'}`,
  };
  const idColumn = idColumnOf(h, plan.idColumn);
  const emailColumn =
    plan.emailColumn !== undefined
      ? need(
          h,
          '--email-column',
          plan.emailColumn,
          'name an existing column with --email-column COL',
        )
      : firstOf(h, EMAIL_NAMES, '--email-column');
  const { output, kept } = outputColumns(h, plan);
  const locale =
    plan.localeColumn === undefined
      ? undefined
      : keep(
          kept,
          need(
            h,
            '--locale-column',
            plan.localeColumn,
            "name the column that holds each user's language (de, de-AT, fr_FR …)",
          ),
        );
  return {
    idColumn,
    emailColumn,
    userKeys: plan.userKeys.map((k) =>
      need(h, '--user-key', k, 'name an existing column with --user-key COL'),
    ),
    userColumns: kept,
    residenceColumns: plan.residenceColumns.map((k) =>
      need(
        h,
        '--residence-column',
        k,
        'name the country (and region) columns: --residence-column country,state',
      ),
    ),
    output,
    ...(locale === undefined ? {} : { locale }),
  };
}

/** The column an option names; not being there is a usage error that lists the header. */
function need(h: Header, option: string, wanted: string, hint: string): string {
  const c = find(h.present, wanted, option, h.file);
  if (c === undefined)
    throw new UsageError(
      `${h.file}: ${option} "${wanted}" is not in the users table; ${h.listing}`,
      hint,
    );
  return c;
}

/** The first of the usual names the header has, exactly or loosely; undefined when none. */
function firstOf(h: Header, names: string[], option: string): string | undefined {
  for (const n of names) {
    const c = h.present.find((p) => p === n) ?? find(h.present, n, option, h.file);
    if (c !== undefined) return c;
  }
  return undefined;
}

/** --user-id-column, or else the first usual id name: a table without one is refused. */
function idColumnOf(h: Header, named: string | undefined): string {
  if (named !== undefined)
    return need(h, '--user-id-column', named, 'name an existing column with --user-id-column COL');
  const found = firstOf(h, ID_NAMES, '--user-id-column');
  if (found === undefined)
    throw new UsageError(
      `${h.file}: no user id column (looked for id, user_id, uid, in any case); ${h.listing}`,
      'name it with --user-id-column COL',
    );
  return found;
}

/** `c`'s index among the kept columns, added at the end the first time. */
function keep(kept: string[], c: string): number {
  const i = kept.indexOf(c);
  return i >= 0 ? i : kept.push(c) - 1;
}

/** The output's columns (--columns, or the default and --user-columns), and what they keep. */
function outputColumns(h: Header, plan: CorrelatePlan): { output: OutputColumn[]; kept: string[] } {
  const kept: string[] = [];
  if (plan.columns) {
    const output = plan.columns.map(({ name, header }): OutputColumn => {
      if (isOurs(name)) return { header, key: name };
      const c = find(h.present, name, '--columns', h.file);
      if (c === undefined)
        throw new UsageError(
          `${h.file}: --columns "${name}" is neither an output column nor in the users table; output columns: ${OUTPUT_COLUMNS.join(', ')}; ${h.listing}`,
          'name output columns or users-table columns, COLUMN=Header to rename',
        );
      return { header, table: keep(kept, c) };
    });
    return { output, kept };
  }
  for (const k of plan.userColumns)
    keep(kept, need(h, '--user-columns', k, 'list existing columns with --user-columns a,b,c'));
  return { output: defaultColumns(kept.slice(), plan.notificationBasis), kept };
}
