// HostWorker's batched ops (opMany): an agent that dies mid-batch rejects every reply; the first
// failure is reported in order and the later replies, never awaited, must not crash the run as
// unhandled rejections (a gVisor sandbox killed after a step timeout did exactly that).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InspectResult, OpResult, ResolvedOp, SetupResult } from '../../../adapters/adapter.js';
import { AgentDied, type Agent, type AgentReply, type AgentRequest } from '../../../adapters/host/agent.js';
import { HostWorker, reapRequest } from '../../../adapters/host/worker.js';

class Bare extends HostWorker {
  async fingerprint() {
    return { implementation: 'bare', options: {} };
  }
  protected async build(): Promise<SetupResult> {
    return { ok: true };
  }
  protected async unmount(): Promise<void> {}
  protected unmountRequests(): AgentRequest[] {
    return [];
  }
  async inspect(): Promise<InspectResult> {
    return { ok: false, skip: 'none' };
  }
  async remount(): Promise<OpResult> {
    return { ok: true };
  }
  async editLayer(): Promise<OpResult> {
    return { ok: true };
  }
}

/** an agent whose every batched reply rejects: it died while the batch was in flight */
function dyingAgent(): Agent {
  const died = () => new AgentDied(null, 'SIGKILL', []);
  return {
    pid: 1, info: { pid: 1, version: 1, euid: 0, ns: 'none', sandbox: '/x' }, alive: false, exited: Promise.resolve({ code: null, signal: 'SIGKILL' }),
    root: '/x', children: new Set(),
    request: () => Promise.reject(died()),
    pipeline: () => Promise.reject(died()),
    pipelineEach: (reqs: readonly AgentRequest[]) => reqs.map(() => Promise.reject(died()) as Promise<AgentReply>),
    kill: async () => {},
    close: async () => {},
  };
}

test('A batch whose agent died rejects its first op and leaves no unhandled rejection behind', async () => {
  const unhandled: unknown[] = [];
  const on = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', on);
  try {
    const w = new Bare(dyingAgent(), '/x', {});
    const ops: ResolvedOp[] = [{ op: 'stat', args: { path: 'a' } }, { op: 'stat', args: { path: 'b' } }, { op: 'stat', args: { path: 'c' } }];
    const results = w.opMany(ops);
    // as engine/ahead.ts does: every returned promise is handled, whether or not it is awaited
    for (const r of results.slice(1)) r.catch(() => undefined);
    await results[0].then(() => assert.unreachable('the first op must reject'), (e: Error) => assert.instance(e, AgentDied));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', on);
  }
});

test('A teardown of detaching umounts then rmtrees becomes one reap request in the same order; anything else stays as it is', () => {
  const um = (target: string, detach = true): AgentRequest => ({ op: 'umount', args: { target, detach } });
  const rm = (path: string): AgentRequest => ({ op: 'rmtree', args: { path } });
  assert.equal(reapRequest([um('/s/a/m2'), um('/s/a/m'), rm('/lowerfs/s1'), rm('/s/a')]), { op: 'reap', args: { umount: ['/s/a/m2', '/s/a/m'], rmtree: ['/lowerfs/s1', '/s/a'] } });
  assert.equal(reapRequest([rm('/s/a')]), { op: 'reap', args: { umount: [], rmtree: ['/s/a'] } });
  assert.is(reapRequest([um('/s/a/m', false), rm('/s/a')]), undefined, 'a plain (waiting) umount is not a reaper\'s');
  assert.is(reapRequest([rm('/s/a'), um('/s/a/m')]), undefined, 'an umount after a deletion keeps its order');
  assert.is(reapRequest([{ op: 'closeall' }, rm('/s/a')]), undefined);
  assert.is(reapRequest([um('/s/a/m')]), undefined, 'nothing to delete: nothing to hand over');
});

test.run();
