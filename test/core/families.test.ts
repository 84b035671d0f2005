/** Issue 14: families of fields of one kind, grouped in the summary and inspect; every field is kept. */
import { describe, expect, it } from 'vitest';
import { familyOf, groupFields } from '../../src/core/families.js';
import { verdictFor } from '../../src/core/categorize.js';

describe('#14 field families', () => {
  it.each<[string, string | undefined]>([
    // real names from the samples and the vendors' reserved properties
    ['properties.$feature/new-onboarding', 'feature_flags'],
    ['properties.$feature_flag_response', 'feature_flags'],
    ['properties.$active_feature_flags', 'feature_flags'],
    ['$feature/beta-search', 'feature_flags'],
    ['properties.$feature_flag_called', 'feature_flags'],
    ['experiment_variant', 'experiments'],
    ['properties.$experiment_started', 'experiments'],
    ['utm_source', 'utm'],
    ['properties.$initial_utm_campaign', 'utm'],
    ['context.campaign.utm_medium', 'utm'],
    ['properties.$set_once.$initial_gclid', 'click_ids'],
    ['fbclid', 'click_ids'],
    ['event_params.ga_session_number', 'ga4_bookkeeping'],
    ['event_params.engagement_time_msec', 'ga4_bookkeeping'],
    ['$screen_height', 'screen'],
    ['properties.$viewport_width', 'screen'],
    // not a family
    ['event_params.page_location', undefined],
    ['$browser', undefined],
    ['featured_article', undefined],
    ['utmost', undefined],
    ['$email', undefined],
  ])('%s → %s', (field, id) => {
    expect(familyOf(field)?.id).toBe(id);
  });

  it('a feature flag named like a search term is a flag, not web (the family decides its category)', () => {
    expect(verdictFor('properties.$feature/beta-search').base).toBe('other');
    expect(verdictFor('properties.$initial_utm_source').base).toBe('web');
  });

  it('groups families of two or more, keeps every field, and leaves a family of one as its field', () => {
    const fields = [
      '$browser',
      'properties.$feature/a',
      'utm_source',
      'properties.$feature/b',
      '$city',
    ];
    const groups = groupFields(fields);
    expect(groups.map((g) => [g.family?.id, g.fields])).toEqual([
      [undefined, ['$browser']],
      ['feature_flags', ['properties.$feature/a', 'properties.$feature/b']],
      [undefined, ['utm_source']],
      [undefined, ['$city']],
    ]);
    expect(groups.flatMap((g) => g.fields).sort()).toEqual([...fields].sort());
  });
});
