// The `gvisor` adapter: gVisor's own overlay (the sentry's, which backs its rootfs overlay), run
// where it exists — inside a runsc sandbox. The agent is the sandbox's init; each scenario's
// layers sit on a sentry tmpfs and are stacked with mount -t overlay inside the sandbox.

import { release } from 'node:os';
import type { Adapter, AdapterInfo, Capabilities, Fingerprint, ProbeOptions, Worker, WorkerOptions } from '../adapter.js';
import { agentAvailable, type Agent, type AgentRequest } from '../host/agent.js';
import { execCapability, probeCapabilities } from '../host/capabilities.js';
import { closeAll, runOp } from '../host/ops.js';
import { probeOnce } from '../host/probeonce.js';
import { firstFailure } from '../host/worker.js';
import { getText } from '../host/wire.js';
import { gvisorLayout, overlayMountRequest, prepareRequests } from './layout.js';
import { runscArgv, runscMissing, runscVersion, startSandboxAgent } from './runsc.js';
import { GvisorWorker } from './worker.js';

/** What a probe mount showed. */
type Probe = { ok: true; capabilities: Capabilities; syscalls: Capabilities; statfsType: string; statx: string } | { ok: false; reason: string };

/** Why the adapter cannot run here before trying runsc, or undefined. */
function unavailable(): string | undefined {
  const av = agentAvailable();
  if (!av.ok) return av.reason;
  return runscMissing();
}

/**
 * Mount a tiny overlay beneath dir inside the sandbox (a lower file hidden by a lower-layer
 * whiteout, an upper), check the whiteout hides it, and try the optional features through it.
 */
export async function probeSandbox(agent: Agent, dir: string): Promise<Probe> {
  const lay = gvisorLayout(`${dir}/p`, 2, true);
  const reqs: AgentRequest[] = [
    { op: 'mkdirp', args: { path: lay.base } },
    ...prepareRequests(lay),
    { op: 'root', args: { path: lay.lowers[1] } },
    { op: 'writefile', args: { path: 'hidden', data: new Uint8Array([1]), mode: 0o644 } },
    { op: 'root', args: { path: lay.lowers[0] } },
    { op: 'mknod', args: { path: 'hidden', type: 'chr', major: 0, minor: 0, mode: 0 } },
    overlayMountRequest(lay),
  ];
  const replies = await agent.pipeline(reqs, { timeoutMs: 30_000 });
  try {
    const bad = firstFailure(reqs, replies);
    if (bad) return { ok: false, reason: `a probe overlay could not be mounted inside the sandbox: ${bad}` };
    const ping = await agent.request('ping', {});
    await agent.request('root', { path: lay.merged });
    const hidden = await runOp(agent, { op: 'lstat', args: { path: 'hidden' } }, 10_000);
    if (hidden.ok || !('errno' in hidden) || hidden.errno !== 'ENOENT') return { ok: false, reason: `a lower char 0/0 whiteout did not hide its name through gVisor's overlay (lstat gave ${hidden.ok ? 'a file' : String((hidden as { errno?: string }).errno)})` };
    const probed = await probeCapabilities(agent, lay.merged);
    const syscalls = await probeSyscalls(agent);
    await closeAll(agent);
    return { ok: true, capabilities: probed.capabilities, syscalls, statfsType: probed.fstype, statx: getText(ping.fields, 'statx') ?? 'unknown' };
  } finally {
    await agent.pipeline([{ op: 'closeall' }, { op: 'umount', args: { target: lay.merged, detach: true } }, { op: 'umount', args: { target: lay.base, detach: true } }, { op: 'rmtree', args: { path: lay.base } }], { timeoutMs: 30_000 }).catch(() => undefined);
  }
}

/**
 * The calls the sentry may not implement at all, tried once through the mounted overlay (the
 * agent's root): copy_file_range, FS_IOC_GETFLAGS and an OFD lock. A call the sentry lacks makes
 * its capability absent with the errno seen; one it has is left to the scenarios.
 */
export async function probeSyscalls(agent: Agent): Promise<Capabilities> {
  const op = (o: string, args: Record<string, unknown>) => runOp(agent, { op: o as never, args }, 10_000);
  const fdOf = (r: Awaited<ReturnType<typeof op>>) => (r.ok && r.value && 'fd' in r.value ? r.value.fd : undefined);
  const errnoOf = (r: Awaited<ReturnType<typeof op>>) => (r.ok ? undefined : 'errno' in r ? String(r.errno) : 'an error');
  await op('writefile', { path: '.ovlconf-sys', data: new Uint8Array([1, 2, 3, 4]), mode: 0o644 });
  const a = fdOf(await op('open', { path: '.ovlconf-sys', flags: ['O_RDWR'] }));
  const b = fdOf(await op('open', { path: '.ovlconf-sys2', flags: ['O_RDWR', 'O_CREAT'], mode: 0o644 }));
  const out: Capabilities = {};
  if (a !== undefined && b !== undefined) {
    const cfr = errnoOf(await op('copyFileRange', { in: a, out: b, length: 4, inOffset: 0, outOffset: 0 }));
    if (cfr === 'ENOSYS') out['range-ops'] = `gVisor does not implement copy_file_range (ENOSYS here), so the range ops cannot be compared`;
    const flags = errnoOf(await op('getflags', { fd: a }));
    if (flags === 'ENOTTY' || flags === 'ENOSYS' || flags === 'EINVAL') out['inode-flags'] = `gVisor does not implement FS_IOC_GETFLAGS (${flags} here): no chattr flags`;
    const ofd = errnoOf(await op('lock', { fd: a, cmd: 'F_OFD_SETLK', type: 'F_RDLCK', start: 0, len: 1 }));
    if (ofd === 'EINVAL' || ofd === 'ENOSYS') out['fcntl-lock'] = `gVisor refuses open file description locks (F_OFD_SETLK: ${ofd} here)`;
  }
  for (const fd of [a, b]) if (fd !== undefined) await op('close', { fd });
  await op('unlink', { path: '.ovlconf-sys' });
  await op('unlink', { path: '.ovlconf-sys2' });
  return out;
}

