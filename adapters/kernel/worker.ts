// A kernel overlay worker: materialises the canonical layers in the variant's layout, mounts
// them through the agent (in its private namespace), reads the upper layer back.

import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, ResolvedOp, ScenarioContext, SetupResult } from '../adapter.js';
import type { Agent, AgentReply, AgentRequest } from '../host/agent.js';
import { getText } from '../host/wire.js';
import { kernelDecoder, markIndexed } from '../host/inspect.js';
import { kernelMarkers, materialise } from '../host/materialise.js';
import { AgentOpError, closeAll, hostReply, mount, mountArgs, okReply, parseTreeItem, rmtree, runOp, tree, treeMissing, trees, umount, type TreeItem } from '../host/ops.js';
import { firstFailure, HostWorker } from '../host/worker.js';
import { layerOptions, layout, type LayerSyntax, type Layout } from './layout.js';
import { kmsgMark, overlayLogSince } from './kmsg.js';
import { effectiveOptions, moduleParams, mountAt, splitOptions } from './mountinfo.js';
import type { FinalRemount, LayerDirs, RemountHow } from '../adapter.js';
import { KERNEL_OPTIONS, withOptions, type KernelVariant } from './variants.js';
import { mountStacked } from './stack.js';
import { imageMountRequest, packImage, packLimit } from './images.js';

const MAX_DATA = 1 << 20;

/** Runs scenarios on the kernel's overlayfs for one variant. */
export class KernelWorker extends HostWorker {
  private lay: Layout | undefined;
  private mounted = false;
  /** image lowers mounted beneath the scenario (erofs-lower, squashfs-lower) */
  private images: string[] = [];
  private generation = 0;
  private options: string[];
  /** mounts the mountOverlay op added, outermost first, and where the root is now */
  private stacked: string[] = [];
  private top: string | undefined;
  /** what a remount may set */
  readonly knownOptions = KERNEL_OPTIONS;
  protected override readonly reapsTeardown = true;
  /** a mount of this scenario may have left work/incompat/volatile (a volatile mount, or any mountOverlay) */
  private mayHaveVolatile = false;

  constructor(
    agent: Agent,
    dir: string,
    caps: Capabilities,
    private readonly variant: KernelVariant,
    private readonly fp: Fingerprint,
    private readonly lowerfs?: string,
  ) {
    super(agent, dir, caps, variant.maxLowers);
    this.options = variant.options;
  }

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  /** how this kernel takes the layers (found by the probe) */
  private get syntax(): LayerSyntax {
    return this.fp.details?.layerSyntax === 'lowerdir' ? 'lowerdir' : 'lowerdir+';
  }

  /** the private namespace of the mount as it is now (a remount with replace may drop or add userxattr) */
  private get decode() {
    return kernelDecoder([`${this.options.includes('userxattr') ? 'user' : 'trusted'}.overlay.`]);
  }

