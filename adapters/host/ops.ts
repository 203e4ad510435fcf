// Scenario ops (language/ops.ts) → agent requests → OpResult, plus typed helpers for the host
// adapters' own work (root, layer directories, mounts, daemons) on the same agent.

import type { ResolvedOp, Cred } from '../adapter.js';
import type { DirEntryValue, LockValue, OpResult, OpValue, StatValue, StatfsValue } from '../../language/canonical.js';
import { OPS, type FileType, type OpName } from '../../language/ops.js';
import { AgentError, type Agent } from './agent.js';
import { bytesToText, getAll, getBytes, getInt, getText, type AgentArgs, type AgentReply, type Field } from './wire.js';

// ---------------------------------------------------------------------------------------------
// Scenario ops

type ArgMap = (a: Record<string, unknown>) => AgentArgs;

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const int = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const bool = (v: unknown): boolean => v === true;
const bytes = (v: unknown): Uint8Array | string | undefined =>
  v instanceof Uint8Array ? v : typeof v === 'string' ? v : undefined;
const flags = (v: unknown): string | undefined => {
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[|,\s]+/) : [];
  const names = list.filter((x) => x.length > 0);
  return names.length ? names.join(',') : undefined;
};

/** the agent op and argument mapping of every non-lifecycle scenario op */
const OP_MAP: Partial<Record<OpName, { op: string; args: ArgMap }>> = {
  open: { op: 'open', args: (a) => ({ path: str(a.path), flags: flags(a.flags) ?? 'O_RDONLY', mode: int(a.mode) }) },
  close: { op: 'close', args: (a) => ({ fd: int(a.fd) }) },
  read: { op: 'read', args: (a) => ({ fd: int(a.fd), length: int(a.length), dropcaches: bool(a.dropCaches) }) },
  pread: {
    op: 'pread',
    args: (a) => ({ fd: int(a.fd), offset: int(a.offset), length: int(a.length), dropcaches: bool(a.dropCaches) }),
  },
  write: { op: 'write', args: (a) => ({ fd: int(a.fd), data: bytes(a.data) }) },
  pwrite: { op: 'pwrite', args: (a) => ({ fd: int(a.fd), data: bytes(a.data), offset: int(a.offset) }) },
  lseek: { op: 'lseek', args: (a) => ({ fd: int(a.fd), offset: int(a.offset), whence: str(a.whence) ?? 'SEEK_SET' }) },
  fsync: { op: 'fsync', args: (a) => ({ fd: int(a.fd) }) },
  fdatasync: { op: 'fdatasync', args: (a) => ({ fd: int(a.fd) }) },
  truncate: { op: 'truncate', args: (a) => ({ path: str(a.path), length: int(a.length) }) },
  ftruncate: { op: 'ftruncate', args: (a) => ({ fd: int(a.fd), length: int(a.length) }) },
  stat: { op: 'stat', args: (a) => ({ path: str(a.path) }) },
  lstat: { op: 'lstat', args: (a) => ({ path: str(a.path) }) },
  fstat: { op: 'fstat', args: (a) => ({ fd: int(a.fd) }) },
  access: { op: 'access', args: (a) => ({ path: str(a.path), mode: flags(a.mode) ?? 'F_OK' }) },
  readdir: { op: 'readdir', args: (a) => ({ path: str(a.path) }) },
  opendir: { op: 'opendir', args: (a) => ({ path: str(a.path) }) },
  readdirNext: { op: 'readdirnext', args: (a) => ({ dir: int(a.dir), count: int(a.count) }) },
  telldir: { op: 'telldir', args: (a) => ({ dir: int(a.dir) }) },
  seekdir: { op: 'seekdir', args: (a) => ({ dir: int(a.dir), offset: int(a.offset) }) },
  rewinddir: { op: 'rewinddir', args: (a) => ({ dir: int(a.dir) }) },
  closedir: { op: 'closedir', args: (a) => ({ dir: int(a.dir) }) },
  mkdir: { op: 'mkdir', args: (a) => ({ path: str(a.path), mode: int(a.mode) }) },
  rmdir: { op: 'rmdir', args: (a) => ({ path: str(a.path) }) },
  unlink: { op: 'unlink', args: (a) => ({ path: str(a.path) }) },
  rename: { op: 'rename', args: (a) => ({ from: str(a.from), to: str(a.to), flags: flags(a.flags) }) },
  link: { op: 'link', args: (a) => ({ from: str(a.from), to: str(a.to), follow: bool(a.follow) }) },
  symlink: { op: 'symlink', args: (a) => ({ target: str(a.target), path: str(a.path) }) },
  readlink: { op: 'readlink', args: (a) => ({ path: str(a.path) }) },
  chmod: { op: 'chmod', args: (a) => ({ path: str(a.path), mode: int(a.mode) }) },
  fchmod: { op: 'fchmod', args: (a) => ({ fd: int(a.fd), mode: int(a.mode) }) },
  chown: { op: 'chown', args: (a) => ({ path: str(a.path), uid: int(a.uid), gid: int(a.gid) }) },
  lchown: { op: 'lchown', args: (a) => ({ path: str(a.path), uid: int(a.uid), gid: int(a.gid) }) },
  fchown: { op: 'fchown', args: (a) => ({ fd: int(a.fd), uid: int(a.uid), gid: int(a.gid) }) },
  utimens: {
    op: 'utimens',
    args: (a) => ({ path: str(a.path), atime: str(a.atime), mtime: str(a.mtime), nofollow: bool(a.nofollow) }),
  },
  mknod: {
    op: 'mknod',
    args: (a) => ({ path: str(a.path), type: str(a.type), mode: int(a.mode), major: int(a.major), minor: int(a.minor) }),
  },
  mkfifo: { op: 'mkfifo', args: (a) => ({ path: str(a.path), mode: int(a.mode) }) },
  setxattr: {
    op: 'setxattr',
    args: (a) => ({
      path: str(a.path), fd: int(a.fd), name: str(a.name), value: bytes(a.value) ?? new Uint8Array(0),
      flags: flags(a.flags), nofollow: bool(a.nofollow),
    }),
  },
  getxattr: {
    op: 'getxattr',
    args: (a) => ({ path: str(a.path), fd: int(a.fd), name: str(a.name), nofollow: bool(a.nofollow) }),
  },
  listxattr: { op: 'listxattr', args: (a) => ({ path: str(a.path), fd: int(a.fd), nofollow: bool(a.nofollow) }) },
  removexattr: {
    op: 'removexattr',
    args: (a) => ({ path: str(a.path), fd: int(a.fd), name: str(a.name), nofollow: bool(a.nofollow) }),
  },
  statfs: { op: 'statfs', args: (a) => ({ path: str(a.path) }) },
  flock: { op: 'flock', args: (a) => ({ fd: int(a.fd), op: str(a.op), nonblock: bool(a.nonblock) }) },
  lock: {
    op: 'lock',
    args: (a) => ({ fd: int(a.fd), cmd: str(a.cmd), type: str(a.type), start: int(a.start), len: int(a.len) }),
  },
  mmap: { op: 'mmap', args: (a) => ({ fd: int(a.fd), offset: int(a.offset), length: int(a.length), write: bool(a.write) }) },
  mread: { op: 'mread', args: (a) => ({ map: int(a.map), offset: int(a.offset), length: int(a.length) }) },
  mwrite: { op: 'mwrite', args: (a) => ({ map: int(a.map), offset: int(a.offset), data: bytes(a.data) }) },
  munmap: { op: 'munmap', args: (a) => ({ map: int(a.map) }) },
  dropCaches: { op: 'dropcaches', args: (a) => ({ path: str(a.path), fd: int(a.fd) }) },
  readfile: { op: 'readfile', args: (a) => ({ path: str(a.path) }) },
  writefile: {
    op: 'writefile',
    args: (a) => ({ path: str(a.path), data: bytes(a.data), append: bool(a.append), mode: int(a.mode) }),
  },
  linkfd: { op: 'linkfd', args: (a) => ({ fd: int(a.fd), path: str(a.path) }) },
  fdpath: { op: 'fdpath', args: (a) => ({ fd: int(a.fd) }) },
  syncfs: { op: 'syncfs', args: (a) => ({ path: str(a.path) }) },
  setfl: { op: 'setfl', args: (a) => ({ fd: int(a.fd), flags: flags(a.flags) }) },
  copyFileRange: { op: 'copyrange', args: (a) => ({ in: int(a.in), out: int(a.out), len: int(a.length), off_in: int(a.inOffset), off_out: int(a.outOffset) }) },
  clone: { op: 'clone', args: (a) => ({ in: int(a.in), out: int(a.out) }) },
  dedupe: { op: 'dedupe', args: (a) => ({ in: int(a.in), out: int(a.out), len: int(a.length) }) },
  getflags: { op: 'getflags', args: (a) => ({ fd: int(a.fd) }) },
  setflags: { op: 'setflags', args: (a) => ({ fd: int(a.fd), flags: flags(a.flags) }) },
  exec: { op: 'exec', args: (a) => ({ path: str(a.path) }) },
  watch: { op: 'watch', args: (a) => ({ path: str(a.path), mask: a.mask === undefined ? undefined : flags(a.mask) }) },
  events: { op: 'events', args: () => ({}) },
  race: { op: 'race', args: (a) => ({ kind: str(a.kind), path: str(a.path), to: str(a.to), procs: int(a.procs), rounds: int(a.rounds) }) },
  fhandle: { op: 'fhandle', args: (a) => ({ path: str(a.path), name: str(a.name) }) },
  openHandle: { op: 'openhandle', args: (a) => ({ name: str(a.name), flags: a.flags === undefined ? undefined : flags(a.flags) }) },
};