/** Capabilities: what the probe observed through the mount, and what gVisor's overlay has not. */
export function gvisorCapabilities(probed: Capabilities, statfsType: string, syscalls: Capabilities = {}): Capabilities {
  const noOpts = 'gVisor\'s overlay parses only lowerdir, upperdir and workdir and refuses any other option with EINVAL (pkg/sentry/fsimpl/overlay/overlay.go, GetFilesystem)';
  return {
    ...probed,
    'layer-state': true, whiteout: true, opaque: true, 'multi-lower': true, 'no-upper': true, 'many-lower': true, remount: true, 'layer-edit': true,
    'origin-index': 'gVisor\'s overlay keeps no overlay.origin and no inodes index (workdir is only created, never used)',
    redirect: 'gVisor\'s overlay neither writes nor follows overlay.redirect (renaming a lower directory copies its whole subtree up)',
    'data-only-lowers': 'gVisor\'s overlay has no data-only lower layers (no lowerdir+/datadir+ or "::"): every lowerdir is looked up by name',
    metacopy: 'gVisor\'s overlay has no metacopy: copy-up always copies the data',
    'xattr-whiteout': 'gVisor\'s overlay knows only char 0/0 whiteouts, not the xattr whiteouts of Linux 6.7',
    'overlay-magic': statfsType === 'overlay' ? true : `statfs through gVisor's overlay reports ${statfsType}, not the overlayfs magic 0x794c7630`,
    'mount-options': noOpts,
    mountinfo: 'the sandbox\'s /proc/self/mountinfo lists an overlay without its options ("overlay none rw"): nothing to read back',
    reconfigure: noOpts,
    'range-ops': true, 'inode-flags': true, 'file-handles': true,
    ...syscalls,
    'overlay-stacking': 'stacking overlays is exercised on the kernel adapter; this adapter mounts one overlay per scenario',
    'verity-independent': 'gVisor\'s overlay has no verity option',
    'verity-needs-metacopy': 'gVisor\'s overlay has no verity option',
    atime: 'gVisor\'s tmpfs and overlay follow relatime, not strictatime',
    exec: execCapability(),
    inotify: true,
  };
}

function fingerprintOf(p: Extract<Probe, { ok: true }>): Fingerprint {
  const v = runscVersion();
  return {
    implementation: 'gvisor',
    ...(v.version ? { version: v.version } : {}),
    options: { platform: 'ptrace', upper: 'tmpfs', lowers: 'tmpfs' },
    details: { runsc: v.text, argv: runscArgv().join(' '), hostKernel: release(), statfsType: p.statfsType, agentStatx: p.statx },
  };
}

const VARIANT = { name: 'default', description: 'gVisor\'s overlay (mount -t overlay inside runsc --platform=ptrace), layers on a sentry tmpfs' };

const probeAll = probeOnce<typeof VARIANT, Probe>({
  prefix: 'ovlconf-gvprobe-',
  variants: () => [VARIANT],
  start: async (_v, dir) => startSandboxAgent(dir),
  probe: (agent, _v, dir) => probeSandbox(agent, dir),
  refused: (reason) => ({ ok: false, reason: `runsc could not run the agent: ${reason}` }),
});

/** The gVisor adapter. */
export const gvisorAdapter: Adapter = {
  name: 'gvisor',
  description: 'gVisor (runsc, ptrace platform): the sentry\'s own overlay, mounted and exercised inside the sandbox',
  async probe(opts?: ProbeOptions): Promise<AdapterInfo> {
    const reason = unavailable();
    const options = { platform: 'ptrace' };
    if (reason) return { name: this.name, description: this.description, available: false, reason, variants: [{ ...VARIANT, options, available: false, reason }] };
    const r = (await probeAll(opts)).get(VARIANT.name);
    const why = r && !r.ok ? r.reason : undefined;
    return { name: this.name, description: this.description, available: why === undefined, ...(why ? { reason: why } : {}), variants: [{ ...VARIANT, options, available: why === undefined, ...(why ? { reason: why } : {}) }] };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    if (variant !== VARIANT.name) throw new Error(`gvisor has no variant "${variant}"; variants: ${VARIANT.name}`);
    const agent = await startSandboxAgent(opts.workdir);
    try {
      const p = await probeSandbox(agent, opts.workdir);
      if (!p.ok) throw new Error(p.reason);
      return new GvisorWorker(agent, opts.workdir, gvisorCapabilities(p.capabilities, p.statfsType, p.syscalls), fingerprintOf(p));
    } catch (e) {
      const w = new GvisorWorker(agent, opts.workdir, {}, { implementation: 'gvisor', options: {} });
      await w.kill();
      throw e;
    }
  },
};

export default gvisorAdapter;
