#!/usr/bin/env node
/**
 * Deterministic, seeded generator of a Mixpanel-shaped raw event export plus a users table,
 * for `npm run bench` (issue 8). Same size + seed → byte-identical files.
 *
 *   node bench/generate.mjs S|L|M [--force] [--out DIR]   (M: L's users, 1/10 of its events)
 *
 * Writes bench/data/<size>/:
 *   users.csv            id,email,name,country (~123 B/row)
 *   export/YYYY-MM-DD.ndjson[.gz]   7 day files, 2 of them gzipped, ~520 B/line
 *   window.txt           the incident window to pass to --window (keeps ~23% of events)
 *   meta.json            sizes, counts and the parameters it was made with (written last:
 *                        its presence means the data set is complete)
 *
 * Everything streams to disk. Nothing per user or per event is kept in memory: each user's
 * attributes (id, email, devices, city, …) are derived from hash(seed, user index), so the
 * users table and the events agree without a lookup table, and events come out of a small
 * discrete-event simulation (a heap of the sessions active at the current time), already in
 * time order, so memory is O(concurrent sessions), a few hundred.
 *
 * The traffic model, per session (a user on one of their devices):
 *  - identified events: distinct_id = $user_id = the user's id (a UUID), $device_id, org_id;
 *  - ~3% of users are "legacy": their distinct_id and $user_id are their email in mixed case;
 *  - ~5% of sessions come from users that are not in users.csv (deleted accounts);
 *  - ~0.3% of sessions use another user's device (shared machine: one device, two user ids);
 *  - ~10% of all events are anonymous (`distinct_id: "$device:<uuid>"`, `$device_id`, no
 *    `$user_id`): mostly a pre-login prefix of an identified session on the same device, a few
 *    seconds to minutes before the "Sign In" event (so within the 30 min session gap), plus
 *    ~2% of events from visitors whose device is never identified;
 *  - session events 1 s .. ~25 min apart; property keys `time`, `distinct_id` first, then the
 *    rest sorted, as Mixpanel's raw export writes them; some URLs carry an email or a token in
 *    the query string; city names include non-ASCII (UTF-8) characters.
 */