  protected async build(layers: CanonLayers, ctx: ScenarioContext, prelude: AgentRequest[]): Promise<SetupResult> {
    const lay = layout(this.variant, this.scenarioDir!, ctx.runId, layers.lowers.length, layers.upper !== null, this.lowerfs, this.syntax, layers.data?.length ?? 0);
    this.lay = lay;
    this.options = this.variant.options;
    this.generation = 0;
    this.stacked = [];
    this.top = undefined;
    this.mayHaveVolatile = false;
    // one pipeline: layout, every layer, the mount, the root
    const markers = kernelMarkers(this.variant.xattrNs);
    const writes = [...prelude, ...lay.prepare];
    const image = this.variant.lowerImage;
    // image lowers are written as plain directories first (s<i>), then packed and mounted at l<i>
    const src = lay.lowers.map((l, i) => (image ? `${this.scenarioDir}/s${i}` : l));
    if (image) writes.push(...src.map((p): AgentRequest => ({ op: 'mkdirp', args: { path: p } })));
    layers.lowers.forEach((t, i) => writes.push(...this.treeRequests(src[i], materialise(t, markers))));
    (layers.data ?? []).forEach((t, i) => writes.push(...this.treeRequests(lay.data[i], materialise(t, markers))));
    if (layers.upper && lay.upper) writes.push(...this.treeRequests(lay.upper, materialise(layers.upper, markers)));
    if (image) {
      const written = await this.pipeline(writes);
      const bad = firstFailure(writes, written);
      if (bad) return { ok: false, error: `writing the layers: ${bad}` };
      const why = await this.mountImages(image, src, lay.lowers);
      if (why) return { ok: false, ...why };
      writes.length = 0;
    }
    const all = [...writes, this.mountRequest(), { op: 'root', args: { path: lay.merged } }];
    const replies = await this.pipeline(all);
    const bad = firstFailure(writes, replies.slice(0, writes.length));
    if (bad) return { ok: false, error: `writing the layers: ${bad}` };
    const m = replies[writes.length];
    if (m.kind !== 'ok') return { ok: false, skip: `the kernel refused the mount: ${m.errno ?? m.kind}${getText(m.fields, 'msg') ? ` (${getText(m.fields, 'msg')})` : ''}` };
    this.mounted = true;
    const r = replies[writes.length + 1];
    return r.kind === 'ok' ? { ok: true } : { ok: false, error: `cannot enter the merged directory: ${r.errno ?? r.kind}` };
  }

  /** Pack each lower directory and mount its image read-only at the lower's place; a skip (a limit of the packing tool) or an error when that failed. */
  private async mountImages(kind: 'erofs' | 'squashfs', src: string[], targets: string[]): Promise<{ skip: string } | { error: string } | undefined> {
    // packed side by side (each tool mostly waits), mounted and judged in layer order as before
    const img = src.map((_, i) => `${this.scenarioDir}/l${i}.${kind}`);
    const packed = await Promise.allSettled(src.map((s, i) => packImage(kind, s, img[i])));
    for (let i = 0; i < src.length; i++) {
      const p = packed[i];
      if (p.status === 'rejected') {
        const e = p.reason as Error & { stderr?: Buffer };
        const limit = packLimit(kind, src[i]);
        if (limit) return { skip: `lower ${i} cannot be packed as ${kind}: ${limit}` };
        return { error: `packing lower ${i} as ${kind}: ${e.stderr?.toString().trim() || e.message}` };
      }
      const [r] = await this.pipeline([imageMountRequest(kind, img[i], targets[i])]);
      if (r.kind !== 'ok') return { error: `mounting the ${kind} image of lower ${i}: ${r.errno ?? r.kind}${getText(r.fields, 'msg') ? ` (${getText(r.fields, 'msg')})` : ''}` };
      this.images.push(targets[i]);
    }
    return undefined;
  }

  private mountRequest(): AgentRequest {
    const lay = this.lay!;
    this.noteVolatile(this.options);
    return { op: 'mount', args: { fstype: 'overlay', source: 'overlay', target: lay.merged, opt: [...lay.layerOptions, ...this.options], api: this.variant.api, cwd: lay.cwd, dev: this.devices || undefined } };
  }

  private async mountNow(): Promise<{ ok: true } | { ok: false; errno: string; message?: string }> {
    const lay = this.lay!;
    const mark = kmsgMark();
    this.noteVolatile(this.options);
    const r = await mount(this.agent, { fstype: 'overlay', source: 'overlay', target: lay.merged, options: [...lay.layerOptions, ...this.options], api: this.variant.api, cwd: lay.cwd }, 60_000);
    if (!r.ok) {
      // the fs-context log rarely has overlayfs's reason; the kernel log usually does
      const log = overlayLogSince(mark);
      return log ? { ...r, message: `${r.message ?? r.errno}; kernel log: ${log}` } : r;
    }
    this.mounted = true;
    await this.setRoot(lay.merged);
    return { ok: true };
  }

