// Trying a FUSE variant once on tiny layers (shared by the FUSE adapters): whether the daemon
// mounts with these options, what mountinfo shows, and which optional features work through the
// mounted filesystem itself (xattrs, O_TMPFILE, device nodes …), so capabilities are observed.

import type { Capabilities } from '../adapter.js';
import type { Agent } from '../host/agent.js';
import { probeCapabilities } from '../host/capabilities.js';
import { closeAll, mkdirp, rmtree, runOp } from '../host/ops.js';
import { mountAt } from '../kernel/mountinfo.js';
import { startDaemon, stopDaemon } from './daemon.js';
import type { FuseLayout } from './fuseworker.js';

/** What one probe mount showed. */
export type FuseProbe =
  | { ok: true; capabilities: Capabilities; fstype: string; superOptions: string[]; startMs: number; stopMs: number }
  | { ok: false; reason: string };

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
export async function probeFuseMount(agent: Agent, dir: string, argvOf: (lay: FuseLayout) => string[], needsWork: boolean): Promise<FuseProbe> {
  const lay: FuseLayout = { lowers: [`${dir}/l0`], upper: `${dir}/u`, work: needsWork ? `${dir}/w` : undefined, merged: `${dir}/m`, log: `${dir}/daemon.log` };
  try {
    for (const p of [...lay.lowers, lay.upper!, lay.work, lay.merged]) if (p) await mkdirp(agent, p);
    const r = await startDaemon(agent, { argv: argvOf(lay), mountpoint: lay.merged, log: lay.log, timeoutMs: 10_000 });
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
    const s = await stopDaemon(agent, r.daemon);
    if (s.how !== 'fusermount3') return { ok: false, reason: `the probe mount did not unmount cleanly: ${s.detail ?? ''}` };
    return { ok: true, capabilities: probed.capabilities, fstype, superOptions, startMs: r.daemon.startMs, stopMs: s.ms };
  } finally {
    await rmtree(agent, dir).catch(() => undefined);
  }
}
