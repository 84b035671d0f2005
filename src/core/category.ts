/** Exposure categories (SPEC §4.7), in the order outputs list them. */
export type Category =
  'contact' | 'location' | 'device' | 'web' | 'account' | 'credential' | 'other';
export const CATEGORIES: readonly Category[] = [
  'contact',
  'location',
  'device',
  'web',
  'account',
  'credential',
  'other',
];