/** Whether runOp can run this op (every op of language/ops.ts except the lifecycle and mount-level ones). */
export function agentSupports(op: OpName): boolean {
  return OP_MAP[op] !== undefined;
}

/** The agent request (op and arguments, identity included) a resolved scenario op becomes. */
export function toAgentRequest(op: ResolvedOp): { op: string; args: AgentArgs } {
  const m = OP_MAP[op.op];
  if (!m) throw new AgentError(`op ${op.op} is not run through the agent (lifecycle op or unknown)`);
  return { op: m.op, args: { ...m.args(op.args), ...credArgs(op.user) } };
}

function credArgs(user: Cred | undefined): AgentArgs {
  if (!user) return {};
  return { as_uid: user.uid, as_gid: user.gid, as_groups: user.groups?.length ? user.groups.join(',') : undefined };
}

/** Run one resolved scenario op on the agent and turn the reply into an OpResult. */
export async function runOp(agent: Agent, op: ResolvedOp, timeoutMs: number): Promise<OpResult> {
  const rq = toAgentRequest(op);
  const reply = await agent.request(rq.op, rq.args, { timeoutMs });
  return replyToResult(op.op, reply, agent.root);
}

/** Interpret a reply of a scenario op (exported for tests and for pipelined callers). */
export function replyToResult(op: OpName, r: AgentReply, root: string | undefined): OpResult {
  if (r.kind === 'err') {
    const message = getText(r.fields, 'msg');
    return message ? { ok: false, errno: r.errno ?? 'EIO', message } : { ok: false, errno: r.errno ?? 'EIO' };
  }
  if (r.kind === 'escape') return { ok: false, escape: getText(r.fields, 'msg') ?? 'path escapes the root' };
  if (r.kind === 'fatal') throw new AgentError(`agent refused ${op} as malformed: ${getText(r.fields, 'msg') ?? ''}`);
  const value = parseValue(op, r, root);
  return value === undefined ? { ok: true } : { ok: true, value };
}

