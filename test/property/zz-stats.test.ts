import fc from 'fast-check';
import { it } from 'vitest';
import { buildFile, fileArb, triggersBugA, triggersBugB } from './gen.js';
it('stats', () => {
  const files = fc.sample(fileArb({ splices: true, deep: false }), { seed: 5, numRuns: 2000 });
  const st: Record<string, number> = {};
  const inc = (k: string) => (st[k] = (st[k] ?? 0) + 1);
  for (const f of files) {
    const b = buildFile(f, { n: 3, numeric: false }, true);
    inc('form:' + f.form);
    if (f.form === 'ndjson' && triggersBugA(b.plain)) inc('bugA');
    if (f.form === 'ndjson' && triggersBugB(b.plain)) inc('bugB');
    if (b.expect.exact) { inc('exact'); st.bad = (st.bad ?? 0) + b.expect.bad.length; st.good = (st.good ?? 0) + b.expect.good; }
    if (b.expect.unreadable) inc('unreadable');
    if (b.expect.truncatedDoc) inc('truncDoc');
  }
  console.log(st);
  console.log(buildFile(files[3]!, { n: 3, numeric: false }, true).plain.toString());
  console.log(buildFile(files.find(f => f.form === 'page')!, { n: 3, numeric: false }, true).plain.toString());
});
