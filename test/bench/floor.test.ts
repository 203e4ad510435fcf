// tier: system
// The bench's floor program (bench/floor.c → agent/build/ovlfloor), kept out of the agent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floorUnavailable, measureFloor } from '../../bench/floor.js';
import { agentAvailable, startAgent } from '../../adapters/host/agent.js';
import { skipReason } from '../helpers/env.js';

const why = skipReason('root', 'cc', 'overlay') ?? floorUnavailable();
const maybe = why ? test.skip : test;
if (why) console.log(`  SKIP floor tests: ${why}`);

maybe('the floor loop reports positive per-phase times and cleans up after itself', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ovlfloor-test-'));
  try {
    const b = await measureFloor(d, 20);
    assert.is(b.n, 20);
    assert.is(b.cycles, 1);
    assert.ok(b.ns > 0 && b.mountNs > 0 && b.umountNs > 0 && b.statNs > 0);
    assert.ok(b.totalNs >= b.ns * 20 - 20, 'the mean is the total over n');
    assert.equal(readdirSync(d), [], 'no layer directory is left behind');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

maybe('two mount cycles an iteration mount and unmount twice on the same layers and clean up after themselves', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ovlfloor-test-'));
  try {
    const b = await measureFloor(d, 10, [], 2);
    assert.is(b.cycles, 2);
    assert.ok(b.mountNs > 0 && b.umountNs > 0 && b.statNs > 0);
    assert.equal(readdirSync(d), [], 'no layer directory is left behind');
    const e = await measureFloor(d, 1, [], 0).then(() => undefined, (x: Error) => x);
    assert.ok(e, 'zero cycles are refused');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

maybe('a bad overlay option makes the floor program fail with the kernel log in its error', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ovlfloor-test-'));
  try {
    const e = await measureFloor(d, 1, ['bogus_option_xyz']).then(() => undefined, (x: Error) => x);
    assert.ok(e, 'the run failed');
    assert.match(String((e as { stderr?: string }).stderr ?? e), /bogus_option_xyz/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

const agentWhy = skipReason('root', 'cc') ?? (agentAvailable().ok ? undefined : 'native agent unavailable');
(agentWhy ? test.skip : test)('the production agent no longer knows the bench op', async () => {
  const d = mkdtempSync(join(tmpdir(), 'ovlfloor-test-'));
  const a = await startAgent({ sandbox: d });
  try {
    const r = await a.request('benchfloor', { dir: d, n: 1 });
    assert.is(r.kind, 'fatal');
  } finally {
    await a.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test.run();
