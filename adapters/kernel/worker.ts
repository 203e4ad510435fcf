// A kernel overlay worker: materialises the canonical layers in the variant's layout, mounts
// them through the agent (in its private namespace), reads the upper layer back.

import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, ScenarioContext, SetupResult } from '../adapter.js';
import type { Agent } from '../host/agent.js';
import { kernelDecoder } from '../host/inspect.js';
import { kernelMarkers, materialise } from '../host/materialise.js';
import { closeAll, mount, rmtree, tree, umount } from '../host/ops.js';
import { firstFailure, HostWorker } from '../host/worker.js';
import { layerOptions, layout, type Layout } from './layout.js';
import { withOptions, type KernelVariant } from './variants.js';

const MAX_DATA = 1 << 20;

/**
 * A metacopy upper file holds metadata only; its canonical data is the lower file it stands for
 * (at its redirect, else at the same path), so `after` data checks hold with and without metacopy.
 */
export function resolveMetacopy(upper: CanonTree, lowers: CanonTree[]): void {
  for (const [path, e] of Object.entries(upper)) {
    if (e.type !== 'file' || !e.metacopy) continue;
    const at = e.redirect ? e.redirect.replace(/^\//, '') : path;
    const src = lowers.map((l) => l[at]).find((x) => x?.type === 'file');
    if (src && src.type === 'file' && src.data !== undefined) e.data = src.data;
  }
}

/** Runs scenarios on the kernel's overlayfs for one variant. */
export class KernelWorker extends HostWorker {
  private lay: Layout | undefined;
  private mounted = false;
  private generation = 0;
  private options: string[];

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

  private get decode() {
    return kernelDecoder([`${this.variant.xattrNs}.overlay.`]);
  }

  protected async build(layers: CanonLayers, ctx: ScenarioContext): Promise<SetupResult> {
    const lay = layout(this.variant, this.scenarioDir!, ctx.runId, layers.lowers.length, layers.upper !== null, this.lowerfs);
    this.lay = lay;
    this.options = this.variant.options;
    this.generation = 0;
    const prep = await this.agent.pipeline(lay.prepare, { timeoutMs: 60_000 });
    const bad = firstFailure(lay.prepare, prep);
    if (bad) return { ok: false, error: `preparing the layout: ${bad}` };
    const markers = kernelMarkers(this.variant.xattrNs);
    for (const [i, t] of layers.lowers.entries()) {
      const why = await this.writeTree(lay.lowers[i], materialise(t, markers));
      if (why) return { ok: false, error: `writing lower layer ${i}: ${why}` };
    }
    if (layers.upper && lay.upper) {
      const why = await this.writeTree(lay.upper, materialise(layers.upper, markers));
      if (why) return { ok: false, error: `writing the upper layer: ${why}` };
    }
    const r = await this.mountNow();
    if (!r.ok) return { ok: false, skip: `the kernel refused the mount: ${r.errno}${r.message ? ` (${r.message})` : ''}` };
    return { ok: true };
  }

  private async mountNow(): Promise<{ ok: true } | { ok: false; errno: string; message?: string }> {
    const lay = this.lay!;
    const r = await mount(this.agent, { fstype: 'overlay', source: 'overlay', target: lay.merged, options: [...lay.layerOptions, ...this.options], api: this.variant.api, cwd: lay.cwd }, 60_000);
    if (!r.ok) return r;
    this.mounted = true;
    await this.setRoot(lay.merged);
    return { ok: true };
  }

  protected async unmount(): Promise<void> {
    if (this.mounted && this.lay) {
      const r = await umount(this.agent, this.lay.merged);
      if (!r.ok) await umount(this.agent, this.lay.merged, { detach: true });
      this.mounted = false;
    }
    for (const d of this.lay?.cleanup ?? []) await rmtree(this.agent, d, 60_000);
  }

  async inspect(): Promise<InspectResult> {
    const lay = this.lay!;
    const upper = lay.upper ? this.decode(await tree(this.agent, lay.upper, MAX_DATA, 60_000)) : null;
    const lowers: CanonTree[] = [];
    for (const l of lay.lowers) lowers.push(this.decode(await tree(this.agent, l, MAX_DATA, 60_000)));
    if (upper) resolveMetacopy(upper, lowers);
    return { ok: true, upper, lowers };
  }

  async remount(options: Record<string, string> | undefined, rotate: boolean): Promise<OpResult> {
    const lay = this.lay!;
    await closeAll(this.agent);
    const u = await umount(this.agent, lay.merged);
    if (!u.ok) return u;
    this.mounted = false;
    this.options = withOptions(this.options, options);
    if (rotate) {
      if (this.variant.layout === 'docker') return { ok: false, skip: 'rotating the upper into the lower stack is not modelled for the Docker layout' };
      if (!lay.upper) return { ok: false, skip: 'a read-only overlay has no upper to rotate' };
      this.generation++;
      const upper = `${this.scenarioDir}/u${this.generation}`;
      const work = `${this.scenarioDir}/w${this.generation}`;
      const made = await this.agent.pipeline([{ op: 'mkdirp', args: { path: upper } }, { op: 'mkdirp', args: { path: work } }]);
      if (made.some((m) => m.kind !== 'ok')) return { ok: false, errno: 'EIO', message: 'cannot create the new upper layer' };
      this.lay = { ...lay, lowers: [lay.upper, ...lay.lowers], upper, work, layerOptions: layerOptions(this.variant, [lay.upper, ...lay.lowers], upper, work) };
    }
    return this.mountNow();
  }

  async editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult> {
    const lay = this.lay!;
    const dir = layer === 'upper' ? lay.upper : lay.lowers[Number(layer.split(':')[1])];
    if (!dir) return { ok: false, skip: `this scenario has no layer ${layer}` };
    for (const p of remove) await rmtree(this.agent, `${dir}/${p}`);
    const why = await this.writeTree(dir, materialise(entries, kernelMarkers(this.variant.xattrNs)));
    await this.setRoot(lay.merged);
    return why ? { ok: false, errno: 'EIO', message: `editing ${layer}: ${why}` } : { ok: true };
  }
}
