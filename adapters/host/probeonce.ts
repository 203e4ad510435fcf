// Probing every variant of a host adapter once per process (shared by the kernel, fuse-overlayfs,
// unionfs-fuse and command adapters): one agent per variant in a temporary directory, the
// adapter's own probe, the agent closed and the directory removed; a variant whose probe throws
// is recorded as refused with the error's message, never thrown.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from './agent.js';

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

/** a variant name as a directory name */
export const dirName = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Make a function that probes every variant the first time it is called and then returns the same results. */
export function probeOnce<V extends { name: string }, R>(spec: ProbeOnceSpec<V, R>): () => Promise<Map<string, R>> {
  let probed: Promise<Map<string, R>> | undefined;
  return () => {
    probed ??= (async () => {
      const out = new Map<string, R>();
      const base = mkdtempSync(join(tmpdir(), spec.prefix));
      try {
        for (const v of spec.variants()) {
          const dir = join(base, dirName(v.name));
          let agent: Agent | undefined;
          try {
            agent = await spec.start(v, dir);
            out.set(v.name, await spec.probe(agent, v, dir));
          } catch (e) {
            out.set(v.name, spec.refused((e as Error).message));
          } finally {
            await agent?.close();
          }
        }
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
      return out;
    })();
    return probed;
  };
}
