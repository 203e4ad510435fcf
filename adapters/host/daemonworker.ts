// What the daemon-backed overlay workers (fuse-overlayfs, unionfs-fuse, command) share: layers
// written as directories of the scenario in the implementation's own format, one daemon (or mount
// command) per mount started through the agent, a dead daemon turned into a worker failure (the
// scenario's `error`) after its mount was removed, remount by restarting the daemon, layers read
// back through a decoder.

import type { Capabilities, CanonLayers, CanonTree, FinalRemount, InspectResult, OpResult, ResolvedOp, ScenarioContext, SetupResult } from '../adapter.js';
import type { Agent, AgentReply, AgentRequest } from './agent.js';
import { closeAll, okReply, parseTreeItem, rmtree, tree, type TreeItem } from './ops.js';
import { firstFailure, HostWorker, type LayerDirs } from './worker.js';
import { withOptions } from '../kernel/variants.js';
import { DaemonDied, describeEnd, liveness, startDaemon, stopDaemon, waitExit, type DaemonSpec, type Liveness, type RunningDaemon, type StartSent, type StopOptions, type StopResult } from './daemon.js';
import { spawnMountRequests, type SpawnMountSpec } from './daemonstart.js';
import { stopByUmount, stopReplies, stopRequests } from './daemonstop.js';

const MAX_DATA = 1 << 20;

/** Where one mounted scenario's layers live. */
export interface DaemonLayout {
  /** topmost first */
  lowers: string[];
  upper?: string;
  work?: string;
  merged: string;
  /** the daemon's stdout and stderr */
  log: string;
}

/** A layer encoded for writing, or why this implementation cannot hold it (the scenario skips). */
export type Encoded = { ok: true; requests: AgentRequest[] } | { ok: false; skip: string };

/** Base of the daemon workers: subclasses give the daemon's argv and their layer format. */
export abstract class DaemonWorker extends HostWorker {
  protected lay: DaemonLayout | undefined;
  protected daemon: RunningDaemon | undefined;
  /** daemon options of the current mount (a remount may replace some) */
  protected options: string[];
  private generation = 0;
  /** daemon start and stop latencies in ms, in order (tests and reports read them) */
  readonly timings = { starts: [] as number[], stops: [] as number[] };
  /** how the last stop went */
  lastStop: StopResult | undefined;

  constructor(
    agent: Agent,
    dir: string,
    caps: Capabilities,
    /** the variant's daemon options */
    protected readonly baseOptions: string[],
    /** the daemon's name in messages */
    readonly daemonName: string,
    maxLowers?: number,
  ) {
    super(agent, dir, caps, maxLowers);
    this.options = baseOptions;
  }

  /** argv mounting `lay` in the foreground with these daemon options */
  protected abstract argv(lay: DaemonLayout, options: string[]): string[];
  /** requests that write a canonical layer in the implementation's on-disk format */
  protected abstract encode(tree: CanonTree, role: 'upper' | 'lower'): Encoded;
  /** a layer directory's listing in canonical form */
  protected abstract decode(items: TreeItem[], role: 'upper' | 'lower'): CanonTree;
  /** whether the daemon takes a work directory next to the upper */
  protected abstract readonly needsWork: boolean;

  /** how the daemon becomes ready and whether it stays in the foreground (default: a FUSE daemon with -f) */
  protected startOptions(): Pick<DaemonSpec, 'ready' | 'foreground' | 'env'> & { timeoutMs?: number } {
    return {};
  }

  /**
   * how the daemon is stopped (default: umount(2) by the agent, root of the mount's namespace: what
   * `fusermount3 -u` does as root, without starting a process for it, twice a scenario)
   */
  protected stopOptions(): StopOptions {
    return { unmount: 'umount' };
  }

  /** whether the teardown may hand the scenario directory to the agent's reaper (a child process of the agent) */
  protected reapsScenarioDir(): boolean {
    return true;
  }

  /** called once the daemon is ready (subclasses note what it started) */
  protected onStarted(_d: RunningDaemon): void {}

  /** the running daemon's pid (tests signal it), undefined when nothing is mounted */
  get daemonPid(): number | undefined {
    return this.daemon?.pid;
  }

  /** the agent's pid, whose mount namespace holds the mounts (tests read its mountinfo) */
  get agentPid(): number {
    return this.agent.pid;
  }

