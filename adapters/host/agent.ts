// The native syscall agent's process (agent/ovlagent, contract in agent/PROTOCOL.md): spawns it,
// matches replies to requests over stdin/stdout, times requests out and reports its death.
// The line format itself is wire.ts. Host-backed adapters run every filesystem and mount
// operation through one Agent per worker.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../language/root.js';
import { agentSourcesDigest, staleAgent } from './agentsources.js';
import { formatRequest, LineSplitter, getInt, getText, parseFields, parseLine, type AgentArgs, type AgentLine, type AgentReply, type AgentRequest, type Field } from './wire.js';

// the request and reply shapes belong to Agent's own signature
export type { AgentArgs, AgentReply, AgentRequest, AgentValue, Field } from './wire.js';

// ---------------------------------------------------------------------------------------------
// Errors

/** Base class of failures of the agent itself (never of the filesystem under test). */
export class AgentError extends Error {
  override name = 'AgentError';
}
/** A request got no answer in time: the caller kills the agent and starts a fresh one. */
export class AgentTimeout extends AgentError {
  override name = 'AgentTimeout';
  constructor(
    readonly op: string,
    readonly timeoutMs: number,
    message?: string,
  ) {
    super(message ?? `agent op ${op} did not answer within ${timeoutMs} ms`);
  }
}
/** The agent process exited: every pending request rejects with this. */
export class AgentDied extends AgentError {
  override name = 'AgentDied';
  constructor(
    readonly code: number | null,
    readonly signal: string | null,
    readonly stderr: string[],
  ) {
    super(
      `agent exited (${signal ? `signal ${signal}` : `code ${code}`})` +
        (stderr.length ? `; stderr: ${stderr.slice(-5).join(' | ')}` : ''),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Locating the binary

/** Absolute path of the built agent binary. */
export function agentBinaryPath(): string {
  return join(packageRoot(), 'agent', 'build', 'ovlagent');
}

/** Whether the agent can be used here, and if not the reason a user reads in the skip. */
export function agentAvailable(): { ok: true; path: string } | { ok: false; reason: string } {
  const path = agentBinaryPath();
  const marker = join(dirname(path), 'UNAVAILABLE');
  if (existsSync(marker)) {
    const reason = readFileSync(marker, 'utf8').trim() || 'the native agent could not be built';
    return { ok: false, reason };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { ok: false, reason: 'binary missing: run npm run build' };
  }
  return { ok: true, path };
}

// ---------------------------------------------------------------------------------------------
// The agent process

/** What the agent said when it became ready. */
export interface AgentInfo {
  pid: number;
  version: number;
  euid: number;
  ns: 'private' | 'none' | 'chroot' | 'userns';
  sandbox: string;
  /** whether the kernel lets it write /proc/sys/vm/drop_caches (its drops reach the whole machine); undefined from an agent that does not say */
  dropCaches?: boolean;
}

/** Options of startAgent. */
export interface StartOptions {
  /** absolute directory every host path must lie beneath */
  sandbox: string;
  /** private mount namespace (default) or none (for tests of the agent itself) */
  ns?: 'private' | 'none' | 'chroot';
  /** unprivileged mode: drop to this uid/gid and enter a user+mount namespace (needs root to start) */
  userns?: { uid: number; gid: number };
  /** how long to wait for `ready` (default 10 s) */
  startTimeoutMs?: number;
  /** another binary (tests) */
  binary?: string;
  /**
   * run the agent under another program (a sandbox runtime: `runsc … do`): argv goes before the
   * agent's own, env is added to the environment. The pids the agent reports are then the
   * sandbox's, not the host's, so kill() signals only the wrapper's process group.
   */
  wrap?: { argv: string[]; env?: Record<string, string> };
}

/** A running agent. Requests are answered strictly in order. */
export interface Agent {
  readonly pid: number;
  readonly info: AgentInfo;
  /** false once the process has exited */
  readonly alive: boolean;
  /** resolves when the process has exited */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** canonical root set by the last successful `root` request */
  readonly root: string | undefined;
  /** pids started through `spawn` and not yet reaped */
  readonly children: ReadonlySet<number>;
  request(op: string, args?: AgentArgs, opts?: { timeoutMs?: number }): Promise<AgentReply>;
  /** write all requests at once, resolve all replies (timeoutMs applies to each op as it runs) */
  pipeline(requests: readonly AgentRequest[], opts?: { timeoutMs?: number }): Promise<AgentReply[]>;
  /** like pipeline, one promise per request, each settling as its reply arrives (callers judge them in order) */
  pipelineEach?(requests: readonly AgentRequest[], opts?: { timeoutMs?: number }): Promise<AgentReply>[];
  /** SIGKILL every spawned process group and the agent; resolves when it has exited */
  kill(): Promise<void>;
  /** ask the agent to exit; falls back to kill() */
  close(): Promise<void>;
}

/** Default per-op timeout of the client. */
export const DEFAULT_TIMEOUT_MS = 10_000;

interface Pending {
  id: number;
  op: string;
  args: AgentArgs;
  timeoutMs: number;
  items: Field[][];
  timer?: NodeJS.Timeout;
  resolve: (r: AgentReply) => void;
  reject: (e: Error) => void;
}

class AgentProcess implements Agent {
  info!: AgentInfo;
  alive = true;
  root: string | undefined;
  readonly children = new Set<number>();
  /** the pid the last successful spawn answered (a pipelined `waitmount spawned=1` waits on it) */
  private lastSpawn = -1;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private nextId = 1;
  private queue: Pending[] = [];
  private readonly lines = new LineSplitter();
  private stderrTail: string[] = [];
  private stderrPart = '';
  private broken: AgentError | undefined;
  private onReady?: (line: string) => void;
  private exitInfo: { code: number | null; signal: string | null } | undefined;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** the agent runs in a sandbox: its children's pids are not host pids */
    private readonly wrapped = false,
  ) {
    let exitedResolve!: (v: { code: number | null; signal: string | null }) => void;
    this.exited = new Promise((res) => (exitedResolve = res));
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    child.stdin.on('error', () => {
      // EPIPE after the agent died: the exit handler reports it
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const info = this.exitInfo ?? { code: child.exitCode, signal: child.signalCode };
      this.alive = false;
      const died = new AgentDied(info.code, info.signal, this.stderrTail.slice());
      this.broken ??= died;
      this.failAll(died);
      exitedResolve(info);
    };
    child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.alive = false;
      // let stdout drain, unless some grandchild holds the pipe open
      setTimeout(finish, 200).unref();
    });
    child.on('close', finish);
    child.on('error', (e) => {
      this.stderrTail.push(String(e));
      if (child.pid === undefined) finish();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  waitReady(timeoutMs: number): Promise<AgentInfo> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onReady = undefined;
        reject(new AgentTimeout('ready', timeoutMs, `agent did not become ready within ${timeoutMs} ms`));
      }, timeoutMs);
      this.onReady = (line) => {
        clearTimeout(timer);
        this.onReady = undefined;
        if (line.startsWith('ready ')) {
          const f = parseFields(line.slice(6));
          const stale = staleAgent(getText(f, 'sources'), agentSourcesDigest());
          if (stale) {
            reject(new AgentError(stale));
            return;
          }
          this.info = {
            pid: getInt(f, 'pid') ?? -1,
            version: getInt(f, 'version') ?? 0,
            euid: getInt(f, 'euid') ?? -1,
            ns: (getText(f, 'ns') ?? 'none') as AgentInfo['ns'],
            sandbox: getText(f, 'sandbox') ?? '',
            ...(getInt(f, 'dropcaches') !== undefined ? { dropCaches: getInt(f, 'dropcaches') === 1 } : {}),
          };
          resolve(this.info);
        } else {
          const msg = line.startsWith('fatal ') ? getText(parseFields(line.slice(6)), 'msg') : line;
          reject(new AgentError(`agent failed to start: ${msg}`));
        }
      };
      void this.exited.then((x) => {
        if (!this.onReady) return;
        clearTimeout(timer);
        this.onReady = undefined;
        reject(new AgentDied(x.code, x.signal, this.stderrTail.slice()));
      });
    });
  }

  private onStderr(chunk: Buffer): void {
    const lines = (this.stderrPart + chunk.toString('utf8')).split('\n');
    this.stderrPart = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) this.stderrTail.push(l);
    if (this.stderrTail.length > 50) this.stderrTail.splice(0, this.stderrTail.length - 50);
  }

  private onData(chunk: Buffer): void {
    for (const line of this.lines.push(chunk)) this.onLine(line);
  }

  private onLine(line: string): void {
    if (this.onReady) return this.onReady(line);
    if (this.broken) return; // abandoned after a timeout: nothing is matched any more
    let parsed: AgentLine;
    try {
      parsed = parseLine(line);
    } catch (e) {
      return this.abandon(new AgentError(`agent protocol error: ${(e as Error).message}`));
    }
    const head = this.queue[0];
    if (!head || head.id !== parsed.id) {
      return this.abandon(new AgentError(`agent answered id ${parsed.id}, expected ${head?.id ?? 'nothing'}`));
    }
    if (parsed.kind === 'item') {
      head.items.push(parsed.fields);
      return;
    }
    clearTimeout(head.timer);
    this.queue.shift();
    const reply: AgentReply = { id: parsed.id, kind: parsed.kind, errno: parsed.errno, fields: parsed.fields, items: head.items };
    this.track(head, reply);
    const next = this.queue[0];
    if (next) this.arm(next);
    head.resolve(reply);
  }

  /** keep the client's view of the root and of spawned children in step with the agent */
  private track(p: Pending, r: AgentReply): void {
    if (p.op === 'root') this.root = r.kind === 'ok' ? getText(r.fields, 'path') : undefined;
    else if (p.op === 'closeall' && r.kind === 'ok') this.root = undefined;
    else if (p.op === 'umount' && getText(r.fields, 'root_dropped') === '1') {
      this.root = undefined;
    } else if (p.op === 'spawn' && r.kind === 'ok') {
      this.lastSpawn = getInt(r.fields, 'pid') ?? -1;
      this.children.add(this.lastSpawn);
    }
    else if (p.op === 'waitpid' && r.kind === 'ok' && getText(r.fields, 'exited') === '1') this.children.delete(Number(p.args.pid));
    else if (p.op === 'waitmount' && r.kind === 'err' && r.errno === 'ECHILD') this.children.delete(p.args.spawned ? this.lastSpawn : Number(p.args.pid));
  }

  private arm(p: Pending): void {
    p.timer = setTimeout(() => {
      this.abandon(new AgentTimeout(p.op, p.timeoutMs), p);
    }, p.timeoutMs);
  }

  /** the pipe can no longer be trusted: reject everything now and later */
  private abandon(err: AgentError, culprit?: Pending): void {
    this.broken = err;
    for (const p of this.queue) clearTimeout(p.timer);
    const pending = this.queue;
    this.queue = [];
    for (const p of pending) {
      if (p === culprit || !(err instanceof AgentTimeout)) p.reject(err);
      else p.reject(new AgentTimeout(p.op, p.timeoutMs, `agent op ${p.op} abandoned: an earlier op (${err.op}) timed out`));
    }
  }

  private failAll(err: AgentError): void {
    const pending = this.queue;
    this.queue = [];
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  private unusable(): AgentError | undefined {
    if (this.broken instanceof AgentTimeout) {
      return new AgentError(`agent is unusable after a timeout of op ${this.broken.op}: kill it and start another`);
    }
    return this.broken;
  }

  request(op: string, args: AgentArgs = {}, opts: { timeoutMs?: number } = {}): Promise<AgentReply> {
    return this.pipeline([{ op, args }], opts).then((r) => r[0]!);
  }

  pipeline(requests: readonly AgentRequest[], opts: { timeoutMs?: number } = {}): Promise<AgentReply[]> {
    try {
      return Promise.all(this.pipelineEach(requests, opts));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  pipelineEach(requests: readonly AgentRequest[], opts: { timeoutMs?: number } = {}): Promise<AgentReply>[] {
    const bad = this.unusable();
    if (bad) throw bad;
    if (requests.length === 0) return [];
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const lines: string[] = [];
    const promises: Promise<AgentReply>[] = [];
    const added: Pending[] = [];
    for (const rq of requests) {
      const id = this.nextId++;
      const args = rq.args ?? {};
      lines.push(formatRequest(id, rq.op, args));
      promises.push(
        new Promise<AgentReply>((resolve, reject) => {
          added.push({ id, op: rq.op, args, timeoutMs, items: [], resolve, reject });
        }),
      );
    }
    const wasIdle = this.queue.length === 0;
    this.queue.push(...added);
    if (wasIdle) this.arm(this.queue[0]!);
    this.child.stdin.write(lines.join('\n') + '\n');
    return promises;
  }

  async kill(): Promise<void> {
    if (this.alive && this.wrapped) {
      // the wrapper's process group (runsc and its gofer; the sandbox itself dies with runsc)
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // group already gone
      }
    }
    if (this.alive) {
      // children first, while the agent still holds them (their pids cannot be reused yet)
      for (const pid of this.wrapped ? [] : this.children) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // group already gone
        }
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      try {
        this.child.kill('SIGKILL');
      } catch {
        // already exiting
      }
    }
    await this.exited;
    this.children.clear();
  }

  async close(): Promise<void> {
    if (!this.alive) return void (await this.exited);
    const exitedInTime = await Promise.race([
      this.request('exit', {}, { timeoutMs: 2000 }).then(
        () => this.exited.then(() => true),
        () => false,
      ),
      new Promise<boolean>((res) => setTimeout(() => res(false), 3000).unref()),
    ]);
    if (!exitedInTime) await this.kill();
    else this.children.clear();
  }
}


/** Start an agent for one worker and wait until it is ready. */
export async function startAgent(opts: StartOptions): Promise<Agent> {
  let binary = opts.binary;
  if (!binary) {
    const av = agentAvailable();
    if (!av.ok) throw new AgentError(`native agent unavailable: ${av.reason}`);
    binary = av.path;
  }
  const argv = ['--sandbox', opts.sandbox];
  if (opts.userns) argv.push('--userns', `${opts.userns.uid}:${opts.userns.gid}`);
  else argv.push('--ns', opts.ns ?? 'private');
  // its own process group (and session): a Ctrl-C at the terminal reaches only the runner, which
  // tears down in order; the agent still dies with the runner (PR_SET_PDEATHSIG, agent/ovlagent.c)
  const [cmd, ...args] = opts.wrap ? [...opts.wrap.argv, binary, ...argv] : [binary, ...argv];
  const env = opts.wrap?.env ? { ...process.env, ...opts.wrap.env } : process.env;
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
  const agent = new AgentProcess(child, opts.wrap !== undefined);
  try {
    await agent.waitReady(opts.startTimeoutMs ?? 10_000);
  } catch (e) {
    await agent.kill();
    throw e;
  }
  return agent;
}
