// What every host-backed worker shares: one agent, a worker directory in the sandbox, one
// directory per scenario, ops run through the agent, teardown that always unmounts first.

import type { Capabilities, Fingerprint, InspectResult, OpResult, RemountHow, ResolvedOp, ScenarioContext, SetupResult, Worker, CanonLayers, CanonTree } from '../adapter.js';
import { startAgent, type Agent, type AgentReply, type AgentRequest, type StartOptions } from './agent.js';
import { agentSupports, okReply, parseTreeItem, replyToResult, rmtree, runOp, setRoot, toAgentRequest, tree, type TreeItem } from './ops.js';
import { getText } from './wire.js';
import { machineDrop } from './capabilities.js';

/** The first failing reply of a pipeline, in words, or undefined when all succeeded. */
export function firstFailure(reqs: readonly AgentRequest[], replies: AgentReply[]): string | undefined {
  const i = replies.findIndex((r) => r.kind !== 'ok');
  if (i < 0) return undefined;
  const r = replies[i];
  const rq = reqs[i];
  const path = rq.args?.path ?? rq.args?.to ?? '';
  return `${rq.op} ${String(path)}: ${r.kind === 'err' ? r.errno : r.kind}${getText(r.fields, 'msg') ? ` (${getText(r.fields, 'msg')})` : ''}`;
}

/**
 * The teardown requests (detaching umounts, then rmtrees) as one `reap` request for the agent's
 * reaper, in their order; undefined when they are anything else (they then run as they are).
 */
export function reapRequest(reqs: readonly AgentRequest[]): AgentRequest | undefined {
  const umount: string[] = [];
  const rmtree: string[] = [];
  for (const r of reqs) {
    const a = r.args ?? {};
    if (r.op === 'umount' && a.detach === true && rmtree.length === 0) umount.push(String(a.target));
    else if (r.op === 'rmtree') rmtree.push(String(a.path));
    else return undefined;
  }
  return rmtree.length ? { op: 'reap', args: { umount, rmtree } } : undefined;
}

/** Start an agent whose sandbox is the worker directory (created by the runner side). */
export async function workerAgent(dir: string, opts: Omit<StartOptions, 'sandbox'> = {}): Promise<Agent> {
  return startAgent({ ...opts, sandbox: dir });
}

export type { LayerDirs } from '../adapter.js';

/** Base of host workers: subclasses build and mount the layers and read them back. */
export abstract class HostWorker implements Worker {
  /** the current scenario's directory, while one is set up */
  protected scenarioDir: string | undefined;
  protected opTimeoutMs = 10_000;
  /** the scenario in hand declared device-open: its mounts keep device semantics */
  protected devices = false;

  constructor(
    protected readonly agent: Agent,
    /** absolute worker directory (the agent's sandbox) */
    protected readonly dir: string,
    readonly capabilities: Capabilities,
    readonly maxLowers?: number,
  ) {}

  /** whether the agent's drop writes drop_caches, as the agent found (agent/PROTOCOL.md `dropcaches`): then its drops reach every mount of the machine */
  get dropsMachineCaches(): boolean {
    return machineDrop(this.agent.info);
  }

  abstract fingerprint(): Promise<Fingerprint>;
  /**
   * build the layers beneath this.scenarioDir and make the merged view the agent's root;
   * `prelude` (clearing and creating the scenario directory) goes first in the same pipeline
   */
  protected abstract build(layers: CanonLayers, ctx: ScenarioContext, prelude: AgentRequest[]): Promise<SetupResult>;
  /** undo whatever build mounted; must tolerate a half-done build */
  protected abstract unmount(): Promise<void>;
  abstract inspect(): Promise<InspectResult>;
  abstract remount(options: Record<string, string> | undefined, rotate: boolean, replace?: boolean, how?: RemountHow): Promise<OpResult>;
  abstract editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult>;

