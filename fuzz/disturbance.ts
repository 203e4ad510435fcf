// Another process's drop_caches while a case runs. On a shared machine (this one: about two a
// second from other people's suites) the kernel then evicts the overlay's unused dentries and
// inodes between two steps, and what the overlay keeps only in a cached inode changes: the link
// count of a file copied up through the index with nfs_export=on (1 cached, the upper's 2 once
// evicted), the number of a directory on layers of different filesystems. No oracle can know
// when that happened. /proc/vmstat counts every drop (drop_slab), so a case during which it grew
// by more than the case's own drops was disturbed, and a disagreement in it is run again.

import { readFileSync } from 'node:fs';
import type { RunRecord } from '../engine/classify.js';

/** How often a disagreeing case that was disturbed is run again before its verdict stands. */
export const MAX_RERUNS = 3;

/** drop_slab of /proc/vmstat (drop_caches writes of 2 or 3 since boot), or undefined where unreadable. */
export function dropCount(read: () => string = () => readFileSync('/proc/vmstat', 'utf8')): number | undefined {
  try {
    const m = /^drop_slab (\d+)$/m.exec(read());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The drops a run made itself: each dropCaches step and read/pread with dropCaches that succeeded. */
export function ownDrops(r: RunRecord): number {
  return r.steps.filter((x) => x.outcome.ok && (x.step.op === 'dropCaches' || ((x.step.op === 'read' || x.step.op === 'pread') && (x.step.args as { dropCaches?: boolean }).dropCaches))).length;
}

/** Whether caches were dropped by someone else between `before` and `after`, given the runs of the sides that drop for real. */
export function disturbed(before: number | undefined, after: number | undefined, droppers: RunRecord[]): boolean {
  if (before === undefined || after === undefined) return false;
  return after - before > droppers.reduce((n, r) => n + ownDrops(r), 0);
}
