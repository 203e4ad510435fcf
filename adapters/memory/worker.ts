// The memory worker: one engine instance behind the Worker contract (setup, op, remount with
// rotation, direct layer edits, inspect, teardown), with errnos and escapes as results.

import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, RemountHow, ResolvedOp, ScenarioContext, SetupResult, TreeItem, Worker } from '../adapter.js';
import { walkByOpsNow } from '../walk.js';
import { withDentryCache } from './dcache.js';
import { ArgError, credsOf } from './args.js';
import { applyTree, readTree, removePath } from './canon.js';
import { capabilitiesFor } from './capabilities.js';
import { Clock } from './clock.js';
import { runOp } from './dispatch.js';
import { EscapeError, FsError } from './errors.js';
import { newNode, type Fs, type LNode } from './layer.js';
import { optionStrings, resolveOptions, type Config } from './options.js';
import { Mount } from './state.js';
import { rootInode } from './inode.js';
import { fsidOf, layOptions, mountinfoValue, reconfigure } from './mountopts.js';

/** The kernel's limit on lower layers (OVL_MAX_STACK). */
export const MAX_LOWERS = 500;

/** A worker of the memory adapter for one variant. */
export class MemoryWorker implements Worker {
  readonly capabilities: Capabilities;
  readonly maxLowers = MAX_LOWERS;
  /** the model's drop is its own (adapters/memory/caches.ts): nothing else on the machine loses a cache */
  readonly dropsMachineCaches = false;
  /** nor does another process's drop reach the model: its "caches" are its own objects */
  readonly seesMachineDrops = false;
  /** what a remount may set (the model's own layers_fs and stacked_fops belong to variants) */
  readonly knownOptions = ['redirect_dir', 'index', 'metacopy', 'xino', 'nfs_export', 'userxattr', 'volatile', 'uuid', 'verity'];
  private readonly variantCfg: Config;
  private m: Mount | null = null;
  private broken: string | null = null;
  /** the options the current mount requested (the variant's, then what remounts laid over them) */
  private requested: Record<string, string> = {};
  /** workdir/work/incompat/volatile: left by a volatile mount with an upper, refuses the next mount until removed */
  private volatileDirty = false;
  /** why nothing is mounted after a refused remount (the layers are kept for another remount) */
  private unmounted: string | null = null;

  constructor(private readonly variantOptions: Record<string, string>) {
    this.variantCfg = resolveOptions(variantOptions, true);
    this.capabilities = capabilitiesFor(this.variantCfg);
  }

  async fingerprint(): Promise<Fingerprint> {
    const cfg = this.m?.cfg ?? this.variantCfg;
    return {
      implementation: 'memory', version: '6.18-model', options: optionStrings(cfg),
      details: { model: 'in-process model of Linux 6.18 overlayfs', redirect_max: 256, upper_fs: 'ext4', lower_fs: cfg.layersFs === 'different' ? 'tmpfs' : 'ext4' },
    };
  }

  async setup(layers: CanonLayers, _ctx: ScenarioContext): Promise<SetupResult> {
    this.m = null;
    this.broken = null;
    this.requested = { ...this.variantOptions };
    this.unmounted = null;
    const hasUpper = layers.upper !== null && layers.upper !== undefined;
    let cfg: Config;
    try {
      cfg = resolveOptions(this.variantOptions, hasUpper);
    } catch (e) {
      return { ok: false, error: `mount failed: ${(e as Error).message}` };
    }
    const lowers = layers.lowers?.length ? layers.lowers : [{}];
    if (!hasUpper && lowers.length < 2) return { ok: false, error: 'mount failed: EINVAL (at least 2 lowerdir are needed while upperdir nonexistent)' };
    if (lowers.length > MAX_LOWERS) return { ok: false, error: `mount failed: EINVAL (too many lower directories, limit is ${MAX_LOWERS})` };
    const clock = new Clock();
    const upperFs: Fs = { id: 0, type: 'ext4', nextIno: 1_000_000n };
    const lowerFsShared: Fs = cfg.layersFs === 'different' ? { id: 1, type: 'tmpfs', nextIno: 2n } : upperFs;
    const prefix = cfg.userxattr ? 'user.overlay.' : 'trusted.overlay.';
    const now = clock.now;
    try {
      const lowerRoots = lowers.map((t) => this.build(t, lowerFsShared, prefix, now));
      const upperRoot = hasUpper ? this.build(layers.upper!, upperFs, prefix, now) : null;
      this.m = new Mount(clock, cfg, upperRoot, lowerRoots, upperFs, lowerRoots.map(() => lowerFsShared));
      rootInode(this.m);
      this.volatileDirty = cfg.volatile && hasUpper;
    } catch (e) {
      if (e instanceof FsError) return { ok: false, error: `bad layer: ${e.message}` };
      throw e;
    }
    return { ok: true };
  }

  private build(tree: CanonTree, fs: Fs, prefix: string, now: bigint): LNode {
    const root = newNode(fs, 'dir', 0o755, 0, 0, now);
    applyTree(root, tree, fs, prefix, now);
    return root;
  }

  /** the current mount, for tests and tools that look inside the engine */
  get mount(): Mount | null {
    return this.m;
  }

  async op(op: ResolvedOp): Promise<OpResult> {
    return this.opNow(op);
  }

  /** walkTree below walks with this op (a wrapper that answers ops itself is walked through its own) */
  readonly walkTreeUses: Worker['op'] = MemoryWorker.prototype.op;

