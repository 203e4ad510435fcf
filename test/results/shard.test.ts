import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { costs, measuredCosts, modelCost, parseShard, partition, selectShard, shardScenarios } from '../../results/shard.js';
import { UsageError } from '../../cli/args.js';
import type { CanonLayers } from '../../language/canonical.js';
import { file, result } from './diff/make.js';

type S = { runId: string; steps: unknown[]; layers: CanonLayers };
const sc = (runId: string, steps: number, lowers: number): S => ({ runId, steps: new Array(steps).fill({}), layers: { lowers: new Array(lowers).fill({}), upper: {} } });
// a suite-like spread: a few heavy scenarios among many light ones
const suite: S[] = Array.from({ length: 97 }, (_, i) => sc(`g${i % 7}/s${i}`, 1 + ((i * 37) % 11), 1 + ((i * 13) % 4))).concat([sc('layers/many', 10, 500)]);
const cast = (x: S[]) => x as unknown as Parameters<typeof selectShard>[0];

test('I/N is parsed 1-based and anything else is refused with an example', () => {
  assert.equal(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['0/4', '5/4', '1/0', 'x', '1-4']) assert.throws(() => parseShard(bad), /--shard must be I\/N/);
});

test('the model cost is steps times layers', () => {
  assert.is(modelCost(sc('a', 4, 2) as never), 12);
  assert.is(modelCost({ steps: [], layers: { lowers: [{}], upper: null } } as never), 1);
});

test('every scenario lands in exactly one shard, for every N from 1 to 9', () => {
  for (let n = 1; n <= 9; n++) {
    const all = Array.from({ length: n }, (_, i) => selectShard(cast(suite), { index: i + 1, count: n }).map((s) => s.runId)).flat();
    assert.is(all.length, suite.length, `N=${n}`);
    assert.is(new Set(all).size, suite.length, `N=${n}`);
  }
});

test('the split is stable: the same input in any order gives the same shards', () => {
  const a = partition(costs(cast(suite)), 4);
  const shuffled = [...suite].reverse();
  const b = partition(costs(cast(shuffled)), 4);
  assert.equal(a, b);
  assert.equal(selectShard(cast(suite), { index: 3, count: 4 }).map((s) => s.runId), selectShard(cast(suite), { index: 3, count: 4 }).map((s) => s.runId));
});

test('shards keep the suite order inside each shard', () => {
  const mine = selectShard(cast(suite), { index: 2, count: 3 }).map((s) => s.runId);
  const order = suite.map((s) => s.runId).filter((id) => mine.includes(id));
  assert.equal(mine, order);
});

test('shards are balanced by cost: no shard exceeds the ideal share by more than the largest item', () => {
  const light = suite.filter((s) => s.runId !== 'layers/many');
  const c = costs(cast(light));
  for (const n of [2, 3, 4, 6]) {
    const bins = partition(c, n).map((b) => b.reduce((t, k) => t + c.get(k)!, 0));
    const ideal = [...c.values()].reduce((a, b) => a + b, 0) / n;
    const biggest = Math.max(...c.values());
    assert.ok(Math.max(...bins) <= ideal + biggest, `N=${n}: ${bins.join(',')} ideal ${ideal}`);
  }
});

test('a scenario heavier than the rest together gets a shard of its own', () => {
  const bins = partition(costs(cast(suite)), 2);
  assert.ok(bins.some((b) => b.length === 1 && b[0] === 'layers/many'));
});

test('measured milliseconds replace the model, and unmeasured scenarios are scaled to milliseconds', () => {
  const measured = measuredCosts(file([result('a/x', { ms: 30 }), result('a/x', { variant: 'v2', ms: 10 }), result('a/y', { ms: 5 })]));
  assert.equal([...measured], [['a/x', 40], ['a/y', 5]]);
  const c = costs(cast([sc('a/x', 2, 2), sc('a/y', 1, 1), sc('a/z', 3, 1)]), measured);
  assert.is(c.get('a/x'), 40);
  assert.is(c.get('a/z'), 3 * 2 * (45 / 8)); // 3 steps × (1 lower + upper), scaled by 45 ms / 8 model units
});

test('duplicate run ids and --shard-costs without --shard are usage errors', () => {
  assert.throws(() => selectShard(cast([sc('a', 1, 1), sc('a', 1, 1)]), { index: 1, count: 2 }), /appears twice/);
  assert.throws(() => shardScenarios(cast(suite), undefined, 'x.json'), (e: Error) => e instanceof UsageError);
  assert.throws(() => shardScenarios(cast(suite), '3/2'), (e: Error) => e instanceof UsageError);
  assert.is(shardScenarios(cast(suite)).scenarios.length, suite.length);
});

test.run();
