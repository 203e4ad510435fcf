// A gVisor worker: one sandbox (runsc do) per worker with the agent as its init; per scenario a
// sentry tmpfs at the scenario directory holding the layers in the kernel's format, gVisor's own
// overlay (pkg/sentry/fsimpl/overlay) mounted over them with mount(2) inside the sandbox, every
// step a syscall the sentry answers, and the upper layer read back from inside the sandbox.

import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, RemountHow, ScenarioContext, SetupResult } from '../adapter.js';
import type { Agent, AgentRequest } from '../host/agent.js';
import { getText } from '../host/wire.js';
import { kernelDecoder } from '../host/inspect.js';
import { kernelMarkers, materialise } from '../host/materialise.js';
import { closeAll, mount, rmtree, tree, umount } from '../host/ops.js';
import { firstFailure, HostWorker } from '../host/worker.js';
import { gvisorLayout, layerOptions, overlayMountRequest, prepareRequests, type GvisorLayout } from './layout.js';
import { endSandbox } from './runsc.js';

const MAX_DATA = 1 << 20;
const decode = kernelDecoder(['trusted.overlay.']);
const markers = kernelMarkers('trusted');

/** Runs scenarios on gVisor's overlay inside one sandbox. */
export class GvisorWorker extends HostWorker {
  private lay: GvisorLayout | undefined;
  private mounted = false;
  /** the scenario's tmpfs is mounted at lay.base */
  private based = false;
  private generation = 0;
  /** gVisor's overlay parses lowerdir, upperdir and workdir and refuses every other option (EINVAL) */
  readonly knownOptions: readonly string[] = [];

  constructor(
    agent: Agent,
    dir: string,
    caps: Capabilities,
    private readonly fp: Fingerprint,
  ) {
    super(agent, dir, caps, 500);
  }

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  protected async build(layers: CanonLayers, ctx: ScenarioContext, prelude: AgentRequest[]): Promise<SetupResult> {
    const lay = gvisorLayout(this.scenarioDir!, layers.lowers.length, layers.upper !== null);
    this.lay = lay;
    this.generation = 0;
    const writes = [...prelude, ...prepareRequests(lay)];
    layers.lowers.forEach((t, i) => writes.push(...this.treeRequests(lay.lowers[i], materialise(t, markers))));
    if (layers.upper && lay.upper) writes.push(...this.treeRequests(lay.upper, materialise(layers.upper, markers)));
    let mountReq: AgentRequest;
    try {
      mountReq = overlayMountRequest(lay);
    } catch (e) {
      return { ok: false, skip: (e as Error).message };
    }
    const all = [...writes, mountReq, { op: 'root', args: { path: lay.merged } }];
    const replies = await this.pipeline(all);
    this.based = replies[prelude.length]?.kind === 'ok';
    const bad = firstFailure(writes, replies.slice(0, writes.length));
    const acl = writes.findIndex((w, i) => w.op === 'setxattr' && String(w.args?.name).startsWith('system.posix_acl_') && replies[i].errno === 'EOPNOTSUPP');
    if (acl >= 0) return { ok: false, skip: `the layers cannot hold POSIX ACLs: gVisor's tmpfs refuses ${String(writes[acl].args?.name)} with EOPNOTSUPP` };
    if (bad) return { ok: false, error: `writing the layers: ${bad}` };
    const m = replies[writes.length];
    if (m.kind !== 'ok' && m.errno === 'E2BIG')
      return { ok: false, skip: `the paths of ${layers.lowers.length} lower layers do not fit in mount(2)'s one-page option string, the only way gVisor's overlay takes its layers (${getText(m.fields, 'msg') ?? 'E2BIG'})` };
    if (m.kind !== 'ok') return { ok: false, skip: `gVisor refused the overlay mount: ${m.errno ?? m.kind}${getText(m.fields, 'msg') ? ` (${getText(m.fields, 'msg')})` : ''}` };
    this.mounted = true;
    const r = replies[writes.length + 1];
    return r.kind === 'ok' ? { ok: true } : { ok: false, error: `cannot enter the merged directory: ${r.errno ?? r.kind}` };
  }

