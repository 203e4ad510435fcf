// Where a scenario's layers live for a kernel variant and the options that mount them.

import { relative } from 'node:path';
import type { AgentRequest } from '../host/agent.js';
import { dockerLayout } from './docker.js';
import type { KernelVariant } from './variants.js';

/** Directories and mount arguments of one mounted scenario. */
export interface Layout {
  lowers: string[];
  /** data-only lower layers (plain directories, also under the image variants: the composefs layout) */
  data: string[];
  upper?: string;
  work?: string;
  merged: string;
  /** the layer options (lowerdir…, upperdir, workdir), without the variant's own */
  layerOptions: string[];
  cwd?: string;
  /** directory-creating requests to run before the layers are written */
  prepare: AgentRequest[];
  /** extra directories to delete at teardown (outside the scenario directory) */
  cleanup: string[];
}

/**
 * How layers are named to the kernel: one `lowerdir+=` per layer (Linux 6.8+), or one
 * `lowerdir=a:b:…` string — with the new mount API each value is capped at 255 bytes
 * (fs/fsopen.c), so that form names the layers relative to the scenario directory.
 */
export type LayerSyntax = 'lowerdir+' | 'lowerdir';

/** Options naming the layers, in the form the variant's mount call takes; `data` are data-only lowers (datadir+, or after '::'). */
export function layerOptions(v: KernelVariant, lowers: string[], upper?: string, work?: string, syntax: LayerSyntax = 'lowerdir+', cwd?: string, data: string[] = []): string[] {
  const name = (p: string) => (cwd && syntax === 'lowerdir' && v.api === 'new' ? relative(cwd, p) : p);
  const ul = upper && work ? [`upperdir=${name(upper)}`, `workdir=${name(work)}`] : [];
  if (v.api === 'new' && syntax === 'lowerdir+') return [...lowers.map((l) => `lowerdir+=${l}`), ...data.map((d) => `datadir+=${d}`), ...ul];
  const esc = (p: string) => p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/,/g, '\\,');
  return [`lowerdir=${[lowers.map((l) => esc(name(l))).join(':'), ...data.map((d) => esc(name(d)))].join('::')}`, ...ul];
}

/** Lay out a scenario: `dir` is the scenario directory, `lowerfs` the xino tmpfs (if any). */
export function layout(v: KernelVariant, dir: string, runId: string, lowerCount: number, hasUpper: boolean, lowerfs?: string, syntax: LayerSyntax = 'lowerdir+', dataCount = 0): Layout {
  if (v.layout === 'docker') {
    const d = dockerLayout(dir, runId, lowerCount, hasUpper);
    return {
      lowers: d.lowers, data: [], upper: hasUpper ? d.upper : undefined, work: hasUpper ? d.work : undefined, merged: d.merged,
      layerOptions: d.options, cwd: d.root, prepare: d.prepare, cleanup: [],
    };
  }
  const base = v.layout === 'xino' && lowerfs ? `${lowerfs}/${runId}` : dir;
  const lowers = Array.from({ length: lowerCount }, (_, i) => `${base}/l${i}`);
  const data = Array.from({ length: dataCount }, (_, i) => `${base}/d${i}`);
  const upper = hasUpper ? `${dir}/u` : undefined;
  const work = hasUpper ? `${dir}/w` : undefined;
  const merged = `${dir}/m`;
  const mk = (p: string): AgentRequest => ({ op: 'mkdirp', args: { path: p } });
  return {
    lowers, data, upper, work, merged,
    layerOptions: layerOptions(v, lowers, upper, work, syntax, dir, data),
    cwd: syntax === 'lowerdir' && v.api === 'new' ? dir : undefined,
    prepare: [...lowers, ...data, ...(upper ? [upper] : []), ...(work ? [work] : []), merged].map(mk),
    cleanup: base !== dir ? [base] : [],
  };
}
