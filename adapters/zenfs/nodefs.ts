// The ops of language/ops.ts run on any object with Node's synchronous fs API (shared by the zenfs
// and memfs-unionfs adapters): paths confined beneath a root, file positions kept here (the API
// has no lseek), directory streams emulated over readdir, and every thrown error turned into an
// errno name — never thrown on. Ops the API cannot express come back as skips with the reason.

import { constants as C } from 'node:fs';
import type { ResolvedOp } from '../adapter.js';
import type { DirEntryValue, OpResult, OpValue, StatValue, StatfsValue } from '../../language/canonical.js';
import type { FileType } from '../../language/ops.js';

/** The subset of Node's fs API the ops use; libraries lacking a call get a skip for its ops. */
export interface NodeFsLike {
  openSync(path: string, flags: number | string, mode?: number): number;
  closeSync(fd: number): void;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number;
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number;
  fstatSync(fd: number): NodeStats;
  ftruncateSync(fd: number, len: number): void;
  truncateSync(path: string, len: number): void;
  statSync(path: string): NodeStats;
  lstatSync(path: string): NodeStats;
  readdirSync(path: string): unknown[];
  mkdirSync(path: string, mode?: number): unknown;
  rmdirSync(path: string): void;
  unlinkSync(path: string): void;
  renameSync(from: string, to: string): void;
  linkSync(from: string, to: string): void;
  symlinkSync(target: string, path: string): void;
  readlinkSync(path: string): unknown;
  chmodSync(path: string, mode: number): void;
  fchmodSync?(fd: number, mode: number): void;
  chownSync(path: string, uid: number, gid: number): void;
  lchownSync?(path: string, uid: number, gid: number): void;
  fchownSync?(fd: number, uid: number, gid: number): void;
  utimesSync(path: string, atime: number | Date, mtime: number | Date): void;
  lutimesSync?(path: string, atime: number | Date, mtime: number | Date): void;
  accessSync(path: string, mode?: number): void;
  fsyncSync(fd: number): void;
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array, opts?: { mode?: number; flag?: string }): void;
  statfsSync?(path: string): { type: number; bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number };
}

/** What the libraries' stat objects have in common. */
export interface NodeStats {
  mode: number; ino: number | bigint; dev: number | bigint; nlink: number; uid: number; gid: number;
  size: number; blocks?: number; rdev?: number; atimeMs: number; mtimeMs: number; ctimeMs: number; birthtimeMs?: number;
}

/** Per-worker state the ops work on. */
export interface NodeEnv {
  /** the fs API, for a step's identity (undefined: the adapter's own) */
  fs(user?: { uid: number; gid: number }): NodeFsLike;
  /** absolute path of the scenario root inside the library's namespace */
  root: string;
  /** open flags in the library's form; a string result is why it cannot open with them */
  openFlags(flags: number): number | string | { skip: string };
  /** ops this library cannot do, with the reason (the scenario skips) */
  unsupported: Partial<Record<string, string>>;
  fds: Map<number, { fd: number; pos: number; append: boolean; path: string }>;
  dirs: Map<number, { path: string; list?: DirEntryValue[]; pos: number }>;
  nextHandle: number;
  /** a close the engine refused: its descriptor may stay in the engine's process-wide tables */
  closeFailed?: boolean;
}

/** A fresh env; handles start at 3 (fds) and 1 (dirs) like the agent's. */
export function nodeEnv(root: string, fs: NodeEnv['fs'], openFlags: NodeEnv['openFlags'], unsupported: NodeEnv['unsupported']): NodeEnv {
  return { fs, root, openFlags, unsupported, fds: new Map(), dirs: new Map(), nextHandle: 3 };
}

class Escape extends Error {}
class Skip extends Error {}

/** The library path of a scenario path, or an Escape when it climbs above the root. */
export function confine(root: string, path: string): string {
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) throw new Escape(`${path} climbs above the root`);
      parts.pop();
    } else parts.push(seg);
  }
  const abs = parts.length ? `${root}/${parts.join('/')}` : root;
  return path.endsWith('/') && parts.length ? abs + '/' : abs;
}