  protected unmountRequests(): AgentRequest[] {
    const out: AgentRequest[] = this.stacked.map((target) => ({ op: 'umount', args: { target, detach: true } }));
    this.stacked = [];
    this.top = undefined;
    if (this.mounted && this.lay) out.push({ op: 'umount', args: { target: this.lay.merged, detach: true } });
    this.mounted = false;
    for (const t of this.images.splice(0)) out.push({ op: 'umount', args: { target: t, detach: true } });
    for (const d of this.lay?.cleanup ?? []) out.push({ op: 'rmtree', args: { path: d } });
    return out;
  }

  protected async unmount(): Promise<void> {
    await this.dropStacked();
    if (this.mounted && this.lay) {
      const r = await umount(this.agent, this.lay.merged);
      if (!r.ok) await umount(this.agent, this.lay.merged, { detach: true });
      this.mounted = false;
    }
    for (const t of this.images.splice(0)) await umount(this.agent, t, { detach: true });
    for (const d of this.lay?.cleanup ?? []) await rmtree(this.agent, d, 60_000);
  }

  async inspect(): Promise<InspectResult> {
    const lay = this.lay!;
    // every layer (and the index) listed in one round trip; one that did not answer ok is asked again alone
    const index = lay.upper && lay.work ? `${lay.work}/index` : undefined;
    const paths = [...(lay.upper ? [lay.upper] : []), ...(index ? [index] : []), ...lay.lowers];
    const got = await trees(this.agent, paths.map((path) => ({ path, maxData: path === index ? 0 : MAX_DATA })), 60_000);
    const listing = (i: number): Promise<TreeItem[]> => {
      const g = got[i];
      return Array.isArray(g) ? Promise.resolve(g) : tree(this.agent, paths[i], MAX_DATA, 60_000);
    };
    let at = 0;
    const upper = lay.upper ? this.decode(await listing(at++)) : null;
    if (index) {
      const g = got[at++];
      // no index directory (index=off): nothing indexed, as indexItems says for ENOENT
      const items = Array.isArray(g) ? topLevel(g) : treeMissing(g) ? [] : await this.indexItems(index);
      if (upper) markIndexed(upper, items);
    }
    const lowers: CanonTree[] = [];
    for (let k = 0; k < lay.lowers.length; k++) lowers.push(this.decode(await listing(at++)));
    return { ok: true, upper, lowers };
  }

  private async removeIfThere(path: string): Promise<void> {
    try {
      await rmtree(this.agent, path, 60_000);
    } catch (e) {
      if (!(e instanceof AgentOpError && e.errno === 'ENOENT')) throw e;
    }
  }

  /** workdir/index, top level only (empty when the mount has no index) */
  private async indexItems(dir: string): Promise<TreeItem[]> {
    try {
      return topLevel(await tree(this.agent, dir, 0, 60_000));
    } catch (e) {
      if (e instanceof AgentOpError && e.errno === 'ENOENT') return [];
      throw e;
    }
  }

  protected override readonly ownOps: ReadonlySet<string> = new Set(['mountinfo', 'reconfigure', 'openLayer']);

  override op(op: ResolvedOp): Promise<OpResult> {
    if (op.op === 'mountinfo') return Promise.resolve(this.mountinfo());
    if (op.op === 'reconfigure') return this.reconfigure(op.args);
    if (op.op === 'mountOverlay') return this.mountOverlay(op.args);
    if (op.op === 'openLayer') return this.openLayer(op);
    return super.op(op);
  }

  /** Open a file of one layer directly (not through the overlay): the agent's root moves to the layer for that one open and back. */
  private async openLayer(op: ResolvedOp): Promise<OpResult> {
    const lay = this.lay!;
    const layer = String(op.args.layer);
    const dir = layer === 'upper' ? lay.upper : lay.lowers[Number(layer.split(':')[1])];
    if (!dir) return { ok: false, skip: `this scenario has no layer ${layer}` };
    await this.setRoot(dir);
    try {
      return await runOp(this.agent, { op: 'open', args: { path: op.args.path, flags: op.args.flags }, user: op.user }, this.opTimeoutMs + 1000);
    } finally {
      await this.setRoot(this.top ?? lay.merged);
    }
  }

