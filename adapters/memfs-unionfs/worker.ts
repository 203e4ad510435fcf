// A memfs-unionfs worker: one memfs Volume per layer, stacked with the `unionfs` npm package
// (the upper used last, so it is tried first). The package has no copy-up and no whiteouts: a
// call goes to the first volume that accepts it, so changes land in lower layers — a negative
// control whose fails are real observations.

import { createRequire } from 'node:module';
import type { Capabilities, CanonLayers, CanonTree, Fingerprint, InspectResult, OpResult, ResolvedOp, ScenarioContext, SetupResult, Worker } from '../adapter.js';
import { nodeEnv, runNodeOp, type NodeEnv, type NodeFsLike } from '../zenfs/nodefs.js';
import { populate, unstorable, walk } from '../zenfs/nodetree.js';

const require = createRequire(import.meta.url);
const { Volume, createFsFromVolume } = require('memfs') as typeof import('memfs');
const { Union } = require('unionfs') as typeof import('unionfs');

/** Every layer lives beneath this directory of its volume (the scenario root). */
const ROOT = '/r';

type Vol = InstanceType<typeof Volume>;

/** A layer as a memfs volume, or why the package cannot represent it. */
export function volumeOf(t: CanonTree, bottom: boolean): { ok: true; vol: Vol } | { ok: false; skip: string } {
  const plain: CanonTree = {};
  for (const [path, e] of Object.entries(t)) {
    if (e.type === 'whiteout' || (e.type === 'dir' && e.opaque)) {
      // nothing lies below the bottom layer, so its markers hide nothing and can be left out
      if (!bottom) return { ok: false, skip: 'the unionfs npm package has no whiteouts or opaque directories: a layer cannot hide names of the layers below it' };
      if (e.type === 'whiteout') continue;
      const { opaque: _o, ...rest } = e;
      plain[path] = rest;
      continue;
    }
    if ((e.type === 'dir' || e.type === 'file') && e.redirect) return { ok: false, skip: 'the unionfs npm package has no redirects' };
    if (e.type === 'file' && e.metacopy) return { ok: false, skip: 'the unionfs npm package has no metacopy files' };
    plain[path] = e;
  }
  const why = unstorable(plain, 'a memfs volume');
  if (why) return { ok: false, skip: why };
  const vol = new Volume();
  const fs = createFsFromVolume(vol) as unknown as NodeFsLike;
  fs.mkdirSync(ROOT, 0o755);
  populate(fs, ROOT, plain);
  settle(fs, plain);
  return { ok: true, vol };
}

/** How far in the past layers are dated: memfs keeps times in milliseconds, so a change the
 * library makes to a lower directory in the same millisecond the layer was built went unseen in
 * some runs and not in others (the verdict flipped); layers built a while before the mount, as
 * on disk, make every such change visible in every run. */
const SETTLED_MS = 10_000;

/** Date every entry the scenario gave no time (the root included) SETTLED_MS in the past. */
function settle(fs: NodeFsLike, tree: CanonTree): void {
  const t = (Date.now() - SETTLED_MS) / 1000;
  const untimed = Object.entries(tree).filter(([, e]) => e.type !== 'symlink' && e.type !== 'hardlink' && (e as { mtime?: string }).mtime === undefined).map(([p]) => p);
  // deepest first, and the root last: dating a child does not move its parent's mtime, but be sure
  for (const p of [...untimed.sort((a, b) => b.split('/').length - a.split('/').length), '']) fs.utimesSync(p ? `${ROOT}/${p}` : ROOT, t, t);
}

/** Runs scenarios on memfs volumes joined by the unionfs npm package. */
export class MemfsUnionfsWorker implements Worker {
  /** unionfs over memfs takes no options */
  readonly knownOptions: readonly string[] = [];
  private vols: { upper: Vol | null; lowers: Vol[] } | undefined;
  private env: NodeEnv | undefined;

  constructor(readonly capabilities: Capabilities, private readonly fp: Fingerprint) {}

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  async setup(layers: CanonLayers, _ctx: ScenarioContext): Promise<SetupResult> {
    await this.teardown();
    const stack = [...layers.lowers].reverse();
    const lowers: Vol[] = [];
    let upper: Vol | null = null;
    try {
      for (const [i, t] of stack.entries()) {
        const v = volumeOf(t, i === 0);
        if (!v.ok) return v;
        lowers.unshift(v.vol);
      }
      if (layers.upper !== null) {
        const v = volumeOf(layers.upper, lowers.length === 0);
        if (!v.ok) return v;
        upper = v.vol;
      }
    } catch (e) {
      // memfs refused part of the layers: they cannot be given to the union as written
      return { ok: false, skip: `memfs cannot hold these layers: ${(e as Error).message}` };
    }
    // Union tries the volume used last first: bottom lower first, upper last
    const u = new Union();
    for (const v of [...lowers].reverse()) u.use(createFsFromVolume(v) as never);
    if (upper) u.use(createFsFromVolume(upper) as never);
    this.vols = { upper, lowers };
    const fs = u as unknown as NodeFsLike;
    this.env = nodeEnv(ROOT, () => fs, (n) => n, {});
    return { ok: true };
  }

  async op(op: ResolvedOp): Promise<OpResult> {
    if (!this.env) return { ok: false, errno: 'ENOENT', message: 'not set up' };
    return runNodeOp(this.env, op);
  }

  async remount(): Promise<OpResult> {
    return { ok: false, skip: 'the unionfs npm package has no mount to cycle' };
  }

  async editLayer(): Promise<OpResult> {
    return { ok: false, skip: 'memfs volumes are not edited behind the union' };
  }

  async inspect(): Promise<InspectResult> {
    if (!this.vols) return { ok: false, skip: 'not set up' };
    const read = (v: Vol) => walk(createFsFromVolume(v) as unknown as NodeFsLike, ROOT);
    return { ok: true, upper: this.vols.upper ? read(this.vols.upper) : null, lowers: this.vols.lowers.map(read) };
  }

  async teardown(): Promise<void> {
    this.vols = undefined;
    this.env = undefined;
  }

  close(): Promise<void> {
    return this.teardown();
  }
}
