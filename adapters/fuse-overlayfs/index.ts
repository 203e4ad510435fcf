// The `fuse-overlayfs` adapter: the FUSE overlay of rootless containers, its daemon started in
// the foreground inside the worker agent's private mount namespace (or a user namespace for
// `unprivileged`), across the variants of variants.ts.

import { mkdirSync } from 'node:fs';
import { release } from 'node:os';
import type { Adapter, AdapterInfo, ProbeOptions, Capabilities, Fingerprint, VariantInfo, Worker, WorkerOptions } from '../adapter.js';
import { agentAvailable, type Agent } from '../host/agent.js';
import { workerAgent } from '../host/worker.js';
import { cacheDropReach } from '../host/capabilities.js';
import { probeDaemonMount, type MountProbe } from '../host/mountprobe.js';
import { NOT_PROBED, probeOnce } from '../host/probeonce.js';
import { commandText, fuseUnavailable, versionAfter, which } from '../host/tools.js';
import { effectiveOptions, FUSE_OVERLAY_VARIANTS, fuseOverlayVariant, type FuseOverlayVariant } from './variants.js';
import { fuseOverlayArgv, FuseOverlayWorker } from './worker.js';

const isRoot = process.getuid?.() === 0;

/** Version facts of the installed fuse-overlayfs (its --version also names libfuse and the kernel interface). */
export function fuseOverlayVersion(): { version?: string; text: string; fuseLibrary?: string; kernelInterface?: string } {
  const text = commandText(['fuse-overlayfs', '--version']);
  return {
    text,
    version: versionAfter(text, /fuse-overlayfs: version/),
    fuseLibrary: versionAfter(text, /FUSE library version/),
    kernelInterface: versionAfter(text, /using FUSE kernel interface version/),
  };
}

/** Why the adapter cannot run here, or undefined. */
function unavailable(): string | undefined {
  const av = agentAvailable();
  if (!av.ok) return av.reason;
  if (!isRoot) return 'needs root: FUSE mounts are made inside the agent\'s private mount namespace and /dev/fuse is root-only here';
  if (!which('fuse-overlayfs')) return 'fuse-overlayfs is not installed (apt-get install fuse-overlayfs)';
  return fuseUnavailable();
}

function startFor(v: FuseOverlayVariant, dir: string): Promise<Agent> {
  mkdirSync(dir, { recursive: true });
  // uid 0 mapped to itself: root of a new user namespace can still open the root-owned /dev/fuse
  return v.userns ? workerAgent(dir, { userns: { uid: 0, gid: 0 } }) : workerAgent(dir, { ns: 'private' });
}

/** Probe every variant once per process: whether its daemon mounts, and what works through it. */
const probeAll = probeOnce<FuseOverlayVariant, MountProbe>({
  prefix: 'ovlconf-foprobe-',
  variants: () => FUSE_OVERLAY_VARIANTS,
  start: startFor,
  probe: (agent, v, dir) => probeDaemonMount(agent, `${dir}/p`, (lay) => fuseOverlayArgv(lay, v.options), true),
  refused: (reason) => ({ ok: false, reason }),
});

/** Capabilities: what the probe observed through the mount, plus what the format cannot hold. */
export function fuseOverlayCapabilities(probedCaps: Capabilities): Capabilities {
  return {
    ...probedCaps,
    'layer-state': true, whiteout: true, opaque: true, 'multi-lower': true, 'no-upper': true, 'many-lower': true,
    redirect: 'fuse-overlayfs supports only redirect_dir=off: it neither creates nor follows overlay.redirect',
    metacopy: 'fuse-overlayfs always copies whole files and does not follow overlay.metacopy',
    'xattr-whiteout': 'fuse-overlayfs 1.10 does not know xattr whiteouts (a kernel 6.7 layer format)',
    remount: true, 'layer-edit': true, 'drop-caches': true,
    'overlay-magic': 'a FUSE filesystem reports FUSE_SUPER_MAGIC (0x65735546), not the overlayfs magic',
    atime: 'fuse-overlayfs mounts with noatime',
  };
}

function fingerprintOf(v: FuseOverlayVariant, p: Extract<MountProbe, { ok: true }>, agent: Agent['info']): Fingerprint {
  const userns = agent.ns === 'userns';
  const ver = fuseOverlayVersion();
  return {
    implementation: 'fuse-overlayfs',
    ...(ver.version ? { version: ver.version } : {}),
    options: effectiveOptions(v, p.superOptions),
    details: {
      variant: v.name, versionText: ver.text, fuseLibrary: ver.fuseLibrary, fuseKernelInterface: ver.kernelInterface,
      fusermount3: versionAfter(commandText(['fusermount3', '--version']), /fusermount3 version/),
      kernel: release(), fstype: p.fstype, superOptions: p.superOptions, daemonOptions: v.options,
      userNamespace: userns, cacheDrop: cacheDropReach(agent), probeStartMs: Math.round(p.startMs * 10) / 10, probeStopMs: Math.round(p.stopMs * 10) / 10,
    },
  };
}

/** The fuse-overlayfs adapter. */
export const fuseOverlayAdapter: Adapter = {
  name: 'fuse-overlayfs',
  description: 'fuse-overlayfs (FUSE overlay for rootless containers), daemon in the foreground inside the worker\'s mount namespace',
  async probe(opts?: ProbeOptions): Promise<AdapterInfo> {
    const reason = unavailable();
    const optionsOf = (v: FuseOverlayVariant) => Object.fromEntries(v.options.map((o) => (o.includes('=') ? [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)] : [o, 'on'])).concat(v.userns ? [['userns', 'on']] : []));
    if (reason) return { name: this.name, description: this.description, available: false, reason, variants: FUSE_OVERLAY_VARIANTS.map((v) => ({ name: v.name, description: v.description, options: optionsOf(v), available: false, reason })) };
    const results = await probeAll(opts);
    const variants: VariantInfo[] = FUSE_OVERLAY_VARIANTS.map((v) => {
      const r = results.get(v.name);
      return { name: v.name, description: v.description, options: optionsOf(v), available: r?.ok === true, ...(r && !r.ok ? { reason: r.reason } : r ? {} : { reason: NOT_PROBED }) };
    });
    return { name: this.name, description: this.description, available: true, variants };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    const v = fuseOverlayVariant(variant);
    if (!v) throw new Error(`fuse-overlayfs has no variant "${variant}"; variants: ${FUSE_OVERLAY_VARIANTS.map((x) => x.name).join(', ')}`);
    const agent = await startFor(v, opts.workdir);
    try {
      const p = await probeDaemonMount(agent, `${opts.workdir}/probe`, (lay) => fuseOverlayArgv(lay, v.options), true);
      if (!p.ok) throw new Error(p.reason);
      return new FuseOverlayWorker(agent, opts.workdir, fuseOverlayCapabilities(p.capabilities), v, fingerprintOf(v, p, agent.info));
    } catch (e) {
      await agent.kill();
      throw e;
    }
  },
};

export default fuseOverlayAdapter;
