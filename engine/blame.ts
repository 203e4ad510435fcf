// Who is to blame when a run could not be judged to the end: the implementation (it crashed: a
// fail, with the cause) or the harness (a hang, a dead agent, a full scratch filesystem: an
// error naming the cause). A verdict must never blame the implementation for the machine.

import { statfsSync } from 'node:fs';
import { ImplementationCrashed } from '../adapters/adapter.js';
import type { Fault, RunRecord } from './judge.js';

/** What a worker's exception says about who failed; `who` names the variant ("kernel/default"). */
export function faultOf(e: unknown, record: RunRecord, who: string, timedOut: boolean): Fault {
  const msg = (e as Error)?.message ?? String(e);
  if (e instanceof ImplementationCrashed) {
    const last = record.steps.length - 1;
    const r = record.steps[last];
    const at = r ? ` in step ${r.step.index + 1} (${r.step.op}, line ${r.step.line})` : '';
    return { party: 'implementation', message: `the implementation crashed${at}: ${msg}`, ...(r && r.judgement.kind !== 'posix' ? { step: last } : {}) };
  }
  if (timedOut) return { party: 'harness', message: `${who} stopped answering: ${msg}; the worker was killed and replaced` };
  return { party: 'harness', message: `the harness's worker for ${who} failed: ${msg}` };
}

/** errnos that mean "no space" (of the implementation's storage, or of the scratch filesystem under it) */
export const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * When the scratch filesystem the layers live on is full, why, in words: what a step saw is then
 * the machine's doing, not the implementation's. `noSpace`: the step answered ENOSPC or EDQUOT,
 * which only a scratch filesystem with ample room (64 MiB and 5 % free) leaves to the
 * implementation, since a failed copy-up frees what it took before anyone can look. Without it,
 * only a filesystem that is full right now (under 1 MiB or 1 % free, or out of inodes) is blamed.
 * Undefined when there is room.
 */
export function scratchFull(dir: string | undefined, noSpace = false): string | undefined {
  if (!dir) return undefined;
  let st;
  try {
    st = statfsSync(dir);
  } catch {
    return undefined;
  }
  const free = st.bavail * st.bsize;
  const size = st.blocks * st.bsize;
  const share = size > 0 ? free / size : 1;
  const lowSpace = noSpace ? free < 64 * 1024 * 1024 || share < 0.05 : free < 1024 * 1024 || share < 0.01;
  const lowInodes = st.files > 0 && (noSpace ? st.ffree < 1024 : st.ffree < 16);
  if (!lowSpace && !lowInodes) return undefined;
  const what = lowSpace ? `${Math.floor(free / 1024)} KiB free of ${Math.floor(size / 1024)} KiB` : `${st.ffree} inodes free`;
  return `the scratch filesystem is ${noSpace ? 'too small' : 'full'} (${dir}: ${what}): free space there or choose another with --workdir`;
}
