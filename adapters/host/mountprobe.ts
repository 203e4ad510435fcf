// Trying a daemon-backed variant once on tiny layers (shared by the fuse-overlayfs, unionfs-fuse
// and command adapters): whether the daemon mounts with these options, what mountinfo shows, and
// which optional features work through the mounted filesystem itself (xattrs, O_TMPFILE, device
// nodes …), so capabilities are observed.

import type { Capabilities } from '../adapter.js';
import type { Agent } from './agent.js';
import { probeCapabilities } from './capabilities.js';
import { closeAll, mkdirp, rmtree, runOp } from './ops.js';
import { mountAt } from '../kernel/mountinfo.js';
import { startDaemon, stopDaemon, type DaemonSpec, type StopOptions } from './daemon.js';
import type { DaemonLayout } from './daemonworker.js';

/** What one probe mount showed. */
export type MountProbe =
  | { ok: true; capabilities: Capabilities; fstype: string; statfsType: string; superOptions: string[]; startMs: number; stopMs: number }
  | { ok: false; reason: string };

/** How the probe starts and stops the daemon, when not a FUSE daemon in the foreground. */
export interface ProbeHow {
  start?: Pick<DaemonSpec, 'ready' | 'foreground' | 'env'> & { timeoutMs?: number };
  stop?: StopOptions;
}

/** Whether renameat2 flags reach the filesystem (libfuse 2's high-level API refuses them with EINVAL). */
async function probeRenameFlags(agent: Agent): Promise<true | string> {
  const op = (o: string, args: Record<string, unknown>) => runOp(agent, { op: o as never, args }, 10_000);
  await op('writefile', { path: '.ovlconf-rn', data: new Uint8Array() });
  const r = await op('rename', { from: '.ovlconf-rn', to: '.ovlconf-rn2', flags: ['RENAME_NOREPLACE'] });
  await op('unlink', { path: '.ovlconf-rn' });
  await op('unlink', { path: '.ovlconf-rn2' });
  return r.ok ? true : `renameat2(RENAME_NOREPLACE) failed here with ${'errno' in r ? r.errno : 'an escape'}`;
}

/** Mount the variant once beneath dir (inside the agent's sandbox), probe it, unmount, clean up. */
export async function probeDaemonMount(agent: Agent, dir: string, argvOf: (lay: DaemonLayout) => string[], needsWork: boolean, how: ProbeHow = {}): Promise<MountProbe> {
  const lay: DaemonLayout = { lowers: [`${dir}/l0`], upper: `${dir}/u`, work: needsWork ? `${dir}/w` : undefined, merged: `${dir}/m`, log: `${dir}/daemon.log` };
  try {
    for (const p of [...lay.lowers, lay.upper!, lay.work, lay.merged]) if (p) await mkdirp(agent, p);
    const { timeoutMs, ...start } = how.start ?? {};
    const r = await startDaemon(agent, { argv: argvOf(lay), mountpoint: lay.merged, log: lay.log, timeoutMs: timeoutMs ?? 10_000, ...start });
    if (!r.ok) return { ok: false, reason: r.reason };
    let probed;
    let superOptions: string[] = [];
    let fstype = r.daemon.fstype;
    try {
      const m = mountAt(agent.pid, lay.merged);
      superOptions = m?.superOptions ?? [];
      fstype = m?.fstype ?? fstype;
      probed = await probeCapabilities(agent, lay.merged);
      probed.capabilities.renameat2 = await probeRenameFlags(agent);
    } finally {
      await closeAll(agent);
    }
    const s = await stopDaemon(agent, r.daemon, how.stop);
    if (s.how === 'fallback') return { ok: false, reason: `the probe mount did not unmount cleanly: ${s.detail ?? ''}` };
    return { ok: true, capabilities: probed.capabilities, fstype, statfsType: probed.fstype, superOptions, startMs: r.daemon.startMs, stopMs: s.ms };
  } finally {
    await rmtree(agent, dir).catch(() => undefined);
  }
}
