/** Exposure categories (SPEC §4.7): the field's name decides; where it says nothing, its values do. */
import { isEmailShaped, isIpShaped } from './normalize.js';

export type Category = 'contact' | 'location' | 'device' | 'web' | 'account' | 'credential' | 'other';
export const CATEGORIES: readonly Category[] = ['contact', 'location', 'device', 'web', 'account', 'credential', 'other'];

// Checked in this order: the first rule whose pattern matches the name wins. Names are
// compared after lower-casing and dropping `$` and the vendor prefixes `mp_`, `$geoip_`, …,
// and patterns use word edges on `_`, `.`, ` ` and camelCase, so `hostname` is not `host`+`name`.
const RULES: Array<[Category, RegExp]> = [
  // A page's location is its URL, not a place (GA4 `page_location`).
  ['web', /(^|_)(page|landing|document)_?(location|url|referrer|path|title)($|_)|(^|_)traffic_?source($|_)/],
  ['credential', /(^|_)(password|passwd|pwd|token|api_?key|secret|auth|authorization|session_?code|reset_?code|otp|access_?key|private_?key|credentials?|cookie)($|_)/],
  ['account', /(^|_)(distinct_?ids?|user_?id|userid|uid|device_?id|deviceid|anon(ymous)?_?(distinct_?)?id|identified_?id|org(anization)?_?id|account_?id|customer_?id|tenant_?id|workspace_?id|team_?id|company_?id|group_?id|groups|person_?id|amplitude_?id|insert_?id|alias|idfa|idfv|adid|ios_?ifa|advertising_?id|user_?pseudo_?id|before_identity|message_?id|uuid|session_?id|window_?id|previous_?id)($|_)/],
  ['location', /(^|_)(ip|ip_?address|city|region|country|country_?code|postal|postal_?code|zip|zip_?code|postcode|lat|latitude|lng|lon|long|longitude|location|geo|timezone|time_?zone|dma|metro|subdivision|continent|state)($|_)/],
  ['contact', /(^|_)(e_?mail|phone|phone_?number|mobile_?(phone|number)|telephone|address|street|avatar)($|_)|(^|_)(first|last|full|given|family|display|user|real|middle|sur|nick)_?name$|^name$/],
  ['device', /(^|_)(os|browser|device|model|manufacturer|brand|carrier|radio|wifi|screen|viewport|user_?agent|ua|platform|app_?version|app_?build|app_?release|lib|library|language|locale|bluetooth|has|google_?play_?services|idfv)($|_)/],
  ['web', /(^|_)(url|uri|href|path|pathname|host|referrer|referer|referring|initial_?referr\w*|utm|search_?engine|keyword|search|query|title|page|gclid|fbclid|msclkid|campaign|landing|session_?entry)($|_)/],
];

const nameCache = new Map<string, Category>();

/** Category from the field's name alone ('other' when the name says nothing). */
export function categoryByName(field: string): Category {
  let c = nameCache.get(field);
  if (c === undefined) {
    c = classify(qualified(field));
    // A dotted name whose last segment says nothing takes the nearest parent that does:
    // `device.category` is device, `geo.metro` location, `traffic_source.medium` web.
    for (let end = field.lastIndexOf('.'); c === 'other' && end > 0; end = field.lastIndexOf('.', end - 1)) {
      c = classify(normalizeName(field.slice(0, end)));
    }
    if (nameCache.size < 100_000) nameCache.set(field, c);
  }
  return c;
}

// Segments that name a thing only together with their parent: `campaign.name` is the campaign's,
// `company.id` the company's. Under a person's traits a bare `name` is the person's.
const GENERIC_LEAF = /^(name|id|type|title|version|key|value)$/;
const PERSON = /(^|[._$])(traits|user|person|profile|set|set_once|user_properties|person_properties)$/i;

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
  s = s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/^\$+/, '');
  s = s.replace(/^(mp_|geoip_|initial_geoip_)/, '').replace(/[\s.\-$]+/g, '_');
  return s;
}

function classify(s: string): Category {
  for (const [cat, re] of RULES) if (re.test(s)) return cat;
  return 'other';
}

/** Category a single value suggests, for fields whose name says nothing. */
export function categoryByValue(v: string): Category | undefined {
  if (v.length < 3 || v.length > 320) return undefined;
  if (v.indexOf('@') > 0 && isEmailShaped(v.trim())) return 'contact';
  if ((v.indexOf('.') > 0 || v.indexOf(':') > 0) && isIpShaped(v.trim())) return 'location';
  return undefined;
}

const CREDENTIAL_PARAM_RE = /(^|[_\-.])(token|key|password|passwd|pwd|secret|code|auth|session|sessionid|sid|otp|sig|signature)([_\-.]|$)/i;

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
