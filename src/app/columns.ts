/**
 * The users table's columns (SPEC §2): which holds the id, the email, the --user-key values and
 * the columns copied to the output. Names are found the way a person reads a header, ignoring
 * case, spaces, `-` and `_` (`ID`, `Email`, `E-mail Address`, `User ID`): a header written
 * `ID,Email` silently matched nobody (issue 13). An exact name always wins; a name two columns
 * answer to is a usage error naming both.
 */
import { UsageError } from '../errors.js';
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

/** The column options, checked against the header: a missing one is a usage error. */
export function resolveColumns(present: string[], plan: CorrelatePlan): UserColumns {
  const file = plan.users;
  const listing = `columns present: ${present.join(', ') || '(none)'}`;
  const need = (option: string, wanted: string, hint: string): string => {
    const c = find(present, wanted, option, file);
    if (c === undefined)
      throw new UsageError(
        `${file}: ${option} "${wanted}" is not in the users table; ${listing}`,
        hint,
      );
    return c;
  };
  const firstOf = (names: string[], option: string) => {
    for (const n of names) {
      const c = present.find((p) => p === n) ?? find(present, n, option, file);
      if (c !== undefined) return c;
    }
    return undefined;
  };
  let idColumn: string;
  if (plan.idColumn !== undefined)
    idColumn = need(
      '--user-id-column',
      plan.idColumn,
      'name an existing column with --user-id-column COL',
    );
  else {
    const found = firstOf(ID_NAMES, '--user-id-column');
    if (found === undefined)
      throw new UsageError(
        `${file}: no user id column (looked for id, user_id, uid, in any case); ${listing}`,
        'name it with --user-id-column COL',
      );
    idColumn = found;
  }
  const emailColumn =
    plan.emailColumn !== undefined
      ? need('--email-column', plan.emailColumn, 'name an existing column with --email-column COL')
      : firstOf(EMAIL_NAMES, '--email-column');
  const kept: string[] = [];
  const keep = (c: string) => {
    const i = kept.indexOf(c);
    return i >= 0 ? i : kept.push(c) - 1;
  };
  let output: OutputColumn[];
  if (plan.columns) {
    output = plan.columns.map(({ name, header }) => {
      if (isOurs(name)) return { header, key: name };
      const c = find(present, name, '--columns', file);
      if (c === undefined)
        throw new UsageError(
          `${file}: --columns "${name}" is neither an output column nor in the users table; output columns: ${OUTPUT_COLUMNS.join(', ')}; ${listing}`,
          'name output columns or users-table columns, COLUMN=Header to rename',
        );
      return { header, table: keep(c) };
    });
  } else {
    for (const k of plan.userColumns)
      keep(need('--user-columns', k, 'list existing columns with --user-columns a,b,c'));
    output = defaultColumns(kept.slice(), plan.notificationBasis);
  }
  const locale =
    plan.localeColumn === undefined
      ? undefined
      : keep(
          need(
            '--locale-column',
            plan.localeColumn,
            "name the column that holds each user's language (de, de-AT, fr_FR …)",
          ),
        );
  return {
    idColumn,
    emailColumn,
    userKeys: plan.userKeys.map((k) =>
      need('--user-key', k, 'name an existing column with --user-key COL'),
    ),
    userColumns: kept,
    residenceColumns: plan.residenceColumns.map((k) =>
      need(
        '--residence-column',
        k,
        'name the country (and region) columns: --residence-column country,state',
      ),
    ),
    output,
    ...(locale === undefined ? {} : { locale }),
  };
}