  async setup(layers: CanonLayers, ctx: ScenarioContext): Promise<SetupResult> {
    this.opTimeoutMs = ctx.timeoutMs;
    this.devices = ctx.devices === true;
    this.scenarioDir = `${this.dir}/${ctx.runId}`;
    const prelude: AgentRequest[] = [
      { op: 'rmtree', args: { path: this.scenarioDir } },
      { op: 'mkdirp', args: { path: this.scenarioDir } },
    ];
    return this.build(layers, ctx, prelude);
  }

  /** send requests as one pipeline; the replies in order */
  protected pipeline(reqs: AgentRequest[]): Promise<AgentReply[]> {
    return this.agent.pipeline(reqs, { timeoutMs: 60_000 });
  }

  /** requests that write a tree beneath a directory (created if missing) */
  protected treeRequests(dirAbs: string, reqs: AgentRequest[]): AgentRequest[] {
    return [{ op: 'mkdirp', args: { path: dirAbs } }, { op: 'root', args: { path: dirAbs } }, ...reqs];
  }

  op(op: ResolvedOp): Promise<OpResult> {
    return runOp(this.agent, op, this.opTimeoutMs + 1000).then((r) => this.afterReply(op, r));
  }

  /** what a subclass does with each plain op's result (a FUSE worker looks for a dead daemon) */
  protected afterReply(_op: ResolvedOp, r: OpResult): OpResult | Promise<OpResult> {
    return r;
  }

  /** ops a subclass answers itself rather than as one plain agent request: never sent ahead */
  protected readonly ownOps: ReadonlySet<string> = new Set();

  /** Whether op is one plain agent request, so it may go to the agent ahead of the steps before it. */
  canBatch(op: ResolvedOp): boolean {
    return agentSupports(op.op) && !this.ownOps.has(op.op) && this.agent.pipelineEach !== undefined;
  }

  /**
   * Several plain ops (canBatch) in one write to the agent: one round trip instead of one per op.
   * The results settle in order, each handled by afterReply only after the ones before it.
   */
  opMany(ops: readonly ResolvedOp[]): Promise<OpResult>[] {
    const reqs = ops.map(toAgentRequest);
    const replies = this.agent.pipelineEach!(reqs, { timeoutMs: this.opTimeoutMs + 1000 });
    // an agent that dies mid-batch rejects every reply; the chain below reports the first, the
    // rest are never awaited once a step before them failed and must not become unhandled rejections
    for (const r of replies) r.catch(() => undefined);
    let prev: Promise<unknown> = Promise.resolve();
    return ops.map((op, i) => {
      const r = prev.then(() => replies[i]).then((reply) => this.afterReply(op, replyToResult(op.op, reply, this.agent.root)));
      prev = r;
      return r;
    });
  }

  /** run requests beneath a directory; the first failure in words, or undefined */
  protected async writeTree(dirAbs: string, reqs: AgentRequest[]): Promise<string | undefined> {
    const all = this.treeRequests(dirAbs, reqs);
    return firstFailure(all, await this.pipeline(all));
  }

  /** make a directory the root of scenario paths (after every mount) */
  protected setRoot(abs: string): Promise<string> {
    return setRoot(this.agent, abs);
  }

  /** requests that undo build's mounts (umounts), run after closing every fd */
  protected abstract unmountRequests(): AgentRequest[];

  /** the teardown's unmounts and deletions go to the agent's reaper (agent/reaper.c), off the next scenario's path */
  protected readonly reapsTeardown: boolean = false;
  private reaped = false;

  /** The request reapLater sends, for a subclass that puts it in a write of its own (then hands its reply to reapQueued). */
  protected reapOf(dirs: string[]): AgentRequest {
    return { op: 'reap', args: { rmtree: dirs } };
  }

