import { describe, expect, it } from 'vitest';
import {
  CATEGORY_RULES,
  categoryByName,
  categoryByValue,
  hintCategory,
  SHAPES,
  urlFindings,
  valueHint,
  verdictFor,
  type Category,
} from '../../src/core/categorize.js';

/** What a name claims: its category outright, or the first conditional rule's (which its values must confirm). */
const claimed = (f: string): Category => {
  const v = verdictFor(f);
  return v.base !== 'other' ? v.base : (v.tests[0]?.category ?? 'other');
};

describe('categoryByName: Mixpanel and dotted names (SPEC §4.7)', () => {
  it.each<[string, Category]>([
    // contact
    ['$email', 'contact'],
    ['email', 'contact'],
    ['traits.email', 'contact'],
    ['$name', 'contact'],
    ['$first_name', 'contact'],
    ['$last_name', 'contact'],
    ['$phone', 'contact'],
    ['phone_number', 'contact'],
    ['userName', 'contact'],
    // location
    ['$city', 'location'],
    ['$region', 'location'],
    ['mp_country_code', 'location'],
    ['$country_code', 'location'],
    ['$timezone', 'location'],
    ['$geoip_postal_code', 'location'],
    ['$geoip_city', 'location'],
    ['ip_address', 'location'],
    ['ip', 'location'],
    ['context.ip', 'location'],
    ['$latitude', 'location'],
    ['$longitude', 'location'],
    // device
    ['$os', 'device'],
    ['$os_version', 'device'],
    ['$browser', 'device'],
    ['$browser_version', 'device'],
    ['$model', 'device'],
    ['$screen_height', 'device'],
    ['$screen_width', 'device'],
    ['$device', 'device'],
    ['context.userAgent', 'device'],
    ['user_agent', 'device'],
    ['properties.$browser', 'device'],
    // web
    ['$current_url', 'web'],
    ['$referrer', 'web'],
    ['$referring_domain', 'web'],
    ['$initial_referrer', 'web'],
    ['$initial_referring_domain', 'web'],
    ['utm_campaign', 'web'],
    ['utm_source', 'web'],
    ['mp_keyword', 'web'],
    ['$search_engine', 'web'],
    ['context.page.url', 'web'],
    // account
    ['distinct_id', 'account'],
    ['$distinct_id', 'account'],
    ['$device_id', 'account'],
    ['$user_id', 'account'],
    ['org_id', 'account'],
    ['account_id', 'account'],
    ['$distinct_id_before_identity', 'account'],
    ['$anon_id', 'account'],
    ['alias', 'account'],
    ['userId', 'account'],
    // credential
    ['password', 'credential'],
    ['reset_token', 'credential'],
    ['api_key', 'credential'],
    ['apiKey', 'credential'],
    ['client_secret', 'credential'],
    ['session_code', 'credential'],
    ['reset_code', 'credential'],
    // other
    ['plan', 'other'],
    ['amount', 'other'],
    ['order_total', 'other'],
    ['user_properties.plan', 'other'],
    ['description', 'other'],
  ])('%s → %s', (field, expected) => {
    expect(claimed(field)).toBe(expected);
  });

  it.each<[string, Category, Category]>([
    // [field, expected, a category it must NOT be]
    ['hostname', 'other', 'contact'], // not host + name
    ['os_name', 'device', 'contact'], // "name" after os is the OS's name, not a person's
    ['event_name', 'other', 'contact'],
    ['file_name', 'other', 'contact'],
    ['product_name', 'other', 'contact'],
    ['keyboard', 'other', 'credential'], // contains "key" but is not a key
    ['author', 'other', 'credential'], // contains "auth"
    ['statement', 'other', 'location'], // contains "state"
    ['passwordless', 'other', 'credential'],
  ])('trap: %s → %s (not %s)', (field, expected, not) => {
    expect(claimed(field)).not.toBe(not);
    expect(claimed(field)).toBe(expected);
  });

  it('is stable across repeated calls (cache)', () => {
    for (let i = 0; i < 3; i++) {
      expect(categoryByName('$city')).toBe('location');
      expect(categoryByName('plan')).toBe('other');
    }
  });
});

