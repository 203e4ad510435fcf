// The `kernel` adapter: Linux overlayfs mounted by the agent in a private mount namespace
// (or, for `unprivileged`, a user namespace), across the option matrix of variants.ts.

import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { dirname } from 'node:path';
import type { Adapter, AdapterInfo, ProbeOptions, Capabilities, VariantInfo, Worker, WorkerOptions } from '../adapter.js';
import { agentAvailable, type Agent } from '../host/agent.js';
import { execCapability, probeCapabilities } from '../host/capabilities.js';
import { NOT_PROBED, probeOnce } from '../host/probeonce.js';
import { workerAgent } from '../host/worker.js';
import { versionParts } from '../../language/version.js';
import { mountLowerfs, probeVariant, type ProbeResult } from './probe.js';
import { KERNEL_VARIANTS, kernelVariant, UNPRIVILEGED_ID, type KernelVariant } from './variants.js';
import { KernelWorker } from './worker.js';

const isRoot = process.getuid?.() === 0;

/** Let an unprivileged agent reach and own its sandbox directory. */
function prepareForUserns(dir: string): void {
  mkdirSync(dir, { recursive: true });
  chownSync(dir, UNPRIVILEGED_ID.uid, UNPRIVILEGED_ID.gid);
  for (let p = dirname(dir); p !== '/' && p !== dirname(p); p = dirname(p)) {
    const st = statSync(p);
    if ((st.mode & 0o001) === 0) chmodSync(p, st.mode | 0o111);
    if (st.mode & 0o1000) break;
  }
}

async function startFor(v: KernelVariant, dir: string): Promise<Agent> {
  if (v.userns) {
    prepareForUserns(dir);
    return workerAgent(dir, { userns: UNPRIVILEGED_ID });
  }
  mkdirSync(dir, { recursive: true });
  return workerAgent(dir, { ns: 'private' });
}

/** Probe every variant once per process: accepted or refused (with the kernel's reason). */
const probeAll = probeOnce<KernelVariant, ProbeResult>({
  prefix: 'ovlconf-kprobe-',
  variants: () => KERNEL_VARIANTS,
  start: startFor,
  probe: async (agent, v, dir) => {
    const lowerfs = v.layout === 'xino' ? await mountLowerfs(agent, dir) : undefined;
    return probeVariant(agent, `${dir}/p`, v, lowerfs);
  },
  refused: (reason) => ({ ok: false, reason }),
});

/** xattr whiteouts (overlay.whiteout files in opaque=x dirs) are recognised from Linux 6.7 */
function xattrWhiteouts(release: string): true | string {
  const [major = 0, minor = 0] = versionParts(release);
  return major > 6 || (major === 6 && minor >= 7) ? true : `xattr whiteouts are recognised from Linux 6.7; this is ${release}`;
}

/** verity= stands on its own (neither implies nor needs metacopy=on) from Linux 6.15 */
function verityIndependent(release: string): boolean {
  const [major = 0, minor = 0] = versionParts(release);
  return major > 6 || (major === 6 && minor >= 15);
}

/**
 * Data-only lower layers ("::" in lowerdir= from Linux 6.5, datadir+ from 6.8): a lower's metacopy
 * file finds its data there through an absolute redirect. Before 6.15 that needs metacopy=on;
 * from 6.15 ("ovl: don't require metacopy=on for verity") following into a data-only layer is
 * allowed without it.
 */
function dataOnlyLowers(v: KernelVariant, release: string): true | string {
  const [major = 0, minor = 0] = versionParts(release);
  const at = (a: number, b: number) => major > a || (major === a && minor >= b);
  if (v.layout === 'docker') return 'the Docker layout has no data-only layers (overlay2 names only lowerdir=)';
  if (!at(6, 5)) return `data-only lower layers ("::" in lowerdir=) are mounted from Linux 6.5; this is ${release}`;
  if (!at(6, 15) && !v.options.includes('metacopy=on')) return `before Linux 6.15 data-only lower layers need metacopy=on, which the ${v.name} variant does not set; this is ${release}`;
  return true;
}