  /** Whether a reap sent in another write was queued (no reply or ECANCELED: it did not run); any other failure throws as reapLater's. */
  protected reapQueued(r: AgentReply | undefined): boolean {
    if (!r || (r.kind === 'err' && r.errno === 'ECANCELED')) return false;
    this.reaped = true;
    okReply('reap', r);
    return true;
  }

  /** Delete directories in the agent's reaper (nothing may be mounted beneath them): the next scenario need not wait. */
  protected async reapLater(dirs: string[]): Promise<void> {
    this.reaped = true;
    okReply('reap', await this.agent.request('reap', { rmtree: dirs }, { timeoutMs: 60_000 }));
  }

  /** the teardown lastTree sent after its listing, until teardown() waits for it */
  private sentTeardown: Promise<AgentReply[]> | undefined;

  /** the teardown's requests: close every fd, then the unmounts and deletions (one `reap` where the reaper takes them) */
  private teardownRequests(): AgentRequest[] {
    const undo: AgentRequest[] = [...this.unmountRequests(), { op: 'rmtree', args: { path: this.scenarioDir } }];
    const reap = this.reapsTeardown ? reapRequest(undo) : undefined;
    if (reap) this.reaped = true;
    return [{ op: 'closeall' }, ...(reap ? [reap] : undo)];
  }

  /**
   * The warm-only final listing and the teardown in one write: each teardown request runs only
   * when the one before it answered ok (`ifok`), so a failed listing cancels the teardown, and
   * the listing is then asked again alone (tree() retries) and the teardown made as usual.
   */
  lastTree(maxData: number): Promise<TreeItem[] | undefined> | undefined {
    const root = this.agent.root;
    if (!root || !this.scenarioDir || !this.agent.pipelineEach || this.sentTeardown) return undefined;
    const reqs = this.teardownRequests().map((r) => ({ ...r, args: { ...r.args, ifok: true } }));
    const replies = this.agent.pipelineEach([{ op: 'tree', args: { path: root, maxdata: maxData } }, ...reqs], { timeoutMs: 60_000 });
    // a reply left unawaited (the executor gave up first) must not become an unhandled rejection
    for (const r of replies) r.catch(() => undefined);
    this.sentTeardown = Promise.all(replies.slice(1));
    this.sentTeardown.catch(() => undefined);
    return replies[0].then((r) => (r.kind === 'ok' ? r.items.map(parseTreeItem) : undefined));
  }

  async teardown(): Promise<void> {
    if (!this.scenarioDir) return;
    const sent = this.sentTeardown;
    this.sentTeardown = undefined;
    let replies = sent ? await sent : undefined;
    // cancelled (the listing before it failed): made now as usual
    if (replies?.[0].kind === 'err' && replies[0].errno === 'ECANCELED') replies = undefined;
    replies ??= await this.pipeline(this.teardownRequests());
    const last = replies[replies.length - 1];
    if (last.kind !== 'ok') {
      // something stayed mounted: unmount lazily and try once more; a second failure breaks the worker
      await this.unmount();
      await rmtree(this.agent, this.scenarioDir, 60_000);
    }
    this.scenarioDir = undefined;
  }

  /** The worker's agent, for tests and tools of this adapter family. */
  get hostAgent(): Agent {
    return this.agent;
  }

  /** The mounted scenario's merged tree, read through the agent (interchange compares two). */
  async mergedTree(maxData: number): Promise<TreeItem[]> {
    const root = this.agent.root;
    if (!root) throw new Error('the worker has no merged root');
    return tree(this.agent, root, maxData, 60_000);
  }

  async close(): Promise<void> {
    // what the reaper still deletes is deleted before the agent exits; a directory it could not
    // delete is left to the removal of the whole sandbox (the run's), as a failed rmtree was
    if (this.reaped && this.agent.alive) await this.agent.request('reapwait', {}, { timeoutMs: 60_000 }).catch(() => undefined);
    return this.agent.close();
  }

  kill(): Promise<void> {
    return this.agent.kill();
  }
}
