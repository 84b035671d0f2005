/** Exposure categories (SPEC §4.7): the field's name decides; where it says nothing, its values do. */
import { familyOf } from './families.js';
import { isEmailShaped, isHashShaped, isIpShaped } from './normalize.js';

export { CATEGORIES, type Category } from './category.js';
import type { Category } from './category.js';

/**
 * What a field's values must be able to carry for its name to count (issue 14): a name alone
 * cannot make a field a credential or a contact. `privacy_info.uses_transient_token: "No"` is
 * not a credential, `email_service_available: false` not a contact.
 */
export type ValueTest = 'password' | 'secret' | 'email' | 'phone' | 'text';

export interface CategoryRule {
  category: Category;
  /** Tested on the normalized name (see normalizeName): word edges on `_`, `.`, space, camelCase. */
  name: RegExp;
  /** When set, the rule holds only once a value of the field passes the test. */
  values?: ValueTest;
  why: string;
}

/**
 * The category rules, in order (the data of SPEC §4.7, with issue 14's value tests). A name
 * that an unconditional rule claims gets that rule's category (the first such); a name only
 * conditional rules claim is `other` until one of its values passes a test (the first rule in
 * order whose test a value passes wins); a name no rule claims takes its values' category (an
 * email-shaped value makes it contact, an IP-shaped one location), else its parent's.
 */
export const CATEGORY_RULES: readonly CategoryRule[] = [
  {
    category: 'web',
    name: /(^|_)(page|landing|document)_?(location|url|referrer|path|title)($|_)|(^|_)traffic_?source($|_)/,
    why: "a page's location is its URL, not a place (GA4 page_location)",
  },
  {
    category: 'credential',
    name: /(^|_)(password|passwd|pwd|passcode)($|_)/,
    values: 'password',
    why: 'named like a password, and a value could be one (not a placeholder, a mask or a yes/no)',
  },
  {
    category: 'credential',
    name: /(^|_)(token|api_?key|secret|auth|authorization|session_?code|reset_?code|otp|access_?key|private_?key|credentials?|cookie)($|_)/,
    values: 'secret',
    why: 'named like a credential, and a value is shaped like a secret',
  },
  {
    category: 'account',
    name: /(^|_)(distinct_?ids?|user_?id|userid|uid|device_?id|deviceid|anon(ymous)?_?(distinct_?)?id|identified_?id|org(anization)?_?id|account_?id|customer_?id|tenant_?id|workspace_?id|team_?id|company_?id|group_?id|groups|person_?id|amplitude_?id|insert_?id|alias|idfa|idfv|adid|ios_?ifa|advertising_?id|user_?pseudo_?id|before_identity|message_?id|uuid|session_?id|window_?id|previous_?id)($|_)/,
    why: 'an identifier of a user, device, account or session',
  },
  {
    category: 'location',
    name: /(^|_)(ip|ip_?address|city|region|country|country_?code|postal|postal_?code|zip|zip_?code|postcode|lat|latitude|lng|lon|long|longitude|location|geo|timezone|time_?zone|dma|metro|subdivision|continent|state)($|_)/,
    why: 'a place, or an IP address',
  },
  {
    category: 'contact',
    name: /(^|_)e_?mail(_?address)?($|_)/,
    values: 'email',
    why: 'named like an email, and a value is an email address or its hash',
  },
  {
    category: 'contact',
    name: /(^|_)(phone|phone_?number|mobile_?(phone|number)|telephone)($|_)/,
    values: 'phone',
    why: "named like a phone number, and a value has a phone number's digits",
  },
  {
    category: 'contact',
    name: /(^|_)(first|last|full|given|family|display|user|real|middle|sur|nick)_?name$|^name$|(^|_)(address|street)($|_)/,
    values: 'text',
    why: 'named like a name or address, and a value is text',
  },
  { category: 'contact', name: /(^|_)avatar($|_)/, why: "a person's picture" },
  {
    category: 'device',
    name: /(^|_)(os|browser|device|model|manufacturer|brand|carrier|radio|wifi|screen|viewport|user_?agent|ua|platform|app_?version|app_?build|app_?release|lib|library|language|locale|bluetooth|has|google_?play_?services|idfv)($|_)/,
    why: 'the browser, operating system or device',
  },
  {
    category: 'web',
    name: /(^|_)(url|uri|href|path|pathname|host|referrer|referer|referring|initial_?referr\w*|utm|search_?engine|keyword|search|query|title|page|gclid|fbclid|msclkid|campaign|landing|session_?entry)($|_)/,
    why: 'a page, referrer, search or campaign',
  },
];

/** What a name says: a category outright, or the conditional rules its values may satisfy. */
export interface NameVerdict {
  /** The category the name gives outright; 'other' when it gives none. */
  readonly base: Category;
  /** Rules that hold once a value passes their test (only when `base` is 'other'). */
  readonly tests: readonly CategoryRule[];
}

const verdictCache = new Map<string, NameVerdict>();

