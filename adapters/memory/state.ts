// The state of one mounted overlay: its layers, its effective options, and the in-memory
// objects the kernel keeps while mounted (overlay inodes, open files, the index).

import { Clock } from './clock.js';
import type { Config } from './options.js';
import type { Fs, LNode } from './layer.js';
import type { DirStream, LowerRef, Mapping, OInode, OpenFile } from './types.js';

export type { LowerRef } from './types.js';

/** Everything the engine knows about the current mount. */
export class Mount {
  readonly clock: Clock;
  cfg: Config;
  /** root dir of the upper layer; null for a read-only overlay */
  upper: LNode | null;
  /** root dirs of the lower layers, topmost first */
  lowers: LNode[];
  readonly upperFs: Fs;
  /** the filesystem each lower layer lives on */
  lowerFs: Fs[];
  /** overlay inodes by hash key (see inode.ts) */
  inodes = new Map<string, OInode>();
  /** cached dentries whose inode a fresh lookup would not find (merged path → inode), see pinDentry */
  pins = new Map<string, OInode>();
  /** workdir/index: lower inode id → indexed upper inode */
  index = new Map<number, LNode>();
  /** lower inodes by id (decoding origin file handles) */
  lowerById = new Map<number, LowerRef>();
  /** lower layers holding a directory marked overlay.opaque=x */
  xwLayers = new Set<number>();
  fds = new Map<number, OpenFile>();
  dirs = new Map<number, DirStream>();
  maps = new Map<number, Mapping>();
  nextHandle = 3;
  /** overlay st_dev and per-fs pseudo devices (layers on different filesystems, xino=off) */
  readonly ovlDev = '0:50';
  /** last non-persistent inode number of the overlay (dirs when st_ino cannot be mapped) */
  lastOvlIno = 1n;
  mounted = true;

  constructor(clock: Clock, cfg: Config, upper: LNode | null, lowers: LNode[], upperFs: Fs, lowerFs: Fs[]) {
    this.clock = clock;
    this.cfg = cfg;
    this.upper = upper;
    this.lowers = lowers;
    this.upperFs = upperFs;
    this.lowerFs = lowerFs;
    this.reindexLowers();
  }

  /** prefix of overlay-private xattrs: trusted.overlay. or user.overlay. (userxattr) */
  get prefix(): string {
    return this.cfg.userxattr ? 'user.overlay.' : 'trusted.overlay.';
  }

  /** redirects are followed (on, follow); nofollow refuses them with EPERM */
  get redirectFollow(): boolean {
    return this.cfg.redirect !== 'nofollow';
  }

  /** ovl_allow_offline_changes(): new dirs in merged parents are left without opaque */
  get allowOfflineChanges(): boolean {
    return !this.cfg.index && !this.cfg.metacopy && this.cfg.redirect !== 'on' && this.cfg.xino !== 'on';
  }

  /** nfs_export verifies lower dirs against their origin (ovl_verify_lower) */
  get verifyLower(): boolean {
    return this.cfg.nfsExport && this.cfg.index;
  }

  /** number of distinct filesystems (the upper slot always counts) */
  get numFs(): number {
    const ids = new Set<number>([0]);
    for (const f of this.lowerFs) ids.add(f.id);
    return ids.size;
  }

  /** all layers on one filesystem (ovl_same_fs) */
  get sameFs(): boolean {
    // read on every stat and readdir entry: with 500 lowers the loop below was a twentieth of a
    // 500-layer scenario, so its answer is kept until the lowers' count or the upper's presence
    // changes (lowerFs is only ever grown, by a rotating remount; an Fs's id never changes)
    const memo = this.sameFsMemo;
    if (memo && memo.lowers === this.lowerFs && memo.count === this.lowerFs.length && memo.upper === (this.upper !== null)) return memo.value;
    const value = this.computeSameFs();
    this.sameFsMemo = { lowers: this.lowerFs, count: this.lowerFs.length, upper: this.upper !== null, value };
    return value;
  }

  private sameFsMemo: { lowers: Fs[]; count: number; upper: boolean; value: boolean } | undefined;

  private computeSameFs(): boolean {
    // one id among the upper's (when there is one) and every lower's
    let id = this.upper ? this.upperFs.id : undefined;
    for (const f of this.lowerFs) {
      if (id === undefined) id = f.id;
      else if (f.id !== id) return false;
    }
    return id !== undefined;
  }

  /** bits of st_ino used for the fs index (0 when not mapping) */
  get xinoBits(): number {
    if (this.sameFs || this.cfg.xino === 'off') return 0;
    return Math.floor(Math.log2(this.numFs - 1)) + 2;
  }

  /** rebuild the lower inode registry and the xattr-whiteout layer flags */
  reindexLowers(): void {
    this.lowerById.clear();
    this.xwLayers.clear();
    const opq = this.prefix + 'opaque';
    this.lowers.forEach((root, layer) => {
      const stack: LNode[] = [root];
      while (stack.length) {
        const n = stack.pop()!;
        this.lowerById.set(n.id, { layer, node: n });
        if (n.children) {
          if (n !== root && n.xattrs.get(opq)?.[0] === 0x78 /* x */) this.xwLayers.add(layer);
          for (const c of n.children.values()) stack.push(c);
        }
      }
    });
  }

  /** a fresh handle number for an fd, dir stream or mapping */
  handle(): number {
    return this.nextHandle++;
  }
}
