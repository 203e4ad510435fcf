// The two sharpenings of a scenario, end to end through the orchestrator on plug-in adapters
// built from the memory engine with one planted fault each: a `linux:` expectation turns a
// POSIX-allowed but un-Linux-like answer into the kind-linux deviation, and an `after.when`
// check holds a metacopy=on variant to metadata-only copy-up without touching other variants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter, OpResult, ResolvedOp, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { runAll } from '../../engine/orchestrate.js';
import { realCatalog, scenario } from '../helpers/scenario.js';

const work = mkdtempSync(join(tmpdir(), 'ovlconf-sharpen-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** the memory adapter under another name, with `fault` wrapped around every op of its workers */
function planted(name: string, fault: (w: Worker, op: ResolvedOp, real: (op: ResolvedOp) => Promise<OpResult>) => Promise<OpResult>): Adapter {
  return {
    name, description: `memory with a planted fault (${name})`,
    probe: async () => ({ ...(await memoryAdapter.probe()), name }),
    async createWorker(variant, opts) {
      const w = await memoryAdapter.createWorker(variant, opts);
      const real = w.op.bind(w);
      w.op = (op) => fault(w, op, real);
      return w;
    },
  };
}

/** unlink(2) of a directory answers EPERM (POSIX allows it) instead of Linux's EISDIR */
const epermForEisdir = planted('eperm-unlink', async (_w, op, real) => {
  const r = await real(op);
  return op.op === 'unlink' && !r.ok && 'errno' in r && r.errno === 'EISDIR' ? { ok: false, errno: 'EPERM' } : r;
});

/** every metadata change copies the data up first, so metacopy=on never makes a metadata-only copy */
const neverMetacopy = planted('full-copyup', async (_w, op, real) => {
  if (op.op === 'chmod' || op.op === 'chown' || op.op === 'utimens' || op.op === 'setxattr') {
    const o = await real({ op: 'open', args: { path: op.args.path, flags: ['O_RDWR'] } });
    if (o.ok && o.value && 'fd' in o.value) await real({ op: 'close', args: { fd: o.value.fd } });
  }
  return real(op);
});

async function verdicts(adapter: Adapter, text: string, variants: string[]) {
  const info = await adapter.probe();
  const targets = info.variants.filter((v) => variants.includes(v.name)).map((variant) => ({ adapter, variant }));
  const out = await runAll(targets, scenario(text), { jobs: 1, workdir: join(work, adapter.name), profiles: new Map() });
  return Object.fromEntries(out.results.map((r) => [r.variant, r]));
}

const unlinkDir = `id: t/unlink-dir
title: unlink of a directory
behaviour: [WH-001]
layers:
  lower:
    - { d: !dir }
steps:
  - unlink: d
    expect: { errno: [EISDIR, EPERM] }
    linux: { errno: EISDIR }
`;

test('a Linux-convention expectation turns an EPERM-for-EISDIR implementation into a deviation of kind linux', async () => {
  const r = (await verdicts(epermForEisdir, unlinkDir, ['default'])).default;
  assert.is(r.verdict, 'deviation');
  assert.equal(r.deviations, ['DEV-LINUX-CONVENTION']);
  assert.is(realCatalog().deviations.get('DEV-LINUX-CONVENTION')?.kind, 'linux');
  assert.ok(r.notes?.some((n) => n.includes('EISDIR')), JSON.stringify(r.notes));
});

test('the Linux answer itself is a pass', async () => {
  assert.is((await verdicts(memoryAdapter, unlinkDir, ['default'])).default.verdict, 'pass');
});

test('an answer POSIX does not allow is still a fail, whatever the linux expectation says', async () => {
  const enoent = planted('enoent-unlink', async (_w, op, real) => (op.op === 'unlink' ? { ok: false, errno: 'ENOENT' } : real(op)));
  assert.is((await verdicts(enoent, unlinkDir, ['default'])).default.verdict, 'fail');
});

const chmodMetacopy = `id: t/chmod-metacopy
title: chmod of a lower file
behaviour: [MC-001]
layers:
  lower:
    - { f: "data" }
steps:
  - chmod: { path: f, mode: "0600" }
  - readfile: f
    expect: { data: "data" }
after:
  upper: { f: { type: file, mode: "0600" } }
  when:
    - options: { metacopy: "on" }
      upper: { f: { type: file, metacopy: true } }
`;

test('an option-conditional layer-state check fails a metacopy=on variant that never makes metadata-only copies', async () => {
  const r = await verdicts(neverMetacopy, chmodMetacopy, ['metacopy=on', 'default']);
  assert.is(r['metacopy=on'].verdict, 'fail');
  assert.match(r['metacopy=on'].reason ?? '', /where metacopy=on: upper f has metacopy=false, expected true/);
  // not applied where metacopy is off: the same full copy-up is what those variants must do
  assert.is(r.default.verdict, 'pass');
});

test('the reference model passes the conditional check on metacopy=on and is not held to it elsewhere', async () => {
  const r = await verdicts(memoryAdapter, chmodMetacopy, ['metacopy=on', 'default', 'index=on']);
  assert.equal([r['metacopy=on'].verdict, r.default.verdict, r['index=on'].verdict], ['pass', 'pass', 'pass']);
});

test('a conditional step expectation applies only where its option holds', async () => {
  const text = `id: t/when-step
title: t
behaviour: [MC-001]
layers:
  lower:
    - { f: "data" }
steps:
  - stat: f
    expect: { size: 4 }
    when:
      - options: { metacopy: "on" }
        expect: { size: 5 }
`;
  const r = await verdicts(memoryAdapter, text, ['metacopy=on', 'default']);
  assert.is(r.default.verdict, 'pass');
  assert.is(r['metacopy=on'].verdict, 'fail');
  assert.match(r['metacopy=on'].reason ?? '', /where metacopy=on: size is 4/);
});

test.run();