function need(fields: Field[], key: string): string {
  const v = getText(fields, key);
  if (v === undefined) throw new AgentError(`agent reply lacks ${key}`);
  return v;
}

function needInt(fields: Field[], key: string): number {
  const n = getInt(fields, key);
  if (n === undefined) throw new AgentError(`agent reply lacks ${key}`);
  return n;
}

function parseValue(op: OpName, r: AgentReply, root: string | undefined): OpValue | undefined {
  const f = r.fields;
  switch (OPS[op].result) {
    case 'none':
      return undefined;
    case 'fd':
      return { fd: needInt(f, 'fd') };
    case 'dir':
      return { dir: needInt(f, 'dir') };
    case 'map':
      return { map: needInt(f, 'map') };
    case 'stat':
      return { stat: parseStat(f) };
    case 'statfs':
      return { statfs: parseStatfs(f) };
    case 'data':
      return { data: getBytes(f, 'data') ?? new Uint8Array(0) };
    case 'count':
      return { count: needInt(f, 'count') };
    case 'offset':
      return { offset: needInt(f, 'offset') };
    case 'entries':
      return { entries: r.items.map(parseEntry) };
    case 'names':
      return { names: getAll(f, 'name').map(bytesToText) };
    case 'value':
      return { value: getBytes(f, 'value') ?? new Uint8Array(0) };
    case 'target':
      return { target: need(f, 'target') };
    case 'lock':
      return { lock: parseLock(f) };
    case 'path':
      return { path: relativeToRoot(need(f, 'path'), root) };
    case 'mount':
      // read from mountinfo by the worker, never from an agent reply
      throw new AgentError(`op ${op} has no agent reply form`);
  }
}