  protected async build(layers: CanonLayers, ctx: ScenarioContext, prelude: AgentRequest[]): Promise<SetupResult> {
    const d = this.scenarioDir!;
    const hasUpper = layers.upper !== null;
    const lowers = layers.lowers.length ? layers.lowers : [{}];
    const lay: DaemonLayout = {
      lowers: lowers.map((_, i) => `${d}/l${i}`),
      upper: hasUpper ? `${d}/u` : undefined,
      work: hasUpper && this.needsWork ? `${d}/w` : undefined,
      merged: `${d}/m`,
      log: `${d}/daemon.log`,
    };
    this.lay = lay;
    this.options = this.baseOptions;
    this.generation = 0;
    // one pipeline: the scenario directory, the layout, every layer
    const writes: AgentRequest[] = [...prelude, ...[lay.work, lay.merged].filter((p): p is string => !!p).map((path) => ({ op: 'mkdirp', args: { path } }))];
    const jobs: [string, CanonTree, 'upper' | 'lower'][] = lowers.map((t, i) => [lay.lowers[i], t, 'lower']);
    if (hasUpper && lay.upper) jobs.push([lay.upper, layers.upper!, 'upper']);
    for (const [dir, t, role] of jobs) {
      const enc = this.encode(t, role);
      if (!enc.ok) return { ok: false, skip: enc.skip };
      writes.push(...this.treeRequests(dir, enc.requests));
    }
    const bad = firstFailure(writes, await this.pipeline(writes));
    if (bad) return { ok: false, error: `writing the layers: ${bad}` };
    const r = await this.mountNow(ctx.timeoutMs);
    return r.ok ? { ok: true } : { ok: false, error: r.reason };
  }

  /** how the daemon for the current layout starts with these options */
  private startSpec(timeoutMs = this.opTimeoutMs, options = this.options): DaemonSpec {
    const lay = this.lay!;
    const { timeoutMs: readyMs, ...how } = this.startOptions();
    return { argv: this.argv(lay, options), mountpoint: lay.merged, log: lay.log, timeoutMs: readyMs ?? Math.max(timeoutMs, 10_000), dev: this.devices, ...how };
  }

  /** the start as spawnMountRequests takes it, when the daemon is ready by its mount and stopped by umount(2) (its start can ride behind the stop) */
  private chainedStart(options: string[]): SpawnMountSpec | undefined {
    const spec = this.startSpec(undefined, options);
    const ready = spec.ready ?? { mount: { fstype: 'fuse' } };
    // a daemon in the background cannot be waited for: a command worker sweeps its namespace after the stop
    if (!this.daemon?.foreground || this.stopOptions().unmount !== 'umount' || !('mount' in ready)) return undefined;
    return { ...spec, fstype: ready.mount.fstype };
  }

  /** the merged view becomes the scenario's root in the same write as the start, when it can ride along */
  private rootRequests(): AgentRequest[] {
    return [{ op: 'root', args: { path: this.lay!.merged } }];
  }

  private async mountNow(timeoutMs = this.opTimeoutMs, sent?: StartSent): Promise<{ ok: true } | { ok: false; reason: string }> {
    const lay = this.lay!;
    const r = await startDaemon(this.agent, this.startSpec(timeoutMs), this.rootRequests(), sent);
    if (!r.ok) return r;
    this.daemon = r.daemon;
    this.timings.starts.push(r.daemon.startMs);
    this.onStarted(r.daemon);
    if (r.after) okReply('root', r.after[0]);
    else await this.setRoot(lay.merged);
    return { ok: true };
  }

  /**
   * the replies to the requests the last stop sent behind it (`then`: run only when the daemon
   * exited after its unmount, else ECANCELED); undefined when they were not sent
   */
  private stopAfter: AgentReply[] | undefined;

  /**
   * stop the daemon (closeFirst: close every fd the scenario opened first, in the same write when
   * stopping by umount(2)); `then` rides in that write when it can (see stopAfter); a daemon found
   * dead is a fault of the implementation (thrown after cleanup)
   */
  protected async stop(closeFirst = false, then: readonly AgentRequest[] = [], thenMs?: number): Promise<void> {
    this.stopAfter = undefined;
    const d = this.daemon;
    if (!d) {
      if (closeFirst) await closeAll(this.agent);
      return;
    }
    this.daemon = undefined;
    const how = this.stopOptions();
    let l: Liveness;
    let s: StopResult;
    if (how.unmount === 'umount') ({ before: l, stop: s, after: this.stopAfter } = await stopByUmount(this.agent, d, { closeFirst, timeoutMs: how.timeoutMs, then, thenMs }));
    else {
      if (closeFirst) await closeAll(this.agent);
      l = d.foreground ? await liveness(this.agent, d.pid) : { alive: true };
      s = await stopDaemon(this.agent, d, how);
    }
    this.settleStop(d, l, s);
  }

