// More overlays during a scenario (the mountOverlay op): nested on the merged view, over the
// scenario's lower layers with a fresh upper, over the same upper, or with an upper on a
// filesystem of the scenario's choosing (ramfs: no xattrs; a small tmpfs). Each mount is
// recorded so teardown undoes it, outermost first.

import { relative } from 'node:path';
import type { OpResult } from '../adapter.js';
import type { Agent, AgentRequest } from '../host/agent.js';
import { mkdirp, mount } from '../host/ops.js';
import { kmsgMark, overlayLogSince } from './kmsg.js';
import { layerOptions, type LayerSyntax, type Layout } from './layout.js';
import { withOptions, type KernelVariant } from './variants.js';

/** What the stacked mounts need from the worker. */
export interface StackContext {
  agent: Agent;
  variant: KernelVariant;
  syntax: LayerSyntax;
  lay: Layout;
  /** the scenario directory (new directories go beneath it) */
  dir: string;
  /** where the scenario's root is mounted now (the first overlay, or the last stacked one) */
  top: string;
  /** a number unique within the scenario, for directory names */
  n: number;
}

/** The result of one mountOverlay, and the targets teardown must unmount (in order). */
export interface Stacked {
  result: OpResult;
  merged?: string;
  mounts: string[];
}

/** The arguments of the mountOverlay op (language/ops.ts). */
export interface StackArgs {
  lower?: unknown;
  upper?: unknown;
  work?: unknown;
  upperfs?: unknown;
  size?: unknown;
  dataLayers?: unknown;
  options?: unknown;
  mounter?: unknown;
  stash?: unknown;
  names?: unknown;
  syntax?: unknown;
}

const esc = (p: string) => p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/,/g, '\\,');

/** The lower layer options for scenario-chosen names (relative to the new mount's directory, its cwd) in one syntax. */
export function namedLowerOptions(names: string[], syntax: string, base: string): string[] {
  switch (syntax) {
    case 'lowerdir+': return names.map((n) => `lowerdir+=${base}/${n}`);
    case 'unescaped': return [`lowerdir=${names.join(':')}`];
    case 'leading-colon': return [`lowerdir=:${names.map(esc).join(':')}`];
    case 'trailing-colon': return [`lowerdir=${names.map(esc).join(':')}:`];
    default: return [`lowerdir=${names.map(esc).join(':')}`];
  }
}

/** The layer options with the bottom `data` lowers as data-only layers (datadir+ or '::'). */
function withDataLayers(c: StackContext, lowers: string[], data: number, upper?: string, work?: string, cwd?: string): string[] {
  const plain = layerOptions(c.variant, lowers.slice(0, lowers.length - data), upper, work, c.syntax, cwd);
  if (c.variant.api === 'new' && c.syntax === 'lowerdir+') {
    const ul = plain.filter((o) => !o.startsWith('lowerdir+='));
    return [...plain.filter((o) => o.startsWith('lowerdir+=')), ...lowers.slice(lowers.length - data).map((d) => `datadir+=${d}`), ...ul];
  }
  return plain.map((o) => (o.startsWith('lowerdir=') ? `${o}::${lowers.slice(lowers.length - data).map((d) => esc(cwd ? relative(cwd, d) : d)).join('::')}` : o));
}

