#!/usr/bin/env node
/**
 * `node scripts/metrics.mjs [DIR]`: the largest classes and functions under src/ (lines, from
 * the TypeScript syntax tree), and lines over 100 characters. The numbers issue 16's note
 * quotes before and after the refactor; docs/ARCHITECTURE.md gives the limits (~200 lines a
 * class, ~60 a function outside a measured hot loop).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = process.argv[2] ?? 'src';
const files = [];
(function walk(d) {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
})(root);

const classes = [],
  functions = [];
let long = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  long += text.split('\n').filter((l) => l.length > 100).length;
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true);
  const lines = (n) =>
    sf.getLineAndCharacterOfPosition(n.getEnd()).line -
    sf.getLineAndCharacterOfPosition(n.getStart()).line +
    1;
  const visit = (n, owner) => {
    if (ts.isClassDeclaration(n) && n.name) {
      classes.push([lines(n), `${relative('.', f)}:${n.name.text}`]);
      n.forEachChild((c) => visit(c, n.name.text));
      return;
    }
    const named =
      ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)
        ? n.name?.getText(sf)
        : ts.isVariableDeclaration(n) &&
            n.initializer &&
            (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))
          ? n.name.getText(sf)
          : undefined;
    if (named && (ts.isVariableDeclaration(n) ? n.initializer : n.body))
      functions.push([lines(n), `${relative('.', f)}:${owner ? owner + '.' : ''}${named}`]);
    n.forEachChild((c) => visit(c, owner));
  };
  visit(sf, undefined);
}
const top = (a, k) =>
  a
    .sort((x, y) => y[0] - x[0])
    .slice(0, k)
    .map(([n, name]) => `  ${String(n).padStart(4)}  ${name}`)
    .join('\n');
console.log(
  `classes over 200 lines: ${classes.filter(([n]) => n > 200).length}; largest:\n${top(classes, 5)}`,
);
console.log(
  `functions over 60 lines: ${functions.filter(([n]) => n > 60).length}; largest:\n${top(functions, 10)}`,
);
console.log(`lines over 100 characters: ${long}`);
