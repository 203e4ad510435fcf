// tier: system
// End to end through the binary: known failures make a healthy run exit 0, a planted regression
// makes it exit 1 naming the scenario, a known failure that passes is unexpected, and a run that
// ran nothing fails unless allowed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';
import { fixtures, ovlconf } from '../helpers/cli.js';

const known = (name: string) => join(packageRoot(), 'test', 'fixtures', 'known', name);
const base = ['run', '--adapter', 'memory', '--variant', 'default', '--suite', fixtures('planted')];
const lastLine = (s: string) => s.trimEnd().split('\n').pop() ?? '';

test('a planted regression makes the run exit 1 and its last line names the scenario', async () => {
  const r = await ovlconf(base);
  assert.is(r.code, 1, r.stderr);
  assert.match(lastLine(r.stdout), /^FAILED: 1 unexpected result\(s\): memory\/default fixture\/planted-regression \(fail\)/);
  assert.match(r.stdout, /Unexpected results by cause \(1 in 1 cause\):/);
  assert.match(r.stdout, /memory — stat: size is 1, expected 2/);
  assert.match(r.stdout, /regression\.yaml:10: step 2 \(stat, line 10\)/);
});

test('the same failure recorded as known exits 0 and is counted apart', async () => {
  const r = await ovlconf([...base, '--known', known('memory.yaml')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 known failure in memory, 0 new/);
  assert.match(lastLine(r.stdout), /^OK: all 2 results as expected \(1 known failures\)/);
});

test('a known failure that now passes is unexpected', async () => {
  const r = await ovlconf([...base, '--known', known('memory.yaml'), '--known', known('memory-stale.yaml')]);
  assert.is(r.code, 1);
  assert.match(lastLine(r.stdout), /memory\/default fixture\/planted-good \(known failure passed\)/);
  assert.match(r.stdout, /the known failure KF-FIXTURE-STALE \(.*memory-stale\.yaml:3\) did not occur/);
});

test('a selection that matches nothing exits 1 with a one-line reason, unless --allow-empty', async () => {
  const r = await ovlconf([...base, '--grep', 'no-such-scenario']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /nothing to run: no scenario selected \(--grep "no-such-scenario" matched none\)/);
  const ok = await ovlconf([...base, '--grep', 'no-such-scenario', '--allow-empty']);
  assert.is(ok.code, 0, ok.stderr);
});

test('the run ends by comparing itself with the published results', async () => {
  const r = await ovlconf([...base, '--known', known('memory.yaml')]);
  assert.match(r.stdout, /No published verdicts \(conformance\/verdicts\.tsv\) for what ran here|This machine (matches|differs from) the published results/);
});

test.run();
