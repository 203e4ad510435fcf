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

/** an agent that answers every request ok (a `tree` with one item), or `err` for the ops in `fail`; it records each write */
function answeringAgent(fail: string[] = []): { agent: Agent; writes: string[][] } {
  const writes: string[][] = [];
  let cancelled = false;
  const answer = (rq: AgentRequest, i: number): AgentReply => {
    // as the agent does: `ifok` runs only after an ok
    if (i > 0 && rq.args?.ifok === true && cancelled) return { id: 1, kind: 'err', errno: 'ECANCELED', fields: [], items: [] };
    cancelled = fail.includes(rq.op);
    if (cancelled) return { id: 1, kind: 'err', errno: 'EIO', fields: [], items: [] };
    const items = rq.op === 'tree' ? [[['path', 'f'], ['type', 'file'], ['mode', '420'], ['uid', '0'], ['gid', '0'], ['size', '3'], ['nlink', '1'], ['ino', '5'], ['rdev', '0:0'], ['atime', '1.0'], ['mtime', '2.0']].map(([k, v]) => [k, new TextEncoder().encode(v)] as [string, Uint8Array])] : [];
    return { id: 1, kind: 'ok', fields: [], items };
  };
  const each = (reqs: readonly AgentRequest[]) => {
    writes.push(reqs.map((r) => `${r.op}${r.args?.ifok ? '?' : ''}`));
    cancelled = false;
    return reqs.map((r, i) => Promise.resolve(answer(r, i)));
  };
  const agent = {
    pid: 1, info: { pid: 1, version: 1, euid: 0, ns: 'none', sandbox: '/x' }, alive: true, exited: new Promise(() => {}),
    root: '/x/s/root', children: new Set(),
    request: (op: string, args = {}) => Promise.all(each([{ op, args }])).then((r) => r[0]),
    pipeline: (reqs: readonly AgentRequest[]) => Promise.all(each(reqs)),
    pipelineEach: each,
    kill: async () => {},
    close: async () => {},
  } as unknown as Agent;
  return { agent, writes };
}

test('A warm-only final listing goes in one write with the teardown after it, each step after an ok only; teardown then writes nothing', async () => {
  const { agent, writes } = answeringAgent();
  const w = new Bare(agent, '/x', {});
  await w.setup({ lowers: [], upper: undefined } as never, { runId: 's', timeoutMs: 1000, lowerCount: 0 });
  writes.length = 0;
  const items = await w.lastTree(64);
  assert.equal(items?.map((i) => [i.path, i.size]), [['f', 3]]);
  await w.teardown();
  assert.equal(writes, [['tree', 'closeall?', 'rmtree?']]);
});

test('A failed final listing cancels the teardown sent with it: the listing says so, and teardown is made anew', async () => {
  const { agent, writes } = answeringAgent(['tree']);
  const w = new Bare(agent, '/x', {});
  await w.setup({ lowers: [], upper: undefined } as never, { runId: 's', timeoutMs: 1000, lowerCount: 0 });
  writes.length = 0;
  assert.is(await w.lastTree(64), undefined);
  await w.teardown();
  assert.equal(writes, [['tree', 'closeall?', 'rmtree?'], ['closeall', 'rmtree']]);
});

test.run();
