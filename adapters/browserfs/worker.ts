// A BrowserFS worker: BrowserFS 1.4.3's OverlayFS in-process, its readable layer the scenario's
// one lower and its writable layer the upper, both InMemory stores, mounted at a private point of
// the process's one MountableFileSystem and driven through BrowserFS's Node-style fs API. Upper
// whiteouts are OverlayFS's deletion log; the log file itself stays in the upper listing.

import { createRequire } from 'node:module';
import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, ResolvedOp, ScenarioContext, SetupResult, Worker } from '../adapter.js';
import { nodeEnv, runNodeOp, type NodeEnv, type NodeFsLike, type NodeStats } from '../zenfs/nodefs.js';
import { walk } from '../zenfs/nodetree.js';
import { fill, splitLayer } from './layers.js';
import { bfsOpenFlags } from './flags.js';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const BrowserFS: Any = createRequire(import.meta.url)('browserfs');
const { InMemory, OverlayFS, MountableFileSystem } = BrowserFS.FileSystem;

/** a BrowserFS backend's callback-style Create as a promise */
const create = (T: Any, opts: object): Promise<Any> => new Promise((res, rej) => T.Create(opts, (e: unknown, fs: Any) => (e ? rej(e) : res(fs))));

/** BrowserFS's fs API with Node Buffers where it calls buffer.copy (it rejects plain Uint8Arrays). */
export function withBuffers(fs: NodeFsLike): NodeFsLike {
  const buf = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  // BrowserFS 1.4.3's Stats have Date times only (no *Ms fields)
  const st = (x: Any): NodeStats => ({ ...x, mode: x.mode, atimeMs: x.atime.getTime(), mtimeMs: x.mtime.getTime(), ctimeMs: x.ctime.getTime(), birthtimeMs: x.birthtime?.getTime() });
  return Object.assign(Object.create(fs) as NodeFsLike, {
    statSync: (path: string) => st(fs.statSync(path)),
    lstatSync: (path: string) => st(fs.lstatSync(path)),
    fstatSync: (fd: number) => st(fs.fstatSync(fd)),
    writeSync: (fd: number, b: Uint8Array, off: number, len: number, pos: number | null) => fs.writeSync(fd, buf(b), off, len, pos),
    readSync: (fd: number, b: Uint8Array, off: number, len: number, pos: number | null) => fs.readSync(fd, buf(b), off, len, pos),
    writeFileSync: (path: string, data: Uint8Array, opts?: { mode?: number; flag?: string }) => fs.writeFileSync(path, buf(data), opts),
  });
}

let root: Any;
let seq = 0;
/** The process's one MountableFileSystem, BrowserFS's global fs mounted on it. */
async function mountRoot(): Promise<{ root: Any; fs: NodeFsLike }> {
  if (!root) {
    root = await create(MountableFileSystem, {});
    BrowserFS.initialize(root);
  }
  return { root, fs: withBuffers(BrowserFS.BFSRequire('fs') as NodeFsLike) };
}

/** Runs scenarios on BrowserFS's OverlayFS. */
export class BrowserfsWorker implements Worker {
  readonly maxLowers = 1;
  readonly knownOptions: readonly string[] = [];
  private layers: { lower: Any; upper: Any; overlay: Any } | undefined;
  private mountPoint: string | undefined;
  private env: NodeEnv | undefined;

  constructor(readonly capabilities: Capabilities, private readonly fp: Fingerprint) {}

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  /** An InMemory store holding a plain tree (and a deletion log). */
  private async store(tree: CanonTree, deleted: string[]): Promise<Any> {
    const { root, fs } = await mountRoot();
    const store = await create(InMemory, {});
    const at = `/.ovlconf-fill-${process.pid}-${++seq}`;
    root.mount(at, store);
    try {
      fill(fs, at, tree, deleted);
    } finally {
      root.umount(at);
    }
    return store;
  }

  async setup(layers: CanonLayers, _ctx: ScenarioContext): Promise<SetupResult> {
    await this.teardown();
    if (layers.upper === null) return { ok: false, skip: 'BrowserFS OverlayFS always has a writable layer' };
    if (layers.lowers.length > 1) return { ok: false, skip: 'BrowserFS OverlayFS has exactly one readable layer' };
    const lower = splitLayer(layers.lowers[0] ?? {}, 'lower');
    if (!lower.ok) return lower;
    const upper = splitLayer(layers.upper, 'upper');
    if (!upper.ok) return upper;
    const l = await this.store(lower.tree, []);
    const u = await this.store(upper.tree, upper.deleted);
    const overlay = await create(OverlayFS, { readable: l, writable: u });
    const { root, fs } = await mountRoot();
    this.mountPoint = `/.ovlconf-${process.pid}-${++seq}`;
    root.mount(this.mountPoint, overlay);
    this.layers = { lower: l, upper: u, overlay };
    this.env = nodeEnv(this.mountPoint, () => fs, bfsOpenFlags, {});
    return { ok: true };
  }

  async op(op: ResolvedOp): Promise<OpResult> {
    if (!this.env) return { ok: false, errno: 'ENOENT', message: 'not set up' };
    return runNodeOp(this.env, op);
  }

  async remount(): Promise<OpResult> {
    return { ok: false, skip: 'BrowserFS has no unmount/mount cycle that keeps the layers in this adapter (the stores live in memory)' };
  }

  async editLayer(): Promise<OpResult> {
    return { ok: false, skip: 'BrowserFS layers are not edited behind OverlayFS' };
  }

  /** a store read back through a second private mount point */
  private async read(store: Any): Promise<CanonTree> {
    const { root, fs } = await mountRoot();
    const at = `/.ovlconf-read-${process.pid}-${++seq}`;
    root.mount(at, store);
    try {
      return walk(fs, at);
    } finally {
      root.umount(at);
    }
  }

  async inspect(): Promise<InspectResult> {
    if (!this.layers) return { ok: false, skip: 'not set up' };
    const upper = await this.read(this.layers.upper);
    // the deletion state OverlayFS keeps (its log is appended asynchronously)
    const deleted = (this.layers.overlay.getFSUnlocked()._deletedFiles ?? {}) as Record<string, boolean>;
    for (const [p, yes] of Object.entries(deleted)) {
      const rel = p.replace(/^\//, '');
      if (yes && rel && !upper[rel]) upper[rel] = { type: 'whiteout' };
    }
    return { ok: true, upper, lowers: [await this.read(this.layers.lower)] };
  }

  /** set when teardown could not reset the engine's process-wide state (adapters/inproc/thread.ts starts a fresh process) */
  tainted = false;

  async teardown(): Promise<void> {
    // a close the engine refused leaves state behind that a later unmount or sync trips over
    if (this.env?.closeFailed) this.tainted = true;
    if (this.env) for (const h of this.env.fds.values()) {
      try {
        this.env.fs().closeSync(h.fd);
      } catch {
        // a descriptor the engine cannot close stays in its process-wide table: later calls (of
        // the next scenario) may trip over it, so this process is not used again
        this.tainted = true;
      }
    }
    if (this.mountPoint && root) {
      try {
        root.umount(this.mountPoint);
      } catch {
        /* not mounted */
      }
    }
    this.mountPoint = undefined;
    this.layers = undefined;
    this.env = undefined;
  }

  close(): Promise<void> {
    return this.teardown();
  }
}
