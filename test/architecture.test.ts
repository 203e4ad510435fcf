// The architecture rules of .dependency-cruiser.cjs hold for the sources: imports run one way
// (language → adapters → engine → results → fuzz → vm → cli) and no module is part of a cycle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../language/root.js';

const root = packageRoot();
const rooms = ['language', 'adapters', 'engine', 'results', 'fuzz', 'vm', 'cli', 'bench'].filter((d) => existsSync(join(root, d)));

function cruise(): { summary: { violations: Array<{ from: string; to: string; rule: { name: string }; cycle?: Array<{ name: string }> }>; totalCruised: number } } {
  const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const out = execFileSync(process.execPath, [bin, ...rooms, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: root, maxBuffer: 256 << 20, encoding: 'utf8' });
  return JSON.parse(out);
}

test('No module imports against the direction of the rooms, and none is part of a cycle', () => {
  const r = cruise();
  assert.ok(r.summary.totalCruised > 100, `cruised ${r.summary.totalCruised} modules: the rule check saw the sources`);
  const lines = r.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  assert.equal(lines, []);
});

test.run();
