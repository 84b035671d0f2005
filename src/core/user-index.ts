/**
 * The small side of the join: the internal user table, indexed by every value a vendor record
 * may carry for a user (SPEC §4.4). Built once, row by row as the table is parsed, before the
 * export is streamed.
 *
 * Memory: at a million users every per-user allocation shows (docs/PERFORMANCE.md), so a value that
 * belongs to one user maps to that user's number, and only a value shared by several users
 * (two accounts, one email) maps to an array.
 */
import { InputError } from '../errors.js';
import { emailHashRecipes, normalizeEmail, type HashFn } from './normalize.js';
import { residenceCode } from './residence.js';

export interface UserTableSpec {
  file: string;
  idColumn: string;
  emailColumn?: string;
  userKeys: string[];
  userColumns: string[];
  /** --residence-column COUNTRY[,REGION] */
  residenceColumns?: string[];
}

/** One user (a number) or several (an array). */
export type Users = number | number[];

export interface UserIndex {
  readonly size: number;
  readonly ids: string[];
  readonly emails: string[]; // as written, trimmed
  readonly extra: string[][]; // --user-columns values, per user
  readonly byId: Map<string, Users>; // user id and --user-key values, trimmed
  readonly byEmail: Map<string, Users>; // normalized email
  readonly emailNorm: string[]; // normalized email, '' when none
  /** Residence code per user from the table (`US-CA`, `DE`), '' when it says nothing. */
  readonly residence: string[];
  /** Users whose normalized email hashes to this lower-case hex digest, and the recipe that did. */
  lookupHash(hex: string): { users: number[]; recipe: string } | undefined;
}

const NO_EXTRA: string[] = [];

/**
 * A copy of a table value that holds only its own characters. The CSV parser's cells are
 * slices of the whole table text, so keeping one keeps all of it: at a million users that was
 * the table twice over (a two-byte string once any name is non-ASCII), 470 MB of heap, now 220.
 */
function own(s: string): string {
  if (s.length < 13) return s; // V8 copies short slices itself
  // Through UTF-8 a lone surrogate (possible in an NDJSON table: "\ud800") would become U+FFFD and
  // stop matching the export: such a value is copied as UTF-16, by flattening a concatenation.
  if (SURROGATE.test(s)) return (' ' + s).slice(1);
  if (s.length * 3 > scratch.length) return Buffer.from(s, 'utf8').toString('utf8');
  const n = scratch.write(s, 0); // through a reused buffer: no allocation but the copy
  return scratch.toString('utf8', 0, n);
}
const SURROGATE = /[\ud800-\udfff]/;
const scratch = Buffer.allocUnsafe(4096);

function add(m: Map<string, Users>, k: string, u: number): void {
  const a = m.get(k);
  if (a === undefined) m.set(k, u);
  else if (typeof a === 'number') {
    if (a !== u) m.set(k, [a, u]);
  } else if (!a.includes(u)) a.push(u);
}

export class UserIndexBuilder {
  private readonly idCol: number;
  private readonly emailCol: number;
  private readonly keyCols: number[];
  private readonly extraCols: number[];
  private readonly residenceCols: number[];
  private readonly residence: string[] = [];
  private readonly ids: string[] = [];
  private readonly emails: string[] = [];
  private readonly emailNorm: string[] = [];
  private readonly extra: string[][] = [];
  private readonly byId = new Map<string, Users>();
  private readonly byEmail = new Map<string, Users>();
  private readonly lines: number[] = []; // per user, the table line it came from

  constructor(
    header: string[],
    private readonly spec: UserTableSpec,
    private readonly hash: HashFn,
  ) {
    const col = (name: string) => header.indexOf(name);
    this.idCol = col(spec.idColumn);
    this.emailCol = spec.emailColumn === undefined ? -1 : col(spec.emailColumn);
    this.keyCols = spec.userKeys.map(col);
    this.extraCols = spec.userColumns.map(col);
    this.residenceCols = (spec.residenceColumns ?? []).map(col);
  }

  add(cells: string[], line: number): void {
    const id = own((cells[this.idCol] ?? '').trim());
    if (id === '') {
      throw new InputError(
        'INPUT_BAD_TABLE',
        `user id column "${this.spec.idColumn}" is empty`,
        { file: this.spec.file, line },
        `every user needs an id; fix row ${line} or pass --user-id-column`,
      );
    }
    // A duplicate id is already in byId as some user's own id (not only as a --user-key value).
    const seen = this.byId.get(id);
    if (seen !== undefined) {
      const first = (typeof seen === 'number' ? [seen] : seen).find((v) => this.ids[v] === id);
      if (first !== undefined) {
        throw new InputError(
          'INPUT_BAD_TABLE',
          `user id appears twice (first on line ${this.lines[first]})`,
          { file: this.spec.file, line },
          'user ids must be unique: remove or merge the duplicate rows',
        );
      }
    }
    const u = this.ids.length;
    this.lines.push(line);
    this.ids.push(id);
    const rawEmail = this.emailCol >= 0 ? own((cells[this.emailCol] ?? '').trim()) : '';
    this.emails.push(rawEmail);
    this.extra.push(
      this.extraCols.length === 0
        ? NO_EXTRA
        : this.extraCols.map((c) => (c >= 0 ? own(cells[c] ?? '') : '')),
    );
    if (seen === undefined)
      this.byId.set(id, u); // one lookup per user, not two
    else add(this.byId, id, u);
    for (const c of this.keyCols) {
      const v = own((cells[c] ?? '').trim());
      if (v !== '' && v !== id) add(this.byId, v, u);
    }
    if (this.residenceCols.length)
      this.residence.push(
        residenceCode(
          cells[this.residenceCols[0]!] ?? '',
          this.residenceCols[1] === undefined ? '' : (cells[this.residenceCols[1]] ?? ''),
        ),
      );
    const email = rawEmail === '' ? '' : normalizeEmail(rawEmail);
    this.emailNorm.push(email);
    if (email !== '') add(this.byEmail, email, u);
  }

  build(): UserIndex {
    const { ids, emails, extra, byId, byEmail, emailNorm, hash, residence } = this;
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
    this.lines.length = 0;
    return {
      size: ids.length,
      ids,
      emails,
      extra,
      byId,
      byEmail,
      emailNorm,
      residence,
      lookupHash,
    };
  }
}

/** The users of an index entry, as an array (for the rare callers that need one). */
export function usersArray(u: Users | undefined): number[] | undefined {
  return u === undefined ? undefined : typeof u === 'number' ? [u] : u;
}
