// A step whose handle no side could bind (its open failed everywhere alike) is compared as
// "not run", so it is neither a harness error nor a finding; a harness refusal on the
// implementation alone is an error that names the step and the harness's reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../engine/judge.js';
import type { StepOutcome } from '../../engine/match.js';
import { compareRuns } from '../../fuzz/compare.js';

const run = (...outcomes: StepOutcome[]): RunRecord => ({
  steps: outcomes.map((outcome, i) => ({ step: { op: i === 0 ? 'open' : 'pread' } as never, outcome, judgement: { kind: 'none', why: '' } as never, ms: 0 })),
});
const failed: StepOutcome = { ok: false, errno: 'ENOENT' };
const unbound: StepOutcome = { ok: false, notRun: 'fd "f1" holds no open fd' };

test('an unbound handle on every side agrees', () => {
  assert.is(compareRuns(run(failed, unbound), [{ name: 'memory/default', rec: run(failed, unbound) }]).kind, 'agree');
});

test('a harness refusal is an error naming the step and the reason', () => {
  const c = compareRuns(run(failed, { ok: false, harness: 'the worker failed: boom' }), [{ name: 'memory/default', rec: run(failed, unbound) }]);
  assert.is(c.kind, 'error');
  if (c.kind === 'error') assert.match(c.reason, /step 2 \(pread\).*boom/);
});

test('an implementation that died at a step is a crash divergence there, not a harness error', () => {
  const impl: RunRecord = { ...run(failed, { ok: false, harness: 'the worker failed: fuse-overlayfs killed by signal 6 (SIGABRT)' }), fault: { party: 'implementation', message: 'fuse-overlayfs killed by signal 6 (SIGABRT) during the scenario', step: 1 } };
  const c = compareRuns(impl, [{ name: 'memory/default', rec: run(failed, unbound) }]);
  assert.is(c.kind, 'diverge');
  if (c.kind === 'diverge') {
    assert.is(c.d.step, 1);
    assert.is(c.d.observed.status, 'crash SIGABRT');
  }
});

test.run();
