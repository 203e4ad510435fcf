// Probing every variant of a host adapter once per process (shared by the kernel, fuse-overlayfs,
// unionfs-fuse and command adapters): one agent per variant in a temporary directory, the
// adapter's own probe, the agent closed and the directory removed; a variant whose probe throws
// is recorded as refused with the error's message, never thrown. The directory lies under the
// run's --workdir and names its owner (scratch.ts); an interrupt kills the agent at once, and
// the probe throws ProbeInterrupted and is not remembered.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeOptions } from '../adapter.js';
import type { Agent } from './agent.js';
import { makeScratch } from './scratch.js';

/** How to probe the variants of one adapter. */
export interface ProbeOnceSpec<V extends { name: string }, R> {
  /** prefix of the temporary directory (e.g. "ovlconf-kprobe-") */
  prefix: string;
  variants: () => readonly V[];
  /** start the variant's agent with its sandbox at dir (the directory may not exist yet) */
  start: (v: V, dir: string) => Promise<Agent>;
  /** probe the variant on the agent; dir is the agent's sandbox */
  probe: (agent: Agent, v: V, dir: string) => Promise<R>;
  /** the result recorded for a variant whose start or probe threw */
  refused: (reason: string) => R;
}

/** why a variant is unavailable when the probe was asked for others only */
export const NOT_PROBED = 'not probed: the run asked for other variants';

/** a variant name as a directory name */
export const dirName = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/** A probe stopped by the run's interrupt: nothing was decided about the variants. */
export class ProbeInterrupted extends Error {
  override name = 'ProbeInterrupted';
}

/**
 * Make a function that probes each variant the first time it is asked for (every variant, or
 * `opts.variants`: a run of one variant need not start an agent for each of the others) and then
 * answers from what was probed; the map holds every variant probed so far.
 */
export function probeOnce<V extends { name: string }, R>(spec: ProbeOnceSpec<V, R>): (opts?: ProbeOptions) => Promise<Map<string, R>> {
  const done = new Map<string, R>();
  // one probe at a time: a second caller waits, then probes only what is still missing
  let queue: Promise<unknown> = Promise.resolve();
  return (opts = {}) => {
    const run = queue.then(async () => {
      const todo = spec.variants().filter((v) => !done.has(v.name) && (!opts.variants || opts.variants.includes(v.name)));
      // an interrupted probe decided nothing: none of its results is kept
      if (todo.length) for (const [name, r] of await probeAll(spec, opts, todo)) done.set(name, r);
      return done;
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

async function probeAll<V extends { name: string }, R>(spec: ProbeOnceSpec<V, R>, opts: ProbeOptions, variants: readonly V[]): Promise<Map<string, R>> {
  const out = new Map<string, R>();
  const { signal } = opts;
  if (signal?.aborted) throw new ProbeInterrupted('interrupted before probing');
  const base = makeScratch(spec.prefix, opts.workdir);
  let agent: Agent | undefined;
  const onAbort = () => void agent?.kill();
  signal?.addEventListener('abort', onAbort);
  try {
    for (const v of variants) {
      if (signal?.aborted) break;
      const dir = join(base, dirName(v.name));
      try {
        agent = await spec.start(v, dir);
        if (signal?.aborted) break;
        out.set(v.name, await spec.probe(agent, v, dir));
      } catch (e) {
        out.set(v.name, spec.refused((e as Error).message));
      } finally {
        await agent?.close();
        agent = undefined;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await agent?.kill();
    rmSync(base, { recursive: true, force: true });
  }
  if (signal?.aborted) throw new ProbeInterrupted('interrupted while probing');
  return out;
}
