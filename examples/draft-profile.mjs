#!/usr/bin/env node
// Drafts a profile (spec/profiles format) from a results file: every known deviation a fail
// named as observed ("this is the known deviation X, which this implementation's profile does
// not document"), restricted to the variants and scenario runs it was seen in (so a scenario
// that mentions it but observed POSIX stays a pass, not an xpass). Review every entry before
// using it: a deviation belongs in a profile only once you agree it is one, not a bug to fix;
// widen `scenarios:` with globs (`rename/*`) or drop it once you know where it applies.
//
//   node examples/draft-profile.mjs my-overlay.json > my-overlay.profile.yaml
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const [file, when = new Date().toISOString().slice(0, 10)] = process.argv.slice(2);
if (!file) {
  console.error('usage: draft-profile.mjs RESULTS.json[.gz] [observed-date]');
  process.exit(2);
}
const raw = readFileSync(file);
const results = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
const fps = results.environment.variants;
const implementations = new Set(Object.values(fps).map((f) => f.implementation));
if (implementations.size !== 1) {
  console.error(`${file} holds ${[...implementations].join(', ')}: draft one implementation at a time (run with --variant/--adapter)`);
  process.exit(2);
}
const [implementation] = implementations;
const allVariants = [...new Set(results.results.map((r) => r.variant))].sort();
const seen = new Map(); // deviation id → { variants: Set, scenarios: Set }
for (const r of results.results) {
  for (const id of r.failure?.matches ?? []) {
    const s = seen.get(id) ?? { variants: new Set(), scenarios: new Set() };
    s.variants.add(r.variant);
    s.scenarios.add(r.scenario);
    seen.set(id, s);
  }
}
const version = Object.values(fps)[0]?.version ?? 'unknown version';
const q = (s) => JSON.stringify(s);
const out = [`implementation: ${implementation}`, `description: ${q(`${implementation}, as observed by overlay-conformance`)}`, 'deviations:'];
for (const [id, s] of [...seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const variants = [...s.variants].sort();
  const every = variants.length === allVariants.length;
  out.push(`  - id: ${id}`);
  if (!every) out.push(`    when: { variant: [${variants.map(q).join(', ')}] }`);
  out.push('    scenarios:', ...[...s.scenarios].sort().map((r) => `      - ${q(r)}`));
  out.push(`    observed: ${q(`${implementation} ${version} (${when}), ${every ? 'every variant' : `variants ${variants.join(', ')}`}`)}`);
}
if (seen.size === 0) out.push('  []  # no known deviation was observed');
process.stdout.write(out.join('\n') + '\n');