  protected unmountRequests(): AgentRequest[] {
    const out: AgentRequest[] = [];
    if (this.mounted && this.lay) out.push({ op: 'umount', args: { target: this.lay.merged, detach: true } });
    if (this.based && this.lay) out.push({ op: 'umount', args: { target: this.lay.base, detach: true } });
    this.mounted = false;
    this.based = false;
    return out;
  }

  protected async unmount(): Promise<void> {
    if (this.mounted && this.lay) await umount(this.agent, this.lay.merged, { detach: true });
    if (this.based && this.lay) await umount(this.agent, this.lay.base, { detach: true });
    this.mounted = false;
    this.based = false;
  }

  async inspect(): Promise<InspectResult> {
    const lay = this.lay!;
    const upper = lay.upper ? decode(await tree(this.agent, lay.upper, MAX_DATA, 60_000)) : null;
    const lowers: CanonTree[] = [];
    for (const l of lay.lowers) lowers.push(decode(await tree(this.agent, l, MAX_DATA, 60_000)));
    return { ok: true, upper, lowers };
  }

  async remount(options: Record<string, string> | undefined, rotate: boolean, replace = false, _how: RemountHow = {}): Promise<OpResult> {
    const lay = this.lay!;
    if (this.mounted) {
      await closeAll(this.agent);
      const u = await umount(this.agent, lay.merged);
      if (!u.ok) return u;
      this.mounted = false;
    }
    void replace; // no option of gVisor's overlay can be set (knownOptions is empty), so there is nothing to lay over or replace
    const extra = Object.entries(options ?? {}).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
    if (rotate) {
      if (!lay.upper) return { ok: false, skip: 'a read-only overlay has no upper to rotate' };
      this.generation++;
      const upper = `${lay.base}/u${this.generation}`;
      const work = `${lay.base}/w${this.generation}`;
      const made = await this.agent.pipeline([{ op: 'mkdirp', args: { path: upper } }, { op: 'mkdirp', args: { path: work } }]);
      if (made.some((m) => m.kind !== 'ok')) return { ok: false, errno: 'EIO', message: 'cannot create the new upper layer' };
      this.lay = { ...lay, lowers: [lay.upper, ...lay.lowers], upper, work };
    }
    const m = await mount(this.agent, { fstype: 'overlay', source: 'overlay', target: this.lay!.merged, options: layerOptions(this.lay!, extra), api: 'legacy' }, 60_000);
    if (!m.ok) return m;
    this.mounted = true;
    await this.setRoot(this.lay!.merged);
    return { ok: true };
  }

  async editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult> {
    const lay = this.lay!;
    const dir = layer === 'upper' ? lay.upper : lay.lowers[Number(layer.split(':')[1])];
    if (!dir) return { ok: false, skip: `this scenario has no layer ${layer}` };
    for (const p of remove) await rmtree(this.agent, `${dir}/${p}`);
    const reqs = this.treeRequests(dir, materialise(entries, markers));
    const replies = await this.pipeline(reqs);
    // directories the layer already has are kept (an edit adds to them)
    const kept = replies.map((r, i) => (reqs[i].op === 'mkdir' && r.kind === 'err' && r.errno === 'EEXIST' ? { ...r, kind: 'ok' as const } : r));
    const why = firstFailure(reqs, kept);
    await this.setRoot(lay.merged);
    return why ? { ok: false, errno: 'EIO', message: `editing ${layer}: ${why}` } : { ok: true };
  }

  override async close(): Promise<void> {
    await super.close();
    await endSandbox(this.dir);
  }

  override async kill(): Promise<void> {
    await super.kill();
    await endSandbox(this.dir);
  }
}