const OPEN_BITS: Record<string, number> = Object.fromEntries(
  ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_EXCL', 'O_TRUNC', 'O_APPEND', 'O_DIRECTORY', 'O_NOFOLLOW', 'O_NONBLOCK', 'O_SYNC', 'O_DSYNC', 'O_NOATIME', 'O_NOCTTY', 'O_DIRECT']
    .map((k) => [k, (C as unknown as Record<string, number>)[k] ?? 0]),
);

/** Symbolic open flags as the numeric flags of this platform; unknown ones are a skip. */
export function openBits(flags: unknown): number {
  const list = Array.isArray(flags) ? flags.map(String) : typeof flags === 'string' ? flags.split(/[|,\s]+/).filter(Boolean) : [];
  let n = 0;
  for (const f of list) {
    if (!(f in OPEN_BITS)) throw new Skip(`open flag ${f} has no equivalent in this library's fs API`);
    n |= OPEN_BITS[f];
  }
  return n;
}

const TYPE_BITS: [number, FileType][] = [[C.S_IFREG, 'file'], [C.S_IFDIR, 'dir'], [C.S_IFLNK, 'symlink'], [C.S_IFIFO, 'fifo'], [C.S_IFCHR, 'chr'], [C.S_IFBLK, 'blk'], [C.S_IFSOCK, 'sock']];

/** The file type of a mode. */
export function typeOf(mode: number): FileType {
  return TYPE_BITS.find(([b]) => (mode & C.S_IFMT) === b)?.[1] ?? 'file';
}

