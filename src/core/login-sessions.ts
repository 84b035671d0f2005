/**
 * Internal login sessions (SPEC §4.4 `session`, issue #3): the company's own record of who was
 * logged in when, from which ip / user agent / device. A vendor record that no identifier or
 * vendor session attributes is matched to the users whose login session contains its time
 * (± tolerance, for clock skew) and agrees on every key both sides have — at least one.
 */
import { InputError } from '../errors.js';

export const LOGIN_KEYS = ['ip', 'user_agent', 'device_id'] as const;
export type LoginKey = (typeof LOGIN_KEYS)[number];

interface LoginSession {
  user: number;
  start: number;
  end: number;
  keys: Partial<Record<LoginKey, string>>;
  line: number;
}

export interface RecordKeys {
  ip: string;
  user_agent: string;
  device_id: string;
}

export class LoginSessions {
  private readonly byKey: Record<LoginKey, Map<string, LoginSession[]>> = {
    ip: new Map(),
    user_agent: new Map(),
    device_id: new Map(),
  };
  count = 0;

  constructor(private readonly toleranceMs: number) {}

  add(s: LoginSession): void {
    this.count++;
    for (const k of LOGIN_KEYS) {
      const v = s.keys[k];
      if (v === undefined) continue;
      const list = this.byKey[k].get(v);
      if (list) list.push(s);
      else this.byKey[k].set(v, [s]);
    }
  }

  /** Users (sorted) whose login session covers time t and agrees with the record's keys. */
  candidates(t: number, rec: RecordKeys): number[] {
    if (Number.isNaN(t)) return NO_USERS;
    let out: number[] | undefined;
    const tol = this.toleranceMs;
    for (const k of LOGIN_KEYS) {
      const v = rec[k];
      if (v === '') continue;
      const list = this.byKey[k].get(normalizeKey(k, v));
      if (!list) continue;
      for (const s of list) {
        if (t < s.start - tol || t > s.end + tol) continue;
        if (!agrees(s, rec)) continue;
        if (!out) out = [s.user];
        else if (!out.includes(s.user)) out.push(s.user);
      }
    }
    return out ? out.sort((a, b) => a - b) : NO_USERS;
  }
}

const NO_USERS: number[] = [];

function agrees(s: LoginSession, rec: RecordKeys): boolean {
  for (const k of LOGIN_KEYS) {
    const mine = s.keys[k];
    const theirs = rec[k];
    if (mine !== undefined && theirs !== '' && mine !== normalizeKey(k, theirs)) return false;
  }
  return true;
}

export function normalizeKey(k: LoginKey, v: string): string {
  const t = v.trim();
  return k === 'ip' ? t.toLowerCase() : t;
}

export interface SessionTableRow {
  cells: string[];
  line: number;
}

/** Builds the index from a parsed table; user ids are resolved through `userOf`. */
export function buildLoginSessions(
  file: string,
  header: string[],
  rows: Iterable<SessionTableRow>,
  toleranceMs: number,
  userOf: (id: string) => number | undefined,
  parseTime: (s: string) => number,
): { sessions: LoginSessions; unknownUsers: number } {
  const col = (c: string) => header.indexOf(c);
  const [cu, cs, ce] = [col('user_id'), col('start'), col('end')];
  const keyCols = LOGIN_KEYS.map((k) => [k, col(k)] as const).filter(([, c]) => c >= 0);
  const sessions = new LoginSessions(toleranceMs);
  let unknownUsers = 0;
  for (const { cells, line } of rows) {
    const id = (cells[cu] ?? '').trim();
    const start = parseTime(cells[cs] ?? '');
    const end = parseTime(cells[ce] ?? '');
    if (Number.isNaN(start) || Number.isNaN(end)) {
      throw new InputError(
        'INPUT_BAD_TABLE',
        `cannot read the session's ${Number.isNaN(start) ? 'start' : 'end'} time`,
        { file, line },
        'use ISO 8601 or epoch times',
      );
    }
    if (end < start)
      throw new InputError(
        'INPUT_BAD_TABLE',
        'the session ends before it starts',
        { file, line },
        'swap start and end, or fix the row',
      );
    const user = userOf(id);
    if (user === undefined) {
      unknownUsers++; // a login of someone not in the users table attributes nothing to anyone
      continue;
    }
    const keys: Partial<Record<LoginKey, string>> = {};
    for (const [k, c] of keyCols) {
      const v = (cells[c] ?? '').trim();
      if (v !== '') keys[k] = normalizeKey(k, v);
    }
    sessions.add({ user, start, end, keys, line });
  }
  return { sessions, unknownUsers };
}
