// The runs matrix --check repeats before calling them changes: new runs and runs whose verdict
// line differs, never the unchanged ones or those that are gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { changedRuns, runKey, verdictChanges, verdictLines } from '../../../results/conformance/verdicts.js';
import type { Result, ResultsFile } from '../../../language/schema/results.js';

const committed = ['a/v\ts1\tpass\t', 'a/v\ts2\tfail\t', 'a/v\tgone\tpass\t'];
const fresh = ['a/v\ts1\tpass\t', 'a/v\ts2\tdeviation\tDEV-X', 'a/v\tnew\tpass\t'];

test('Changed and new runs are the ones to repeat; unchanged and gone runs are not', () => {
  assert.equal([...changedRuns(committed, fresh)].sort(), ['a/v\tnew', 'a/v\ts2']);
  assert.equal(changedRuns(committed, committed).size, 0);
});

test('A run left out of both lists (an unstable one) is not reported as a change', () => {
  const steady = (l: string) => !l.startsWith('a/v\ts2\t');
  assert.equal(verdictChanges(committed.filter(steady), fresh.filter(steady)), ['new: a/v new → pass', 'gone: a/v gone']);
});

test('A flaky run is published with the verdict its retry settled on, a steady run with its own', () => {
  const base = { id: 's', file: 'f.yaml', behaviour: [], adapter: 'a', variant: 'v', ms: 1, steps: [] };
  const flaky = { ...base, scenario: 's1', verdict: 'fail', reason: 'x', flaky: true, retries: ['deviation'], otherRepeats: [{ repeat: 2, verdict: 'deviation', deviations: ['DEV-X'], steps: [] }] } as unknown as Result;
  const steady = { ...base, scenario: 's2', verdict: 'fail', reason: 'y', retries: ['fail'] } as unknown as Result;
  assert.equal(verdictLines({ results: [steady, flaky] } as unknown as ResultsFile), ['a/v\ts1\tdeviation\tDEV-X', 'a/v\ts2\tfail\t']);
});

test('A verdict line\'s run key is its first two fields, or the whole line when it has fewer, as splitting and joining gives it', () => {
  for (const l of ['', 'a', 'a\tb', 'a\tb\t', 'memory/default\tx/y[k=v]\tpass\t', 'memory/default\tx/y\tdeviation\tDEV-A,DEV-B', '\t\t\t', 'a\t\tc']) assert.is(runKey(l), l.split('\t').slice(0, 2).join('\t'), JSON.stringify(l));
});

test.run();
