/**
 * Values a vendor writes for "nothing" are not exposed data (VendorPreset.placeholder): Mixpanel's
 * and PostHog's `$direct` referrer, Amplitude's "EMPTY" initial attribution and `ip: "$remote"`.
 * The same values under other names are data, and other values under these names are too.
 */
import { describe, expect, it } from 'vitest';
import { amplitude } from '../../src/vendors/amplitude.js';
import { isDirectReferrer } from '../../src/vendors/fields.js';
import { mixpanel } from '../../src/vendors/mixpanel.js';
import { posthog } from '../../src/vendors/posthog.js';

describe('placeholders', () => {
  it.each([
    '$referrer',
    '$referring_domain',
    '$initial_referrer',
    '$initial_referring_domain',
    'properties.$session_entry_referrer',
    'properties.$set_once.$initial_referring_domain',
  ])('$direct in %s is no referrer', (name) => {
    expect(isDirectReferrer(name, '$direct')).toBe(true);
    expect(mixpanel.placeholder(name, '$direct')).toBe(true);
    expect(posthog.placeholder(name, '$direct')).toBe(true);
  });

  it('a referrer that is a page, and $direct under another name, are data', () => {
    expect(isDirectReferrer('$referrer', 'https://www.google.com/')).toBe(false);
    expect(isDirectReferrer('$current_url', '$direct')).toBe(false);
    expect(isDirectReferrer('note', '$direct')).toBe(false);
    expect(isDirectReferrer('$referrer', '$DIRECT')).toBe(false);
  });

  it('Amplitude: "EMPTY" only on initial_* properties, "$remote" only as the ip', () => {
    const none = amplitude.placeholder;
    expect(none('user_properties.$setOnce.initial_referrer', 'EMPTY')).toBe(true);
    expect(none('user_properties.initial_utm_source', 'EMPTY')).toBe(true);
    expect(none('initial_gclid', 'EMPTY')).toBe(true);
    expect(none('event_properties.note', 'EMPTY')).toBe(false);
    expect(none('user_properties.initial_referrer', 'https://news.example.org/')).toBe(false);
    expect(none('ip', '$remote')).toBe(true);
    expect(none('ip_address', '$remote')).toBe(true);
    expect(none('ip', '203.0.113.7')).toBe(false);
    expect(none('user_properties.note', '$remote')).toBe(false);
  });
});
