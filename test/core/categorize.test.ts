import { describe, expect, it } from 'vitest';
import { categoryByName, categoryByValue, urlFindings, type Category } from '../../src/core/categorize.js';

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
    expect(categoryByName(field)).toBe(expected);
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
    expect(categoryByName(field)).not.toBe(not);
    expect(categoryByName(field)).toBe(expected);
  });

  it('is stable across repeated calls (cache)', () => {
    for (let i = 0; i < 3; i++) {
      expect(categoryByName('$city')).toBe('location');
      expect(categoryByName('plan')).toBe('other');
    }
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
    ['fragment access_token', 'https://app.example.com/cb#access_token=ya29.abc&token_type=Bearer', 2],
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
