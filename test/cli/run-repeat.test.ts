// tier: system
// `ovlconf run --repeat N`: a plug-in whose answer changes from one repeat to the next (the
// reference engine, but every second worker it makes forgets a write) is reported UNSTABLE in
// the summary, the JSON results and the exit status; a steady adapter is reported stable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../language/schema/results.js';
import { packageRoot } from '../../language/root.js';
import { ovlconf } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ovlconf-repeat-'));
const plugin = join(dir, 'flaky.mjs');
// lossy: which workers (numbered from 0) forget writes
const adapter = (name: string, lossy: string) => `import { memoryAdapter } from ${JSON.stringify(join(packageRoot(), 'dist', 'adapters', 'memory', 'index.js'))};
let made = 0;
export default {
  name: '${name}', description: 'some workers lose writes',
  probe: async (o) => ({ ...(await memoryAdapter.probe(o)), name: '${name}' }),
  createWorker: async (variant, opts) => {
    const w = await memoryAdapter.createWorker(variant, opts);
    const lossy = ((n) => ${lossy})(made++);
    const op = async (o) => (lossy && o.op === 'writefile' ? { ok: true, value: {} } : w.op(o));
    return new Proxy(w, { get: (t, k) => (k === 'op' ? op : typeof t[k] === 'function' ? t[k].bind(t) : t[k]) });
  },
};
`;
writeFileSync(plugin, adapter('flaky', 'n % 2 === 1'));
const firstLossy = join(dir, 'first.mjs');
writeFileSync(firstLossy, adapter('first', 'n === 0'));
const broken = join(dir, 'broken.mjs');
writeFileSync(broken, adapter('broken', 'true'));
writeFileSync(join(dir, 's.yaml'), `id: t/write-read
title: a write read back
behaviour: [RD-001]
layers:
  lower:
    - { a: "old" }
steps:
  - writefile: { path: a, data: "new" }
  - readfile: a
    expect: { data: "new" }
`);
const run = async (adapter: string, how = ['--repeat', '2']) => {
  const out = join(dir, `${adapter.replace(/\W/g, '_')}.json`);
  const r = await ovlconf(['run', '--adapter', adapter, '--variant', 'default', '--suite', join(dir, 's.yaml'), ...how, '--jobs', '1', '--reporter', 'json', '--out', out]);
  return { ...r, file: JSON.parse(readFileSync(out, 'utf8')) as ResultsFile };
};

test('A run whose verdict differs between repeats is UNSTABLE: summary, JSON and exit status', async () => {
  const r = await run(plugin);
  assert.match(r.stderr, /UNSTABLE: 1 run\(s\) differ between 2 repeats:\n  flaky\/default t\/write-read: pass, fail/);
  assert.equal(r.file.results[0].unstable, ['pass', 'fail']);
  assert.is(r.file.results[0].otherRepeats?.[0].repeat, 2);
  assert.is(r.file.results[0].otherRepeats?.[0].verdict, 'fail');
  assert.is(r.code, 1);
});

test('An unexpected result that is as expected on its retry is FLAKY: named, marked, first verdict kept, exit 0', async () => {
  const r = await run(firstLossy, []);
  const [res] = r.file.results;
  assert.is(res.verdict, 'fail');
  assert.is(res.flaky, true);
  assert.equal(res.retries, ['pass']);
  assert.match(r.stderr, /retrying 1 unexpected result\(s\) on fresh layers \(retry 1 of 1\)/);
  assert.match(r.stderr, /FLAKY: 1 run\(s\) were unexpected, then as expected when run again .*\n  first\/default t\/write-read: fail then pass/);
  assert.match(r.stderr, /OK: all 1 results as expected \(1 flaky\)/);
  assert.is(r.code, 0, r.stderr);
});

test('An unexpected result its retries confirm stays a failure; --retry-unexpected 0 never retries', async () => {
  const r = await run(broken, ['--retry-unexpected', '2']);
  assert.equal(r.file.results[0].retries, ['fail', 'fail']);
  assert.is(r.file.results[0].flaky, undefined);
  assert.match(r.stderr, /FAILED: 1 unexpected result/);
  assert.is(r.code, 1);
  const none = await run(firstLossy, ['--retry-unexpected', '0']);
  assert.is(none.file.results[0].retries, undefined);
  assert.is(none.code, 1);
});

test('A steady adapter repeated is reported stable', async () => {
  const r = await run('memory');
  assert.match(r.stderr, /Stable: every run gave the same verdict and observations in 2 repeats/);
  assert.is(r.file.results[0].unstable, undefined);
  assert.is(r.code, 0, r.stderr);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
