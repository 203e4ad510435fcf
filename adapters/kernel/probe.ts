// Trying a variant's options on tiny layers: whether the kernel accepts them (and its reason
// when not), and the effective options it reports — the variant's fingerprint.

import { imageMountRequest, imageToolMissing, packImage } from './images.js';
import { getText } from '../host/wire.js';
import { release } from 'node:os';
import type { Fingerprint } from '../adapter.js';
import type { Agent } from '../host/agent.js';
import { cacheDropReach, FS_MAGIC } from '../host/capabilities.js';
import { mkdirp, mount, rmtree, runOp, setRoot, umount, tmpfs } from '../host/ops.js';
import { layout, type LayerSyntax } from './layout.js';
import { effectiveOptions, moduleParams, mountAt } from './mountinfo.js';
import type { KernelVariant } from './variants.js';

export type ProbeResult = { ok: true; fingerprint: Fingerprint } | { ok: false; reason: string };

async function fsType(agent: Agent, dir: string): Promise<string> {
  await setRoot(agent, dir);
  const r = await runOp(agent, { op: 'statfs', args: { path: '.' } }, 10_000);
  const t = r.ok && r.value && 'statfs' in r.value ? r.value.statfs.type : 'unknown';
  return FS_MAGIC[t] ?? t;
}

/**
 * Mount the variant once in `dir` (beneath the agent's sandbox) and read what the kernel made of
 * it; a kernel without `lowerdir+` (before 6.8) is tried again with one `lowerdir=` string.
 */
export async function probeVariant(agent: Agent, dir: string, v: KernelVariant, lowerfs?: string): Promise<ProbeResult> {
  const noTool = v.lowerImage ? imageToolMissing(v.lowerImage) : undefined;
  if (noTool) return { ok: false, reason: noTool };
  if (v.lowerImage) {
    const why = await probeImage(agent, dir, v.lowerImage);
    if (why) return { ok: false, reason: why };
  }
  const first = await probeWith(agent, dir, v, lowerfs, 'lowerdir+');
  // kernels that parse overlay options the legacy way (before 6.5) refuse lowerdir+ only at
  // FSCONFIG_CMD_CREATE, with the reason in dmesg: any refusal is worth the other form
  if (first.ok || v.api !== 'new') return first;
  const second = await probeWith(agent, dir, v, lowerfs, 'lowerdir');
  return second.ok ? second : { ok: false, reason: `${first.reason}; with lowerdir= instead: ${second.reason}` };
}

/** Pack a one-file lower as `kind` and mount it the way the worker will: the kernel's or the agent's reason when that fails. */
async function probeImage(agent: Agent, dir: string, kind: 'erofs' | 'squashfs'): Promise<string | undefined> {
  const src = `${dir}/img-src`;
  const target = `${dir}/img-m`;
  const img = `${dir}/img.${kind}`;
  try {
    await mkdirp(agent, src);
    await mkdirp(agent, target);
    await agent.pipeline([{ op: 'writefile', args: { path: `${src}/f`, data: 'x' } }]);
    try {
      await packImage(kind, src, img);
    } catch (e) {
      return `packing a one-file lower as ${kind} failed: ${(e as Error & { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`;
    }
    const [r] = await agent.pipeline([imageMountRequest(kind, img, target)]);
    if (r.kind !== 'ok') return `a ${kind} image could not be mounted: ${r.errno ?? r.kind}${getText(r.fields, 'msg') ? ` (${getText(r.fields, 'msg')})` : ''}`;
    await umount(agent, target);
    return undefined;
  } finally {
    await umount(agent, target, { detach: true }).catch(() => undefined);
    await rmtree(agent, dir).catch(() => undefined);
  }
}

/** probeVariant with a fixed way of naming layers (tests use it to check both forms) */
export async function probeWith(agent: Agent, dir: string, v: KernelVariant, lowerfs: string | undefined, syntax: LayerSyntax): Promise<ProbeResult> {
  const lay = layout(v, dir, 'probe', 2, true, lowerfs, syntax);
  try {
    for (const rq of lay.prepare) if (rq.op === 'mkdirp') await mkdirp(agent, String(rq.args!.path));
    const rest = lay.prepare.filter((rq) => rq.op !== 'mkdirp');
    if (rest.length) {
      const replies = await agent.pipeline(rest);
      if (replies.some((r) => r.kind !== 'ok')) return { ok: false, reason: 'cannot prepare the probe layout' };
    }
    const r = await mount(agent, { fstype: 'overlay', source: 'overlay', target: lay.merged, options: [...lay.layerOptions, ...v.options], api: v.api, cwd: lay.cwd });
    if (!r.ok) return { ok: false, reason: `the kernel refused ${v.options.join(',') || 'the mount'}: ${r.errno}${r.message ? ` (${r.message})` : ''}` };
    const m = mountAt(agent.pid, lay.merged);
    const params = moduleParams();
    const fingerprint: Fingerprint = {
      implementation: 'kernel',
      version: release(),
      options: effectiveOptions(m?.superOptions ?? [], params),
      details: {
        variant: v.name,
        superOptions: (m?.superOptions ?? []).filter((o) => !/^(lowerdir|upperdir|workdir)/.test(o)),
        moduleParameters: params,
        mountApi: v.api,
        layerSyntax: v.api === 'new' ? syntax : 'lowerdir',
        layout: v.layout,
        lowerFs: await fsType(agent, lay.lowers[0]),
        upperFs: lay.upper ? await fsType(agent, lay.upper) : null,
        ...(r.log ? { kernelLog: r.log } : {}),
        userNamespace: agent.info.ns === 'userns',
        cacheDrop: cacheDropReach(agent.info),
      },
    };
    await umount(agent, lay.merged);
    return { ok: true, fingerprint };
  } finally {
    await umount(agent, lay.merged, { detach: true }).catch(() => undefined);
    await rmtree(agent, dir).catch(() => undefined);
    for (const c of lay.cleanup) await rmtree(agent, c).catch(() => undefined);
  }
}

/** Mount the tmpfs the xino variant keeps its lower layers on. */
export async function mountLowerfs(agent: Agent, dir: string): Promise<string> {
  const p = `${dir}/lowerfs`;
  await mkdirp(agent, p);
  await tmpfs(agent, p);
  return p;
}
