// A fuse-overlayfs worker: layers in the kernel's canonical format (fuse-overlayfs reads it),
// `fuse-overlayfs -f -o lowerdir=…,upperdir=…,workdir=…` started through the agent, the upper
// layer read back with fuse-overlayfs's own format decoder.

import type { Capabilities, CanonTree, Fingerprint } from '../adapter.js';
import type { Agent } from '../host/agent.js';
import type { TreeItem } from '../host/ops.js';
import { DaemonWorker, type DaemonLayout, type Encoded } from '../host/daemonworker.js';
import { decodeLayer, encodeLayer } from '../formats/encode.js';
import { fuseOverlayFormat } from './format.js';
import type { FuseOverlayVariant } from './variants.js';

/** The argv that mounts a layout with fuse-overlayfs in the foreground. */
export function fuseOverlayArgv(lay: DaemonLayout, options: string[], binary = 'fuse-overlayfs'): string[] {
  for (const p of [...lay.lowers, lay.upper ?? '', lay.work ?? '']) {
    if (/[:,]/.test(p)) throw new Error(`fuse-overlayfs cannot take a layer path containing ':' or ',': ${p}`);
  }
  const opts = [`lowerdir=${lay.lowers.join(':')}`, ...(lay.upper && lay.work ? [`upperdir=${lay.upper}`, `workdir=${lay.work}`] : []), ...options];
  return [binary, '-f', '-o', opts.join(','), lay.merged];
}

/** Runs scenarios on fuse-overlayfs for one variant. */
export class FuseOverlayWorker extends DaemonWorker {
  protected readonly needsWork = true;
  /** what a remount may set */
  readonly knownOptions = ['static_nlink', 'xattr_permissions', 'fsync', 'timeout', 'noacl', 'squash_to_root', 'squash_to_uid', 'squash_to_gid'];

  constructor(
    agent: Agent,
    dir: string,
    caps: Capabilities,
    private readonly variant: FuseOverlayVariant,
    private readonly fp: Fingerprint,
  ) {
    super(agent, dir, caps, variant.options, 'fuse-overlayfs');
  }

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  protected argv(lay: DaemonLayout, options: string[]): string[] {
    return fuseOverlayArgv(lay, options);
  }

  protected encode(tree: CanonTree, role: 'upper' | 'lower'): Encoded {
    // the layers carry the variant's xattr_permissions bookkeeping, whatever a remount changed
    return encodeLayer(fuseOverlayFormat, tree, { xattrNs: this.variant.xattrNs, options: this.variant.options, role });
  }

  protected decode(items: TreeItem[], role: 'upper' | 'lower'): CanonTree {
    return decodeLayer(fuseOverlayFormat, items, { xattrNs: this.variant.xattrNs, options: this.options, role });
  }
}