/** "sec.nsec" from milliseconds. */
export function msTime(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  const s = ns / 1_000_000_000n;
  return `${s}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

const devString = (d: number | bigint | undefined) => {
  const n = Number(d ?? 0);
  return `${Math.floor(n / 256) & 0xfff}:${n % 256}`;
};

/** A library stat as the canonical StatValue. */
export function statValue(st: NodeStats): StatValue {
  return {
    type: typeOf(st.mode), mode: st.mode & 0o7777, ino: String(st.ino), dev: devString(st.dev), nlink: st.nlink,
    uid: st.uid, gid: st.gid, size: Number(st.size), blocks: Number(st.blocks ?? 0), rdev: devString(st.rdev),
    atime: msTime(st.atimeMs), mtime: msTime(st.mtimeMs), ctime: msTime(st.ctimeMs),
    ...(st.birthtimeMs !== undefined ? { btime: msTime(st.birthtimeMs) } : {}),
  };
}

/** A scenario time ("sec.nsec", seconds, "now") as seconds; undefined for "omit". */
export function timeArg(v: unknown): number | undefined {
  if (v === undefined || v === null || v === 'omit') return undefined;
  if (v === 'now') return Date.now() / 1000;
  return Number(v);
}

/** The errno name of a library error (never rethrown: anything without one is EIO). */
export function errnoOf(e: unknown): { errno: string; message?: string } {
  const code = (e as { code?: unknown })?.code;
  const message = (e as Error)?.message;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return { errno: code };
  return { errno: 'EIO', ...(message ? { message: `not an errno: ${message}` } : {}) };
}

function entries(env: NodeEnv, fs: NodeFsLike, path: string): DirEntryValue[] {
  const names = fs.readdirSync(path).map((n) => String(n));
  return names.map((name) => {
    try {
      const st = fs.lstatSync(`${path.replace(/\/$/, '')}/${name}`);
      return { name, ino: String(st.ino), type: typeOf(st.mode) };
    } catch {
      return { name, ino: '0', type: 'unknown' as const };
    }
  });
}

function handle(env: NodeEnv, fd: unknown) {
  const h = env.fds.get(Number(fd));
  if (!h) throw Object.assign(new Error('bad fd'), { code: 'EBADF' });
  return h;
}

function run(env: NodeEnv, op: ResolvedOp): OpValue | undefined {
  const a = op.args;
  const why = env.unsupported[op.op];
  if (why) throw new Skip(why);
  const fs = env.fs(op.user);
  const p = (k = 'path') => confine(env.root, String(a[k]));
  const bytes = (v: unknown) => (v instanceof Uint8Array ? v : new TextEncoder().encode(String(v ?? '')));
  switch (op.op) {
    case 'open': {
      const bits = openBits(a.flags ?? 'O_RDONLY');
      const f = env.openFlags(bits);
      if (typeof f === 'object') throw new Skip(f.skip);
      const fd = fs.openSync(p(), f, a.mode === undefined ? 0o644 : Number(a.mode));
      const h = env.nextHandle++;
      env.fds.set(h, { fd, pos: 0, append: (bits & C.O_APPEND) !== 0, path: p() });
      return { fd: h };
    }
    case 'close': {
      try {
        fs.closeSync(handle(env, a.fd).fd);
      } catch (e) {
        env.closeFailed = true;
        throw e;
      }
      env.fds.delete(Number(a.fd));
      return undefined;
    }
    case 'read': case 'pread': {
      const h = handle(env, a.fd);
      const buf = new Uint8Array(Number(a.length));
      const at = op.op === 'pread' ? Number(a.offset) : h.pos;
      const n = fs.readSync(h.fd, buf, 0, buf.length, at);
      if (op.op === 'read') h.pos += n;
      return { data: buf.slice(0, n) };
    }
    case 'write': case 'pwrite': {
      const h = handle(env, a.fd);
      const data = bytes(a.data);
      const at = h.append ? Number(fs.fstatSync(h.fd).size) : op.op === 'pwrite' ? Number(a.offset) : h.pos;
      const n = fs.writeSync(h.fd, data, 0, data.length, at);
      if (op.op === 'write') h.pos = at + n;
      return { count: n };
    }
    case 'lseek': {
      const h = handle(env, a.fd);
      const w = String(a.whence ?? 'SEEK_SET');
      const base = w === 'SEEK_SET' ? 0 : w === 'SEEK_CUR' ? h.pos : w === 'SEEK_END' ? Number(fs.fstatSync(h.fd).size) : NaN;
      if (Number.isNaN(base)) throw new Skip(`lseek ${w} has no equivalent in this library's fs API`);
      const to = base + Number(a.offset);
      if (to < 0) throw Object.assign(new Error('negative offset'), { code: 'EINVAL' });
      h.pos = to;
      return { offset: to };
    }
    case 'fsync': case 'fdatasync': fs.fsyncSync(handle(env, a.fd).fd); return undefined;
    case 'truncate': fs.truncateSync(p(), Number(a.length)); return undefined;
    case 'ftruncate': fs.ftruncateSync(handle(env, a.fd).fd, Number(a.length)); return undefined;
    case 'stat': return { stat: statValue(fs.statSync(p())) };
    case 'lstat': return { stat: statValue(fs.lstatSync(p())) };
    case 'fstat': return { stat: statValue(fs.fstatSync(handle(env, a.fd).fd)) };
    case 'access': {
      const m = (Array.isArray(a.mode) ? a.mode : String(a.mode ?? 'F_OK').split(/[|,\s]+/)).reduce((n: number, f) => n | ((C as unknown as Record<string, number>)[String(f)] ?? 0), 0);
      fs.accessSync(p(), m);
      return undefined;
    }
    case 'readdir': return { entries: entries(env, fs, p()) };
    case 'opendir': {
      if (!fs.statSync(p()).mode || typeOf(fs.statSync(p()).mode) !== 'dir') throw Object.assign(new Error('not a dir'), { code: 'ENOTDIR' });
      const h = env.nextHandle++;
      env.dirs.set(h, { path: p(), pos: 0 });
      return { dir: h };
    }
    case 'readdirNext': case 'telldir': case 'seekdir': case 'rewinddir': case 'closedir': {
      const d = env.dirs.get(Number(a.dir));
      if (!d) throw Object.assign(new Error('bad dir'), { code: 'EBADF' });
      if (op.op === 'closedir') return void env.dirs.delete(Number(a.dir));
      if (op.op === 'rewinddir') return void Object.assign(d, { list: undefined, pos: 0 });
      if (op.op === 'telldir') return { offset: d.pos };
      if (op.op === 'seekdir') return void (d.pos = Number(a.offset));
      d.list ??= entries(env, fs, d.path);
      const n = a.count === undefined ? d.list.length : Number(a.count);
      const out = d.list.slice(d.pos, d.pos + n);
      d.pos += out.length;
      return { entries: out };
    }
    case 'mkdir': fs.mkdirSync(p(), a.mode === undefined ? 0o755 : Number(a.mode)); return undefined;
    case 'rmdir': fs.rmdirSync(p()); return undefined;
    case 'unlink': fs.unlinkSync(p()); return undefined;
    case 'rename':
      if (Array.isArray(a.flags) ? a.flags.length : a.flags) throw new Skip('renameat2 flags have no equivalent in this library\'s fs API');
      fs.renameSync(p('from'), p('to'));
      return undefined;
    case 'link': fs.linkSync(p('from'), p('to')); return undefined;
    case 'symlink': fs.symlinkSync(String(a.target), p()); return undefined;
    case 'readlink': return { target: String(fs.readlinkSync(p())) };
    case 'chmod': fs.chmodSync(p(), Number(a.mode)); return undefined;
    case 'fchmod': need(fs.fchmodSync, 'fchmod').call(fs, handle(env, a.fd).fd, Number(a.mode)); return undefined;
    case 'chown': fs.chownSync(p(), Number(a.uid), Number(a.gid)); return undefined;
    case 'lchown': need(fs.lchownSync, 'lchown').call(fs, p(), Number(a.uid), Number(a.gid)); return undefined;
    case 'fchown': need(fs.fchownSync, 'fchown').call(fs, handle(env, a.fd).fd, Number(a.uid), Number(a.gid)); return undefined;
    case 'utimens': {
      const path = p();
      const st = a.nofollow ? fs.lstatSync(path) : fs.statSync(path);
      const at = timeArg(a.atime) ?? st.atimeMs / 1000;
      const mt = timeArg(a.mtime) ?? st.mtimeMs / 1000;
      if (a.nofollow) need(fs.lutimesSync, 'lutimes').call(fs, path, at, mt);
      else fs.utimesSync(path, at, mt);
      return undefined;
    }
    case 'statfs': {
      const s = need(fs.statfsSync, 'statfs').call(fs, p());
      const v: StatfsValue = { type: '0x' + s.type.toString(16), bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, namelen: 255, fsid: '0'.repeat(16), flags: 0 };
      return { statfs: v };
    }
    // nothing is cached between the ops and the library, but the path or fd named must exist, as
    // for the agent (which opens it) and the model (a fuzz run compared a missing path as ENOENT→ok)
    case 'dropCaches': case 'syncfs':
      if (a.fd !== undefined) handle(env, a.fd);
      else fs.statSync(p());
      return undefined;
    case 'readfile': return { data: Uint8Array.from(fs.readFileSync(p())) };
    case 'writefile':
      fs.writeFileSync(p(), bytes(a.data), { mode: a.mode === undefined ? 0o644 : Number(a.mode), flag: a.append ? 'a' : 'w' });
      return undefined;
    default:
      throw new Skip(`${op.op} has no equivalent in this library's fs API`);
  }
}

function need<F>(f: F | undefined, name: string): F {
  if (!f) throw new Skip(`${name} is not part of this library's fs API`);
  return f;
}

/** Run one op; library errors become errnos, escapes and impossibilities come back as such. */
export function runNodeOp(env: NodeEnv, op: ResolvedOp): OpResult {
  try {
    const value = run(env, op);
    return value === undefined ? { ok: true } : { ok: true, value };
  } catch (e) {
    if (e instanceof Escape) return { ok: false, escape: e.message };
    if (e instanceof Skip) return { ok: false, skip: e.message };
    return { ok: false, ...errnoOf(e) };
  }
}