  /** One more overlay (nested, sharing the lowers, over the same upper, another upper fs); the root moves onto it. */
  private async mountOverlay(args: Record<string, unknown>): Promise<OpResult> {
    if (!this.mounted || !this.lay) return { ok: false, errno: 'ENOENT', message: 'no overlay is mounted' };
    this.mayHaveVolatile = true;
    const n = this.stacked.length + 1;
    const s = await mountStacked({ agent: this.agent, variant: this.variant, syntax: this.syntax, lay: this.lay, dir: this.scenarioDir!, top: this.top ?? this.lay.merged, n }, args);
    this.stacked = [...s.mounts, ...this.stacked];
    if (s.merged) {
      this.top = s.merged;
      await this.setRoot(s.merged);
    } else await this.setRoot(this.top ?? this.lay.merged);
    return s.result;
  }

  /** Unmount what mountOverlay added (outermost first) and put the root back on the scenario's overlay. */
  private async dropStacked(): Promise<void> {
    for (const target of this.stacked) {
      const r = await umount(this.agent, target);
      if (!r.ok) await umount(this.agent, target, { detach: true });
    }
    this.stacked = [];
    this.top = undefined;
  }

  /** The effective options of the overlay the root is on (the scenario's, or the last mountOverlay's), read back from the agent's mountinfo. */
  private mountinfo(): OpResult {
    const at = this.top ?? this.lay?.merged;
    const m = this.mounted && at ? mountAt(this.agent.pid, at) : undefined;
    if (!m || m.fstype !== 'overlay') return { ok: false, errno: 'ENOENT', message: 'no overlay is mounted at the scenario\'s merged directory' };
    const shown = m.superOptions.find((o) => o.startsWith('verity='));
    return { ok: true, value: { mount: { ...effectiveOptions(m.superOptions, moduleParams()), verity: shown ? shown.slice(7) : 'off', lowerdirs: shownLowers(m.superOptions, at!) } } };
  }

  /** A real reconfigure of the mounted overlay (fspick or MS_REMOUNT), options checked against the vocabulary. */
  private async reconfigure(args: Record<string, unknown>): Promise<OpResult> {
    if (!this.mounted || !this.lay) return { ok: false, errno: 'ENOENT', message: 'no overlay is mounted' };
    const opt = withOptions([], args.options as Record<string, string> | undefined);
    const ro = typeof args.readonly === 'boolean' ? (args.readonly ? 1 : 0) : undefined;
    const r = await this.agent.request('reconfigure', { target: this.lay.merged, opt, api: String(args.api ?? 'new'), ro }, { timeoutMs: 60_000 });
    if (r.kind === 'ok') return { ok: true };
    const message = getText(r.fields, 'msg');
    return message ? { ok: false, errno: r.errno ?? 'EIO', message } : { ok: false, errno: r.errno ?? 'EIO' };
  }

  async remount(options: Record<string, string> | undefined, rotate: boolean, replace = false, how: RemountHow = {}): Promise<OpResult> {
    const lay = this.lay!;
    if (this.chainable && !rotate) return this.remountInOne(options, replace);
    if (this.mounted) {
      await closeAll(this.agent);
      await this.dropStacked();
      const u = await umount(this.agent, lay.merged);
      if (!u.ok) return u;
      this.mounted = false;
    }
    // a volatile mount leaves work/incompat/volatile, which refuses the next mount; after a clean
    // unmount overlayfs.rst ("Volatile mount") lets the user remove it and mount again
    if (!how.keepVolatile && lay.work) await this.removeIfThere(`${lay.work}/work/incompat/volatile`);
    this.options = withOptions(replace ? [] : this.options, options);
    if (rotate) {
      if (this.variant.layout === 'docker') return { ok: false, skip: 'rotating the upper into the lower stack is not modelled for the Docker layout' };
      if (!lay.upper) return { ok: false, skip: 'a read-only overlay has no upper to rotate' };
      this.generation++;
      const upper = `${this.scenarioDir}/u${this.generation}`;
      const work = `${this.scenarioDir}/w${this.generation}`;
      const made = await this.agent.pipeline([{ op: 'mkdirp', args: { path: upper } }, { op: 'mkdirp', args: { path: work } }]);
      if (made.some((m) => m.kind !== 'ok')) return { ok: false, errno: 'EIO', message: 'cannot create the new upper layer' };
      this.lay = { ...lay, lowers: [lay.upper, ...lay.lowers], upper, work, layerOptions: layerOptions(this.variant, [lay.upper, ...lay.lowers], upper, work, this.syntax, lay.cwd, lay.data) };
    }
    return this.mountNow();
  }

