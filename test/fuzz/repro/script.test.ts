// tier: system
// A repro script for kernel scenarios runs standalone — copied to a temp directory outside the
// repository, with only bash, python3 and mount — and reports the same outcome as the suite: exit
// 0 where the suite saw POSIX behaviour, and "differs at step N" where the suite's first non-POSIX
// step is N (a documented deviation here).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdapter } from '../../../adapters/registry.js';
import { runAll } from '../../../engine/orchestrate.js';
import { reproScript } from '../../../fuzz/repro/script.js';
import { loadCatalog } from '../../../language/loader/catalog.js';
import { loadScenarioFile } from '../../../language/loader/scenario.js';
import { packageRoot } from '../../../language/root.js';
import { missing } from '../../helpers/env.js';

const python = spawnSync('python3', ['-c', 'pass']).status === 0 ? undefined : 'python3 is not installed';
const why = missing.root ?? python;
const dir = mkdtempSync(join(tmpdir(), 'ovlconf-repro-test-'));

test('repro scripts for kernel scenarios report the outcome the suite reports, run outside the repository', async () => {
  if (why) return console.log(`SKIP(run) repro scripts: ${why}`);
  const catalog = loadCatalog();
  const file = join(packageRoot(), 'suites/rename/attributes-kept.yaml');
  const runs = loadScenarioFile(file, catalog, 'suites/rename/attributes-kept.yaml').scenarios;
  const adapter = await loadAdapter('kernel');
  const info = await adapter.probe();
  const variant = info.variants.find((v) => v.name === 'default')!;
  const out = await runAll([{ adapter, variant }], runs, { jobs: 1, workdir: join(dir, 'suite'), profiles: new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]])) });
  let deviations = 0;
  for (const r of out.results) {
    const s = runs.find((x) => x.runId === r.scenario)!;
    const made = reproScript(s, 'kernel', 'default');
    assert.type(made, 'object', String(made));
    if (typeof made === 'string') continue;
    const sh = join(dir, `repro-${runs.indexOf(s)}.sh`);
    writeFileSync(sh, made.script);
    const res = spawnSync('bash', [sh], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 60_000 });
    const firstOff = r.steps.findIndex((st) => st.matched !== 'posix');
    if (r.verdict === 'pass') assert.is(res.status, 0, `${r.scenario}: the suite passed but the script said\n${res.stdout}${res.stderr}`);
    else {
      deviations++;
      assert.is(res.status, 1, `${r.scenario}: the suite said ${r.verdict} but the script exited ${res.status}\n${res.stdout}${res.stderr}`);
      assert.match(res.stdout, `RESULT: differs from POSIX at step ${firstOff + 1}`);
    }
  }
  assert.ok(deviations > 0, 'the scenario should include a documented deviation on kernel/default');
  assert.not.match(execFileSync('cat', ['/proc/mounts'], { encoding: 'utf8' }), dir);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
