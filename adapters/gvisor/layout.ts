// Where a scenario's layers live inside the gVisor sandbox and the mount(2) string that stacks
// them: everything on one sentry tmpfs mounted at the scenario directory (gVisor takes an upper
// layer only on tmpfs — its gofer cannot make whiteouts — and the lowers sit beside it).

import type { AgentRequest } from '../host/agent.js';

/** Directories and mount arguments of one mounted scenario. */
export interface GvisorLayout {
  /** the scenario directory, a tmpfs of the sentry */
  base: string;
  /** topmost first */
  lowers: string[];
  upper?: string;
  work?: string;
  merged: string;
}

/** Lay out a scenario beneath dir (the scenario directory). */
export function gvisorLayout(dir: string, lowerCount: number, hasUpper: boolean): GvisorLayout {
  return {
    base: dir,
    lowers: Array.from({ length: lowerCount }, (_, i) => `${dir}/l${i}`),
    ...(hasUpper ? { upper: `${dir}/u`, work: `${dir}/w` } : {}),
    merged: `${dir}/m`,
  };
}

/** A layer path as gVisor's option parser takes it: it splits lowerdir at every ':' and knows no escapes. */
function checked(p: string): string {
  if (/[:,]/.test(p)) throw new Error(`gVisor's overlay cannot take a layer path containing ':' or ',': ${p}`);
  return p;
}

/** The overlay's mount options (gVisor parses lowerdir, upperdir and workdir and refuses any other). */
export function layerOptions(lay: Pick<GvisorLayout, 'lowers' | 'upper' | 'work'>, extra: readonly string[] = []): string[] {
  return [
    `lowerdir=${lay.lowers.map(checked).join(':')}`,
    ...(lay.upper ? [`upperdir=${checked(lay.upper)}`] : []),
    ...(lay.upper && lay.work ? [`workdir=${checked(lay.work)}`] : []),
    ...extra,
  ];
}

/** Requests that mount the scenario's tmpfs and make its directories (after the scenario directory exists). */
export function prepareRequests(lay: GvisorLayout): AgentRequest[] {
  const dirs = [...lay.lowers, ...(lay.upper ? [lay.upper] : []), ...(lay.work ? [lay.work] : []), lay.merged];
  return [
    { op: 'mount', args: { fstype: 'tmpfs', source: 'tmpfs', target: lay.base, opt: ['mode=0755'], api: 'legacy' } },
    ...dirs.map((p): AgentRequest => ({ op: 'mkdirp', args: { path: p } })),
  ];
}

/** The request that mounts the overlay (legacy mount(2): gVisor has no fsopen). */
export function overlayMountRequest(lay: GvisorLayout, extra: readonly string[] = []): AgentRequest {
  return { op: 'mount', args: { fstype: 'overlay', source: 'overlay', target: lay.merged, opt: layerOptions(lay, extra), api: 'legacy' } };
}