/** stat fields of a reply; inode numbers stay decimal strings (u64, may exceed 2^53) */
export function parseStat(f: Field[]): StatValue {
  const st: StatValue = {
    type: need(f, 'type') as FileType,
    mode: needInt(f, 'mode'),
    ino: need(f, 'ino'),
    dev: need(f, 'dev'),
    nlink: needInt(f, 'nlink'),
    uid: needInt(f, 'uid'),
    gid: needInt(f, 'gid'),
    size: needInt(f, 'size'),
    blocks: needInt(f, 'blocks'),
    rdev: need(f, 'rdev'),
    atime: need(f, 'atime'),
    mtime: need(f, 'mtime'),
    ctime: need(f, 'ctime'),
  };
  const btime = getText(f, 'btime');
  if (btime !== undefined) st.btime = btime;
  return st;
}

function parseStatfs(f: Field[]): StatfsValue {
  return {
    type: need(f, 'type'),
    bsize: needInt(f, 'bsize'),
    blocks: needInt(f, 'blocks'),
    bfree: needInt(f, 'bfree'),
    bavail: needInt(f, 'bavail'),
    files: needInt(f, 'files'),
    ffree: needInt(f, 'ffree'),
    namelen: needInt(f, 'namelen'),
    fsid: need(f, 'fsid'),
    flags: needInt(f, 'flags'),
  };
}

function parseEntry(f: Field[]): DirEntryValue {
  return { name: need(f, 'name'), ino: need(f, 'ino'), type: need(f, 'type') as DirEntryValue['type'] };
}

function parseLock(f: Field[]): LockValue {
  const lock: LockValue = { type: need(f, 'type') as LockValue['type'] };
  const pid = getInt(f, 'pid');
  if (pid !== undefined) lock.pid = pid;
  const start = getInt(f, 'start');
  if (start !== undefined) lock.start = start;
  const len = getInt(f, 'len');
  if (len !== undefined) lock.len = len;
  return lock;
}

/** an absolute path the kernel reports, relative to the root ('.' for the root itself) */
export function relativeToRoot(abs: string, root: string | undefined): string {
  if (!root) return abs;
  if (abs === root) return '.';
  const prefix = root === '/' ? '/' : root + '/';
  if (abs.startsWith(prefix)) return abs.slice(prefix.length);
  // "/root (deleted)" for an unlinked root
  if (abs.startsWith(root + ' ')) return '.' + abs.slice(root.length);
  return abs;
}

// ---------------------------------------------------------------------------------------------
// Host helpers (absolute paths beneath the agent's sandbox)

/** A host op that failed with an errno (or escaped the sandbox): a harness-level problem. */
export class AgentOpError extends AgentError {
  override name = 'AgentOpError';
  constructor(
    readonly op: string,
    readonly errno: string,
    readonly detail?: string,
  ) {
    super(`agent ${op} failed: ${errno}${detail ? ` (${detail})` : ''}`);
  }
}

/** The outcome of a mount-like host op: failures here are data (the kernel refused an option). */
export type HostResult = { ok: true; log?: string } | { ok: false; errno: string; message?: string };

async function call(agent: Agent, op: string, args: AgentArgs, timeoutMs?: number): Promise<AgentReply> {
  return okReply(op, await agent.request(op, args, { timeoutMs }));
}

/** A host op's reply when it is ok; else the error a host helper throws for it (a pipelined caller's form of the helpers). */
export function okReply(op: string, r: AgentReply): AgentReply {
  if (r.kind === 'ok') return r;
  const msg = getText(r.fields, 'msg');
  if (r.kind === 'err') throw new AgentOpError(op, r.errno ?? 'EIO', msg);
  if (r.kind === 'escape') throw new AgentOpError(op, 'ESCAPE', msg);
  throw new AgentError(`agent refused ${op} as malformed: ${msg ?? ''}`);
}

async function hostResult(agent: Agent, op: string, args: AgentArgs, timeoutMs?: number): Promise<HostResult> {
  return hostReply(op, await agent.request(op, args, { timeoutMs }));
}

