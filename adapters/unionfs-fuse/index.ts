// The `unionfs-fuse` adapter: the Debian `unionfs` binary (libfuse 2) in copy-on-write mode, its
// daemon in the foreground inside the worker agent's private mount namespace.

import { mkdirSync } from 'node:fs';
import { release } from 'node:os';
import type { Adapter, AdapterInfo, ProbeOptions, Capabilities, Fingerprint, VariantInfo, Worker, WorkerOptions } from '../adapter.js';
import { agentAvailable, type Agent } from '../host/agent.js';
import { workerAgent } from '../host/worker.js';
import { cacheDropReach } from '../host/capabilities.js';
import { probeDaemonMount, type MountProbe } from '../host/mountprobe.js';
import { NOT_PROBED, probeOnce } from '../host/probeonce.js';
import { commandText, fuseUnavailable, versionAfter, which } from '../host/tools.js';
import { effectiveOptions, UNIONFS_VARIANTS, unionfsVariant, type UnionfsVariant } from './variants.js';
import { unionfsArgv, UnionfsWorker } from './worker.js';

const isRoot = process.getuid?.() === 0;

/** Version facts of the installed unionfs-fuse and the libfuse it uses. */
export function unionfsVersion(): { version?: string; text: string; fuseLibrary?: string } {
  const text = commandText(['unionfs', '--version']);
  return { text, version: versionAfter(text, /unionfs-fuse version/), fuseLibrary: versionAfter(text, /FUSE library version/) };
}

function unavailable(): string | undefined {
  const av = agentAvailable();
  if (!av.ok) return av.reason;
  if (!isRoot) return 'needs root: FUSE mounts are made inside the agent\'s private mount namespace and /dev/fuse is root-only here';
  if (!which('unionfs')) return 'unionfs-fuse is not installed (apt-get install unionfs-fuse)';
  return fuseUnavailable();
}

async function startFor(dir: string): Promise<Agent> {
  mkdirSync(dir, { recursive: true });
  return workerAgent(dir, { ns: 'private' });
}

/** Probe every variant once per process: whether its daemon mounts, and what works through it. */
const probeAll = probeOnce<UnionfsVariant, MountProbe>({
  prefix: 'ovlconf-ufprobe-',
  variants: () => UNIONFS_VARIANTS,
  start: (_v, dir) => startFor(dir),
  probe: (agent, v, dir) => probeDaemonMount(agent, `${dir}/p`, (lay) => unionfsArgv(lay, v.options), false),
  refused: (reason) => ({ ok: false, reason }),
});

/** Capabilities: what the probe observed through the mount, plus what the format cannot hold. */
export function unionfsCapabilities(probedCaps: Capabilities): Capabilities {
  return {
    ...probedCaps,
    'layer-state': true, whiteout: true, opaque: true, 'multi-lower': true, 'no-upper': true, 'many-lower': true,
    redirect: 'unionfs-fuse has no redirects: a renamed directory is copied up whole instead',
    metacopy: 'unionfs-fuse always copies whole files; it has no metadata-only copies',
    'xattr-whiteout': 'unionfs-fuse keeps whiteouts as .unionfs-fuse/<path>_HIDDEN~ files; it has no xattr whiteouts',
    'xattr-trusted': typeof probedCaps.xattr === 'string' ? `unionfs-fuse 1.0 implements no extended attributes (${probedCaps.xattr})` : probedCaps['xattr-trusted'],
    remount: true, 'layer-edit': true, 'drop-caches': true,
    'overlay-magic': 'a FUSE filesystem reports FUSE_SUPER_MAGIC (0x65735546), not the overlayfs magic',
    atime: 'access times follow the mount\'s relatime policy, not strictatime',
  };
}

function fingerprintOf(v: UnionfsVariant, p: Extract<MountProbe, { ok: true }>, agent: Agent['info']): Fingerprint {
  const ver = unionfsVersion();
  return {
    implementation: 'unionfs-fuse',
    ...(ver.version ? { version: ver.version } : {}),
    options: effectiveOptions(v),
    details: {
      variant: v.name, versionText: ver.text, fuseLibrary: ver.fuseLibrary, kernel: release(), fstype: p.fstype,
      superOptions: p.superOptions, daemonOptions: v.options, metadataDir: '.unionfs-fuse', cacheDrop: cacheDropReach(agent),
      probeStartMs: Math.round(p.startMs * 10) / 10, probeStopMs: Math.round(p.stopMs * 10) / 10,
    },
  };
}

/** The unionfs-fuse adapter. */
export const unionfsAdapter: Adapter = {
  name: 'unionfs-fuse',
  description: 'unionfs-fuse 1.0 (Debian `unionfs`, libfuse 2) in copy-on-write mode, daemon in the foreground inside the worker\'s mount namespace',
  async probe(opts?: ProbeOptions): Promise<AdapterInfo> {
    const reason = unavailable();
    const optionsOf = (v: UnionfsVariant) => effectiveOptions(v);
    if (reason) return { name: this.name, description: this.description, available: false, reason, variants: UNIONFS_VARIANTS.map((v) => ({ name: v.name, description: v.description, options: optionsOf(v), available: false, reason })) };
    const results = await probeAll(opts);
    const variants: VariantInfo[] = UNIONFS_VARIANTS.map((v) => {
      const r = results.get(v.name);
      return { name: v.name, description: v.description, options: optionsOf(v), available: r?.ok === true, ...(r && !r.ok ? { reason: r.reason } : r ? {} : { reason: NOT_PROBED }) };
    });
    return { name: this.name, description: this.description, available: true, variants };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    const v = unionfsVariant(variant);
    if (!v) throw new Error(`unionfs-fuse has no variant "${variant}"; variants: ${UNIONFS_VARIANTS.map((x) => x.name).join(', ')}`);
    const agent = await startFor(opts.workdir);
    try {
      const p = await probeDaemonMount(agent, `${opts.workdir}/probe`, (lay) => unionfsArgv(lay, v.options), false);
      if (!p.ok) throw new Error(p.reason);
      return new UnionfsWorker(agent, opts.workdir, unionfsCapabilities(p.capabilities), v, fingerprintOf(v, p, agent.info));
    } catch (e) {
      await agent.kill();
      throw e;
    }
  },
};

export default unionfsAdapter;
