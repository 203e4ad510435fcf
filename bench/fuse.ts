// The daemon-backed (FUSE) adapters' rows: one variant of each family on a sample of scenarios,
// run as `ovlconf run` runs them (final state warm and cold, the posix baseline), timed with the
// CPU of the agents and daemons besides this process's, and how many of the CPUs that kept busy:
// far below the CPU count, the time went to waiting (a daemon's start, an unmount), not to work.

import { join } from 'node:path';
import { runAll } from '../engine/orchestrate.js';
import { baselineTarget } from '../results/session.js';
import type { Scenario } from '../language/model.js';
import type { Row } from './ratios.js';
import { benchTarget } from './target.js';
import { treeCpu } from './cli.js';

/** the daemon-backed variants the bench times, one per family */
export const FUSE_ROWS: readonly [string, string][] = [['fuse-overlayfs', 'default'], ['unionfs-fuse', 'default'], ['mergerfs', 'default']];

/** One daemon-backed variant on these scenarios with `jobs` workers, or why it could not run. */
export async function fuseRow(adapterName: string, variant: string, scenarios: Scenario[], jobs: number, workdir: string): Promise<Row | string> {
  const t = await benchTarget(adapterName, variant);
  if (typeof t === 'string') return t;
  const baseline = await baselineTarget([]);
  const c0 = treeCpu();
  const t0 = performance.now();
  const out = await runAll([{ adapter: t.adapter, variant: t.variant }], scenarios, { jobs, workdir, profiles: t.profiles, finalState: true, baseline });
  const seconds = (performance.now() - t0) / 1000;
  const c1 = treeCpu();
  const cpu = c1.self - c0.self + (c1.children - c0.children);
  const runs = out.results.filter((r) => r.verdict !== 'skip').length;
  return {
    what: `${adapterName}/${variant} in-process, ${jobs} jobs, every 5th scenario, final state + posix baseline`, runs, seconds, cpu, target: {},
    note: `CPU includes agents and daemons (${(c1.children - c0.children).toFixed(1)} s of it); ${(cpu / seconds).toFixed(2)} of ${jobs} CPUs busy; ${out.baselineRuns ?? 0} posix oracle runs`,
  };
}

/** Every FUSE row, in order. */
export async function fuseRows(scenarios: Scenario[], jobs: number, workdir: string): Promise<(Row | string)[]> {
  const rows: (Row | string)[] = [];
  for (const [a, v] of FUSE_ROWS) rows.push(await fuseRow(a, v, scenarios, jobs, join(workdir, `fuse-${a}`)));
  return rows;
}