  /** what a stop found: kept and counted; a daemon found dead is thrown as the implementation's crash */
  private settleStop(d: RunningDaemon, l: Liveness, s: StopResult): void {
    this.lastStop = s;
    this.timings.stops.push(s.ms);
    if (!l.alive) throw new DaemonDied(`${this.daemonName} (pid ${d.pid}) ${describeEnd(l)} during the scenario; its mount was removed (${s.how})`);
  }

  /** the next daemon up after a stop that carried its start (`after`: the replies to it, from `since`), or started on its own when that did not run */
  private async restarted(after: AgentReply[] | undefined, since: number): Promise<OpResult> {
    const ran = after !== undefined && after.length > 0 && !(after[0].kind === 'err' && after[0].errno === 'ECANCELED');
    const r = await this.mountNow(undefined, ran ? { replies: after, since } : undefined);
    return r.ok ? { ok: true } : { ok: false, errno: 'EIO', message: r.reason };
  }

  /**
   * The final-state check in one write: the merged listing, the stop, the next daemon's start and
   * root, the listing after it (every request `ifok`). A listing that failed cancels what follows:
   * the check is then made step by step; a failed listing after the remount is asked again alone.
   */
  finalRemount(maxData: number): FinalRemount | undefined {
    const d = this.daemon;
    const root = this.agent.root;
    const chained = this.chainedStart(this.options);
    if (!d || !root || !chained || !this.agent.pipelineEach) return undefined;
    const merged = this.lay!.merged;
    const opts = { closeFirst: true, then: spawnMountRequests(chained, this.rootRequests()), chained: true };
    const stop = stopRequests(d, opts);
    const reqs: AgentRequest[] = [{ op: 'tree', args: { path: root, maxdata: maxData } }, ...stop, { op: 'tree', args: { path: merged, maxdata: maxData, ifok: true } }];
    const replies = this.agent.pipelineEach(reqs, { timeoutMs: Math.max(60_000, chained.timeoutMs + 5000) });
    // a phase left unawaited (an earlier one failed) must not become an unhandled rejection
    for (const r of replies) r.catch(() => undefined);
    const warm = replies[0].then((r) => (r.kind === 'ok' ? r.items.map(parseTreeItem) : undefined));
    const remount = warm.then(async (w) => {
      if (!w) return undefined;
      const t0 = performance.now();
      this.daemon = undefined;
      const { before, stop: s, after } = await stopReplies(this.agent, d, await Promise.all(replies.slice(1, 1 + stop.length)), opts, t0);
      this.settleStop(d, before, s);
      return this.restarted(after, t0);
    });
    const cold = remount.then(async (r) => {
      if (!r?.ok) return undefined;
      const t = await replies[replies.length - 1];
      return t.kind === 'ok' ? t.items.map(parseTreeItem) : tree(this.agent, merged, maxData, 60_000);
    });
    for (const p of [warm, remount, cold]) p.catch(() => undefined);
    return { warm, remount, cold };
  }

  protected override async afterReply(op: ResolvedOp, r: OpResult): Promise<OpResult> {
    const gone = !r.ok && 'errno' in r && (r.errno === 'ENOTCONN' || r.errno === 'ECONNABORTED');
    // EIO is also what a request in flight gets when the daemon dies; it is an ordinary errno too,
    // so only a foreground daemon found dead right now turns it into a crash
    const eio = !r.ok && 'errno' in r && r.errno === 'EIO' && this.daemon?.foreground === true;
    if ((gone || eio) && this.daemon && !r.ok && 'errno' in r) {
      // the connection is gone once the daemon's /dev/fuse closes, a moment before it can be reaped;
      // a daemon that went to the background cannot be watched, so the errno alone says it is gone
      const d = this.daemon;
      const l = !d.foreground ? ({ alive: false, status: -1, signal: 0 } as const) : gone ? ((await waitExit(this.agent, d.pid, 1000)) ?? { alive: true as const }) : await liveness(this.agent, d.pid);
      if (!l.alive) {
        await closeAll(this.agent);
        await this.stop().catch((e: unknown) => {
          if (!(e instanceof DaemonDied)) throw e;
        });
        const end = d.foreground ? describeEnd(l) : 'stopped serving its mount';
        throw new DaemonDied(`${this.daemonName} ${end} during the scenario (${op.op} answered ${r.errno}); its mount was removed with ${this.lastStop?.how ?? 'umount'}`);
      }
    }
    return r;
  }

  protected async unmount(): Promise<void> {
    await this.stop();
  }

