/**
 * The small side of the join: the internal user table, indexed by every value a vendor record
 * may carry for a user (SPEC §4.4). Built once, before the export is streamed.
 */
import { InputError } from '../errors.js';
import { emailHashRecipes, normalizeEmail, type HashFn } from './normalize.js';

export interface UserTableSpec {
  file: string;
  idColumn: string;
  emailColumn?: string;
  userKeys: string[];
  userColumns: string[];
}

export interface UserIndex {
  readonly size: number;
  readonly ids: string[];
  readonly emails: string[]; // as written, trimmed
  readonly extra: string[][]; // --user-columns values, per user
  readonly byId: Map<string, number[]>; // user id and --user-key values, trimmed
  readonly byEmail: Map<string, number[]>; // normalized email
  readonly emailNorm: string[]; // normalized email, '' when none
  /** Users whose normalized email hashes to this lower-case hex digest, and the recipe that did. */
  lookupHash(hex: string): { users: number[]; recipe: string } | undefined;
}

export interface UserRowSource {
  header: string[];
  /** Rows with their 1-based line number in the file. */
  rows: Iterable<{ cells: string[]; line: number }>;
}

export function buildUserIndex(src: UserRowSource, spec: UserTableSpec, hash: HashFn): UserIndex {
  const col = (name: string) => src.header.indexOf(name);
  const idCol = col(spec.idColumn);
  const emailCol = spec.emailColumn === undefined ? -1 : col(spec.emailColumn);
  const keyCols = spec.userKeys.map(col);
  const extraCols = spec.userColumns.map(col);
  const ids: string[] = [];
  const emails: string[] = [];
  const extra: string[][] = [];
  const byId = new Map<string, number[]>();
  const byEmail = new Map<string, number[]>();
  const emailNorm: string[] = [];
  const firstLine = new Map<string, number>();
  const add = <K>(m: Map<K, number[]>, k: K, u: number) => {
    const a = m.get(k);
    if (a === undefined) m.set(k, [u]);
    else if (a[a.length - 1] !== u) a.push(u);
  };

  for (const { cells, line } of src.rows) {
    const id = (cells[idCol] ?? '').trim();
    if (id === '') {
      throw new InputError('INPUT_BAD_TABLE', `user id column "${spec.idColumn}" is empty`, { file: spec.file, line }, `every user needs an id; fix row ${line} or pass --user-id-column`);
    }
    const seen = firstLine.get(id);
    if (seen !== undefined) {
      throw new InputError('INPUT_BAD_TABLE', `user id appears twice (first on line ${seen})`, { file: spec.file, line }, 'user ids must be unique: remove or merge the duplicate rows');
    }
    firstLine.set(id, line);
    const u = ids.length;
    ids.push(id);
    const rawEmail = emailCol >= 0 ? (cells[emailCol] ?? '').trim() : '';
    emails.push(rawEmail);
    extra.push(extraCols.map((c) => (c >= 0 ? cells[c] ?? '' : '')));
    add(byId, id, u);
    for (const c of keyCols) {
      const v = (cells[c] ?? '').trim();
      if (v !== '' && v !== id) add(byId, v, u);
    }
    const email = rawEmail === '' ? '' : normalizeEmail(rawEmail);
    emailNorm.push(email);
    if (email !== '') add(byEmail, email, u);
  }
  // Six digests per user cost seconds at a million users, and most exports carry no hashes:
  // build the digest map the first time a hash-shaped value is looked up.
  let byHash: Map<string, { users: number[]; recipe: string }> | undefined;
  const lookupHash = (hex: string) => {
    if (byHash === undefined) {
      byHash = new Map();
      for (let u = 0; u < emailNorm.length; u++) {
        if (emailNorm[u] === '') continue;
        for (const [recipe, digest] of emailHashRecipes(emailNorm[u]!, hash)) {
          const h = byHash.get(digest);
          if (h === undefined) byHash.set(digest, { users: [u], recipe });
          else if (!h.users.includes(u)) h.users.push(u);
        }
      }
    }
    return byHash.get(hex.toLowerCase());
  };
  return { size: ids.length, ids, emails, extra, byId, byEmail, emailNorm, lookupHash };
}
