// A zenfs worker: @zenfs/core's CopyOnWrite backend in-process, its readable layer the scenario's
// one lower, its writable layer the upper, upper whiteouts as entries of its deletion journal.
// Each worker mounts its own CopyOnWriteFS at a private point of zenfs's global VFS.

import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, ResolvedOp, ScenarioContext, SetupResult, Worker } from '../adapter.js';
import { nodeEnv, runNodeOp, type NodeEnv, type NodeFsLike } from './nodefs.js';
import { populate, unstorable, walk } from './nodetree.js';
import type { ZenCow, ZenFs, ZenLib } from './lib.js';
import { putEntry } from '../../language/canonical.js';

let seq = 0;
/**
 * zenfs keeps one global VFS (mounts, descriptors) and hangs when two workers of one process
 * interleave their scenarios (observed with --jobs 2), so scenarios run one at a time: a worker
 * holds this from setup to teardown.
 */
let turn: Promise<void> = Promise.resolve();
const S_IFDIR = 0o040000;

/** Why a canonical layer cannot be given to CopyOnWrite, or the plain tree plus journal paths. */
export function splitLayer(t: CanonTree, role: 'lower' | 'upper'): { ok: true; tree: CanonTree; deleted: string[] } | { ok: false; skip: string } {
  const tree: CanonTree = {};
  const deleted: string[] = [];
  for (const [path, e] of Object.entries(t)) {
    if ((e.type === 'dir' || e.type === 'file') && e.redirect) return { ok: false, skip: 'zenfs CopyOnWrite has no redirects' };
    if (e.type === 'file' && e.metacopy) return { ok: false, skip: 'zenfs CopyOnWrite has no metacopy files' };
    if (e.type === 'whiteout') {
      // in the only lower a whiteout hides nothing; in the upper it is a journal entry
      if (role === 'upper') deleted.push(path);
      continue;
    }
    if (e.type === 'dir' && e.opaque && role === 'upper') return { ok: false, skip: 'zenfs CopyOnWrite\'s journal records deleted paths only: it cannot mark a directory opaque' };
    if (e.type === 'dir' && e.opaque) {
      const { opaque: _o, ...rest } = e;
      putEntry(tree, path, rest);
      continue;
    }
    putEntry(tree, path, e);
  }
  const why = unstorable(tree, 'zenfs\'s InMemory store');
  return why ? { ok: false, skip: why } : { ok: true, tree, deleted };
}

/** The journal's entries (the class keeps them protected; its text form is public). */
export function journalPaths(j: { toString(): string }): string[] {
  return j.toString().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.trim().split(/\s+/)[1]).filter(Boolean);
}

/** Runs scenarios on zenfs's CopyOnWrite backend. */
export class ZenfsWorker implements Worker {
  readonly maxLowers = 1;
  /** ZenFS mounts take no options */
  readonly knownOptions: readonly string[] = [];
  private cow: ZenCow | undefined;
  private mountPoint: string | undefined;
  private env: NodeEnv | undefined;
  private release: (() => void) | undefined;

  private readonly vfs: NodeFsLike;

  constructor(readonly capabilities: Capabilities, private readonly fp: Fingerprint, private readonly zen: ZenLib) {
    this.vfs = zen.fs;
  }

  private async acquire(): Promise<void> {
    if (this.release) return;
    const prev = turn;
    let done!: () => void;
    turn = new Promise<void>((r) => (done = r));
    await prev;
    this.release = done;
  }

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  private async store(t: CanonTree): Promise<ZenFs> {
    const zen = this.zen;
    const fs = await zen.inMemory();
    const at = `/.ovlconf-fill-${process.pid}-${++seq}`;
    zen.mount(at, fs);
    try {
      populate(this.vfs, at, t, (path, m) => {
        const meta: { mode: number; uid?: number; gid?: number; mtimeMs?: number; atimeMs?: number } = { mode: S_IFDIR | m.mode };
        if (m.uid !== undefined) meta.uid = m.uid;
        if (m.gid !== undefined) meta.gid = m.gid;
        if (m.mtime !== undefined) meta.mtimeMs = meta.atimeMs = m.mtime * 1000;
        zen.setMeta(fs, `/${path}`, meta);
      });
    } finally {
      zen.umount(at);
    }
    return fs;
  }