/** The verdict of a field's name; a preset's own category for the name (`own`) is final. */
export function verdictFor(field: string, own?: Category): NameVerdict {
  if (own !== undefined) return { base: own, tests: [] };
  let v = verdictCache.get(field);
  if (v === undefined) {
    const family = familyOf(field)?.category;
    v = family !== undefined ? { base: family, tests: [] } : judge(qualified(field));
    // A dotted name whose last segment says nothing takes the nearest parent that does:
    // `device.category` is device, `geo.metro` location, `traffic_source.medium` web.
    for (
      let end = field.lastIndexOf('.');
      v.base === 'other' && v.tests.length === 0 && end > 0;
      end = field.lastIndexOf('.', end - 1)
    ) {
      v = judge(normalizeName(field.slice(0, end)));
    }
    if (verdictCache.size < 100_000) verdictCache.set(field, v);
  }
  return v;
}

function judge(s: string): NameVerdict {
  const tests: CategoryRule[] = [];
  for (const r of CATEGORY_RULES) {
    if (!r.name.test(s)) continue;
    if (r.values === undefined) return { base: r.category, tests: [] };
    tests.push(r);
  }
  return { base: 'other', tests };
}

/**
 * Value hints, as codes: a conditional rule's index in its verdict's tests (0 is the best), or
 * one of these two for names that say nothing. The lowest code seen for a field decides.
 */
export const HINT_CONTACT = 100,
  HINT_LOCATION = 101;

/** Value shapes a hint names (its index crosses to the parse workers). */
export const SHAPES = [
  'a JWT',
  'a UUID',
  'a hex string',
  'a base64 string',
  'a password-like string',
  'an email address',
  'a hashed email',
  'a phone number',
  'text',
  'an IP address',
  'a possible password',
] as const;
const S_JWT = 0,
  S_UUID = 1,
  S_HEX = 2,
  S_B64 = 3,
  S_PASSWORD = 4,
  S_EMAIL = 5,
  S_HASH = 6,
  S_PHONE = 7,
  S_TEXT = 8,
  S_IP = 9,
  S_PLAIN_PASSWORD = 10;

/**
 * The best hint (below `better`) one value gives a field with this verdict: [code, shape index],
 * or undefined. Booleans, yes/no words, numbers and enumeration-like words carry no secret and
 * no contact (issue 14); objects and arrays are looked into one level.
 */
export function valueHint(
  verdict: NameVerdict,
  v: unknown,
  better: number,
): [number, number] | undefined {
  const tests = verdict.tests;
  for (let i = 0; i < tests.length && i < better; i++) {
    const shape = passes(tests[i]!.values!, v);
    if (shape >= 0) return [i, shape];
  }
  if (verdict.base !== 'other' || typeof v !== 'string' || better <= HINT_CONTACT) return undefined;
  const c = categoryByValue(v);
  if (c === 'contact') return [HINT_CONTACT, S_EMAIL];
  if (c === 'location' && better > HINT_LOCATION) return [HINT_LOCATION, S_IP];
  return undefined;
}

/** The category a hint code gives a field with this verdict. */
export function hintCategory(verdict: NameVerdict, code: number): Category {
  if (code === HINT_CONTACT) return 'contact';
  if (code === HINT_LOCATION) return 'location';
  return verdict.tests[code]?.category ?? verdict.base;
}

/** The shape index a value has for a test, or -1. */
function passes(test: ValueTest, v: unknown): number {
  if (typeof v === 'object' && v !== null) {
    // A nested object or array (a Mixpanel property holding one): its own values, one level.
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof x !== 'object' || x === null) {
        const s = passes(test, x);
        if (s >= 0) return s;
      }
    }
    return -1;
  }
  if (test === 'phone') return phoneShaped(v) ? S_PHONE : -1;
  if (typeof v !== 'string') return -1;
  const s = v.trim();
  if (s === '' || WORDY_NON_VALUE.test(s) || NUMBER.test(s)) return -1;
  switch (test) {
    case 'secret':
      return secretShape(s);
    case 'password': {
      // A password can be any text: only placeholders, masks (`********`) and one repeated character are not.
      if (s.length < 4 || /^(.)\1*$/.test(s) || /^\d{4}-\d{2}-\d{2}/.test(s)) return -1;
      const shape = secretShape(s);
      return shape >= 0 ? shape : S_PLAIN_PASSWORD;
    }
    case 'email':
      return isEmailShaped(s) ? S_EMAIL : isHashShaped(s) ? S_HASH : -1;
    case 'text':
      return /\p{L}/u.test(s) && s.length >= 2 ? S_TEXT : -1;
    default:
      return -1;
  }
}

// Words that answer a question rather than hold a value: booleans, yes/no, placeholders, states.
const WORDY_NON_VALUE =
  /^(true|false|yes|no|y|n|on|off|null|nil|none|undefined|n\/a|na|unknown|enabled|disabled|active|inactive|granted|denied|accepted|rejected|required|optional|valid|invalid|verified|unverified|pending|set|unset|default|\*+|x+|-+)$/i;