/** The category a field gets from its name and a list of its values (the first hint-giving values win by rank). */
function decide(field: string, values: unknown[]): { category: Category; shape?: string } {
  const v = verdictFor(field);
  let best = v.base === 'other' ? Infinity : 0;
  let shape: string | undefined;
  for (const x of values) {
    const h = best > 0 ? valueHint(v, x, best) : undefined;
    if (h) [best, shape] = [h[0], SHAPES[h[1]]];
  }
  return {
    category:
      best === Infinity || (best === 0 && v.base !== 'other') ? v.base : hintCategory(v, best),
    ...(shape ? { shape } : {}),
  };
}

describe('#14 categories decided by name and value together (CATEGORY_RULES)', () => {
  it('credential and contact names are conditional: their values must be able to carry one', () => {
    for (const r of CATEGORY_RULES)
      if (r.category === 'credential') expect(r.values, String(r.name)).toBeDefined();
    for (const f of ['password', 'reset_token', '$email', '$phone', '$name', 'traits.email'])
      expect(verdictFor(f).base, f).toBe('other');
  });

  it.each<[string, string, unknown[], Category, string?]>([
    // real field names from the samples and the vendors' reserved properties
    ['GA4 privacy_info (every row)', 'privacy_info.uses_transient_token', ['No', 'Yes'], 'other'],
    ['GA4 privacy_info ads storage', 'privacy_info.ads_storage', ['No'], 'other'],
    [
      'PostHog email_service_available',
      'properties.email_service_available',
      [false, true],
      'other',
    ],
    ['PostHog feature flag', 'properties.$feature/new-onboarding', [true, 'control'], 'other'],
    ['Mixpanel $email', '$email', ['ada@example.com'], 'contact', 'an email address'],
    ['an email field holding a placeholder', 'email', ['unknown', 'n/a', ''], 'other'],
    [
      'a hashed email',
      'email_sha256',
      ['a3f1c9d2e4b5a6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1'],
      'contact',
      'a hashed email',
    ],
    ['Segment traits.email', 'traits.email', ['ada@example.com'], 'contact', 'an email address'],
    ['an email-verified flag', 'email_verified', [true, 'true'], 'other'],
    ['Mixpanel $phone', '$phone', ['+1 (415) 555-0100'], 'contact', 'a phone number'],
    ['a phone as a number', 'phone_number', [4155550100], 'contact', 'a phone number'],
    ['a phone-verified flag', 'phone_verified', [false], 'other'],
    ['Mixpanel $name', '$name', ['Ada Lovelace'], 'contact', 'text'],
    ['a name that is a flag', '$first_name', ['true', 0], 'other'],
    [
      'a JWT in a token field',
      'reset_token',
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzEwMDIifQ.c2lnbmF0dXJlX2hlcmU'],
      'credential',
      'a JWT',
    ],
    [
      'a hex reset code',
      'reset_code',
      ['9f86d081884c7d659a2feaa0c55ad015'],
      'credential',
      'a hex string',
    ],
    ['a live API key', 'api_key', ['sk_live_51H8xYzAbCdEfGh12'], 'credential', 'a base64 string'],
    [
      'a UUID session code',
      'session_code',
      ['3f9a1c52-7b04-4d8e-9c61-2e5f80a4b7d1'],
      'credential',
      'a UUID',
    ],
    ['a plain password', 'password', ['hunter2'], 'credential', 'a possible password'],
    ['a masked password', 'password', ['********', 'xxxx'], 'other'],
    ['a password flag', 'password_reset_enabled', [true, 'yes'], 'other'],
    ['a password date', 'password_changed_at', ['2025-11-08T09:00:00Z'], 'other'],
    ['a token type (enumeration)', 'token_type', ['Bearer', 'refresh'], 'other'],
    ['a cookie consent', 'cookie_consent', ['accepted', 'denied'], 'other'],
    ['an auth provider', 'auth_provider', ['google-oauth2', 'email'], 'other'],
    ['a token count', 'token_count', [42, '17'], 'other'],
    // hostile values
    ['one repeated character', 'token', ['aaaaaaaaaaaaaaaaaaaa'], 'other'],
    ['a long number', 'secret', ['123456789012345678901234'], 'other'],
    ['a URL in a secret field', 'secret', ['https://example.com/?a=b'], 'other'],
    ['a sentence', 'api_key', ['please rotate the key'], 'other'],
    [
      'an email in a token field is contact, by its value',
      'token',
      ['ada@example.com'],
      'contact',
      'an email address',
    ],
    [
      'a secret after an email: the credential rule outranks the value',
      'auth_token',
      ['ada@example.com', '9f86d081884c7d659a2feaa0c55ad015'],
      'credential',
      'a hex string',
    ],
    [
      'an object holding a secret',
      'credentials',
      [{ kind: 'bearer', value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig' }],
      'credential',
      'a JWT',
    ],
  ])('%s: %s %j → %s', (_what, field, values, category, shape) => {
    const d = decide(field, values);
    expect(d.category).toBe(category);
    if (shape !== undefined) expect(d.shape).toBe(shape);
  });

  it('a field a preset names outright keeps that category whatever its values', () => {
    expect(verdictFor('name', 'web')).toEqual({ base: 'web', tests: [] });
  });
});

describe('categoryByValue: where the name says nothing', () => {
  it.each<[string, Category | undefined]>([
    ['alice@example.com', 'contact'],
    ['Alice.Smith+x@Example.co.uk', 'contact'],
    ['192.168.1.10', 'location'],
    ['8.8.8.8', 'location'],
    ['2001:db8::1', 'location'],
    ['hello world', undefined],
    ['pro', undefined],
    ['1.2.3', undefined],
    ['42', undefined],
    ['', undefined],
    ['ab', undefined],
    ['@handle', undefined],
    ['https://example.com/page', undefined],
  ])('%j → %s', (value, expected) => {
    expect(categoryByValue(value)).toBe(expected);
  });
});

describe('urlFindings: 1 = email, 2 = credential-like parameter', () => {
  it.each<[string, string, number]>([
    ['email in query', 'https://app.example.com/signup?email=alice@example.com', 1],
    ['%40-encoded email', 'https://app.example.com/signup?email=alice%40example.com', 1],
    ['email under any parameter name', 'https://app.example.com/?u=bob%40example.org&x=1', 1],
    ['token=', 'https://app.example.com/reset?token=abc123', 2],
    ['reset_code=', 'https://app.example.com/reset?reset_code=998877', 2],
    ['api_key=', 'https://api.example.com/v1?api_key=sk_live_123', 2],
    ['password=', 'https://app.example.com/login?user=x&password=hunter2', 2],
    ['session=', 'https://app.example.com/?session=abcdef', 2],
    ['auth=', 'https://app.example.com/?auth=xyz', 2],
    ['secret=', 'https://app.example.com/?client_secret=xyz', 2],
    ['code= (OAuth)', 'https://app.example.com/callback?code=4/0Adeu5B&state=abc', 2],
    ['email and token', 'https://app.example.com/verify?email=alice%40example.com&token=abc', 3],
    ['email and api_key', 'https://app.example.com/verify?api_key=k1&e=alice@example.com', 3],
    [
      'fragment access_token',
      'https://app.example.com/cb#access_token=ya29.abc&token_type=Bearer',
      2,
    ],
    ['fragment with email', 'https://app.example.com/#email=alice@example.com', 1],
    ['hash-router query', 'https://app.example.com/#/reset?token=abc', 2],
    ['relative path with token', '/reset-password?token=abc', 2],
    ['URL without query', 'https://app.example.com/settings/profile', 0],
    ['email in the path only', 'https://app.example.com/users/alice@example.com', 0],
    ['harmless query', 'https://app.example.com/search?q=shoes&page=2', 0],
    ['utm parameters', 'https://app.example.com/?utm_source=news&utm_campaign=fall', 0],
    ['empty token value', 'https://app.example.com/?token=', 0],
    ['empty query', 'https://app.example.com/?', 0],
    ['non-URL with ?', 'what? no way, alice@example.com', 0],
    ['non-URL with token= after ?', 'why?token=abc', 0],
    ['plain text', 'just some text', 0],
    ['malformed %-escape does not throw', 'https://app.example.com/?token=%E0%A4%A', 2],
  ])('%s', (_name, url, expected) => {
    expect(urlFindings(url)).toBe(expected);
  });
});
