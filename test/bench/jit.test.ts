import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { INTERRUPT_BUDGET } from '../../bench/jit.js';

test('The bench runs with the interrupt budget the ovlconf command sets', () => {
  const bin = readFileSync(fileURLToPath(new URL('../../../bin/ovlconf.js', import.meta.url)), 'utf8');
  const set = /setFlagsFromString\('--interrupt-budget=(\d+)'\)/.exec(bin);
  assert.ok(set, 'bin/ovlconf.js sets an interrupt budget');
  assert.is(INTERRUPT_BUDGET, Number(set![1]));
});

test.run();