/** Mount one more overlay as the op describes; a refusal is the step's errno with the kernel's reason. */
export async function mountStacked(c: StackContext, a: StackArgs): Promise<Stacked> {
  const base = `${c.dir}/s${c.n}`;
  const mounts: string[] = [];
  const upperMode = String(a.upper ?? 'new');
  const workMode = String(a.work ?? 'beside');
  const upperfs = String(a.upperfs ?? 'same');
  const lowers = a.lower === 'merged' ? [c.top] : c.lay.lowers;
  let upper: string | undefined;
  let work: string | undefined;
  const made: AgentRequest[] = [{ op: 'mkdirp', args: { path: `${base}/m` } }];
  if (upperMode === 'same') {
    if (!c.lay.upper || !c.lay.work) return { result: { ok: false, skip: 'this scenario\'s overlay has no upper to share' }, mounts };
    upper = c.lay.upper;
    work = c.lay.work;
  } else if (upperMode === 'new') {
    let root = base;
    if (upperfs !== 'same') {
      root = `${base}/fs`;
      await mkdirp(c.agent, root);
      const opt = upperfs === 'tmpfs' && a.size !== undefined ? [`size=${Number(a.size)}`] : [];
      const r = await mount(c.agent, { fstype: upperfs, source: upperfs, target: root, options: opt, api: 'legacy' });
      if (!r.ok) return { result: { ok: false, errno: 'EIO', message: `cannot mount the ${upperfs} for the new upper: ${r.errno}` }, mounts };
      mounts.push(root);
    }
    upper = `${root}/u`;
    work = `${root}/w`;
    made.push({ op: 'mkdirp', args: { path: upper } }, { op: 'mkdirp', args: { path: work } });
  }
  if (upper && workMode === 'inside-upper') {
    work = `${upper}/work`;
    made.push({ op: 'mkdirp', args: { path: work } });
  } else if (upper && workMode === 'other-fs') {
    const wfs = `${base}/wfs`;
    await mkdirp(c.agent, wfs);
    const r = await mount(c.agent, { fstype: 'tmpfs', source: 'tmpfs', target: wfs, options: [], api: 'legacy' });
    if (!r.ok) return { result: { ok: false, errno: 'EIO', message: `cannot mount the tmpfs for the work directory: ${r.errno}` }, mounts };
    mounts.push(wfs);
    work = `${wfs}/w`;
    made.push({ op: 'mkdirp', args: { path: work } });
  }
  const replies = await c.agent.pipeline(made);
  if (replies.some((r) => r.kind !== 'ok')) return { result: { ok: false, errno: 'EIO', message: 'cannot create the new mount\'s directories' }, mounts };
  const names = Array.isArray(a.names) ? (a.names as string[]) : undefined;
  if (names && names.length !== lowers.length)
    return { result: { ok: false, skip: `names gives ${names.length} layer names for the new mount's ${lowers.length} lower layers` }, mounts };
  if (names && c.variant.api !== 'new') return { result: { ok: false, skip: 'scenario-chosen layer names are written in the new mount API\'s keys (this variant mounts with mount(2))' }, mounts };
  if (a.mounter !== undefined && c.variant.api !== 'new') return { result: { ok: false, skip: 'whose credentials are stashed is chosen through the new mount API (fsconfig create or override_creds); this variant mounts with mount(2)' }, mounts };
  let cwd = c.syntax === 'lowerdir' && c.variant.api === 'new' ? c.dir : undefined;
  const data = a.dataLayers === undefined ? 0 : Number(a.dataLayers);
  if (data > 0 && (a.lower === 'merged' || data >= lowers.length))
    return { result: { ok: false, skip: 'data-only layers are the bottom lowers of the scenario\'s own layers, below at least one regular lower' }, mounts };
  let layerOpts: string[];
  if (names) {
    // each name a symlink in the new mount's directory to its layer; the names relative to it (its cwd)
    const links = await c.agent.pipeline([{ op: 'root', args: { path: base } }, ...names.map((n, i): AgentRequest => ({ op: 'symlink', args: { target: lowers[i], path: n } }))]);
    if (links.some((r) => r.kind !== 'ok')) return { result: { ok: false, errno: 'EIO', message: 'cannot create the named layer links' }, mounts };
    cwd = base;
    const ul = layerOptions(c.variant, [], upper, work, 'lowerdir+').filter((o) => !o.startsWith('lowerdir'));
    layerOpts = [...namedLowerOptions(names, String(a.syntax ?? 'lowerdir'), base), ...ul];
  } else layerOpts = data > 0 ? withDataLayers(c, lowers, data, upper, work, cwd) : layerOptions(c.variant, lowers, upper, work, c.syntax, cwd, a.lower === 'merged' ? [] : c.lay.data);
  // the scenario's layers carry their private xattrs in the variant's namespace (user.overlay.* with userxattr)
  const own = withOptions([], a.options as Record<string, string> | undefined);
  const ns = c.variant.xattrNs === 'user' && !own.some((o) => o.startsWith('userxattr')) ? ['userxattr'] : [];
  const options = [...layerOpts, ...own, ...ns];
  const mark = kmsgMark();
  const target = `${base}/m`;
  const creator = a.mounter === undefined ? undefined : { uid: Number(a.mounter), via: a.stash === 'override_creds' ? ('override' as const) : ('create' as const) };
  const r = await mount(c.agent, { fstype: 'overlay', source: 'overlay', target, options, api: c.variant.api, cwd, creator }, 60_000);
  if (!r.ok) {
    const log = overlayLogSince(mark);
    return { result: { ok: false, errno: r.errno, message: log ? `${r.message ?? r.errno}; kernel log: ${log}` : r.message }, mounts };
  }
  // the overlay goes before the filesystems beneath its upper in the unmount order
  return { result: { ok: true }, merged: target, mounts: [target, ...mounts] };
}
