// Known failures are applied after classification: a matching fail is known, another mismatch is
// new, a passing run an entry expects to fail is fixed (unexpected), a flaky entry tolerates a pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnexpected, mayDiffer, knownOutcome, mismatchOf } from '../../engine/known.js';
import { loadKnownFile, type KnownFailure } from '../../language/loader/known.js';
import type { Result } from '../../language/schema/results.js';

const result = (over: Partial<Result>): Result => ({
  scenario: 'rename/dir[where=lower]', id: 'rename/dir', file: 'suites/rename/dir.yaml', behaviour: [], adapter: 'x', variant: 'default',
  verdict: 'fail', reason: 'step 3 (rename, line 12): failed with EXDEV, expected success', steps: [], ms: 1, ...over,
});
const entry = (over: Partial<KnownFailure>): KnownFailure => ({
  id: 'KF-X', implementation: 'x', title: 't', ref: 'r', scenarios: ['rename/dir[*'], verdict: 'fail', flaky: false, at: 'x.yaml:3', ...over,
});

test('the mismatch drops step numbers and lines so runs group by cause', () => {
  assert.is(mismatchOf(result({})), 'rename: failed with EXDEV, expected success');
  assert.is(mismatchOf(result({ reason: 'after (line 40): upper f is missing, expected file' })), 'after: upper f is missing, expected file');
});

test('a fail matching scenario, variant and mismatch is known and not unexpected', () => {
  const r = result({});
  const out = { ...r, ...knownOutcome(r, [entry({ observed: /EXDEV/ })]) };
  assert.equal(out.known, { id: 'KF-X', outcome: 'known' });
  assert.not.ok(isUnexpected(out));
});

test('a fail with another mismatch stays new, and says which known failure it is not', () => {
  const r = result({ reason: 'step 3 (rename, line 12): failed with EIO, expected success' });
  const out = { ...r, ...knownOutcome(r, [entry({ observed: /EXDEV/ })]) };
  assert.is(out.known, undefined);
  assert.ok(isUnexpected(out));
  assert.match(out.notes!.join(), /a new failure: the known failure KF-X/);
});

test('an entry for other variants does not apply', () => {
  const r = result({});
  assert.equal(knownOutcome(r, [entry({ variants: ['index=on'] })]), {});
});

test('a pass where a failure is known is unexpected, unless the entry is flaky', () => {
  const r = result({ verdict: 'pass', reason: undefined });
  const out = { ...r, ...knownOutcome(r, [entry({})]) };
  assert.equal(out.known, { id: 'KF-X', outcome: 'fixed' });
  assert.ok(isUnexpected(out));
  const flaky = { ...r, ...knownOutcome(r, [entry({ flaky: true })]) };
  assert.is(flaky.known, undefined);
  assert.not.ok(isUnexpected(flaky));
});

test('a run may differ from its published verdict only where a flaky entry or a retry allows it', () => {
  const pass = result({ verdict: 'pass', reason: undefined });
  assert.ok(mayDiffer(pass, [entry({ flaky: true })], 'fail'));
  assert.not.ok(mayDiffer(pass, [entry({ flaky: true })], 'deviation'));
  assert.not.ok(mayDiffer(pass, [entry({})], 'fail'));
  assert.not.ok(mayDiffer(pass, [entry({ flaky: true, scenarios: ['other/*'] })], 'fail'));
  assert.ok(mayDiffer({ ...result({}), known: { id: 'KF-X', outcome: 'known', flaky: true } }, [], 'pass'));
  assert.ok(mayDiffer({ ...result({}), flaky: true }, [], 'pass'));
  assert.not.ok(mayDiffer(result({}), [entry({ flaky: true })], 'pass'));
  assert.ok(mayDiffer(result({}), [entry({ flaky: true })], 'error'), 'a flaky timeout published, a crash now');
});

test('a failure a flaky entry expects is known and marked flaky; a run flaky on retry is not unexpected', () => {
  const r = result({});
  const out = { ...r, ...knownOutcome(r, [entry({ flaky: true })]) };
  assert.equal(out.known?.flaky, true);
  assert.not.ok(isUnexpected(out));
  assert.ok(isUnexpected(result({})));
  assert.not.ok(isUnexpected({ ...result({}), flaky: true }));
});

test('a known-failures file with a bad regular expression names file:line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-known-'));
  const f = join(dir, 'x.yaml');
  writeFileSync(f, 'implementation: x\nfailures:\n  - id: KF-A\n    title: t\n    ref: r\n    scenarios: [a]\n    observed: "(unclosed"\n');
  const r = loadKnownFile(f, 'x.yaml');
  rmSync(dir, { recursive: true, force: true });
  assert.is(r.errors.length, 1);
  assert.is(r.errors[0].line, 7);
  assert.is(r.errors[0].path, '/failures/0/observed');
});

test('the shipped known-failures files load without problems', async () => {
  const { loadKnownFailures } = await import('../../language/loader/known.js');
  const { known, errors } = loadKnownFailures();
  assert.equal(errors, []);
  for (const impl of ['fuse-overlayfs', 'unionfs-fuse', 'zenfs', 'zenfs2', 'memfs-unionfs', 'browserfs', 'mergerfs', 'mhddfs', 'gvisor']) assert.ok((known.get(impl) ?? []).length > 0, impl);
});

test.run();
