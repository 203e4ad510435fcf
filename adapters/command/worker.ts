// A command adapter worker: the layers written in the config's format, the mount command expanded
// from its template and started through the agent (foreground daemon or a command that returns
// once mounted), ready as the config says, stopped with its unmount command (lazy umount and
// SIGKILL as the fallback), the upper read back through the format — or not at all when opaque.

import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, ScenarioContext, SetupResult } from '../adapter.js';
import type { Agent, AgentRequest } from '../host/agent.js';
import type { DaemonSpec, RunningDaemon, StopOptions } from '../host/daemon.js';
import { DaemonWorker, type DaemonLayout, type Encoded } from '../host/daemonworker.js';
import type { TreeItem } from '../host/ops.js';
import { endStragglers, identify, killIdentified, processesIn, type ProcessId } from '../host/stragglers.js';
import { decodeLayer, encodeLayer } from '../formats/encode.js';
import { plainFormat } from '../formats/builtin.js';
import type { FormatContext, LayerFormat } from '../formats/types.js';
import { configOptionNames, type CommandConfig } from './config.js';
import { elementText, expandArgv, expandElement, MissingValue, type TemplateValues } from './template.js';
import type { CommandVariant } from './variants.js';

/** How an opaque format writes layers: entries plainly, no marker (the capabilities say so). */
const OPAQUE_WRITER: LayerFormat = { ...plainFormat, name: 'opaque', description: 'not inspected; entries written as plain files' };

/** The values of a layout's placeholders. */
export function templateValues(c: CommandConfig, lay: DaemonLayout, options: readonly string[]): TemplateValues {
  const sep = c.source.mount.lowers?.separator ?? ':';
  const item = c.source.mount.lowers?.item ?? '{dir}';
  return {
    lowers: lay.lowers.map((dir) => expandElement(item, { dir }) ?? dir).join(sep),
    lowerN: lay.lowers,
    upper: lay.upper,
    work: lay.work,
    merged: lay.merged,
    options: options.join(c.source.mount.optionSeparator ?? ','),
  };
}

/** The mount argv for a layout with these options. */
export function commandArgv(c: CommandConfig, v: CommandVariant, lay: DaemonLayout, options: readonly string[]): string[] {
  return expandArgv(c.source.mount.argv, templateValues(c, lay, options), v.args);
}

/** How the daemon starts (readiness, foreground, environment) for a layout. */
export function startHow(c: CommandConfig, v: CommandVariant, lay: DaemonLayout): Pick<DaemonSpec, 'ready' | 'foreground' | 'env'> & { timeoutMs?: number } {
  const r = c.source.ready ?? { mount: true as const };
  const values = templateValues(c, lay, v.options);
  const ready: DaemonSpec['ready'] = 'file' in r ? { file: expandElement(r.file, values) ?? r.file } : 'exit' in r ? { exit: true } : { mount: r.mount === true ? {} : r.mount };
  const env = Object.fromEntries(Object.entries(v.env).map(([k, x]) => [k, expandElement(x, values) ?? '']));
  return { ready, foreground: c.source.mount.foreground ?? true, env, ...(r.timeoutMs ? { timeoutMs: r.timeoutMs } : {}) };
}

/** How the daemon stops for a layout: its unmount command, or umount(2). */
export function stopHow(c: CommandConfig, lay: DaemonLayout): StopOptions {
  const u = c.source.unmount;
  return { unmount: u?.argv ? expandArgv(u.argv, templateValues(c, lay, [])) : 'umount', ...(u?.timeoutMs ? { timeoutMs: u.timeoutMs } : {}) };
}

/** Runs scenarios through a command config for one variant. */
export class CommandWorker extends DaemonWorker {
  protected readonly needsWork: boolean;
  /** what a remount may set: the option names the config's variants and effective options use */
  readonly knownOptions: readonly string[];

  constructor(
    agent: Agent,
    dir: string,
    caps: Capabilities,
    private readonly config: CommandConfig,
    private readonly variant: CommandVariant,
    private readonly fp: Fingerprint,
    /** the agent's mount namespace, where stragglers are looked for */
    private readonly namespace: string | undefined,
    maxLowers?: number,
  ) {
    super(agent, dir, caps, variant.options, elementText(config.source.mount.argv[0]), maxLowers);
    this.needsWork = config.mountUse.all.has('work');
    this.knownOptions = configOptionNames(config.source);
  }

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  protected argv(lay: DaemonLayout, options: string[]): string[] {
    return commandArgv(this.config, this.variant, lay, options);
  }

  protected override startOptions() {
    return startHow(this.config, this.variant, this.lay!);
  }

  protected override stopOptions(): StopOptions {
    return stopHow(this.config, this.lay!);
  }

  private ctx(role: 'upper' | 'lower'): FormatContext {
    return { xattrNs: this.variant.xattrNs, options: this.options, role };
  }

  protected encode(tree: CanonTree, role: 'upper' | 'lower'): Encoded {
    return encodeLayer(this.variant.format ?? OPAQUE_WRITER, tree, this.ctx(role));
  }

  protected decode(items: TreeItem[], role: 'upper' | 'lower'): CanonTree {
    return decodeLayer(this.variant.format ?? plainFormat, items, this.ctx(role));
  }

  protected override async build(layers: CanonLayers, ctx: ScenarioContext, prelude: AgentRequest[]): Promise<SetupResult> {
    try {
      return await super.build(layers, ctx, prelude);
    } catch (e) {
      if (e instanceof MissingValue) return { ok: false, skip: e.message };
      throw e;
    }
  }

  override async inspect(): Promise<InspectResult> {
    if (!this.variant.format) return { ok: false, skip: `${this.config.display} declares the layer format opaque: the layers are not inspected` };
    return super.inspect();
  }

  /** processes the mounts started besides the agent (a daemon that went to the background) */
  private started: ProcessId[] = [];

  /** whether the mount command returns once mounted, leaving whatever serves the mount behind it */
  private get background(): boolean {
    return this.config.source.mount.foreground === false;
  }

  /** a mount command that leaves a process behind is swept (every process of the namespace but the agent): the reaper too */
  protected override reapsScenarioDir(): boolean {
    return !this.background;
  }

  protected override onStarted(d: RunningDaemon): void {
    if (this.namespace && !d.foreground) this.started.push(...identify(processesIn(this.namespace, [this.agent.pid])));
  }

  /** end what the mount left in the namespace, while the agent still pins it */
  private async sweep(graceMs: number): Promise<void> {
    if (this.agent.alive) await endStragglers(this.namespace, [this.agent.pid], graceMs);
  }

  protected override async stop(closeFirst = false, then: readonly AgentRequest[] = [], thenMs?: number): Promise<void> {
    try {
      // what rides behind the stop runs before the sweep below: the base sends it only for a daemon in the foreground
      await super.stop(closeFirst, then, thenMs);
    } finally {
      // a foreground daemon was waited for (or killed with its group) by the stop itself
      if (this.background) await this.sweep(2000);
      this.started = [];
    }
  }

  override async close(): Promise<void> {
    await super.close();
    killIdentified(this.started);
  }

  override async kill(): Promise<void> {
    await this.sweep(0);
    await super.kill();
    killIdentified(this.started);
  }
}
