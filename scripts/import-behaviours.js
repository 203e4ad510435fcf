#!/usr/bin/env node
// Regenerates spec/behaviours.json from the behaviour catalogue (../shared/behaviours.md, or the
// path given): the ids scenarios may name and `ovlconf list --coverage` reports against.
import { readFileSync, writeFileSync } from 'node:fs';

const src = process.argv[2] ?? new URL('../../shared/behaviours.md', import.meta.url).pathname;
const text = readFileSync(src, 'utf8');
const out = [];
let group = '';
for (const line of text.split('\n')) {
  const g = /^## [0-9a-z]+\. (.+?) \(([A-Z]{2})\)/.exec(line);
  if (g) group = g[1];
  const m = /^\*\*([A-Z]{2}-\d{3}) · (.+?) · (.+)\*\*\s*$/.exec(line);
  if (m) out.push({ id: m[1], title: m[2].replace(/`/g, ''), tags: [...m[3].matchAll(/`([A-Z-]+)`/g)].map((t) => t[1]), group });
}
writeFileSync(new URL('../spec/behaviours.json', import.meta.url), JSON.stringify(out, null, 1) + '\n');
console.log(`${out.length} behaviours written to spec/behaviours.json`);
