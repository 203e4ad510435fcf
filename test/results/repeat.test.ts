// Repeats: a run whose verdict or observations differ between repeats is unstable, and said so;
// what differs by nature (times, inode numbers) does not make a run unstable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Result, ResultsFile } from '../../language/schema/results.js';
import { markUnstable, observation, renderUnstable, unstableRuns } from '../../results/repeat.js';

const r = (scenario: string, verdict: Result['verdict'], reason?: string): Result =>
  ({ scenario, id: scenario, file: 'x.yaml', behaviour: [], adapter: 'a', variant: 'v', verdict, ...(reason ? { reason } : {}), steps: [], ms: 1 });

test('A verdict that flips between repeats is unstable, with every repeat\'s verdict in order', () => {
  const u = unstableRuns([[r('s', 'pass'), r('t', 'pass')], [r('s', 'fail', 'step 2: mtime moved'), r('t', 'pass')], [r('s', 'pass'), r('t', 'pass')]]);
  assert.equal(u.map((x) => [x.run, x.verdicts]), [['a/v s', ['pass', 'fail', 'pass']]]);
  assert.is(u[0].observations.length, 2);
});

test('The same verdict with another observation is unstable; other numbers alone are not', () => {
  assert.equal(unstableRuns([[r('s', 'fail', 'ino is "12", expected "13"')], [r('s', 'fail', 'ino is "98", expected "99"')]]), []);
  const u = unstableRuns([[r('s', 'fail', 'data is "old"')], [r('s', 'fail', 'data is "new"')]]);
  assert.equal(u[0].verdicts, ['fail', 'fail']);
  assert.is(observation(r('s', 'fail', 'mtime "1796532751.48"')), 'fail: mtime "N"');
});

test('Unstable runs are marked in the reported results and summed up in words', () => {
  const file = { results: [r('s', 'pass'), r('t', 'pass')] } as unknown as ResultsFile;
  const u = unstableRuns([file.results, [r('s', 'fail', 'x'), r('t', 'pass')]]);
  markUnstable(file, u);
  assert.equal(file.results[0].unstable, ['pass', 'fail']);
  assert.ok(file.results[0].notes?.[0].startsWith('unstable over 2 repeats (pass, fail)'));
  assert.is(file.results[1].unstable, undefined);
  assert.equal(file.results[0].otherRepeats, [{ repeat: 2, verdict: 'fail', steps: [], reason: 'x' }]);
  assert.match(renderUnstable(u, 2), /^UNSTABLE: 1 run\(s\) differ between 2 repeats:\n  a\/v s: pass, fail/);
  assert.match(renderUnstable([], 3), /^Stable/);
});

test('Each other observation keeps the first repeat that saw it, so an unstable run can be triaged from the file', () => {
  const seen = [[r('s', 'pass')], [r('s', 'pass')], [r('s', 'fail', 'a')], [r('s', 'fail', 'a')], [r('s', 'fail', 'b')]];
  const [u] = unstableRuns(seen);
  assert.equal(u.others.map((o) => [o.repeat, o.result.reason]), [[3, 'a'], [5, 'b']]);
});

test('Another repeat keeps its notes, such as another process dropping the caches while it ran, which alone never makes a run unstable', () => {
  const noted = { ...r('s', 'fail', 'x'), notes: ["another process dropped the machine's caches once while this scenario ran"] };
  assert.equal(unstableRuns([[r('s', 'fail', 'x')], [noted]]), []);
  const file = { results: [r('s', 'pass')] } as unknown as ResultsFile;
  markUnstable(file, unstableRuns([file.results, [noted]]));
  assert.equal(file.results[0].otherRepeats?.[0].notes, noted.notes);
});

test.run();
