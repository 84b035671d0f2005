/** Identifier normalisation (SPEC §4.4). Pure: the hash functions are passed in by the caller. */

/** trim + Unicode NFC + lower-case; '' when it is not an email at all. */
export function normalizeEmail(raw: string): string {
  const s = raw.trim();
  if (!isEmailShaped(s)) return '';
  // NFC only when needed: most addresses are ASCII and normalize() costs.
  return (isAscii(s) ? s : s.normalize('NFC')).toLowerCase();
}

// One '@', something on each side, a dot in the domain, no spaces. Deliberately loose:
// this tells "looks like an email" apart from ids, it does not validate deliverability.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function isEmailShaped(s: string): boolean {
  return s.length >= 5 && s.length <= 320 && s.indexOf('@') > 0 && EMAIL_RE.test(s);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** Gmail ignores dots and `+tag` in the local part; other providers do not. */
export function gmailCanonical(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  if (domain !== 'gmail.com' && domain !== 'googlemail.com') return undefined;
  let local = email.slice(0, at);
  const plus = local.indexOf('+');
  if (plus >= 0) local = local.slice(0, plus);
  const canon = local.replace(/\./g, '') + '@gmail.com';
  return canon === email ? undefined : canon;
}

const HEX_RE = /^[0-9a-fA-F]+$/;
/** A 32/40/64-hex value: possibly an md5/sha1/sha256 of an email. */
export function isHashShaped(s: string): boolean {
  const n = s.length;
  return (n === 32 || n === 40 || n === 64) && HEX_RE.test(s);
}

const IPV4_RE = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HEXGROUP_RE = /^[0-9a-fA-F]{1,4}$/;

export function isIpShaped(s: string): boolean {
  return IPV4_RE.test(s) || isIpv6(s);
}

/** RFC 4291 text forms: 8 groups, or fewer with one `::`, optionally ending in dotted IPv4. */
function isIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 45 || s.indexOf(':') < 0) return false;
  let body = s;
  let groups = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > 0) {
    if (!IPV4_RE.test(s.slice(lastColon + 1))) return false;
    body = s.slice(0, lastColon + 1) + '0'; // the IPv4 tail stands for two groups
    groups = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const parts = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!parts.every((p) => HEXGROUP_RE.test(p))) return false;
  groups += parts.length;
  // A MAC address or a clock time has the shape of few groups and no '::': a real address
  // without '::' has all 8 groups.
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/** Mixpanel writes anonymous ids as `$device:<id>`, and silently accepts `$device:$device:<id>`. */
export function stripDevicePrefix(s: string): string {
  while (s.startsWith('$device:')) s = s.slice(8);
  return s;
}

export type HashName = 'md5' | 'sha1' | 'sha256';
export type HashFn = (name: HashName, s: string) => string;

/** The recipes tried for email_hash matching, named as the manifest reports them. */
export function emailHashRecipes(
  email: string,
  hash: HashFn,
): Array<[recipe: string, hex: string]> {
  const out: Array<[string, string]> = [];
  const gmail = gmailCanonical(email);
  for (const h of ['sha256', 'sha1', 'md5'] as const) {
    out.push([`${h}(lower(trim))`, hash(h, email)]);
    if (gmail) out.push([`${h}(gmail_canonical)`, hash(h, gmail)]);
  }
  return out;
}
