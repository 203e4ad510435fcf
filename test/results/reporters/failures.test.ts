// A failure shown in full: where it failed, what was expected and observed as YAML with octal
// modes (the YAML writer loads on first use), and the command that reproduces it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explain } from '../../../results/reporters/failures.js';
import type { Result } from '../../../language/schema/results.js';

const failed = { verdict: 'fail', adapter: 'kernel', variant: 'default', scenario: 's', id: 's', file: 'f.yaml', behaviour: [], reason: 'mode differs', ms: 1, steps: [], failure: { message: 'm', file: 'f.yaml', line: 3, expected: { ok: true, mode: 0o755 }, observed: { errno: 'ENOENT' } } } as unknown as Result;

test('A failure is explained with its expected and observed values as YAML, modes in octal', () => {
  const lines = explain(failed).split('\n');
  assert.equal(lines.slice(0, 2), ['FAIL kernel/default s', '  f.yaml:3: mode differs']);
  assert.equal(lines.slice(2, 7), ['    expected:', '      ok: true', '      mode: "0755"', '    observed:', '      errno: ENOENT']);
  assert.ok(lines.at(-1)!.startsWith('  repro: npx ovlconf repro f.yaml --adapter kernel'));
});

test('A failure without values is explained without any YAML', () => {
  const r = { ...failed, failure: { message: 'm', file: 'f.yaml', line: 3 } } as unknown as Result;
  assert.not.ok(explain(r).includes('expected:'));
});

test.run();
