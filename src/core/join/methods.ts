/** Match methods (SPEC §4.4), as bits of an aggregate's `methods`, strongest first. */
export const M_ID = 1,
  M_EMAIL = 2,
  M_HASH = 4,
  M_ALIAS = 8,
  M_SESSION = 16;

export const METHODS: ReadonlyArray<[number, string]> = [
  [M_ID, 'id'],
  [M_EMAIL, 'email'],
  [M_HASH, 'email_hash'],
  [M_ALIAS, 'alias'],
  [M_SESSION, 'session'],
];

/** `high` for id/email/email_hash, `medium` for alias/session. */
export function confidenceOf(methods: number): 'high' | 'medium' {
  return methods & (M_ID | M_EMAIL | M_HASH) ? 'high' : 'medium';
}
