// Checks the running node against the `engines.node` range of every package pinned by the
// given package-lock.json files, and prints one line per package it does not satisfy.
//   scripts/node.sh scripts/check-node-engines.mjs tests/browser/package-lock.json ...
// Exit 0 when all fit, 1 otherwise. Ranges: `||` of space-separated comparators
// (>=, >, <=, <, =, ^, ~, x-ranges like 18.x): the forms npm packages use in `engines`.
import { readFileSync } from 'node:fs';

const have = process.versions.node.split('.').map(Number);

function cmp(a, b) {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function parts(v) {
  return v.replace(/^v/, '').split('.').filter((p) => p !== '' && p !== 'x' && p !== '*').map(Number);
}

function satisfies(comparator) {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(.*)$/.exec(comparator.trim());
  const op = m[1] || '=';
  const v = parts(m[2]);
  if (v.length === 0) return true;  // '*', 'x'
  const c = cmp(have, v);
  switch (op) {
    case '>=': return c >= 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '<': return c < 0;
    case '^': return c >= 0 && have[0] === v[0];
    case '~': return c >= 0 && have[0] === v[0] && (v.length < 2 || have[1] === v[1]);
    default: return v.every((p, i) => have[i] === p);  // '=', '18', '18.x'
  }
}

function inRange(range) {
  return range.split('||').some((alt) => alt.trim().split(/\s+/).filter(Boolean).every(satisfies));
}

let bad = 0;
for (const lock of process.argv.slice(2)) {
  const { packages } = JSON.parse(readFileSync(lock, 'utf8'));
  for (const [path, pkg] of Object.entries(packages)) {
    const range = pkg.engines?.node;
    if (range && !inRange(range)) {
      bad++;
      console.log(`${lock}: ${path || '(root)'} needs node ${range}, this is ${process.version}`);
    }
  }
}
process.exit(bad ? 1 : 0);
