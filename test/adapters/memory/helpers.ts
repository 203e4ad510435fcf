// Shared helpers of the memory adapter tests: a worker per scenario, ops as one-liners, and
// accessors for values, errnos and the layers read back.

import * as assert from 'uvu/assert';
import type { CanonEntry, CanonLayers, CanonTree, Cred, OpResult, StatValue } from '../../../adapters/adapter.js';
import { memoryAdapter } from '../../../adapters/memory/index.js';
import type { MemoryWorker } from '../../../adapters/memory/worker.js';
import { scaled } from '../../helpers/wait.js';

/** A mounted scenario: run ops, read results, inspect layers. */
export interface Scn {
  w: MemoryWorker;
  /** run an op; returns the raw result */
  run(op: string, args?: Record<string, unknown>, user?: Cred): Promise<OpResult>;
  /** run an op that must succeed; returns its value (or undefined) */
  ok<T = unknown>(op: string, args?: Record<string, unknown>, user?: Cred): Promise<T>;
  /** run an op that must fail; returns the errno */
  errno(op: string, args?: Record<string, unknown>, user?: Cred): Promise<string>;
  stat(path: string, follow?: boolean): Promise<StatValue>;
  read(path: string): Promise<string>;
  names(path: string): Promise<string[]>;
  upper(): Promise<CanonTree>;
}

/** A layer in test shorthand: a string is a regular file with that content. */
export type Tree = Record<string, CanonEntry | string>;

/** the canonical form of a shorthand tree */
export function canon(t: Tree): CanonTree {
  const out: CanonTree = {};
  for (const [k, v] of Object.entries(t)) out[k] = typeof v === 'string' ? { type: 'file', data: v } : v;
  return out;
}

/** Set up a worker of `variant` on these layers (upper {} when not given; null: no upper). */
export async function mount(layers: { lowers?: Tree[]; upper?: Tree | null }, variant = 'default'): Promise<Scn> {
  const w = (await memoryAdapter.createWorker(variant, { workdir: '/nonexistent', index: 0 })) as MemoryWorker;
  const full: CanonLayers = {
    lowers: (layers.lowers ?? [{}]).map(canon),
    upper: layers.upper === undefined ? {} : layers.upper === null ? null : canon(layers.upper),
  };
  const r = await w.setup(full, { runId: 't', timeoutMs: scaled(5000), lowerCount: full.lowers.length });
  assert.ok(r.ok, `setup failed: ${JSON.stringify(r)}`);
  const run = (op: string, args: Record<string, unknown> = {}, user?: Cred) => w.op({ op: op as never, args, user });
  const s: Scn = {
    w,
    run,
    async ok<T>(op: string, args: Record<string, unknown> = {}, user?: Cred): Promise<T> {
      const r = await run(op, args, user);
      if (!r.ok) assert.unreachable(`${op} ${JSON.stringify(args)} failed: ${JSON.stringify(r)}`);
      return (r.ok ? r.value : undefined) as T;
    },
    async errno(op: string, args: Record<string, unknown> = {}, user?: Cred): Promise<string> {
      const r = await run(op, args, user);
      if (r.ok) assert.unreachable(`${op} ${JSON.stringify(args)} succeeded, an errno was expected`);
      return 'errno' in r ? r.errno : `escape:${(r as { escape: string }).escape}`;
    },
    async stat(path: string, follow = false): Promise<StatValue> {
      return (await s.ok<{ stat: StatValue }>(follow ? 'stat' : 'lstat', { path })).stat;
    },
    async read(path: string): Promise<string> {
      return Buffer.from((await s.ok<{ data: Uint8Array }>('readfile', { path })).data).toString();
    },
    async names(path: string): Promise<string[]> {
      return (await s.ok<{ entries: { name: string }[] }>('readdir', { path })).entries.map((e) => e.name).sort();
    },
    async upper(): Promise<CanonTree> {
      const r = await w.inspect();
      if (!r.ok) assert.unreachable('inspect failed');
      return r.ok ? r.upper ?? {} : {};
    },
  };
  return s;
}

/** bytes of a string */
export const b = (s: string): Uint8Array => Buffer.from(s);
