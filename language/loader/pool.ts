// Loading a suite on a cold cache with helper threads beside the main one: parsing, expanding and
// checking ~500 files is nearly all of a cold start's CPU, and each file loads on its own. The
// threads start first (helpers.ts), so they load their modules while the caller loads its own and
// parses the catalog; the files
// the per-file cache lacks are then claimed one at a time (a shared counter) by the threads and
// the main thread alike, and merged in the plan's order, so the result is the one loadSuite gives.

import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { helperCount, startHelpers } from './helpers.js';
import type { FileResult } from './scenario.js';
import { packageRoot } from '../root.js';
import type { Catalog } from './catalog.js';
import type { loadKnownFailures } from './known.js';
export { helperCount } from './helpers.js';
import { cacheKeyOf, keepResults, loadOutcome, mergeSuite, planSuite, suiteCache, type Outcome, type Suite } from './suite.js';

/** below this many files to load, the main thread loads them alone (a thread costs its start) */
const MIN_FILES = 32;

/** What the main thread asks a helper: the package's known failures, or files of a suite (with the catalog, the shared claim counter and the port each outcome is sent on). */
export type PoolTask = { kind: 'known' } | { kind: 'suite'; catalog: Catalog; files: { file: string; display: string }[]; counter: SharedArrayBuffer; port: MessagePort };

/** A helper's answer, of the same kind as the task (for a suite: how many outcomes it sent). */
export type PoolReply = { kind: 'known'; value: ReturnType<typeof loadKnownFailures> } | { kind: 'suite'; sent: number };

/** A suite load under way: its helpers load files now; finish() joins them and merges. */
export interface SuiteJob {
  finish(): Promise<Suite>;
  /** how many files each side loaded (filled by finish) */
  loadedBy: { main: number; helpers: number };
  /** the per-file cache key of each file loaded, in order (undefined: a file that cannot be cached) */
  fileKeys: (string | undefined)[];
}

/** Helper threads for one cold load (see helperCount): start it early, begin() once the catalog is known, close() always. */
export class LoadPool {
  private readonly workers: Worker[];

  /** `threads` new helpers, or helpers the caller started earlier (helpers.ts) */
  constructor(threads: number | Worker[] = helperCount()) {
    this.workers = typeof threads === 'number' ? startHelpers(threads) : threads;
  }

  /** The package's known failures (spec/known-failures/, 0.75 MB of YAML) loaded by the first helper while this thread parses the catalog; undefined without a helper or when it failed. */
  known(): Promise<ReturnType<typeof loadKnownFailures> | undefined> {
    const w = this.workers[0];
    if (!w) return Promise.resolve(undefined);
    w.ref();
    return reply(w, { kind: 'known' }).then((r) => (r?.kind === 'known' ? r.value : undefined));
  }

  /** Plan the load, take what the per-file cache has, hand the rest to the helpers; `mainLoads: false` leaves the loading to them (tests); `keys`: per-file cache keys the caller already made (cacheKeyFrom), by file. */
  begin(catalog: Catalog, paths: string[] = [join(packageRoot(), 'suites')], opts: { mainLoads?: boolean; keys?: Map<string, string | undefined> } = {}): SuiteJob {
    const plan = planSuite(paths);
    const cache = suiteCache(catalog);
    const used = new Map<string, FileResult>();
    const outcomes: (Outcome | undefined)[] = [];
    const keys: (string | undefined)[] = [];
    const todo: { file: string; display: string; item: number }[] = [];
    plan.items.forEach((item, i) => {
      if (!('file' in item)) return;
      // the caller may have read the file already (cli/load.ts, for the whole-load key)
      const key = (keys[i] = opts.keys?.has(item.file) ? opts.keys.get(item.file) : cacheKeyOf(item.file, item.display));
      const hit = key === undefined ? undefined : cache.get(key);
      if (hit) used.set(key!, (outcomes[i] = hit));
      else todo.push({ ...item, item: i });
    });
    const helpers = todo.length >= MIN_FILES ? this.workers : [];
    for (const w of helpers) w.ref();
    const counter = new SharedArrayBuffer(4);
    const claims = new Int32Array(counter);
    const files = todo.map(({ file, display }) => ({ file, display }));
    // each outcome comes on its own as soon as a helper has it, and is taken between two files
    // here: a helper's whole share sent at its end was serialised there and read here while
    // nothing else ran (the tail of a cold start)
    const channels = helpers.map(() => new MessageChannel());
    const replies = helpers.map((w, h) => reply(w, { kind: 'suite', catalog, files, counter, port: channels[h].port2 }, [channels[h].port2]));
    const loadedBy = { main: 0, helpers: 0 };
    const got = helpers.map(() => 0);
    const put = (h: number, [j, r]: [number, Outcome]) => {
      outcomes[todo[j].item] = r;
      got[h]++;
      loadedBy.helpers++;
    };
    const take = () => channels.forEach(({ port1 }, h) => {
      for (let m; (m = receiveMessageOnPort(port1)); ) put(h, m.message as [number, Outcome]);
    });
    /** the outcomes of helper h still on the way, until it has sent `sent` in all */
    const rest = (h: number, sent: number) =>
      new Promise<void>((resolve) => {
        const port = channels[h].port1;
        const on = (m: [number, Outcome]) => {
          put(h, m);
          if (got[h] >= sent) resolve(void port.off('message', on));
        };
        port.on('message', on);
      });
    return {
      loadedBy,
      fileKeys: plan.items.flatMap((item, i) => ('file' in item ? [keys[i]] : [])),
      finish: async () => {
        if (opts.mainLoads !== false || helpers.length === 0)
          for (let j; (j = Atomics.add(claims, 0, 1)) < todo.length; loadedBy.main++) {
            outcomes[todo[j].item] = loadOutcome(todo[j].file, catalog, todo[j].display);
            take();
          }
        // a helper sends its outcomes before its answer, which says how many: wait for any still on the way
        const answers = await Promise.all(replies);
        take();
        for (let h = 0; h < helpers.length; h++) {
          const a = answers[h];
          if (a?.kind === 'suite' && got[h] < a.sent) await rest(h, a.sent);
        }
        for (const { port1 } of channels) port1.close();
        // whatever a failed helper had claimed
        for (const t of todo) if (!outcomes[t.item]) outcomes[t.item] = loadOutcome(t.file, catalog, t.display);
        for (const t of todo) if (keys[t.item] !== undefined && !('failed' in outcomes[t.item]!)) used.set(keys[t.item]!, outcomes[t.item] as FileResult);
        keepResults(catalog, plan, cache, used);
        return mergeSuite(plan, (i) => outcomes[i]!);
      },
    };
  }

  /** Stop the helpers (their work is done or no longer wanted). */
  close(): void {
    for (const w of this.workers) void w.terminate();
  }
}

/** A helper's answer to a task, or undefined when it failed or exited first. */
function reply(w: Worker, task: PoolTask, transfer: MessagePort[] = []): Promise<PoolReply | undefined> {
  return new Promise((resolve) => {
    const done = (r: PoolReply | undefined) => {
      w.off('message', onMessage).off('error', onEnd).off('exit', onEnd);
      resolve(r);
    };
    const onMessage = (m: PoolReply) => m.kind === task.kind && done(m);
    const onEnd = () => done(undefined);
    w.on('message', onMessage).on('error', onEnd).on('exit', onEnd);
    w.postMessage(task, transfer);
  });
}