  /** The final snapshot's walk (adapters/walk.ts), its ops called directly and their lookups cached (dcache.ts). */
  async walkTree(maxData: number, maxDepth: number): Promise<TreeItem[]> {
    const walk = () => walkByOpsNow((o) => this.opNow(o), this.capabilities.xattr === true, maxData, maxDepth);
    return this.m ? withDentryCache(this.m, walk) : walk();
  }

  /** One op, answered at once (the model runs in this process). */
  private opNow(op: ResolvedOp): OpResult {
    const m = this.m;
    if (!m) return { ok: false, errno: 'ENOENT', message: this.broken ?? 'not set up' };
    if (this.unmounted) return { ok: false, errno: 'ENOENT', message: this.unmounted };
    m.clock.tick();
    if (op.op === 'mountinfo') return { ok: true, value: { mount: mountinfoValue(m.cfg, m.upper !== null, this.requested) } };
    if (op.op === 'reconfigure') return reconfigure(m.cfg, m.upper !== null, op.args);
    try {
      const value = runOp(m, op.op, op.args ?? {}, credsOf(op.user));
      if (value && 'statfs' in value) return { ok: true, value: { statfs: { ...value.statfs, fsid: fsidOf(this.requested.uuid, m.upper !== null, value.statfs.fsid) } } };
      return value === undefined ? { ok: true } : { ok: true, value };
    } catch (e) {
      if (e instanceof FsError) return e.message && e.message !== e.errno ? { ok: false, errno: e.errno, message: e.message } : { ok: false, errno: e.errno };
      if (e instanceof EscapeError) return { ok: false, escape: e.message };
      if (e instanceof ArgError) throw e;
      throw e;
    }
  }

  async remount(options: Record<string, string> | undefined, rotate: boolean, replace = false, how: RemountHow = {}): Promise<OpResult> {
    const m = this.m;
    if (!m) return { ok: false, errno: 'EINVAL', message: this.broken ?? 'not set up' };
    m.clock.tick();
    // unmount: open files, streams and mappings go; the layers (and the index dir) stay
    m.fds.clear();
    m.dirs.clear();
    m.maps.clear();
    m.inodes.clear();
    m.pins.clear();
    const keep = { layers_fs: m.cfg.layersFs, stacked_fops: m.cfg.stackedFops ? 'on' : 'off' };
    let cfg: Config;
    this.requested = layOptions(replace ? {} : this.requested, options);
    try {
      cfg = resolveOptions({ ...keep, ...this.requested }, m.upper !== null || rotate);
    } catch (e) {
      this.fail(`remount failed: ${(e as Error).message}`);
      return { ok: false, errno: 'EINVAL', message: (e as Error).message };
    }
    if (rotate) {
      if (!m.upper) return { ok: false, errno: 'EINVAL', message: 'no upper layer to rotate' };
      m.lowers.unshift(m.upper);
      m.lowerFs.unshift(m.upperFs);
      m.upper = newNode(m.upperFs, 'dir', 0o755, 0, 0, m.clock.now);
      m.index.clear();
      this.volatileDirty = false;
    } else if (this.volatileDirty && m.upper) {
      // the harness removes work/incompat/volatile after a clean unmount unless told to keep it
      if (how.keepVolatile) {
        this.unmounted = "remount failed: overlay with incompat feature 'volatile' cannot be mounted";
        return { ok: false, errno: 'EINVAL', message: "overlay with incompat feature 'volatile' cannot be mounted" };
      }
      this.volatileDirty = false;
    }
    if (m.lowers.length > MAX_LOWERS) {
      this.fail('too many lower directories');
      return { ok: false, errno: 'EINVAL', message: `too many lower directories, limit is ${MAX_LOWERS}` };
    }
    m.cfg = cfg;
    this.unmounted = null;
    if (cfg.volatile && m.upper) this.volatileDirty = true;
    m.lastOvlIno = 1n;
    m.reindexLowers();
    rootInode(m);
    return { ok: true };
  }

  private fail(why: string): void {
    this.m = null;
    this.broken = why;
  }

  async editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult> {
    const m = this.m;
    if (!m) return { ok: false, errno: 'EINVAL', message: this.broken ?? 'not set up' };
    m.clock.tick();
    let root: LNode | null;
    let fs: Fs;
    if (layer === 'upper') {
      root = m.upper;
      fs = m.upperFs;
    } else {
      const i = Number(/^lower:([0-9]+)$/.exec(layer)?.[1] ?? NaN);
      root = m.lowers[i] ?? null;
      fs = m.lowerFs[i];
    }
    if (!root) return { ok: false, errno: 'EINVAL', message: `no layer ${layer}` };
    try {
      for (const p of remove ?? []) removePath(root, p);
      applyTree(root, entries ?? {}, fs, m.prefix, m.clock.now);
    } catch (e) {
      if (e instanceof FsError) return { ok: false, errno: e.errno, message: e.message };
      throw e;
    }
    m.reindexLowers();
    return { ok: true };
  }

  async inspect(): Promise<InspectResult> {
    const m = this.m;
    if (!m) return { ok: false, skip: this.broken ?? 'not set up' };
    return { ok: true, upper: m.upper ? readTree(m.upper, m.prefix) : null, lowers: m.lowers.map((l) => readTree(l, m.prefix)) };
  }

  async teardown(): Promise<void> {
    this.m = null;
    this.broken = null;
  }

  async close(): Promise<void> {
    this.m = null;
  }

  async kill(): Promise<void> {
    this.m = null;
  }
}
