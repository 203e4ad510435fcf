import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../cli/run.js';
import { mergeCommand } from '../../cli/merge.js';
import { readResults } from '../../results/diff/read.js';
import { packageRoot } from '../../language/root.js';
import { mergeResults } from '../../results/merge.js';
import { validateResults } from '../../results/results.js';
import { file, result } from './diff/make.js';

const shard = (index: number, count: number, scenarios: string[], over: Parameters<typeof file>[1] = {}) =>
  file(scenarios.flatMap((s) => [result(s), result(s, { variant: 'v2', verdict: 'skip', reason: 'r' })]), { scenarios: 4, shard: { index, count }, ...over });

test('shards covering every scenario merge into one valid file with the summary recomputed', () => {
  const m = mergeResults([{ name: 's1', file: shard(1, 2, ['a/x', 'a/y']) }, { name: 's2', file: shard(2, 2, ['a/z', 'a/w']) }]);
  assert.equal(m.problems, []);
  assert.equal(validateResults(m.merged), []);
  assert.is(m.merged.results.length, 8);
  assert.is(m.merged.summary['kernel/default'].pass, 4);
  assert.is(m.merged.summary['kernel/v2'].skip, 4);
  assert.is(m.merged.environment.shard, undefined);
  assert.is(m.merged.environment.suite.scenarios, 4);
});

test('files from different suite hashes are refused, naming the files', () => {
  const m = mergeResults([{ name: 's1', file: shard(1, 2, ['a/x', 'a/y']) }, { name: 's2', file: shard(2, 2, ['a/z', 'a/w'], { hash: 'sha256:ffff' }) }]);
  assert.ok(m.problems.some((p) => /different suites/.test(p) && /s2/.test(p)), m.problems.join('\n'));
});

test('an overlapping shard is reported as duplicates and a repeated shard index', () => {
  const m = mergeResults([{ name: 's1', file: shard(1, 2, ['a/x', 'a/y']) }, { name: 's1again', file: shard(1, 2, ['a/x', 'a/y']) }]);
  assert.ok(m.problems.some((p) => p === 'shard 1/2 given more than once: s1, s1again'), m.problems.join('\n'));
  assert.ok(m.problems.some((p) => /^duplicate: kernel\/default a\/x appears in s1 and s1again$/.test(p)), m.problems.join('\n'));
  assert.ok(m.problems.some((p) => p === 'shard 2/2 missing'), m.problems.join('\n'));
});

test('a missing shard is a gap counted against the selected scenarios', () => {
  const m = mergeResults([{ name: 's1', file: shard(1, 2, ['a/x', 'a/y']) }]);
  assert.ok(m.problems.includes('shard 2/2 missing'));
  assert.ok(m.problems.some((p) => /gap: 2 of the 4 selected scenarios are in no file/.test(p)), m.problems.join('\n'));
});

test('a variant lacking a scenario the others have is a gap naming both', () => {
  const f = file([result('a/x'), result('a/y'), result('a/x', { variant: 'v2' })]);
  const m = mergeResults([{ name: 'only', file: f }]);
  assert.ok(m.problems.some((p) => p.startsWith('gap: kernel/v2 lacks 1 scenario the other variants have: a/y')), m.problems.join('\n'));
});

test('shards cut with different N are refused', () => {
  const m = mergeResults([{ name: 's1', file: shard(1, 2, ['a/x', 'a/y']) }, { name: 't2', file: shard(2, 3, ['a/z', 'a/w']) }]);
  assert.ok(m.problems.some((p) => /cut differently/.test(p)));
});

test('load errors are deduplicated and fingerprints merged', () => {
  const a = shard(1, 2, ['a/x', 'a/y']);
  const b = shard(2, 2, ['a/z', 'a/w']);
  const err = { file: 'suites/bad.yaml', line: 1, col: 1, path: '', message: 'broken' };
  a.loadErrors = [err];
  b.loadErrors = [{ ...err }];
  const m = mergeResults([{ name: 'a', file: a }, { name: 'b', file: b }]);
  assert.is(m.merged.loadErrors.length, 1);
  assert.equal(Object.keys(m.merged.environment.variants).sort(), ['kernel/default', 'kernel/v2']);
});

test('shards of different adapters are checked per adapter, so a CI matrix of shards × adapters merges', () => {
  const other = (index: number, scenarios: string[]) => file(scenarios.map((s) => result(s, { adapter: 'posix', variant: 'plain' })), { scenarios: 4, shard: { index, count: 2 } });
  const both = [
    { name: 'k1', file: shard(1, 2, ['a/x', 'a/y']) }, { name: 'k2', file: shard(2, 2, ['a/z', 'a/w']) },
    { name: 'p1', file: other(1, ['a/x', 'a/y']) }, { name: 'p2', file: other(2, ['a/z', 'a/w']) },
  ];
  assert.equal(mergeResults(both).problems, []);
  const m = mergeResults(both.slice(0, 3));
  assert.equal(m.problems.filter((p) => p.startsWith('shard')), ['shard 2/2 missing (adapters posix)']);
});

test('two shards of a real run record their shard, split the scenarios, and merge back to the whole run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-shard-test-'));
  const suite = join(packageRoot(), 'suites', 'whiteout');
  const quiet = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    for (const i of [1, 2]) await runCommand(['--adapter', 'memory', '--variant', 'default', '--suite', suite, '--shard', `${i}/2`, '--reporter', 'json', '--out', join(dir, `s${i}.json`)]);
    await runCommand(['--adapter', 'memory', '--variant', 'default', '--suite', suite, '--reporter', 'json', '--out', join(dir, 'whole.json')]);
    assert.is(await mergeCommand([join(dir, 's1.json'), join(dir, 's2.json'), '--out', join(dir, 'merged.json')]), 0);
    assert.is(await mergeCommand([join(dir, 's1.json'), join(dir, 's1.json'), '--out', join(dir, 'bad.json')]), 1);
  } finally {
    process.stderr.write = quiet;
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const [s1, s2, whole, merged] = ['s1', 's2', 'whole', 'merged'].map((n) => readResults(join(dir, `${n}.json`)));
  assert.equal(s1.environment.shard, { index: 1, count: 2 });
  assert.is(s1.environment.suite.scenarios, whole.results.length);
  assert.ok(s1.results.length > 0 && s2.results.length > 0);
  const ids = (f: typeof whole) => f.results.map((r) => r.scenario).sort();
  assert.equal(ids(merged), ids(whole));
  assert.equal(merged.summary, whole.summary);
});

test.run();
