// Runs an in-process engine (a JS library: zenfs, BrowserFS, memfs) in a worker thread, so one
// that loops synchronously or runs out of memory cannot stop the run: the executor's deadline
// still fires on the main thread, kill() terminates the thread (V8 interrupts even a busy loop),
// and SIGINT is still handled. The thread loads the adapter module itself and answers calls.

import { Worker as Thread, workerData } from 'node:worker_threads';
import { ImplementationCrashed, type Capabilities, type Fingerprint, type Worker, type WorkerOptions } from '../adapter.js';

/** What the thread is told to build (see entry.ts). */
export interface ThreadSpec {
  /** file URL of the module exporting the adapter */
  module: string;
  /** the export holding the adapter */
  exportName: string;
  variant: string;
  opts: WorkerOptions;
  /** the thread's heap limit in MiB (default 1024) */
  heapMb?: number;
}

/** What the thread reports once its worker exists. */
export interface ThreadReady {
  capabilities: Capabilities;
  maxLowers?: number;
  knownOptions?: readonly string[];
  /** which optional methods (layerDirs, mergedTree) the worker has */
  optional: string[];
}

/** Whether this code runs inside such a thread (then the adapter builds its worker inline). */
export const inEngineThread = (): boolean => (workerData as { ovlconfEngine?: boolean } | null)?.ovlconfEngine === true;

/** The heap a thread may use before V8 stops it (an engine that allocates without end is a crash, not a hang of the machine). */
const HEAP_MB = 1024;
/**
 * The thread's stack, as the main thread's (V8's default, just under 1 MiB) rather than a
 * thread's 4 MiB: engines that recurse until a RangeError (zenfs on a symlink cycle) then answer
 * as they do in-process instead of recursing four times deeper.
 */
const STACK_MB = 0.96;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string };

/** A Worker whose calls go to an engine in a thread; the thread's death fails every call in flight. */
class ThreadWorker implements Worker {
  capabilities: Capabilities = {};
  maxLowers?: number;
  knownOptions?: readonly string[];
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;

  constructor(private readonly thread: Thread, private readonly what: string) {
    thread.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: { name: string; message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(m.error?.name === 'ImplementationCrashed' ? new ImplementationCrashed(m.error.message) : new Error(m.error?.message ?? 'unknown error'));
    });
    const die = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    // an engine that exhausts its heap or throws outside a call died under the scenario: the implementation's crash
    thread.on('error', (e) => die(new ImplementationCrashed(`${this.what} died in its thread: ${e.message}`)));
    thread.on('exit', (code) => die(new ImplementationCrashed(`${this.what}'s thread exited (code ${code})`)));
  }

  /** Call a method of the worker in the thread. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.thread.postMessage({ id, method, args });
    });
  }

  fingerprint = () => this.call<Fingerprint>('fingerprint');
  setup: Worker['setup'] = (layers, ctx) => this.call('setup', layers, ctx);
  op: Worker['op'] = (op) => this.call('op', op);
  remount: Worker['remount'] = (options, rotate, replace) => this.call('remount', options, rotate, replace);
  editLayer: Worker['editLayer'] = (layer, entries, remove) => this.call('editLayer', layer, entries, remove);
  inspect: Worker['inspect'] = () => this.call('inspect');
  teardown: Worker['teardown'] = () => this.call('teardown');
  layerDirs?: Worker['layerDirs'];
  mergedTree?: Worker['mergedTree'];

  async close(): Promise<void> {
    try {
      if (!this.dead) await this.call('close');
    } finally {
      await this.kill();
    }
  }

  async kill(): Promise<void> {
    this.dead ??= new Error(`${this.what} was stopped`);
    await this.thread.terminate();
  }
}

/** Start a thread running the adapter's worker; rejects when the engine cannot be built there. */
export async function threadWorker(spec: ThreadSpec): Promise<Worker> {
  const thread = new Thread(new URL('./entry.js', import.meta.url), {
    workerData: { ovlconfEngine: true, spec },
    resourceLimits: { maxOldGenerationSizeMb: spec.heapMb ?? HEAP_MB, stackSizeMb: STACK_MB },
    stdout: false, stderr: false,
  });
  const w = new ThreadWorker(thread, `${spec.exportName}/${spec.variant}`);
  try {
    const ready = await w.call<ThreadReady>('ready');
    w.capabilities = ready.capabilities;
    if (ready.maxLowers !== undefined) w.maxLowers = ready.maxLowers;
    if (ready.knownOptions !== undefined) w.knownOptions = ready.knownOptions;
    if (ready.optional.includes('layerDirs')) w.layerDirs = () => w.call('layerDirs');
    if (ready.optional.includes('mergedTree')) w.mergedTree = (maxData) => w.call('mergedTree', maxData);
    return w;
  } catch (e) {
    await thread.terminate();
    throw e;
  }
}
