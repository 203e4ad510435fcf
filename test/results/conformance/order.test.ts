// The pages' order of runs does not depend on the order a run finished them in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultsFile } from '../../../language/schema/results.js';
import { inRunOrder } from '../../../results/conformance/order.js';

const r = (adapter: string, variant: string, scenario: string) => ({ adapter, variant, scenario, verdict: 'pass' }) as unknown as ResultsFile['results'][number];
const file = (results: ResultsFile['results']) => ({ results }) as unknown as ResultsFile;

test('Results finished in two different orders come out in one: variants as they first appear, scenarios by run id', () => {
  const a = [r('kernel', 'default', 'b/y'), r('kernel', 'default', 'a/x'), r('kernel', 'index=on', 'a/x'), r('memory', 'default', 'c/z'), r('memory', 'default', 'a/x')];
  const b = [r('kernel', 'default', 'a/x'), r('kernel', 'index=on', 'a/x'), r('kernel', 'default', 'b/y'), r('memory', 'default', 'a/x'), r('memory', 'default', 'c/z')];
  const names = (f: ResultsFile) => f.results.map((x) => `${x.adapter}/${x.variant} ${x.scenario}`);
  assert.equal(names(inRunOrder(file(a))), names(inRunOrder(file(b))));
  assert.equal(names(inRunOrder(file(a))), ['kernel/default a/x', 'kernel/default b/y', 'kernel/index=on a/x', 'memory/default a/x', 'memory/default c/z']);
  assert.equal(names(file(a))[0], 'kernel/default b/y', 'the file itself is left as it was');
});

test.run();
