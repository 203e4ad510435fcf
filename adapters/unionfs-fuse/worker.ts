// A unionfs-fuse worker: branches `upper=RW:lower0=RO:…` in unionfs's own format (hide markers
// under .unionfs-fuse/), `unionfs -f -o cow,…` started through the agent, branches read back
// through the same format.

import type { Capabilities, CanonTree, Fingerprint } from '../adapter.js';
import type { Agent } from '../host/agent.js';
import type { TreeItem } from '../host/ops.js';
import { DaemonWorker, type DaemonLayout, type Encoded } from '../host/daemonworker.js';
import { decodeLayer, encodeLayer } from '../formats/encode.js';
import { unionfsFormat } from './format.js';
import type { UnionfsVariant } from './variants.js';

/** The argv that mounts a layout with unionfs in the foreground. */
export function unionfsArgv(lay: DaemonLayout, options: string[], binary = 'unionfs'): string[] {
  for (const p of [...lay.lowers, lay.upper ?? '']) {
    if (/[:=,]/.test(p)) throw new Error(`unionfs cannot take a branch path containing ':', '=' or ',': ${p}`);
  }
  const branches = [...(lay.upper ? [`${lay.upper}=RW`] : []), ...lay.lowers.map((l) => `${l}=RO`)].join(':');
  return [binary, '-f', '-o', options.join(','), branches, lay.merged];
}

/** Runs scenarios on unionfs-fuse for one variant. */
export class UnionfsWorker extends DaemonWorker {
  protected readonly needsWork = false;
  /** what a remount may set */
  readonly knownOptions = ['hide_meta_files', 'use_ino', 'direct_io', 'relaxed_permissions'];

  constructor(agent: Agent, dir: string, caps: Capabilities, variant: UnionfsVariant, private readonly fp: Fingerprint) {
    super(agent, dir, caps, variant.options, 'unionfs');
  }

  async fingerprint(): Promise<Fingerprint> {
    return this.fp;
  }

  protected argv(lay: DaemonLayout, options: string[]): string[] {
    return unionfsArgv(lay, options);
  }

  protected encode(tree: CanonTree, role: 'upper' | 'lower'): Encoded {
    return encodeLayer(unionfsFormat, tree, { xattrNs: 'trusted', options: this.options, role });
  }

  protected decode(items: TreeItem[], role: 'upper' | 'lower'): CanonTree {
    return decodeLayer(unionfsFormat, items, { xattrNs: 'trusted', options: this.options, role });
  }
}
