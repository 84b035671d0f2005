/** `breach-impact demo`: correlate on the bundled Mixpanel incident (fixtures/demo), as a table. */
import { fileURLToPath } from 'node:url';

export const DEMO_DIR = fileURLToPath(new URL('../../../fixtures/demo/', import.meta.url));
export const DEMO_WINDOW = '2025-11-08T00:00:00Z/2025-11-09T17:00:00Z';

/** The correlate arguments the demo runs, relative to the demo folder. */
export function demoArgs(): string[] {
  return [
    '--export',
    'export',
    '--users',
    'users.csv',
    '--user-key',
    'mixpanel_distinct_id',
    '--window',
    DEMO_WINDOW,
    '--format',
    'table',
  ];
}