/** A mount-like op's reply as data (a refusal is a result; an escape or a malformed request still throws). */
export function hostReply(op: string, r: AgentReply): HostResult {
  if (r.kind === 'ok') {
    const log = getText(r.fields, 'log');
    return log ? { ok: true, log } : { ok: true };
  }
  const msg = getText(r.fields, 'msg');
  if (r.kind === 'err') return msg ? { ok: false, errno: r.errno ?? 'EIO', message: msg } : { ok: false, errno: r.errno ?? 'EIO' };
  if (r.kind === 'escape') throw new AgentOpError(op, 'ESCAPE', msg);
  throw new AgentError(`agent refused ${op} as malformed: ${msg ?? ''}`);
}

/** Point scenario paths at a directory (re-send after every mount on it); returns its canonical path. */
export async function setRoot(agent: Agent, absPath: string): Promise<string> {
  const r = await call(agent, 'root', { path: absPath });
  return need(r.fields, 'path');
}

/** Close every fd, directory stream, mapping and the root (before unmounting). */
export async function closeAll(agent: Agent): Promise<void> {
  await call(agent, 'closeall', {});
}

/** mkdir -p beneath the sandbox. */
export async function mkdirp(agent: Agent, absPath: string, mode?: number): Promise<void> {
  await call(agent, 'mkdirp', { path: absPath, mode });
}

/** rm -rf that never follows symlinks nor enters another mount (throws EBUSY, leaving it in place). */
export async function rmtree(agent: Agent, absPath: string, timeoutMs?: number): Promise<void> {
  await call(agent, 'rmtree', { path: absPath }, timeoutMs);
}

import type { TreeItem } from '../adapter.js';

export type { TreeItem };

/**
 * Everything below absPath (pre-order, names sorted), without following anything. A layer a
 * daemon is still tidying (libfuse removing a `.fuse_hidden` file after the last close) can lose
 * an entry between its stat and the read of its data or xattrs: the listing is taken again.
 */
