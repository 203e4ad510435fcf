// Runs an in-process engine (a JS library: zenfs, BrowserFS, memfs) in a child Node process, so
// one that loops synchronously or dies cannot stop the run: the executor's deadline still fires
// in the harness, kill() ends the child (SIGKILL), and SIGINT is still handled. A worker thread
// is not enough: zenfs 2.x on a symlink cycle ends in V8's process-fatal "RegExpCompiler
// Allocation failed", which takes every thread of the process with it. The child loads the
// adapter module itself and answers calls over IPC (structured clone).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ImplementationCrashed, type Capabilities, type Fingerprint, type Worker, type WorkerOptions } from '../adapter.js';

/** What the child is told to build (see entry.ts). */
export interface ThreadSpec {
  /** file URL of the module exporting the adapter */
  module: string;
  /** the export holding the adapter */
  exportName: string;
  /** the adapter's name, as messages about this worker say it (the export's name when absent) */
  adapter?: string;
  variant: string;
  opts: WorkerOptions;
  /** the child's heap limit in MiB (default 1024) */
  heapMb?: number;
}

/** What the child reports once its worker exists. */
export interface ThreadReady {
  capabilities: Capabilities;
  maxLowers?: number;
  knownOptions?: readonly string[];
  /** which optional methods (layerDirs, mergedTree) the worker has */
  optional: string[];
}

/** Whether this code runs inside such a child (then the adapter builds its worker inline). */
export const inEngineThread = (): boolean => process.env.OVLCONF_ENGINE_CHILD === '1' && typeof process.send === 'function';

/** The heap a child may use before V8 stops it (an engine that allocates without end is a crash, not a hang of the machine). */
const HEAP_MB = 1024;

/** V8's optimisation threshold in the child (4.4× the default, as bin/ovlconf.js sets for the
 * runner): a library's code that runs a few hundred times is not worth optimising in a child that
 * may be replaced after any scenario; code that stays hot still is. */
export const ENGINE_JIT = '--interrupt-budget=300000';

/** How long a child may take to close its worker before it is killed (SIGKILL, which no engine can ignore). */
const CLOSE_GRACE_MS = 5_000;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string };

/** A Worker whose calls go to an engine in a child process; its death fails every call in flight.
 * A child whose teardown could not reset the engine (tainted) is replaced before the next setup. */
class ThreadWorker implements Worker {
  capabilities: Capabilities = {};
  maxLowers?: number;
  knownOptions?: readonly string[];
  /** a JS engine's drop is its own: it never writes /proc/sys/vm/drop_caches */
  readonly dropsMachineCaches = false;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;
  private stderr = '';
  private child!: ChildProcess;
  private exited!: Promise<void>;
  private tainted = false;
  /** children started (1 + how many times a tainted one was replaced) */
  spawned = 0;

  constructor(private readonly spec: ThreadSpec, private readonly what: string) {
    this.start();
  }

  private start(): void {
    const child = fork(fileURLToPath(new URL('./entry.js', import.meta.url)), [JSON.stringify(this.spec)], {
      env: { ...process.env, OVLCONF_ENGINE_CHILD: '1' },
      execArgv: [`--max-old-space-size=${this.spec.heapMb ?? HEAP_MB}`, ENGINE_JIT],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    this.spawned++;
    this.stderr = '';
    this.exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.on('message', (m: { id: number; ok: boolean; value?: unknown; tainted?: boolean; error?: { name: string; message: string } }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.tainted) this.tainted = true;
      if (m.ok) p.resolve(m.value);
      else p.reject(m.error?.name === 'ImplementationCrashed' ? new ImplementationCrashed(m.error.message) : new Error(m.error?.message ?? 'unknown error'));
    });
    const die = (e: Error) => {
      // a child that reported itself tainted is replaced before the next setup: its death after
      // that (the engine's deferred work failing on the state it was left in) ends nothing
      if (child !== this.child || (this.tainted && !this.pending.size)) return;
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    // an engine that exhausts its heap or throws outside a call died under the scenario: the implementation's crash
    child.on('error', (e) => die(new ImplementationCrashed(`${this.what}'s process failed: ${e.message}`)));
    child.on('exit', (code, signal) => die(new ImplementationCrashed(`${this.what}'s process exited (${signal ?? `code ${code}`})${this.why()}`)));
    child.stderr?.on('data', (b: Buffer) => {
      // the tail: Node prints the (possibly minified, very long) source line before the error
      if (child === this.child) this.stderr = (this.stderr + b.toString()).slice(-16384);
    });
  }

  /** Replace a tainted child by a fresh one (its engine state could not be reset by teardown). */
  private async renew(): Promise<void> {
    if (!this.tainted || this.dead) return;
    this.tainted = false;
    const old = this.child;
    const gone = this.exited;
    this.start();
    old.kill('SIGKILL');
    await gone;
    await this.call('ready');
  }

  /** V8's or Node's own words on why the child died (its FATAL ERROR line, else its last line). */
  private why(): string {
    const lines = this.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const line = lines.find((l) => /FATAL ERROR|^(\w+\.)?\w*Error\b|^\[\w+/.test(l)) ?? lines.at(-1);
    return line ? `: ${line.slice(0, 300)}` : '';
  }

  /** Call a method of the worker in the child. */
  call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.child.send({ id, method, args }, (e) => {
        if (e) this.pending.get(id)?.reject(e);
      });
    });
  }

  fingerprint = () => this.call<Fingerprint>('fingerprint');
  setup: Worker['setup'] = async (layers, ctx) => {
    await this.renew();
    return this.call('setup', layers, ctx);
  };
  op: Worker['op'] = (op) => this.call('op', op);
  remount: Worker['remount'] = (options, rotate, replace) => this.call('remount', options, rotate, replace);
  editLayer: Worker['editLayer'] = (layer, entries, remove) => this.call('editLayer', layer, entries, remove);
  inspect: Worker['inspect'] = () => this.call('inspect');
  teardown: Worker['teardown'] = () => this.call('teardown');
  /** the snapshot's walk made in the child (adapters/walk.ts): one message, not one per op */
  walkTree: NonNullable<Worker['walkTree']> = (maxData, maxDepth) => this.call('walkTree', maxData, maxDepth);
  layerDirs?: Worker['layerDirs'];
  mergedTree?: Worker['mergedTree'];

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // an engine that does not answer its close within the grace period is killed all the same
      if (!this.dead) await Promise.race([this.call('close'), new Promise((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
    } finally {
      clearTimeout(timer);
      await this.kill();
    }
  }

  async kill(): Promise<void> {
    this.dead ??= new Error(`${this.what} was stopped`);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Start a child process running the adapter's worker; rejects when the engine cannot be built there. */
export async function threadWorker(spec: ThreadSpec): Promise<Worker> {
  const w = new ThreadWorker(spec, `${spec.adapter ?? spec.exportName}/${spec.variant}`);
  try {
    const ready = await w.call<ThreadReady>('ready');
    w.capabilities = ready.capabilities;
    if (ready.maxLowers !== undefined) w.maxLowers = ready.maxLowers;
    if (ready.knownOptions !== undefined) w.knownOptions = ready.knownOptions;
    if (ready.optional.includes('layerDirs')) w.layerDirs = () => w.call('layerDirs');
    if (ready.optional.includes('mergedTree')) w.mergedTree = (maxData) => w.call('mergedTree', maxData);
    return w;
  } catch (e) {
    await w.kill();
    throw e;
  }
}
