// Loaded with `node --import`: as on a platform npm has no DuckDB binary for, the package fails
// to load (test/cli/optional-duckdb.test.ts).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(
      `export async function resolve(specifier, context, next) {
        if (specifier.startsWith('@duckdb/')) throw new Error('Cannot find module ' + specifier + ' (no binary for this platform)');
        return next(specifier, context);
      }`,
    ),
);