  async setup(layers: CanonLayers, _ctx: ScenarioContext): Promise<SetupResult> {
    await this.teardown();
    await this.acquire();
    if (layers.upper === null) return { ok: false, skip: 'zenfs CopyOnWrite always has a writable layer' };
    if (layers.lowers.length > 1) return { ok: false, skip: 'zenfs CopyOnWrite has exactly one readable layer' };
    const lower = splitLayer(layers.lowers[0] ?? {}, 'lower');
    if (!lower.ok) return lower;
    const upper = splitLayer(layers.upper, 'upper');
    if (!upper.ok) return upper;
    const zen = this.zen;
    try {
      this.cow = zen.copyOnWrite(await this.store(lower.tree), await this.store(upper.tree), upper.deleted.map((p) => `/${p}`));
      await this.cow.ready();
    } catch (e) {
      // the library refused part of the layers (zenfs reads \ as a path separator, …)
      const code = (e as { code?: string }).code;
      // the fill's mount point carries this process's id: a skip reason names the path inside the layer, the same in every run
      const message = (e as Error).message.replace(/\/\.ovlconf-fill-\d+-\d+(?=\/|'|$)/g, '');
      return { ok: false, skip: `zenfs cannot hold these layers: ${code ? `${code}: ` : ''}${message}` };
    }
    this.mountPoint = `/.ovlconf-${process.pid}-${++seq}`;
    zen.mount(this.mountPoint, this.cow);
    const bound = new Map<string, NodeFsLike>();
    const fsFor = (user?: { uid: number; gid: number }) => {
      if (!user) return this.vfs;
      const key = `${user.uid}:${user.gid}`;
      if (!bound.has(key)) bound.set(key, zen.as(user.uid, user.gid));
      return bound.get(key)!;
    };
    this.env = nodeEnv(this.mountPoint, fsFor, (n) => zen.openFlags(n), {});
    return { ok: true };
  }

  async op(op: ResolvedOp): Promise<OpResult> {
    if (!this.env) return { ok: false, errno: 'ENOENT', message: 'not set up' };
    return runNodeOp(this.env, op);
  }

  async remount(): Promise<OpResult> {
    return { ok: false, skip: 'zenfs has no unmount/mount cycle that keeps the layers (its journal lives in memory)' };
  }

  async editLayer(): Promise<OpResult> {
    return { ok: false, skip: 'zenfs layers are not edited behind the CopyOnWrite backend' };
  }

  /** Read a layer through a second, private mount point of the same FileSystem object. */
  private read(fs: ZenFs): CanonTree {
    const at = `/.ovlconf-read-${process.pid}-${++seq}`;
    this.zen.mount(at, fs);
    try {
      return walk(this.vfs, at);
    } finally {
      this.zen.umount(at);
    }
  }

  async inspect(): Promise<InspectResult> {
    if (!this.cow) return { ok: false, skip: 'not set up' };
    const upper = this.read(this.cow.writable);
    for (const p of journalPaths(this.cow.journal)) {
      const rel = p.replace(/^\//, '');
      if (this.cow.journal.isDeleted(p) && !Object.hasOwn(upper, rel)) putEntry(upper, rel, { type: 'whiteout' });
    }
    return { ok: true, upper, lowers: [this.read(this.cow.readable)] };
  }

  /** set when teardown could not reset the engine's process-wide state (adapters/inproc/thread.ts starts a fresh process) */
  tainted = false;

  async teardown(): Promise<void> {
    // a close the engine refused leaves state behind that a later unmount or sync trips over
    if (this.env?.closeFailed) this.tainted = true;
    if (this.env) for (const h of this.env.fds.values()) {
      try {
        this.vfs.closeSync(h.fd);
      } catch {
        // a descriptor the engine cannot close stays in its process-wide table: later calls (of
        // the next scenario) may trip over it, so this process is not used again
        this.tainted = true;
      }
    }
    if (this.mountPoint) {
      try {
        this.zen.umount(this.mountPoint);
      } catch {
        /* not mounted */
      }
    }
    this.mountPoint = undefined;
    this.cow = undefined;
    this.env = undefined;
    const r = this.release;
    this.release = undefined;
    r?.();
  }

  close(): Promise<void> {
    return this.teardown();
  }
}
