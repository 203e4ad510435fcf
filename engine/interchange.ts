// Cross-implementation interchange: run a scenario on implementation A, carry A's upper layer
// (A's own on-disk format, copied from A's upper directory) over to implementation B as B's
// upper (or top lower) above the scenario's lowers, and compare B's merged view with A's merged
// view at the end of the scenario. Both must be host adapters whose layers are directories.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter, TreeItem, Worker } from '../adapters/adapter.js';
import type { Scenario } from '../language/model.js';
import { toDataJSON } from '../language/data.js';
import { execute, withTimeout, WorkerBroken } from './executor.js';
import { missingCapability } from './requirements.js';

const MAX_DATA = 1 << 20;

/** One side of an interchange: an adapter and one of its variants. */
export interface Side {
  adapter: Adapter;
  variant: string;
}

/** One way the two merged views differ. */
export interface Difference {
  path: string;
  /** what differs: presence, type, size, mode, owner, data, target, xattrs, mount */
  what: string;
  from?: string;
  to?: string;
}

/** The outcome of one scenario carried from A to B. */
export interface InterchangeResult {
  scenario: string;
  file: string;
  from: string;
  to: string;
  outcome: 'same' | 'different' | 'skip' | 'error';
  reason?: string;
  differences?: Difference[];
  ms: number;
}

/** How to carry layers over and where to work. */
export interface InterchangeOptions {
  workdir: string;
  /** carry A's upper as B's upper (default) or as B's top lower layer */
  as?: 'upper' | 'lower';
  timeoutMs?: number;
  onResult?: (r: InterchangeResult, done: number, total: number) => void;
}

/** What a merged view is compared on: type, size, mode, owner, content, link target, xattrs. */
export type View = Map<string, Record<string, string>>;

/** A merged-directory listing (from the agent's `tree`) in comparable form. */
export function viewOf(items: TreeItem[]): View {
  const out: View = new Map();
  for (const i of items) {
    const e: Record<string, string> = { type: i.type, mode: (i.mode & 0o7777).toString(8), owner: `${i.uid}:${i.gid}` };
    if (i.type === 'file') {
      e.size = String(i.size);
      if (i.data) e.data = JSON.stringify(toDataJSON(i.data));
    }
    if (i.type === 'symlink') e.target = i.target ?? '';
    if (i.type === 'chr' || i.type === 'blk') e.rdev = i.rdev;
    const xs = i.xattrs.filter(([n]) => !n.startsWith('security.')).map(([n, v]) => `${n}=${JSON.stringify(toDataJSON(v))}`).sort();
    if (xs.length) e.xattrs = xs.join(' ');
    if (i.mount) e.mount = 'yes';
    out.set(i.path, e);
  }
  return out;
}

/** Every difference between two views, in path order. */
export function diffViews(a: View, b: View): Difference[] {
  const out: Difference[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(path);
    const y = b.get(path);
    if (!x || !y) {
      out.push({ path, what: 'presence', ...(x ? { from: x.type } : { from: 'absent' }), ...(y ? { to: y.type } : { to: 'absent' }) });
      continue;
    }
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      if (x[k] !== y[k]) out.push({ path, what: k, from: x[k] ?? '(none)', to: y[k] ?? '(none)' });
    }
  }
  return out;
}

/** The merged view of a mounted worker, read through the implementation. */
export async function mergedView(w: Worker): Promise<View> {
  if (!w.mergedTree) throw new Error('the worker cannot read its merged tree');
  return viewOf(await w.mergedTree(MAX_DATA));
}

