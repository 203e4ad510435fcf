// tier: system
// The suite checks itself: every merged-view expectation holds on a real POSIX filesystem, and
// the reference model agrees with the kernel on the variants both run.
//
// Every scenario runs on every POSIX variant. For the agreement, every scenario runs on the
// `default` variant of both and on one more shared variant, chosen by a hash of its run id, so
// every scenario and every shared variant is compared on each run at about 2/9 of the cost of
// all of them (~25k kernel mounts); OVLCONF_SELFCHECK=full compares every scenario on every
// shared variant. Variants only one side has are never compared, so neither is run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter, VariantInfo } from '../../adapters/adapter.js';
import { loadAdapter } from '../../adapters/registry.js';
import { agreement } from '../../results/conformance/agree.js';
import { runAll } from '../../engine/orchestrate.js';
import { buildResults } from '../../results/results.js';
import { loadSuite } from '../../language/loader/suite.js';
import type { Scenario } from '../../language/model.js';
import type { Result } from '../../language/schema/results.js';
import { skipping } from '../helpers/env.js';
import { realCatalog } from '../helpers/scenario.js';

const catalog = realCatalog();
const profiles = new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]]));
const suite = loadSuite(catalog);
const work = mkdtempSync(join(tmpdir(), 'ovlconf-self-'));
const full = process.env.OVLCONF_SELFCHECK === 'full';

/** the variants (by name) each scenario runs on: all of them, or the first and one chosen by its run id */
function pick(variants: string[], s: Scenario): Set<string> {
  if (full || variants.length <= 2) return new Set(variants);
  const h = createHash('sha256').update(s.runId).digest().readUInt32BE(0);
  return new Set([variants[0], variants[1 + (h % (variants.length - 1))]]);
}

/** run each scenario of the suite on the variants `pick` gives it, one variant after another */
async function runOn(a: Adapter, variants: VariantInfo[]): Promise<Result[]> {
  const names = variants.map((v) => v.name);
  const out: Result[] = [];
  for (const variant of variants) {
    const scenarios = suite.scenarios.filter((s) => pick(names, s).has(variant.name));
    const r = await runAll([{ adapter: a, variant }], scenarios, { jobs: availableParallelism(), workdir: join(work, a.name), profiles });
    out.push(...r.results);
  }
  return out;
}

const available = async (a: Adapter) => (await a.probe()).variants.filter((v) => v.available);
const show = (rs: Result[]) => rs.slice(0, 8).map((r) => `${r.variant} ${r.scenario}: ${r.verdict} ${r.reason ?? ''}`.slice(0, 300)).join('\n');

if (skipping('posix self-check', 'root', 'cc')) test.skip('every scenario passes or skips on the POSIX baseline');
else
  test('every scenario passes or skips on the POSIX baseline (ext4 and tmpfs)', async () => {
    const posix = await loadAdapter('posix');
    const variants = await available(posix);
    assert.equal(variants.map((v) => v.name).sort(), ['ext4', 'tmpfs']);
    const rs = await runOn(posix, variants);
    assert.is(rs.length, suite.scenarios.length * 2, 'every scenario on both');
    const bad = rs.filter((r) => r.verdict !== 'pass' && r.verdict !== 'skip');
    assert.equal(bad.length, 0, `${bad.length} scenario runs are wrong on posix:\n${show(bad)}`);
    assert.ok(rs.filter((r) => r.verdict === 'pass').length > rs.length * 0.9, 'most runs pass, few skip');
  });

if (skipping('memory vs kernel agreement', 'root', 'cc', 'overlay')) test.skip('the memory model agrees with the kernel');
else
  test('the memory model agrees with the kernel on every shared variant, each scenario on two of them', async () => {
    const [memory, kernel] = [await loadAdapter('memory'), await loadAdapter('kernel')];
    const [mv, kv] = [await available(memory), await available(kernel)];
    const kernelNames = new Set(kv.map((v) => v.name));
    const shared = mv.filter((v) => kernelNames.has(v.name));
    assert.is(shared[0]?.name, 'default');
    const rs = [...(await runOn(memory, shared)), ...(await runOn(kernel, kv.filter((v) => shared.some((m) => m.name === v.name))))];
    const file = buildResults({ results: rs, fingerprints: {}, loadErrors: [], files: [], scenarioCount: suite.scenarios.length, argv: [], startedAt: new Date(), interrupted: false });
    const a = agreement(file, 'memory', 'kernel');
    assert.ok(a.variants.length >= 8, `only ${a.variants.length} shared variants`);
    const compared = new Set(rs.filter((r) => r.adapter === 'kernel').map((r) => r.scenario));
    assert.is(compared.size, suite.scenarios.length, 'every scenario is compared');
    const lines = a.disagreements.slice(0, 10).map((d) => `${d.variant} ${d.scenario}: memory ${d.a.verdict} ${d.a.reason ?? ''} | kernel ${d.b.verdict} ${d.b.reason ?? ''}`.slice(0, 400));
    assert.equal(a.disagreements.length, 0, `${a.disagreements.length} disagreements (of ${a.compared} compared):\n${lines.join('\n')}`);
  });

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