  /** Note a mount's options: a volatile one leaves work/incompat/volatile behind it. */
  private noteVolatile(options: readonly string[]): void {
    if (options.some((o) => o.split('=')[0] === 'volatile')) this.mayHaveVolatile = true;
  }

  /** the requests of a remount of the mounted scenario overlay, each after `ifok`, and the options it mounts with */
  private remountChain(options: Record<string, string> | undefined, replace: boolean, chained: boolean): { reqs: AgentRequest[]; next: string[] } {
    const lay = this.lay!;
    const next = withOptions(replace ? [] : this.options, options);
    const spec = { fstype: 'overlay', source: 'overlay', target: lay.merged, options: [...lay.layerOptions, ...next], api: this.variant.api, cwd: lay.cwd };
    const reqs: AgentRequest[] = [
      { op: 'closeall', args: chained ? { ifok: true } : {} },
      { op: 'umount', args: { target: lay.merged, ifok: true } },
      { op: 'mount', args: { ...mountArgs(spec), ifok: true } },
      { op: 'root', args: { path: lay.merged, ifok: true } },
    ];
    return { reqs, next };
  }

  /** A remount chain's four replies, answered as the step-by-step remount answers. */
  private remounted(next: string[], mark: number, [closed, unmounted, mounted, rooted]: AgentReply[]): OpResult {
    okReply('closeall', closed);
    const u = hostReply('umount', unmounted);
    if (!u.ok) return u;
    this.mounted = false;
    this.options = next;
    const m = hostReply('mount', mounted);
    if (!m.ok) {
      // the fs-context log rarely has overlayfs's reason; the kernel log usually does
      const log = overlayLogSince(mark);
      return log ? { ...m, message: `${m.message ?? m.errno}; kernel log: ${log}` } : m;
    }
    this.mounted = true;
    okReply('root', rooted);
    return { ok: true };
  }

  /** Whether a remount of the scenario overlay can be one request chain: no mount of the scenario can have left a volatile marker to remove. */
  private get chainable(): boolean {
    return this.mounted && this.stacked.length === 0 && !this.mayHaveVolatile;
  }

  /**
   * remount of the mounted scenario overlay in one round trip, when no mount of the scenario can
   * have left a volatile marker to remove: closeall, umount, mount and root, each after `ifok`
   * (run only when the one before succeeded), answered as the step-by-step remount answers.
   */
  private async remountInOne(options: Record<string, string> | undefined, replace: boolean): Promise<OpResult> {
    const { reqs, next } = this.remountChain(options, replace, false);
    this.noteVolatile(next);
    const mark = kmsgMark();
    return this.remounted(next, mark, await this.agent.pipeline(reqs, { timeoutMs: 60_000 }));
  }