export async function tree(agent: Agent, absPath: string, maxData = 0, timeoutMs?: number): Promise<TreeItem[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await call(agent, 'tree', { path: absPath, maxdata: maxData }, timeoutMs);
      return r.items.map(parseTreeItem);
    } catch (e) {
      const vanished = e instanceof AgentOpError && e.errno === 'ENOENT' && !(e.detail ?? '/').startsWith('/');
      if (!vanished || attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/**
 * Several `tree` listings in one pipeline (one round trip): each answered listing parsed, or the
 * reply where the agent did not answer `ok` (the caller asks that one again through tree(), which
 * retries and throws as one listing would). Listings have no side effects, so reading a later one
 * before an earlier one's failure is handled changes nothing.
 */
export async function trees(agent: Agent, specs: readonly { path: string; maxData?: number }[], timeoutMs?: number): Promise<(TreeItem[] | AgentReply)[]> {
  const replies = await agent.pipeline(specs.map((s) => ({ op: 'tree', args: { path: s.path, maxdata: s.maxData ?? 0 } })), { timeoutMs });
  return replies.map((r) => (r.kind === 'ok' ? r.items.map(parseTreeItem) : r));
}

/** Whether a `tree` reply says its top directory does not exist (not an entry that vanished mid-walk, which tree() retries). */
export function treeMissing(r: AgentReply): boolean {
  return r.kind === 'err' && r.errno === 'ENOENT' && (getText(r.fields, 'msg') ?? '/').startsWith('/');
}

/** Parse one `tree` item line. */
export function parseTreeItem(f: Field[]): TreeItem {
  const item: TreeItem = {
    path: need(f, 'path'),
    type: need(f, 'type') as TreeItem['type'],
    mode: needInt(f, 'mode'),
    uid: needInt(f, 'uid'),
    gid: needInt(f, 'gid'),
    size: needInt(f, 'size'),
    nlink: needInt(f, 'nlink'),
    ino: need(f, 'ino'),
    rdev: need(f, 'rdev'),
    atime: need(f, 'atime'),
    mtime: need(f, 'mtime'),
    xattrs: [],
  };
  const target = getBytes(f, 'target');
  if (target) item.target = bytesToText(target);
  const data = getBytes(f, 'data');
  if (data) item.data = data;
  if (getText(f, 'mount') === '1') item.mount = true;
  const dev = getText(f, 'dev');
  if (dev) item.dev = dev;
  for (const x of getAll(f, 'x')) {
    const nul = x.indexOf(0);
    if (nul < 0) throw new AgentError('tree xattr field without a NUL separator');
    item.xattrs.push([bytesToText(x.subarray(0, nul)), x.slice(nul + 1)]);
  }
  return item;
}

/** What to mount: options are `key=value` (or bare flags), one fsconfig call each with the new API. */
export interface MountSpec {
  fstype: string;
  /** defaults to fstype */
  source?: string;
  target: string;
  options: string[];
  /** new: fsopen/fsconfig per option (no 4095-byte limit); legacy: mount(2) with one string */
  api: 'new' | 'legacy';
  /** directory relative layer paths are resolved against */
  cwd?: string;
  ro?: boolean;
  /** the credentials the mount stashes: this uid (= gid) with only CAP_SYS_ADMIN, as the creating task or the one setting override_creds (new API only) */
  creator?: { uid: number; via: 'create' | 'override' };
  /** keep device semantics (default: the agent mounts nodev,nosuid) */
  dev?: boolean;
}

/** Mount through the agent; a refusal comes back with the kernel's fs-context log as message. */
export function mount(agent: Agent, spec: MountSpec, timeoutMs?: number): Promise<HostResult> {
  return hostResult(agent, 'mount', mountArgs(spec), timeoutMs);
}

/** The `mount` request's arguments for a spec (for callers that pipeline it). */
export function mountArgs(spec: MountSpec): AgentArgs {
  return { fstype: spec.fstype, source: spec.source, target: spec.target, opt: spec.options, api: spec.api, cwd: spec.cwd, ro: spec.ro, creator: spec.creator?.uid, credsvia: spec.creator?.via, dev: spec.dev || undefined };
}

/** Unmount (the agent drops its root first when the root lies on that mount). */
export function umount(agent: Agent, target: string, opts: { detach?: boolean; timeoutMs?: number } = {}): Promise<HostResult> {
  return hostResult(agent, 'umount', { target, detach: opts.detach }, opts.timeoutMs);
}

/** Device semantics on (dev) or off (nodev,nosuid) for a mount this agent made. */
export async function mountattr(agent: Agent, target: string, dev: boolean): Promise<void> {
  await call(agent, 'mountattr', { target, dev: dev || undefined });
}

/** Mount a tmpfs at target (inside the agent's namespace). */
export async function tmpfs(agent: Agent, target: string, options: string[] = []): Promise<void> {
  await call(agent, 'tmpfs', { target, opt: options });
}

/** Start a process inside the agent's namespace (own process group, dies with the agent); returns its pid. */
export async function spawn(
  agent: Agent,
  argv: string[],
  opts: { log?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<number> {
  const env = opts.env ? Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) : undefined;
  const r = await call(agent, 'spawn', { argv, log: opts.log, cwd: opts.cwd, env });
  return needInt(r.fields, 'pid');
}

/** Signal a process the agent spawned (its whole group by default). */
export async function kill(agent: Agent, pid: number, signal = 'SIGKILL', group = true): Promise<void> {
  await call(agent, 'kill', { pid, sig: signal, group });
}

/** Reap a spawned process: blocking, at once (nohang), or waiting at most waitMs for its exit (exited false after that). */
export async function waitpid(
  agent: Agent,
  pid: number,
  opts: { nohang?: boolean; waitMs?: number; timeoutMs?: number } = {},
): Promise<{ exited: boolean; status: number; signal: number }> {
  const waitMs = opts.waitMs === undefined ? undefined : Math.max(0, Math.ceil(opts.waitMs));
  const r = await call(agent, 'waitpid', { pid, nohang: opts.nohang, timeout: waitMs }, opts.timeoutMs ?? (waitMs === undefined ? undefined : waitMs + 5000));
  return { exited: getText(r.fields, 'exited') === '1', status: getInt(r.fields, 'status') ?? 0, signal: getInt(r.fields, 'signal') ?? 0 };
}

/** Wait until a mount (of fstype, e.g. "fuse" or "fuse.fuse-overlayfs") sits at target; ECHILD if pid exits first. */
export function waitmount(
  agent: Agent,
  target: string,
  opts: { timeoutMs: number; fstype?: string; pid?: number; dev?: boolean },
): Promise<HostResult> {
  return hostResult(
    agent,
    'waitmount',
    { target, timeout: opts.timeoutMs, fstype: opts.fstype, pid: opts.pid, dev: opts.dev || undefined },
    opts.timeoutMs + 5000,
  );
}