  /** the daemon is stopped by teardown itself (a spawn and a wait, not one agent request) */
  protected unmountRequests(): AgentRequest[] {
    return [];
  }

  /**
   * close everything, stop the daemon, delete the scenario; a daemon found dead is rethrown after
   * cleanup. Once the daemon was stopped the normal way the deletion goes to the agent's reaper (off
   * the next scenario's path); after a fallback stop or a fault it runs here, so a failure is seen.
   */
  override async teardown(): Promise<void> {
    if (!this.scenarioDir) return;
    let fault: unknown;
    this.lastStop = undefined;
    try {
      await this.stop(true, this.reapsScenarioDir() ? [this.reapOf([this.scenarioDir])] : []);
    } catch (e) {
      fault = e;
    }
    const clean = this.reapsScenarioDir() && (fault === undefined || fault instanceof DaemonDied) && (this.lastStop as StopResult | undefined)?.how !== 'fallback';
    // queued by the stop's own write only when the daemon exited after its unmount (then clean)
    if (this.reapQueued(this.stopAfter?.[0])) this.stopAfter = undefined;
    else if (clean) await this.reapLater([this.scenarioDir]);
    else await rmtree(this.agent, this.scenarioDir, 60_000);
    this.scenarioDir = undefined;
    if (fault) throw fault;
  }

  async inspect(): Promise<InspectResult> {
    const lay = this.lay!;
    const upper = lay.upper ? this.decode(await tree(this.agent, lay.upper, MAX_DATA, 60_000), 'upper') : null;
    const lowers: CanonTree[] = [];
    for (const l of lay.lowers) lowers.push(this.decode(await tree(this.agent, l, MAX_DATA, 60_000), 'lower'));
    return { ok: true, upper, lowers };
  }

  async remount(options: Record<string, string> | undefined, rotate: boolean): Promise<OpResult> {
    const lay = this.lay!;
    const chained = rotate ? undefined : this.chainedStart(withOptions(this.options, options));
    if (chained) {
      // the new daemon starts in the stop's write, once the old one exited after its unmount
      const since = performance.now();
      await this.stop(true, spawnMountRequests(chained, this.rootRequests()), chained.timeoutMs);
      this.options = withOptions(this.options, options);
      const after = this.stopAfter;
      this.stopAfter = undefined;
      return this.restarted(after, since);
    }
    await this.stop(true);
    this.options = withOptions(this.options, options);
    if (rotate) {
      if (!lay.upper) return { ok: false, skip: 'a read-only overlay has no upper to rotate' };
      this.generation++;
      const upper = `${this.scenarioDir}/u${this.generation}`;
      const work = this.needsWork ? `${this.scenarioDir}/w${this.generation}` : undefined;
      const reqs: AgentRequest[] = [upper, work].filter((p): p is string => !!p).map((path) => ({ op: 'mkdirp', args: { path } }));
      const bad = firstFailure(reqs, await this.agent.pipeline(reqs));
      if (bad) return { ok: false, errno: 'EIO', message: `cannot create the new upper layer: ${bad}` };
      this.lay = { ...lay, lowers: [lay.upper, ...lay.lowers], upper, work };
    }
    const r = await this.mountNow();
    return r.ok ? { ok: true } : { ok: false, errno: 'EIO', message: r.reason };
  }

  async editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult> {
    const lay = this.lay!;
    const role = layer === 'upper' ? 'upper' : 'lower';
    const dir = layer === 'upper' ? lay.upper : lay.lowers[Number(layer.split(':')[1])];
    if (!dir) return { ok: false, skip: `this scenario has no layer ${layer}` };
    const enc = this.encode(entries, role);
    if (!enc.ok) return { ok: false, skip: enc.skip };
    for (const p of remove) await rmtree(this.agent, `${dir}/${p}`);
    const why = await this.writeTree(dir, enc.requests);
    await this.setRoot(lay.merged);
    return why ? { ok: false, errno: 'EIO', message: `editing ${layer}: ${why}` } : { ok: true };
  }

  /** The mounted scenario's layer directories (engine/interchange.ts copies them). */
  async layerDirs(): Promise<LayerDirs | undefined> {
    const lay = this.lay;
    if (!lay || !this.daemon) return undefined;
    return { merged: lay.merged, upper: lay.upper, lowers: lay.lowers };
  }

  override async close(): Promise<void> {
    if (this.daemon && this.agent.alive) {
      await closeAll(this.agent).catch(() => undefined);
      await this.stop().catch(() => undefined);
    }
    await super.close();
  }
}