  /**
   * The final-state check in one write: the merged listing, the remount chain and the listing
   * after it (three round trips before). A listing that failed cancels what follows it (`ifok`):
   * the check is then made step by step, as before; a failed listing after the remount is asked
   * again alone (tree() retries an entry that vanished mid-walk).
   */
  finalRemount(maxData: number): FinalRemount | undefined {
    const root = this.agent.root;
    if (!this.lay || !root || !this.chainable || !this.agent.pipelineEach) return undefined;
    const merged = this.lay.merged;
    const { reqs, next } = this.remountChain(undefined, false, true);
    this.noteVolatile(next);
    const mark = kmsgMark();
    const replies = this.agent.pipelineEach([
      { op: 'tree', args: { path: root, maxdata: maxData } },
      ...reqs,
      { op: 'tree', args: { path: merged, maxdata: maxData, ifok: true } },
    ], { timeoutMs: 60_000 });
    // a phase left unawaited (an earlier one failed) must not become an unhandled rejection
    for (const r of replies) r.catch(() => undefined);
    const warm = replies[0].then((r) => (r.kind === 'ok' ? r.items.map(parseTreeItem) : undefined));
    const remount = warm.then(async (w) => (w ? this.remounted(next, mark, await Promise.all(replies.slice(1, 5))) : undefined));
    const cold = remount.then(async (r) => {
      if (!r?.ok) return undefined;
      const t = await replies[5];
      return t.kind === 'ok' ? t.items.map(parseTreeItem) : tree(this.agent, merged, maxData, 60_000);
    });
    for (const p of [warm, remount, cold]) p.catch(() => undefined);
    return { warm, remount, cold };
  }

  async editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult> {
    const lay = this.lay!;
    const dir = layer === 'upper' ? lay.upper : lay.lowers[Number(layer.split(':')[1])];
    if (!dir) return { ok: false, skip: `this scenario has no layer ${layer}` };
    for (const p of remove) await rmtree(this.agent, `${dir}/${p}`);
    // directories the layer already has are kept (an edit adds to them)
    const reqs = this.treeRequests(dir, materialise(entries, kernelMarkers(this.variant.xattrNs)));
    const replies = await this.pipeline(reqs);
    const kept = replies.map((r, i) => (reqs[i].op === 'mkdir' && r.kind === 'err' && r.errno === 'EEXIST' ? { ...r, kind: 'ok' as const } : r));
    const why = firstFailure(reqs, kept);
    await this.setRoot(lay.merged);
    return why ? { ok: false, errno: 'EIO', message: `editing ${layer}: ${why}` } : { ok: true };
  }

  /** The mounted overlay's layer directories, as the kernel shows them in mountinfo (interchange copies them). */
  async layerDirs(): Promise<LayerDirs | undefined> {
    const root = this.agent.root;
    if (!root) return undefined;
    const m = mountAt(this.agent.pid, root);
    if (!m || m.fstype !== 'overlay') return undefined;
    const lowers: string[] = [];
    let upper: string | undefined;
    for (const o of m.superOptions) {
      const eq = o.indexOf('=');
      const k = o.slice(0, eq);
      const v = o.slice(eq + 1);
      if (k === 'upperdir') upper = v;
      else if (k === 'lowerdir+') lowers.push(v);
      else if (k === 'lowerdir') lowers.push(...splitColons(v));
    }
    if (lowers.some((l) => !l.startsWith('/')) || (upper && !upper.startsWith('/'))) return undefined;
    return { merged: root, upper, lowers };
  }
}

/** The entries directly in a listed directory. */
const topLevel = (items: TreeItem[]) => items.filter((i) => i.path !== '' && !i.path.includes('/'));

/** The lower layer options as the kernel shows them (mountinfo's octal escapes undone), paths beneath the mount's own directory written relative to it. */
export function shownLowers(superOptions: string[], mountPoint: string): string {
  const base = mountPoint.slice(0, mountPoint.lastIndexOf('/') + 1);
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return superOptions
    .filter((o) => /^(lowerdir|datadir)/.test(o))
    .map((o) => unescape(o).split(base).join(''))
    .join(',');
}

/** A legacy lowerdir= value split at its unescaped colons. */
function splitColons(s: string): string[] {
  return splitOptions(s.replace(/(?<!\\):/g, ',')).map((p) => p.replace(/\\(.)/g, '$1'));
}