const NUMBER = /^[-+]?(\d+([.,]\d+)*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A secret's shape: a JWT, a UUID, a long hex or base64 string, or a password-like string (both
 * cases and a digit or symbol, no space). Not: words, slugs, numbers, URLs, emails, dates,
 * sentences.
 */
export function secretShape(s: string): number {
  if (
    s.length < 8 ||
    s.length > 4096 ||
    /\s/.test(s) ||
    s.includes('://') ||
    s.includes('@') ||
    /^\d{4}-\d{2}-\d{2}/.test(s)
  )
    return -1;
  if (/^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(s)) return S_JWT;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return S_UUID;
  if (s.length >= 16 && /^[0-9a-f]+$/i.test(s) && /[0-9]/.test(s) && /[a-f]/i.test(s)) return S_HEX;
  // Random tokens mix cases, or run long without the word separators of slugs (`google-oauth2`).
  const mixed = /[a-z]/.test(s) && /[A-Z]/.test(s);
  const digit = /[0-9]/.test(s);
  if (
    s.length >= 16 &&
    /^[A-Za-z0-9+/_-]+={0,2}$/.test(s) &&
    digit &&
    (mixed || (s.length >= 20 && !/[-_]/.test(s)))
  )
    return S_B64;
  if (mixed && (digit || /[^A-Za-z0-9]/.test(s))) return S_PASSWORD;
  return -1;
}

/** 7 to 15 digits, in a string of phone characters or a whole number. */
function phoneShaped(v: unknown): boolean {
  const s =
    typeof v === 'number' && Number.isInteger(v)
      ? String(v)
      : typeof v === 'string'
        ? v.trim()
        : '';
  if (!/^\+?[\d\s().-]{7,20}$/.test(s)) return false;
  const digits = s.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

/**
 * Category from the field's name alone: what it gives outright, 'other' when it gives none or
 * only conditionally (its values decide then: verdictFor, valueHint).
 */
export function categoryByName(field: string): Category {
  return verdictFor(field).base;
}

// Segments that name a thing only together with their parent: `campaign.name` is the campaign's,
// `company.id` the company's. Under a person's traits a bare `name` is the person's.
const GENERIC_LEAF = /^(name|id|type|title|version|key|value)$/;
const PERSON =
  /(^|[._$])(traits|user|person|profile|set|set_once|user_properties|person_properties)$/i;

/** The normalized last segment, joined with its parent's when the segment alone is generic. */
function qualified(field: string): string {
  const leaf = normalizeName(field);
  const dot = field.lastIndexOf('.');
  if (dot <= 0 || !GENERIC_LEAF.test(leaf)) return leaf;
  const parent = field.slice(0, dot);
  if (leaf === 'name' && PERSON.test(parent)) return leaf;
  return `${normalizeName(parent)}_${leaf}`;
}

export function normalizeName(field: string): string {
  // Last path segment for dotted names (`context.ip`, `properties.$browser`), camelCase split,
  // `$` and vendor prefixes dropped.
  const dot = field.lastIndexOf('.');
  let s = dot >= 0 ? field.slice(dot + 1) : field;
  if (s.includes('#')) s = s.slice(0, s.indexOf('#'));
  s = s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/^\$+/, '');
  s = s.replace(/^(mp_|geoip_|initial_geoip_)/, '').replace(/[\s.\-$]+/g, '_');
  return s;
}

/** Category a single value suggests, for fields whose name says nothing. */
export function categoryByValue(v: string): Category | undefined {
  if (v.length < 3 || v.length > 320) return undefined;
  if (v.indexOf('@') > 0 && isEmailShaped(v.trim())) return 'contact';
  if ((v.indexOf('.') > 0 || v.indexOf(':') > 0) && isIpShaped(v.trim())) return 'location';
  return undefined;
}

const CREDENTIAL_PARAM_RE =
  /(^|[_\-.])(token|key|password|passwd|pwd|secret|code|auth|session|sessionid|sid|otp|sig|signature)([_\-.]|$)/i;

/**
 * The extra findings a URL-valued field carries in its query string or fragment:
 * `email` when a parameter value is an email, `token` when a parameter is named like a credential.
 * Returns a bitmask: 1 = email, 2 = token.
 */
export function urlFindings(v: string): number {
  const q = v.indexOf('?');
  const h = v.indexOf('#');
  if (q < 0 && h < 0) return 0;
  if (!(v.includes('://') || v.startsWith('/'))) return 0;
  const start = q >= 0 && (h < 0 || q < h) ? q : h;
  let found = 0;
  for (const pair of v.slice(start + 1).split(/[&#;?]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : '';
    const raw = eq >= 0 ? pair.slice(eq + 1) : pair;
    if (raw === '') continue;
    let val = raw;
    try {
      // '+' is kept: in an email it is a tag (`alice+x@…`), and no email holds a space.
      val = decodeURIComponent(raw);
    } catch {
      // a malformed %-escape: judge the raw text
    }
    if (isEmailShaped(val.trim())) found |= 1;
    if (key !== '' && CREDENTIAL_PARAM_RE.test(key)) found |= 2;
  }
  return found;
}
