// The `command` adapter: any overlay implementation that a command mounts, described by a config
// file (`ovlconf run --adapter command --config my-overlay.yaml`), run inside the worker agent's
// private mount namespace with the same probe mount, timeouts and cleanup as the built-in FUSE
// adapters. A variant is available when the config's requirements are met; one that then fails
// to mount makes its scenarios `error` (a broken config must fail a run, not skip it).

import { mkdirSync } from 'node:fs';
import { errorAt } from '../../language/loader/file.js';
import { formatLoadError } from '../../language/model.js';
import { UnknownAdapter, type Adapter, type AdapterInfo, type VariantInfo, type Worker, type WorkerOptions } from '../adapter.js';
import type { Agent } from '../host/agent.js';
import { probeDaemonMount, type MountProbe } from '../host/mountprobe.js';
import { mountNamespaceOf } from '../host/stragglers.js';
import { workerAgent } from '../host/worker.js';
import { loadCommandConfig, type CommandConfig } from './config.js';
import { capabilitiesOf, fingerprintOf, maxLowersOf, unavailable } from './facts.js';
import { elementText } from './template.js';
import { resolveVariants, requestedOptions, type CommandVariant } from './variants.js';
import { commandArgv, CommandWorker, startHow, stopHow } from './worker.js';

/** A config that cannot be used: every problem as file:line:col: /json/path: message. */
export class CommandConfigError extends UnknownAdapter {
  override name = 'CommandConfigError';
}

function startFor(v: CommandVariant, dir: string): Promise<Agent> {
  mkdirSync(dir, { recursive: true });
  // uid 0 mapped to itself: root of a new user namespace can still open root-owned devices
  return v.namespace === 'userns' ? workerAgent(dir, { userns: { uid: 0, gid: 0 } }) : workerAgent(dir, { ns: 'private' });
}

/** Mount a variant once beneath dir with the config's own start, readiness and unmount. */
function probeMount(c: CommandConfig, v: CommandVariant, agent: Agent, dir: string): Promise<MountProbe> {
  const lay = { lowers: [`${dir}/l0`], upper: `${dir}/u`, work: `${dir}/w`, merged: `${dir}/m`, log: `${dir}/daemon.log` };
  return probeDaemonMount(agent, dir, (l) => commandArgv(c, v, l, v.options), c.mountUse.all.has('work'), { start: startHow(c, v, lay), stop: stopHow(c, lay) });
}

/** The adapter a checked config describes. */
export function commandAdapterFor(c: CommandConfig, variants: CommandVariant[]): Adapter {
  const src = c.source;
  const info = (v: CommandVariant): Omit<VariantInfo, 'available'> => ({ name: v.name, description: v.description, options: requestedOptions(v) });
  return {
    name: src.name ?? src.implementation,
    description: src.description ?? `${src.implementation} mounted by \`${elementText(src.mount.argv[0])}\` (command adapter, ${c.display})`,
    async probe(): Promise<AdapterInfo> {
      const reason = unavailable(c);
      if (reason) return { name: this.name, description: this.description, available: false, reason, variants: variants.map((v) => ({ ...info(v), available: false, reason })) };
      return { name: this.name, description: this.description, available: true, variants: variants.map((v) => ({ ...info(v), available: true })) };
    },
    async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
      const v = variants.find((x) => x.name === variant);
      if (!v) throw new Error(`${this.name} has no variant "${variant}"; variants: ${variants.map((x) => x.name).join(', ')}`);
      const agent = await startFor(v, opts.workdir);
      try {
        const p = await probeMount(c, v, agent, `${opts.workdir}/probe`);
        if (!p.ok) throw new Error(p.reason);
        const caps = capabilitiesOf(c, v, p.capabilities, p.statfsType);
        return new CommandWorker(agent, opts.workdir, caps, c, v, fingerprintOf(c, v, p, agent.info.ns === 'userns'), mountNamespaceOf(agent.pid), maxLowersOf(c));
      } catch (e) {
        await agent.kill();
        throw e;
      }
    },
  };
}

/** Load a config file into an adapter; a broken config throws CommandConfigError with every problem. */
export async function loadCommandAdapter(file: string, display = file): Promise<Adapter> {
  const { config, doc, errors } = loadCommandConfig(file, display);
  if (!config) throw new CommandConfigError(`invalid command adapter config ${display}:\n${errors.map(formatLoadError).join('\n')}`);
  try {
    return commandAdapterFor(config, await resolveVariants(config));
  } catch (e) {
    const path = (e as { path?: (string | number)[] }).path;
    if (!path) throw e;
    throw new CommandConfigError(`invalid command adapter config ${display}:\n${formatLoadError(errorAt(display, doc, { path, key: false, message: (e as Error).message }))}`);
  }
}

/** `--adapter command` without a config: listed, never available, and says what it needs. */
export const commandAdapter: Adapter = {
  name: 'command',
  description: 'any overlay implementation a command mounts, described by a config file (--config FILE; see docs/testing-your-overlay.md)',
  async probe(): Promise<AdapterInfo> {
    const reason = 'the command adapter needs a config: ovlconf run --adapter command --config my-overlay.yaml (examples/ has two)';
    return { name: 'command', description: this.description, available: false, reason, variants: [] };
  },
  async createWorker(): Promise<Worker> {
    throw new Error('the command adapter needs a config (--config FILE)');
  },
};

/** the registry's `command` entry */
export default commandAdapter;
