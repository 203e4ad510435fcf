// tier: system
// The suite checks itself: every merged-view expectation holds on a real POSIX filesystem, and
// the reference model agrees with the kernel on every variant both run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdapter } from '../../adapters/registry.js';
import { agreement } from '../../results/conformance/agree.js';
import { runAll, type Target } from '../../engine/orchestrate.js';
import { buildResults } from '../../results/results.js';
import { loadSuite } from '../../language/loader/suite.js';
import type { Result } from '../../language/schema/results.js';
import { skipping } from '../helpers/env.js';
import { realCatalog } from '../helpers/scenario.js';

const catalog = realCatalog();
const profiles = new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]]));
const suite = loadSuite(catalog);
const work = mkdtempSync(join(tmpdir(), 'ovlconf-self-'));

async function runOn(adapter: string): Promise<Result[]> {
  const a = await loadAdapter(adapter);
  const info = await a.probe();
  const targets: Target[] = info.variants.filter((v) => v.available).map((variant) => ({ adapter: a, variant }));
  return (await runAll(targets, suite.scenarios, { jobs: availableParallelism(), workdir: join(work, adapter), profiles })).results;
}

const show = (rs: Result[]) => rs.slice(0, 8).map((r) => `${r.variant} ${r.scenario}: ${r.verdict} ${r.reason ?? ''}`.slice(0, 300)).join('\n');

if (skipping('posix self-check', 'root', 'cc')) test.skip('every scenario passes or skips on the POSIX baseline');
else
  test('every scenario passes or skips on the POSIX baseline (ext4 and tmpfs)', async () => {
    const rs = await runOn('posix');
    const bad = rs.filter((r) => r.verdict !== 'pass' && r.verdict !== 'skip');
    assert.equal(bad.length, 0, `${bad.length} scenario runs are wrong on posix:\n${show(bad)}`);
    assert.ok(rs.filter((r) => r.verdict === 'pass').length > rs.length * 0.9, 'most runs pass, few skip');
  });

if (skipping('memory vs kernel agreement', 'root', 'cc', 'overlay')) test.skip('the memory model agrees with the kernel');
else
  test('the memory model agrees with the kernel on every variant both run', async () => {
    const rs = [...(await runOn('memory')), ...(await runOn('kernel'))];
    const file = buildResults({ results: rs, fingerprints: {}, loadErrors: [], files: [], scenarioCount: suite.scenarios.length, argv: [], startedAt: new Date(), interrupted: false });
    const a = agreement(file, 'memory', 'kernel');
    assert.ok(a.variants.length >= 8, `only ${a.variants.length} shared variants`);
    const lines = a.disagreements.slice(0, 10).map((d) => `${d.variant} ${d.scenario}: memory ${d.a.verdict} ${d.a.reason ?? ''} | kernel ${d.b.verdict} ${d.b.reason ?? ''}`.slice(0, 400));
    assert.equal(a.disagreements.length, 0, `${a.disagreements.length} disagreements (of ${a.compared} compared):\n${lines.join('\n')}`);
  });

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