/** cp -a (owners, modes, times, xattrs including trusted.*, device nodes, hard links). */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  execFileSync('cp', ['-a', '--', `${from}/.`, `${to}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Make a worker, insisting on a host worker (interchange needs layer directories). */
async function hostWorker(side: Side, dir: string, index: number): Promise<Worker> {
  const w: Worker = await side.adapter.createWorker(side.variant, { workdir: dir, index });
  if (!w.layerDirs || !w.mergedTree) {
    await w.close();
    throw new Error(`${side.adapter.name} is not a host adapter: its layers are not directories an interchange can copy`);
  }
  return w;
}

/** Run every scenario A → B; never throws for scenario-level trouble. */
export async function interchange(from: Side, to: Side, scenarios: Scenario[], o: InterchangeOptions): Promise<InterchangeResult[]> {
  const results: InterchangeResult[] = [];
  const names = { from: `${from.adapter.name}/${from.variant}`, to: `${to.adapter.name}/${to.variant}` };
  let gen = 0;
  let a: Worker | undefined;
  let b: Worker | undefined;
  const make = async (side: Side, tag: string) => hostWorker(side, join(o.workdir, `${tag}.${++gen}`), 0);
  const dispose = async (w: Worker | undefined) => {
    await (w?.kill ? w.kill() : w?.close())?.catch(() => undefined);
  };
  const timeout = o.timeoutMs ?? 10_000;
  try {
    for (const [n, s] of scenarios.entries()) {
      const t0 = performance.now();
      const emit = (r: Omit<InterchangeResult, 'scenario' | 'file' | 'from' | 'to' | 'ms'>) => {
        const full = { scenario: s.runId, file: s.file, ...names, ...r, ms: Math.round(performance.now() - t0) };
        results.push(full);
        o.onResult?.(full, results.length, scenarios.length);
      };
      try {
        a ??= await make(from, 'a');
        b ??= await make(to, 'b');
      } catch (e) {
        emit({ outcome: 'error', reason: `cannot start a worker: ${(e as Error).message}` });
        continue;
      }
      if (s.layers.upper === null) {
        emit({ outcome: 'skip', reason: 'a read-only scenario has no upper layer to carry over' });
        continue;
      }
      const missing = missingCapability(s, a.capabilities, a.maxLowers) ?? missingCapability(s, b.capabilities, b.maxLowers);
      if (missing) {
        emit({ outcome: 'skip', reason: missing });
        continue;
      }
      // A: the scenario as usual, with A's merged view and upper captured just before teardown
      const stage = join(o.workdir, `stage.${n}`);
      let viewA: View | undefined;
      let why: string | undefined;
      const wa = a;
      const capturing: Worker = {
        capabilities: wa.capabilities, maxLowers: wa.maxLowers,
        fingerprint: () => wa.fingerprint(), setup: (l, c) => wa.setup(l, c), op: (x) => wa.op(x),
        remount: (opts, rot) => wa.remount(opts, rot), editLayer: (l, e, r) => wa.editLayer(l, e, r),
        inspect: () => wa.inspect(), close: () => wa.close(), kill: () => (wa.kill ? wa.kill() : wa.close()),
        teardown: async () => {
          try {
            const dirs = await wa.layerDirs?.();
            if (dirs?.upper) {
              viewA = await mergedView(wa);
              copyTree(dirs.upper, stage);
            } else why = `${names.from} did not tell where its upper layer is`;
          } catch (e) {
            why = `reading ${names.from}: ${(e as Error).message}`;
          }
          return wa.teardown();
        },
      };
      try {
        const rec = await execute(capturing, s, { runId: `x${n}`, defaultTimeoutMs: o.timeoutMs });
        if (rec.skip) {
          emit({ outcome: 'skip', reason: `${names.from}: ${rec.skip}` });
          continue;
        }
        if (!viewA) {
          emit({ outcome: 'error', reason: why ?? rec.error ?? `${names.from} left nothing to carry over` });
          continue;
        }
      } catch (e) {
        await dispose(a);
        a = undefined;
        emit({ outcome: 'error', reason: `${names.from}: ${(e as Error).message}` });
        continue;
      }
      // B: the same lowers, an empty upper replaced by A's, then mounted afresh
      try {
        const ms = Math.max(timeout * 3, 30_000);
        const set = await withTimeout(b.setup({ lowers: s.layers.lowers, upper: {} }, { runId: `y${n}`, timeoutMs: timeout, lowerCount: s.layers.lowers.length }), ms, 'setup');
        if (!set.ok) {
          await withTimeout(b.teardown(), ms, 'teardown');
          emit('skip' in set ? { outcome: 'skip', reason: `${names.to}: ${set.skip}` } : { outcome: 'error', reason: `${names.to}: ${set.error}` });
          continue;
        }
        const dirs = await b.layerDirs?.();
        if (!dirs?.upper) throw new Error(`${names.to} did not tell where its upper layer is`);
        copyTree(stage, dirs.upper);
        const r = await withTimeout(b.remount(undefined, o.as === 'lower'), ms, 'remount');
        if (!r.ok) {
          const what = 'errno' in r ? `${r.errno}${r.message ? ` (${r.message})` : ''}` : 'skip' in r ? r.skip : r.escape;
          emit({ outcome: 'different', differences: [{ path: '.', what: 'mount', from: 'mounted', to: `refused: ${what}` }] });
        } else {
          const d = diffViews(viewA, await mergedView(b));
          emit(d.length ? { outcome: 'different', differences: d } : { outcome: 'same' });
        }
        await withTimeout(b.teardown(), ms, 'teardown');
      } catch (e) {
        await dispose(b);
        b = undefined;
        emit({ outcome: 'error', reason: `${names.to}: ${e instanceof WorkerBroken ? e.message : (e as Error).message}` });
      } finally {
        rmSync(stage, { recursive: true, force: true });
      }
    }
  } finally {
    await a?.close().catch(() => dispose(a));
    await b?.close().catch(() => dispose(b));
  }
  return results;
}
