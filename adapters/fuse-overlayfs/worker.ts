// A fuse-overlayfs worker: layers in the kernel's canonical format (fuse-overlayfs reads it),
// `fuse-overlayfs -f -o lowerdir=…,upperdir=…,workdir=…` started through the agent, the upper
// layer read back with fuse-overlayfs's own format decoder.

import type { Capabilities, CanonTree, Fingerprint } from '../adapter.js';
import type { Agent, AgentRequest } from '../host/agent.js';
import { kernelMarkers, materialise } from '../host/materialise.js';
import type { TreeItem } from '../host/ops.js';
import { fuseOverlayDecoder } from './format.js';
import { FuseWorker, type Encoded, type FuseLayout } from './fuseworker.js';
import type { FuseOverlayVariant } from './variants.js';

/** The argv that mounts a layout with fuse-overlayfs in the foreground. */
export function fuseOverlayArgv(lay: FuseLayout, options: string[], binary = 'fuse-overlayfs'): string[] {
  for (const p of [...lay.lowers, lay.upper ?? '', lay.work ?? '']) {
    if (/[:,]/.test(p)) throw new Error(`fuse-overlayfs cannot take a layer path containing ':' or ',': ${p}`);
  }
  const opts = [`lowerdir=${lay.lowers.join(':')}`, ...(lay.upper && lay.work ? [`upperdir=${lay.upper}`, `workdir=${lay.work}`] : []), ...options];
  return [binary, '-f', '-o', opts.join(','), lay.merged];
}

/** The attribute xattr_permissions keeps owners and modes in, when the variant sets it. */
export function overrideStatName(options: string[]): string | undefined {
  const v = options.find((o) => o.startsWith('xattr_permissions='))?.split('=')[1];
  return v === '1' ? 'security.fuseoverlayfs.override_stat' : v === '2' ? 'user.containers.override_stat' : undefined;
}

const TYPE_BITS: Record<string, number> = { file: 0o100000, dir: 0o040000, symlink: 0o120000, fifo: 0o010000, chr: 0o020000, blk: 0o060000, sock: 0o140000 };

/**
 * With xattr_permissions every object of a layer carries its owner and mode in an attribute
 * ("uid:gid:mode", mode in octal with the type bits); a layer written for such a mount has them.
 */
export function overrideStatRequests(tree: CanonTree, name: string): AgentRequest[] {
  const out: AgentRequest[] = [{ op: 'setxattr', args: { path: '.', name, value: new TextEncoder().encode('0:0:40755'), nofollow: true } }];
  for (const [path, e] of Object.entries(tree)) {
    const type = TYPE_BITS[e.type];
    if (type === undefined) continue;
    const x = e as { uid?: number; gid?: number; mode?: number };
    const mode = x.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
    out.push({ op: 'setxattr', args: { path, name, value: new TextEncoder().encode(`${x.uid ?? 0}:${x.gid ?? 0}:${(type | mode).toString(8)}`), nofollow: true } });
  }
  return out;
}

/** Runs scenarios on fuse-overlayfs for one variant. */
export class FuseOverlayWorker extends FuseWorker {
  protected readonly needsWork = true;

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

  protected argv(lay: FuseLayout, options: string[]): string[] {
    return fuseOverlayArgv(lay, options);
  }

  protected encode(tree: CanonTree): Encoded {
    const requests = materialise(tree, kernelMarkers(this.variant.xattrNs));
    const name = overrideStatName(this.variant.options);
    if (name) requests.push(...overrideStatRequests(tree, name));
    return { ok: true, requests };
  }

  protected decode(items: TreeItem[]): CanonTree {
    return fuseOverlayDecoder(items);
  }
}