function capabilitiesFor(v: KernelVariant, fs: Capabilities): Capabilities {
  return {
    ...fs,
    'layer-state': true, 'origin-index': true, whiteout: true, opaque: true, redirect: true, metacopy: true, 'xattr-whiteout': xattrWhiteouts(release()),
    'data-only-lowers': dataOnlyLowers(v, release()),
    'multi-lower': true, 'no-upper': v.layout === 'docker' ? 'the Docker layout always has a container layer' : true,
    'many-lower': v.maxLowers > 128 ? true : `the ${v.name} variant mounts at most ${v.maxLowers} lower layers`,
    // a volatile overlay is mounted again after the cleanup overlayfs.rst "Volatile mount" allows (remount removes work/incompat/volatile)
    remount: true,
    'layer-edit': v.lowerImage ? `the lower layers are read-only ${v.lowerImage} images: they cannot be edited under the mount` : true,
    'overlay-magic': true, statfs: true,
    'mount-options': v.userns
      ? 'mounted inside a user namespace: an option set without userxattr cannot be mounted there, so the outcome would be the namespace\'s, not the options\''
      : v.options.includes('volatile') ? 'the variant\'s own option set is what its scenarios are about; mount/volatile-incompat reaches volatile from the other variants' : true,
    mountinfo: true, reconfigure: true, 'range-ops': true,
    'inode-flags': v.userns ? 'inside a user namespace there is no CAP_LINUX_IMMUTABLE: immutable and append-only flags cannot be set' : true,
    atime: 'the kernel opens lower files with O_NOATIME; strictatime is not set up',
    'verity-independent': verityIndependent(release()) === true ? true : `before Linux 6.15 verity= implies metacopy=on and refuses metacopy=off, userxattr and nfs_export; this is ${release()}`,
    'verity-needs-metacopy': verityIndependent(release()) === true ? `from Linux 6.15 verity= no longer needs metacopy=on ("ovl: don't require metacopy=on for verity"); this is ${release()}` : true,
    exec: execCapability(),
    inotify: true,
    'file-handles': v.userns ? 'open_by_handle_at needs CAP_DAC_READ_SEARCH in the initial user namespace' : true,
    'overlay-stacking': v.userns
      ? 'inside a user namespace the outcome of another overlay\'s mount would be the namespace\'s (userxattr only), not the layout\'s'
      : v.layout === 'docker' ? 'the Docker layout is one overlay per container; stacking is exercised on the plain layouts' : true,
    'layer-open': true,
    // "ovl: allow to specify override credentials" (Linux 6.15)
    'override-creds': verityIndependent(release()) === true ? true : `the override_creds mount option came with Linux 6.15; this is ${release()}`,
  };
}


/** The kernel overlay adapter. */
export const kernelAdapter: Adapter = {
  name: 'kernel',
  description: 'Linux kernel overlayfs, every relevant option set, privileged and in a user namespace',
  async probe(opts?: ProbeOptions): Promise<AdapterInfo> {
    const av = agentAvailable();
    const reason = !av.ok ? av.reason : !isRoot ? 'mounting overlays needs root (CI runs as root)' : undefined;
    if (reason) return { name: 'kernel', description: this.description, available: false, reason, variants: KERNEL_VARIANTS.map((v) => ({ name: v.name, description: v.description, options: optionMap(v), available: false, reason })) };
    const results = await probeAll(opts);
    const variants: VariantInfo[] = KERNEL_VARIANTS.map((v) => {
      const r = results.get(v.name);
      return { name: v.name, description: v.description, options: optionMap(v), available: r?.ok === true, ...(r && !r.ok ? { reason: r.reason } : r ? {} : { reason: NOT_PROBED }) };
    });
    return { name: 'kernel', description: this.description, available: true, variants };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    const v = kernelVariant(variant);
    if (!v) throw new Error(`kernel has no variant "${variant}"; variants: ${KERNEL_VARIANTS.map((k) => k.name).join(', ')}`);
    const agent = await startFor(v, opts.workdir);
    try {
      const lowerfs = v.layout === 'xino' ? await mountLowerfs(agent, opts.workdir) : undefined;
      const p = await probeVariant(agent, `${opts.workdir}/probe`, v, lowerfs);
      if (!p.ok) throw new Error(p.reason);
      const probedCaps = await probeCapabilities(agent, opts.workdir);
      return new KernelWorker(agent, opts.workdir, capabilitiesFor(v, probedCaps.capabilities), v, p.fingerprint, lowerfs);
    } catch (e) {
      await agent.kill();
      throw e;
    }
  },
};

function optionMap(v: KernelVariant): Record<string, string> {
  const o: Record<string, string> = Object.fromEntries(v.options.map((x) => (x.includes('=') ? [x.split('=')[0], x.split('=').slice(1).join('=')] : [x, 'on'])));
  if (v.api === 'legacy') o.mount_api = 'legacy';
  if (v.layout !== 'plain') o.layout = v.layout;
  if (v.userns) o.userns = 'on';
  return o;
}

export default kernelAdapter;