import {
  createWriteStream,
  readFileSync,
  mkdirSync,
  existsSync,
  rmSync,
  writeFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 1;

export const SIZES = {
  S: { events: 200_000, users: 50_000, seed: 0x5eed0001 },
  L: { events: 5_000_000, users: 1_000_000, seed: 0x5eed0002 },
  // Not in the default run: L's users (same seed → the same users.csv) with 1/10 of its events,
  // for issue 8's memory target (peak RSS at L at most 10% above this one).
  M: { events: 500_000, users: 1_000_000, seed: 0x5eed0002 },
};

const DAY_S = 86_400;
const START_S = Date.UTC(2025, 10, 3) / 1000; // 2025-11-03T00:00:00Z
const DAYS = 7;
const GZIP_DAYS = new Set([1, 4]); // 2025-11-04 (out of window) and 2025-11-07 (in window)
// 1.6 of 7 days ≈ 22.9% of (uniform) traffic.
const WINDOW = { start: START_S + 4 * DAY_S, end: START_S + 4 * DAY_S + Math.round(1.6 * DAY_S) };

// ---------------------------------------------------------------- PRNG and hashing

/** mulberry32: tiny, fast, good enough for synthetic data. Returns a float in [0,1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit integer mix (lowbias32) for deriving per-entity seeds. */
function mix32(x) {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
const seedOf = (seed, salt, i) => mix32(mix32(seed ^ Math.imul(salt, 0x9e3779b1)) + i);

const HEX = '0123456789abcdef';
function hex(rng, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(rng() * 16) | 0];
  return s;
}
function uuid(rng) {
  const v = HEX[8 + ((rng() * 4) | 0)];
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${v}${hex(rng, 3)}-${hex(rng, 12)}`;
}
const pick = (rng, arr) => arr[(rng() * arr.length) | 0];
/** Weighted pick over [[weight, value], …] (weights need not sum to 1). */
function weighted(rng, table) {
  let total = 0;
  for (const [w] of table) total += w;
  let r = rng() * total;
  for (const [w, v] of table) if ((r -= w) < 0) return v;
  return table[table.length - 1][1];
}
/** Geometric number of trials ≥ 1 with the given mean. */
function geometric(rng, mean) {
  const p = 1 / mean;
  return 1 + Math.floor(Math.log(1 - rng()) / Math.log(1 - p));
}

// ---------------------------------------------------------------- vocabularies

const FIRST = [
  'Maria',
  'James',
  'Sofia',
  'Liam',
  'Olivia',
  'Noah',
  'Emma',
  'Lucas',
  'Ava',
  'Mateo',
  'Amelia',
  'Elijah',
  'Mia',
  'Oliver',
  'Charlotte',
  'Hugo',
  'Ingrid',
  'Kenji',
  'Aisha',
  'Rahul',
  'Priya',
  'Chen',
  'Fatima',
  'Mohammed',
  'Anna',
  'Jonas',
  'Lea',
  'Pierre',
  'Camille',
  'Giulia',
  'Marco',
  'Sven',
  'Astrid',
  'Tomasz',
  'Katarzyna',
  'Daniel',
  'Sarah',
  'Michael',
  'Jennifer',
  'David',
  'Laura',
  'Alexander',
  'Isabella',
  'Benjamin',
  'Victoria',
  'Nikolai',
  'Yuki',
  'Hana',
  'Diego',
  'Valentina',
  'Samuel',
  'Grace',
  'Theodore',
  'Eleanor',
  'Sebastian',
  'Margaret',
];
const FIRST_NON_ASCII = [
  'Zoë',
  'Łukasz',
  'José',
  'Søren',
  'Björn',
  'Ángela',
  'François',
  'Jürgen',
  'Çağla',
  'Dorothée',
  'Małgorzata',
  'Noémie',
  'Ståle',
  'Íñigo',
  'Renée',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Garcia',
  'Martinez',
  'Rodriguez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Nakamura',
  'Tanaka',
  'Kowalski',
  'Nowak',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Dubois',
  'Lefebvre',
  'Rossi',
  'Russo',
  'Bianchi',
  'Andersson',
  'Johansson',
  'Nielsen',
  'Hansen',
  'Singh',
  'Patel',
  'Kumar',
  'Okafor',
  'Mensah',
  'Novak',
  'Horvat',
  'Papadopoulos',
  'Fitzgerald',
  'Van der Berg',
  "O'Connor",
  'MacDonald',
  'Abernathy',
];
const LAST_NON_ASCII = [
  'Müller',
  'Yılmaz',
  'Øverland',
  'Şahin',
  'Peña',
  'Gößmann',
  'Kovačević',
  'Żuraw',
  'Dvořák',
  'Ångström',
  'Lindqvist-Näsström',
  'Gómez',
];
const ASCII_FOLD = {
  ë: 'e',
  Ł: 'L',
  ł: 'l',
  é: 'e',
  ø: 'o',
  Ø: 'O',
  ö: 'o',
  Á: 'A',
  ç: 'c',
  Ç: 'C',
  ğ: 'g',
  ü: 'u',
  ı: 'i',
  Ş: 'S',
  ş: 's',
  ñ: 'n',
  ß: 'ss',
  č: 'c',
  ć: 'c',
  Ż: 'Z',
  ř: 'r',
  Å: 'A',
  å: 'a',
  ä: 'a',
  á: 'a',
  Í: 'I',
  í: 'i',
  ó: 'o',
  ã: 'a',
  ô: 'o',
  è: 'e',
  É: 'E',
};
const fold = (s) =>
  s
    .replace(/[^\x00-\x7f]/g, (c) => ASCII_FOLD[c] ?? '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
const FREE_MAIL = [
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'protonmail.com',
  'icloud.com',
  'hotmail.co.uk',
  'web.de',
  'googlemail.com',
];
const CORP_A = [
  'northwind',
  'contoso',
  'globex',
  'initech',
  'umbrella',
  'stark',
  'wayne',
  'tyrell',
  'cyberdyne',
  'soylent',
  'hooli',
  'vandelay',
  'wonka',
  'acme',
  'gringotts',
  'monarch',
];
const CORP_B = [
  '-logistics',
  '-industries',
  '-analytics',
  '-holdings',
  '-consulting',
  '-systems',
  '-international',
  '-technologies',
  '-solutions',
  '-healthcare',
  '-financial-services',
  '-partners',
];
const CORP_TLD = ['.com', '.io', '.co.uk', '.de', '.fr', '.com.br', '.net'];

// country, weight, [city, region] pairs
const GEO = [
  [
    'US',
    30,
    [
      ['New York', 'New York'],
      ['San Francisco', 'California'],
      ['Austin', 'Texas'],
      ['Seattle', 'Washington'],
      ['Arlington', 'Virginia'],
      ['Chicago', 'Illinois'],
      ['Boston', 'Massachusetts'],
    ],
  ],
  [
    'GB',
    10,
    [
      ['London', 'England'],
      ['Manchester', 'England'],
      ['Edinburgh', 'Scotland'],
      ['Cardiff', 'Wales'],
    ],
  ],
  [
    'DE',
    9,
    [
      ['Berlin', 'Land Berlin'],
      ['München', 'Bavaria'],
      ['Köln', 'North Rhine-Westphalia'],
      ['Düsseldorf', 'North Rhine-Westphalia'],
      ['Hamburg', 'Hamburg'],
    ],
  ],
  [
    'FR',
    7,
    [
      ['Paris', 'Île-de-France'],
      ['Lyon', 'Auvergne-Rhône-Alpes'],
      ['Montréal-la-Cluse', 'Auvergne-Rhône-Alpes'],
    ],
  ],
  [
    'BR',
    6,
    [
      ['São Paulo', 'São Paulo'],
      ['Rio de Janeiro', 'Rio de Janeiro'],
      ['Belo Horizonte', 'Minas Gerais'],
    ],
  ],
  [
    'IN',
    6,
    [
      ['Bengaluru', 'Karnataka'],
      ['Mumbai', 'Maharashtra'],
      ['New Delhi', 'Delhi'],
    ],
  ],
  [
    'JP',
    4,
    [
      ['Tokyo', 'Tokyo'],
      ['Osaka', 'Osaka'],
      ['Sapporo', 'Hokkaido'],
    ],
  ],
  [
    'PL',
    4,
    [
      ['Kraków', 'Lesser Poland'],
      ['Warszawa', 'Masovian Voivodeship'],
      ['Łódź', 'Łódź Voivodeship'],
    ],
  ],
  [
    'CH',
    3,
    [
      ['Zürich', 'Zurich'],
      ['Genève', 'Geneva'],
      ['Basel', 'Basel-City'],
    ],
  ],
  [
    'SE',
    3,
    [
      ['Malmö', 'Skåne County'],
      ['Stockholm', 'Stockholm'],
      ['Göteborg', 'Västra Götaland'],
    ],
  ],
  [
    'NO',
    2,
    [
      ['Oslo', 'Oslo'],
      ['Tromsø', 'Troms og Finnmark'],
    ],
  ],
  [
    'ES',
    4,
    [
      ['Madrid', 'Madrid'],
      ['A Coruña', 'Galicia'],
      ['Málaga', 'Andalusia'],
    ],
  ],
  [
    'TR',
    2,
    [
      ['İstanbul', 'İstanbul'],
      ['Ankara', 'Ankara'],
    ],
  ],
  [
    'CA',
    5,
    [
      ['Toronto', 'Ontario'],
      ['Montréal', 'Quebec'],
      ['Vancouver', 'British Columbia'],
    ],
  ],
  [
    'AU',
    3,
    [
      ['Sydney', 'New South Wales'],
      ['Melbourne', 'Victoria'],
    ],
  ],
  [
    'NG',
    2,
    [
      ['Lagos', 'Lagos'],
      ['Abuja', 'Federal Capital Territory'],
    ],
  ],
];
const GEO_TABLE = GEO.map((g) => [g[1], g]);

// device profiles: os, browser, versions, screens, lib
const DESKTOP = [
  [
    30,
    {
      os: 'Windows',
      browser: 'Chrome',
      ver: [129, 130, 131, 132],
      screens: [
        [1080, 1920],
        [1440, 2560],
        [864, 1536],
        [768, 1366],
      ],
    },
  ],
  [
    18,
    {
      os: 'Mac OS X',
      browser: 'Chrome',
      ver: [130, 131, 132],
      screens: [
        [982, 1512],
        [1117, 1728],
        [900, 1440],
      ],
    },
  ],
  [
    12,
    {
      os: 'Mac OS X',
      browser: 'Safari',
      ver: [17.6, 18.0, 18.1, 18.2],
      screens: [
        [982, 1512],
        [1117, 1728],
        [1329, 2056],
      ],
    },
  ],
  [
    8,
    {
      os: 'Windows',
      browser: 'Microsoft Edge',
      ver: [130, 131],
      screens: [
        [1080, 1920],
        [864, 1536],
      ],
    },
  ],
  [
    6,
    {
      os: 'Windows',
      browser: 'Firefox',
      ver: [131, 132, 133],
      screens: [
        [1080, 1920],
        [1200, 1920],
      ],
    },
  ],
  [
    4,
    {
      os: 'Linux',
      browser: 'Firefox',
      ver: [132, 133],
      screens: [
        [1080, 1920],
        [1440, 2560],
      ],
    },
  ],
];
const MOBILE = [
  [
    14,
    {
      os: 'iOS',
      browser: 'Mobile Safari',
      ver: [17.6, 18.1, 18.2],
      screens: [
        [844, 390],
        [932, 430],
        [852, 393],
      ],
    },
  ],
  [
    10,
    {
      os: 'Android',
      browser: 'Chrome Mobile',
      ver: [130, 131],
      screens: [
        [915, 412],
        [800, 360],
        [873, 393],
      ],
    },
  ],
];
const REFERRERS = [
  [45, '$direct'],
  [25, 'https://www.google.com/'],
  [6, 'https://www.bing.com/'],
  [5, 'https://duckduckgo.com/'],
  [5, 'https://www.linkedin.com/'],
  [4, 'https://t.co/'],
  [4, 'https://mail.google.com/'],
  [3, 'https://news.ycombinator.com/'],
  [3, 'https://www.reddit.com/r/dataengineering/comments/1gq7k2x/'],
];
const PATHS = [
  '/',
  '/dashboard',
  '/dashboard?range=7d',
  '/reports',
  '/reports/q3',
  '/reports/weekly-active-users?tab=summary',
  '/projects',
  '/projects/842/settings',
  '/settings/profile',
  '/settings/billing',
  '/settings/team/members',
  '/integrations/slack',
  '/search?q=churn+cohort',
  '/notifications',
  '/docs/getting-started',
  '/pricing',
  '/changelog',
];
const UTM = [
  ['google', 'cpc', 'brand_search_q4'],
  ['newsletter', 'email', 'nov_product_update'],
  ['linkedin', 'social', 'webinar_2025_11'],
  ['partner', 'referral', 'integrations_launch'],
  ['twitter', 'social', 'launch_week'],
];
const EVENTS = [
  [50, 'Page View'],
  [12, 'Button Clicked'],
  [10, 'Report Viewed'],
  [6, 'Search Performed'],
  [5, 'File Uploaded'],
  [4, 'Settings Updated'],
  [3, 'Dashboard Shared'],
];
// Backend events (mixpanel-node): no device, browser, geo or URL; short lines.
const SERVER_EVENTS = [
  [50, 'API Request'],
  [15, 'Email Sent'],
  [10, 'Invoice Paid'],
  [10, 'Export Completed'],
  [8, 'Subscription Renewed'],
  [7, 'Webhook Delivered'],
];
const API_ROUTES = [
  'GET /v2/reports',
  'POST /v2/events',
  'GET /v2/projects/:id',
  'PATCH /v2/users/:id',
  'GET /v2/exports/:id',
];
const TEMPLATES = ['weekly_digest', 'password_reset', 'invoice_receipt', 'invite'];
const PLANS = ['free', 'team', 'business', 'enterprise'];
const BUTTONS = [
  'export_csv',
  'create_report',
  'invite_member',
  'upgrade_plan',
  'save_filter',
  'open_sidebar',
];
const SEARCH_TERMS = [
  'churn cohort',
  'weekly active users',
  'retention by plan',
  'revenue q3',
  'funnel signup',
  'nps score',
];
const SETTINGS = ['timezone', 'notifications', 'language', 'theme', 'two_factor'];
const FILE_TYPES = ['csv', 'xlsx', 'json', 'parquet'];

// Properties in output order: time, distinct_id, then the rest sorted (as JS sorts strings,
// which is how Mixpanel's export orders them). Index constants below point into this list.
const REST_KEYS = [
  '$browser',
  '$browser_version',
  '$city',
  '$current_url',
  '$device_id',
  '$initial_referrer',
  '$insert_id',
  '$lib_version',
  '$mp_api_endpoint',
  '$mp_api_timestamp_ms',
  '$os',
  '$referrer',
  '$region',
  '$screen_height',
  '$screen_width',
  '$user_id',
  'amount_cents',
  'api_route',
  'button_id',
  'currency',
  'email_template',
  'file_size_kb',
  'file_type',
  'invoice_id',
  'mp_country_code',
  'mp_lib',
  'mp_processing_time_ms',
  'org_id',
  'plan',
  'report_id',
  'search_term',
  'setting',
  'status_code',
  'utm_campaign',
  'utm_medium',
  'utm_source',
];
if (REST_KEYS.join('\n') !== [...REST_KEYS].sort().join('\n'))
  throw new Error('REST_KEYS must be sorted');
const K = Object.fromEntries(REST_KEYS.map((k, i) => [k, i]));
const KEY_PREFIX = REST_KEYS.map((k) => `,"${k}":`);

// ---------------------------------------------------------------- entities derived from hashes

class World {
  constructor(size, spec) {
    this.size = size;
    this.seed = spec.seed;
    this.nUsers = spec.users;
    this.nGhosts = Math.max(1, Math.round(spec.users * 0.05)); // ids beyond nUsers: not in users.csv
    this.nOrgs = Math.max(10, Math.round(spec.users / 12));
    this.nVisitors = Math.max(100, Math.round(spec.users * 0.4));
  }

  /** Everything about user i (0 ≤ i < nUsers + nGhosts), recomputed on demand. */
  user(i) {
    const r = mulberry32(seedOf(this.seed, 1, i));
    const id = uuid(r);
    const nonAsciiFirst = r() < 0.08;
    const nonAsciiLast = r() < 0.1;
    const first = nonAsciiFirst ? pick(r, FIRST_NON_ASCII) : pick(r, FIRST);
    const last = nonAsciiLast ? pick(r, LAST_NON_ASCII) : pick(r, LAST);
    const middle = r() < 0.6 ? pick(r, FIRST) : '';
    const last2 = r() < 0.3 ? pick(r, LAST) : '';
    const family = last2 ? `${last}${r() < 0.5 ? '-' : ' '}${last2}` : last;
    const style = r();
    let name;
    if (style < 0.01)
      name = `${family}, ${first}`; // needs CSV quoting
    else if (style < 0.012)
      name = `${first} "${pick(r, ['Ace', 'Doc', 'Sky'])}" ${family}`; // embedded quotes
    else name = middle ? `${first} ${middle} ${family}` : `${first} ${family}`;
    const f = fold(first) || 'user';
    const l = fold(last) + (last2 ? `-${fold(last2)}` : '') || 'x';
    const corp = r() < 0.8;
    const domain = corp
      ? `${pick(r, CORP_A)}${pick(r, CORP_B)}${pick(r, CORP_TLD)}`
      : pick(r, FREE_MAIL);
    const lstyle = r();
    let local;
    if (lstyle < 0.55) local = `${f}.${middle ? fold(middle) + '.' : ''}${l}${i}`;
    else if (lstyle < 0.65) local = `${f[0]}${l}${i}`;
    else if (lstyle < 0.9) local = `${f}.${middle ? fold(middle)[0] + '.' : ''}${l}.${i}`;
    else local = `${f}${l}${i}+${pick(r, ['newsletter', 'billing', 'work', 'mixpanel'])}`;
    const email = `${local}@${domain}`;
    const geo = weighted(r, GEO_TABLE);
    const place = pick(r, geo[2]);
    const legacy = r() < 0.03; // distinct_id is the email, mixed case
    const nDevices = 1 + ((r() * r() * 3) | 0);
    const org = `org_${1000 + ((r() * this.nOrgs) | 0)}`;
    const caseSeed = (r() * 2 ** 32) >>> 0;
    return {
      i,
      id,
      name,
      email,
      country: geo[0],
      city: place[0],
      region: place[1],
      legacy,
      nDevices,
      org,
      caseSeed,
    };
  }

  /** Device d of user i (or of visitor v when i < 0: salt differs). */
  device(owner, d, visitor = false) {
    const r = mulberry32(seedOf(this.seed, visitor ? 3 : 2, owner * 4 + d));
    const id = uuid(r);
    const mobile = r() < 0.3;
    const prof = weighted(r, mobile ? MOBILE : DESKTOP);
    const screen = pick(r, prof.screens);
    return {
      id,
      os: prof.os,
      browser: prof.browser,
      ver: pick(r, prof.ver),
      h: screen[0],
      w: screen[1],
      initialRef: weighted(r, REFERRERS),
      lib:
        mobile && r() < 0.4
          ? ['react-native', '3.0.8']
          : ['web', pick(r, ['2.55.1', '2.58.0', '2.60.0'])],
    };
  }

  /** users.csv row. */
  csvRow(u) {
    // Table-side noise: some emails mixed case, some padded with spaces (trim uses spaces only).
    const r = mulberry32(u.caseSeed ^ 0xa5a5a5a5);
    let email = u.email;
    const t = r();
    if (t < 0.05) email = mixCase(email, r);
    else if (t < 0.06) email = ` ${email} `;
    return `${u.id},${csvCell(email)},${csvCell(u.name)},${u.country}\n`;
  }
}

function mixCase(s, r) {
  let out = '';
  for (const c of s) out += r() < 0.3 ? c.toUpperCase() : c;
  // make sure it differs from the lower-case form at least in its first letter
  return out === s ? s[0].toUpperCase() + s.slice(1) : out;
}
function csvCell(s) {
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

// ---------------------------------------------------------------- output plumbing

/** Buffered writer to a file (optionally gzip), honouring backpressure. */
class Sink {
  constructor(path, gzip) {
    this.file = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.head = gzip ? createGzip({ level: 6 }) : this.file;
    if (gzip) this.head.pipe(this.file);
    this.buf = '';
    this.rawBytes = 0;
  }
  async write(s) {
    this.buf += s;
    if (this.buf.length >= 1 << 20) await this.flush();
  }
  async flush() {
    if (!this.buf) return;
    const b = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    this.rawBytes += b.length;
    if (!this.head.write(b)) await once(this.head, 'drain');
  }
  async close() {
    await this.flush();
    this.head.end();
    await once(this.file, 'close');
  }
}

// ---------------------------------------------------------------- sessions

/** Min-heap of active sessions by next event time. */
class Heap {
  constructor() {
    this.a = [];
  }
  get size() {
    return this.a.length;
  }
  peek() {
    return this.a[0];
  }
  push(x) {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].key <= x.key) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      let i = 0;
      const n = a.length;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && a[c + 1].key < a[c].key) c++;
        if (a[c].key >= last.key) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

// Mixture that gives ~10% anonymous events; see the header comment.
const P = {
  meanIdentifiedEvents: 2.2, // per identified session (geometric)
  anonPrefixProb: 0.16, // an identified session starts anonymous on its device
  meanAnonPrefix: 1.5,
  visitorSessionShare: 0.012, // share of sessions from never-identified devices
  meanVisitorEvents: 1.8,
  ghostShare: 0.05, // sessions from users not in users.csv
  sharedDeviceShare: 0.003,
  serverShare: 0.76, // identified events sent by the backend (mixpanel-node): short lines, no device
  meanGapS: 110,
  maxGapS: 25 * 60,
};

function expectedEventsPerSession() {
  const identified =
    (1 - P.visitorSessionShare) * (P.meanIdentifiedEvents + P.anonPrefixProb * P.meanAnonPrefix);
  return identified + P.visitorSessionShare * P.meanVisitorEvents;
}

let seq = 0;
function newSession(world, r, start, stats) {
  const s = {
    key: start,
    left: 0,
    anonLeft: 0,
    user: null,
    device: null,
    utm: null,
    path: '/',
    first: true,
    seq: seq++,
  };
  if (r() < P.visitorSessionShare) {
    const v = (r() * world.nVisitors) | 0;
    s.device = world.device(v, 0, true);
    s.anonLeft = geometric(r, P.meanVisitorEvents);
    s.geo = weighted(r, GEO_TABLE);
    const place = pick(r, s.geo[2]);
    s.city = place[0];
    s.region = place[1];
    s.country = s.geo[0];
  } else {
    const ui =
      r() < P.ghostShare ? world.nUsers + ((r() * world.nGhosts) | 0) : (r() * world.nUsers) | 0;
    const u = world.user(ui);
    s.user = u;
    s.city = u.city;
    s.region = u.region;
    s.country = u.country;
    if (r() < P.sharedDeviceShare) {
      const other = (r() * world.nUsers) | 0;
      s.device = world.device(other, 0);
      stats.shared_device_sessions++;
    } else s.device = world.device(ui, (r() * u.nDevices) | 0);
    s.left = geometric(r, P.meanIdentifiedEvents);
    if (r() < P.anonPrefixProb) s.anonLeft = geometric(r, P.meanAnonPrefix);
    if (u.legacy) {
      const cr = mulberry32(u.caseSeed);
      s.idValue = mixCase(u.email, cr);
    } else s.idValue = u.id;
  }
  if (r() < 0.22) s.utm = pick(r, UTM);
  s.referrer = s.device.initialRef === '$direct' ? '' : s.device.initialRef;
  return s;
}

function serverLine(r, s, t, vals) {
  vals.fill(undefined);
  const name = weighted(r, SERVER_EVENTS);
  vals[K.$insert_id] = `"${hex(r, 16)}"`;
  vals[K.$lib_version] = '"0.18.0"';
  vals[K.$mp_api_endpoint] = '"api.mixpanel.com"';
  const apiMs = t * 1000 + 5 + ((r() * 200) | 0);
  vals[K.$mp_api_timestamp_ms] = String(apiMs);
  vals[K.$user_id] = `"${s.idValue}"`;
  vals[K.mp_lib] = '"node"';
  vals[K.mp_processing_time_ms] = String(apiMs + 20 + ((r() * 300) | 0));
  vals[K.org_id] = `"${s.user.org}"`;
  switch (name) {
    case 'API Request':
      vals[K.api_route] = `"${pick(r, API_ROUTES)}"`;
      vals[K.status_code] = String(r() < 0.95 ? 200 : pick(r, [401, 404, 429, 500]));
      break;
    case 'Email Sent':
      vals[K.email_template] = `"${pick(r, TEMPLATES)}"`;
      break;
    case 'Invoice Paid':
    case 'Subscription Renewed':
      vals[K.amount_cents] = String(900 + ((r() * 90000) | 0));
      vals[K.currency] = `"${pick(r, ['USD', 'EUR', 'GBP'])}"`;
      vals[K.invoice_id] = `"in_${hex(r, 14)}"`;
      vals[K.plan] = `"${pick(r, PLANS)}"`;
      break;
    default:
      vals[K.plan] = `"${pick(r, PLANS)}"`;
  }
  let line = `{"event":"${name}","properties":{"time":${t},"distinct_id":"${s.idValue}"`;
  for (let k = 0; k < vals.length; k++) if (vals[k] !== undefined) line += KEY_PREFIX[k] + vals[k];
  return line + '}}\n';
}

function eventLine(r, s, t, anon, vals, stats) {
  const d = s.device;
  vals.fill(undefined);
  let name;
  if (!anon && s.anonPrefixed && !s.signedIn) {
    name = 'Sign In'; // the first identified event after an anonymous prefix
    s.signedIn = true;
  } else name = weighted(r, EVENTS);
  // URL: mostly the app; logged-out traffic on marketing pages; a few carry PII in the query.
  let path = pick(r, PATHS);
  if (anon)
    path = pick(r, [
      '/',
      '/pricing',
      '/login',
      '/docs/getting-started',
      '/changelog',
      '/signup?plan=team',
    ]);
  const pii = r();
  let url = `https://app.example.com${path}`;
  if (pii < 0.004 && s.user) {
    url = `https://app.example.com/invite/accept?email=${encodeURIComponent(s.user.email)}&org=${s.user.org}`;
    stats.url_with_email++;
  } else if (pii < 0.006) {
    url = `https://app.example.com/reset-password?token=${hex(r, 32)}`;
    stats.url_with_token++;
  }
  vals[K.$browser] = `"${d.browser}"`;
  vals[K.$browser_version] = String(d.ver);
  vals[K.$city] = `"${s.city}"`;
  vals[K.$current_url] = `"${url}"`;
  vals[K.$device_id] = `"${d.id}"`;
  vals[K.$initial_referrer] = `"${d.initialRef}"`;
  vals[K.$insert_id] = `"${hex(r, 16)}"`;
  vals[K.$lib_version] = `"${d.lib[1]}"`;
  vals[K.$mp_api_endpoint] = '"api-js.mixpanel.com"';
  const apiMs = t * 1000 + 40 + ((r() * 900) | 0);
  vals[K.$mp_api_timestamp_ms] = String(apiMs);
  vals[K.$os] = `"${d.os}"`;
  if (s.first && s.referrer) vals[K.$referrer] = `"${s.referrer}"`;
  vals[K.$region] = `"${s.region}"`;
  vals[K.$screen_height] = String(d.h);
  vals[K.$screen_width] = String(d.w);
  if (!anon) {
    vals[K.$user_id] = `"${s.idValue}"`;
    vals[K.org_id] = `"${s.user.org}"`;
  }
  vals[K.mp_country_code] = `"${s.country}"`;
  vals[K.mp_lib] = `"${d.lib[0]}"`;
  vals[K.mp_processing_time_ms] = String(apiMs + 30 + ((r() * 400) | 0));
  if (s.utm) {
    vals[K.utm_source] = `"${s.utm[0]}"`;
    vals[K.utm_medium] = `"${s.utm[1]}"`;
    vals[K.utm_campaign] = `"${s.utm[2]}"`;
  }
  switch (name) {
    case 'Button Clicked':
      vals[K.button_id] = `"${pick(r, BUTTONS)}"`;
      break;
    case 'Report Viewed':
      vals[K.report_id] = `"rpt_${hex(r, 10)}"`;
      break;
    case 'Search Performed':
      vals[K.search_term] = `"${pick(r, SEARCH_TERMS)}"`;
      break;
    case 'File Uploaded':
      vals[K.file_type] = `"${pick(r, FILE_TYPES)}"`;
      vals[K.file_size_kb] = String(1 + ((r() * 20000) | 0));
      break;
    case 'Settings Updated':
      vals[K.setting] = `"${pick(r, SETTINGS)}"`;
      break;
  }
  s.path = path;
  s.first = false;
  const distinct = anon ? `$device:${d.id}` : s.idValue;
  let line = `{"event":"${name}","properties":{"time":${t},"distinct_id":"${distinct}"`;
  for (let k = 0; k < vals.length; k++) if (vals[k] !== undefined) line += KEY_PREFIX[k] + vals[k];
  return line + '}}\n';
}

// ---------------------------------------------------------------- main

export function dayName(d) {
  return new Date((START_S + d * DAY_S) * 1000).toISOString().slice(0, 10);
}
export function windowText() {
  const iso = (s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  return `${iso(WINDOW.start)}/${iso(WINDOW.end)}`;
}

export async function generate(size, { force = false, outRoot, log = console.error } = {}) {
  const spec = SIZES[size];
  if (!spec) throw new Error(`unknown size ${size}; one of ${Object.keys(SIZES).join(', ')}`);
  const dir = join(outRoot ?? join(dirname(fileURLToPath(import.meta.url)), 'data'), size);
  const metaPath = join(dir, 'meta.json');
  if (!force && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (
        meta.generator_version === GENERATOR_VERSION &&
        meta.seed === spec.seed &&
        JSON.stringify(meta.params) === JSON.stringify(P)
      )
        return { dir, meta, reused: true };
    } catch {
      /* regenerate */
    }
  }
  // Only ever delete our own data folder.
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'export'), { recursive: true });
  const t0 = performance.now();
  const world = new World(size, spec);

  // users.csv
  const users = new Sink(join(dir, 'users.csv'), false);
  await users.write('id,email,name,country\n');
  for (let i = 0; i < world.nUsers; i++) await users.write(world.csvRow(world.user(i)));
  await users.close();
  const tUsers = performance.now();
  log(
    `[gen ${size}] users.csv: ${world.nUsers} rows, ${statSync(join(dir, 'users.csv')).size} B in ${((tUsers - t0) / 1000).toFixed(1)} s`,
  );

  // events: Poisson session arrivals over 7 days, merged in time order through a heap.
  const r = mulberry32(seedOf(spec.seed, 9, 0));
  const span = DAYS * DAY_S;
  const nSessions = spec.events / expectedEventsPerSession();
  const meanInterArrival = span / nSessions;
  const stats = {
    events: 0,
    identified: 0,
    server: 0,
    anonymous: 0,
    anonymous_prefix: 0,
    visitor: 0,
    legacy_email_id: 0,
    ghost: 0,
    shared_device_sessions: 0,
    in_window: 0,
    url_with_email: 0,
    url_with_token: 0,
    sessions: 0,
  };
  const files = [];
  const vals = new Array(REST_KEYS.length);
  const heap = new Heap();
  let day = -1;
  let sink = null;
  const openDay = async (d) => {
    if (sink) {
      await sink.close();
      const f = files[files.length - 1];
      f.raw_bytes = sink.rawBytes;
      f.bytes = statSync(f.path).size;
      log(
        `[gen ${size}] ${f.name}: ${f.events} events, ${f.bytes} B${f.gzip ? ` (${f.raw_bytes} B raw)` : ''}`,
      );
    }
    sink = null;
    day = d;
    if (d >= DAYS) return;
    const gz = GZIP_DAYS.has(d);
    const name = `${dayName(d)}.ndjson${gz ? '.gz' : ''}`;
    const path = join(dir, 'export', name);
    sink = new Sink(path, gz);
    files.push({ name, path, gzip: gz, events: 0 });
    day = d;
  };
  await openDay(0);

  const emit = async (s) => {
    const t = s.key;
    const d = Math.floor((t - START_S) / DAY_S);
    if (d >= DAYS) return false; // past the export's end: the session is cut here
    while (d > day) await openDay(day + 1);
    let anon = false;
    if (s.anonLeft > 0) {
      anon = true;
      s.anonLeft--;
      if (s.user) s.anonPrefixed = true;
    } else s.left--;
    // The first identified event after an anonymous prefix is the web "Sign In" on that device.
    const server = !anon && !(s.anonPrefixed && !s.signedIn) && r() < P.serverShare;
    if (server) stats.server++;
    await sink.write(server ? serverLine(r, s, t, vals) : eventLine(r, s, t, anon, vals, stats));
    files[files.length - 1].events++;
    stats.events++;
    if (anon) {
      stats.anonymous++;
      if (s.user) stats.anonymous_prefix++;
      else stats.visitor++;
    } else {
      stats.identified++;
      if (s.user.legacy) stats.legacy_email_id++;
      if (s.user.i >= world.nUsers) stats.ghost++;
    }
    if (t >= WINDOW.start && t < WINDOW.end) stats.in_window++;
    return s.anonLeft > 0 || s.left > 0;
  };

  let next = START_S + -Math.log(1 - r()) * meanInterArrival;
  for (;;) {
    const arrival = Math.floor(next);
    while (heap.size && heap.peek().key < arrival) {
      const s = heap.pop();
      if (await emit(s)) {
        s.key += Math.min(P.maxGapS, 1 + Math.floor(-Math.log(1 - r()) * P.meanGapS));
        heap.push(s);
      }
    }
    if (arrival >= START_S + span) break;
    const s = newSession(world, r, arrival, stats);
    stats.sessions++;
    heap.push(s);
    next += -Math.log(1 - r()) * meanInterArrival;
  }
  while (heap.size) {
    const s = heap.pop();
    if (await emit(s)) {
      s.key += Math.min(P.maxGapS, 1 + Math.floor(-Math.log(1 - r()) * P.meanGapS));
      heap.push(s);
    }
  }
  while (day < DAYS) await openDay(day + 1);

  const exportBytes = files.reduce((a, f) => a + f.bytes, 0);
  const rawBytes = files.reduce((a, f) => a + f.raw_bytes, 0);
  const meta = {
    generator_version: GENERATOR_VERSION,
    size,
    seed: spec.seed,
    users: world.nUsers,
    users_csv_bytes: statSync(join(dir, 'users.csv')).size,
    window: windowText(),
    export_bytes_on_disk: exportBytes,
    export_bytes_uncompressed: rawBytes,
    mean_line_bytes: Math.round(rawBytes / stats.events),
    in_window_share: +(stats.in_window / stats.events).toFixed(4),
    anonymous_share: +(stats.anonymous / stats.events).toFixed(4),
    counts: stats,
    files: files.map(({ name, gzip, events, bytes, raw_bytes }) => ({
      name,
      gzip,
      events,
      bytes,
      raw_bytes,
    })),
    params: P,
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
  };
  writeFileSync(join(dir, 'window.txt'), meta.window + '\n');
  writeFileSync(metaPath + '.tmp', JSON.stringify(meta, null, 2) + '\n');
  renameSync(metaPath + '.tmp', metaPath);
  log(
    `[gen ${size}] ${stats.events} events (${(meta.anonymous_share * 100).toFixed(1)}% anonymous, ${(meta.in_window_share * 100).toFixed(1)}% in window), ${exportBytes} B on disk, ${meta.mean_line_bytes} B/line, ${meta.seconds} s`,
  );
  log(`[gen ${size}] window: ${meta.window}`);
  return { dir, meta, reused: false };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const outIdx = args.indexOf('--out');
  const outRoot = outIdx >= 0 ? args[outIdx + 1] : undefined;
  const sizes = args.filter((a, i) => !a.startsWith('--') && !(outIdx >= 0 && i === outIdx + 1));
  if (sizes.length === 0) {
    console.error('usage: node bench/generate.mjs S|L|M [more sizes…] [--force] [--out DIR]');
    process.exit(2);
  }
  for (const size of sizes) {
    const { dir, meta, reused } = await generate(size.toUpperCase(), { force, outRoot });
    if (reused) console.error(`[gen ${size}] up to date in ${dir}`);
    console.log(`${dir}\t--window ${meta.window}`);
  }
}
