// tier: system
// The final-state check is on by default in `ovlconf run`: plug-in adapters written the way a user
// writes one (a module passed to --adapter), each the reference engine with one fault, fail a
// scenario that has no remount step; --no-final-state turns the check off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';
import { ovlconf } from '../helpers/cli.js';

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'ovlconf-final-'));
const plugin = (name: string, fault: string) => {
  writeFileSync(join(dir, `${name}.mjs`), `import { memoryAdapter } from ${JSON.stringify(join(root, 'dist', 'adapters', 'memory', 'index.js'))};
export default {
  name: ${JSON.stringify(name)}, description: 'the reference engine with one fault',
  probe: async (o) => ({ ...(await memoryAdapter.probe(o)), name: ${JSON.stringify(name)} }),
  createWorker: async (variant, opts) => {
    const w = await memoryAdapter.createWorker(variant, opts);
    const state = { last: undefined, stale: new Map() };
    const wrap = { ${fault} };
    return new Proxy(w, { get: (t, k) => (k in wrap ? wrap[k] : typeof t[k] === 'function' ? t[k].bind(t) : t[k]) });
  },
};
`);
  return join(dir, `${name}.mjs`);
};
// forgets the last file written whenever it is remounted
const loses = plugin('loses-write', `
      op: async (op) => { if (op.op === 'writefile') state.last = op.args.path; return w.op(op); },
      remount: async (...a) => { const r = await w.remount(...a); if (state.last) await w.op({ op: 'unlink', args: { path: state.last } }); return r; },`);
// answers stat with the attributes from before a chmod until it is remounted (a stale attribute cache)
const stale = plugin('stale-attrs', `
      mergedTree: undefined,
      op: async (op) => {
        const path = op.args?.path;
        if (op.op === 'chmod' && !state.stale.has(path)) { const b = await w.op({ op: 'lstat', args: { path } }); if (b.ok) state.stale.set(path, b.value.stat.mode); }
        const r = await w.op(op);
        if ((op.op === 'lstat' || op.op === 'stat') && r.ok && state.stale.has(path)) return { ...r, value: { ...r.value, stat: { ...r.value.stat, mode: state.stale.get(path) } } };
        return r;
      },
      remount: async (...a) => { state.stale.clear(); return w.remount(...a); },`);
writeFileSync(join(dir, 'suite.yaml'), `id: t/change-no-remount
title: a file written and a file chmodded, no remount step, nothing stat'ed
behaviour: [RD-001]
layers:
  lower:
    - { a: "old", m: "m" }
steps:
  - writefile: { path: b, data: "new" }
  - chmod: { path: m, mode: "0600" }
`);
const run = async (adapter: string, ...more: string[]) => {
  const out = join(dir, `${adapter.replace(/\W/g, '_')}${more.length}.json`);
  const r = await ovlconf(['run', '--adapter', adapter, '--variant', 'default', '--suite', join(dir, 'suite.yaml'), '--reporter', 'json', '--out', out, ...more]);
  const res = JSON.parse(readFileSync(out, 'utf8')).results as { verdict: string; reason?: string }[];
  return { code: r.code, res, stderr: r.stderr };
};

test('A plug-in that loses a write on remount fails a scenario with no remount step, by default', async () => {
  const r = await run(loses);
  assert.is(r.res.length, 1, r.stderr);
  assert.is(r.res[0].verdict, 'fail');
  assert.match(r.res[0].reason ?? '', /final state: the merged view changed after a remount: b vanished \(was file\)/);
  assert.is(r.code, 1);
  const off = await run(loses, '--no-final-state');
  assert.is(off.res[0].verdict, 'pass', 'without the check nothing shows the loss');
});

test('A plug-in that keeps stale attributes until remounted fails a scenario with no remount step', async () => {
  const r = await run(stale);
  assert.is(r.res[0].verdict, 'fail', r.stderr);
  assert.match(r.res[0].reason ?? '', /m: mode 0644 → 0600/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
