// Lower layers as read-only filesystem images, the way image-based systems ship them: each
// lower is written as a directory, packed with mkfs.erofs, and mounted read-only beneath the
// scenario straight from the image file (Linux 6.12+ mounts erofs from a file); the overlay then
// stacks those mounts as its lowers. squashfs needs a block device: a loop device's node made
// in the sandbox is refused (EACCES: the agent's sandbox is mounted nodev) and the agent has no
// loop request yet, so the squashfs-lower variant is unavailable with that reason.

import { execFileSync } from 'node:child_process';
import type { AgentRequest } from '../host/agent.js';
import { which } from '../host/tools.js';

/** The image formats a lower can be packed in. */
export type ImageKind = 'erofs' | 'squashfs';

const TOOL: Record<ImageKind, { cmd: string; pkg: string }> = {
  erofs: { cmd: 'mkfs.erofs', pkg: 'erofs-utils' },
  squashfs: { cmd: 'mksquashfs', pkg: 'squashfs-tools' },
};

/** Why lowers cannot be packed as `kind` here, or undefined. */
export function imageToolMissing(kind: ImageKind): string | undefined {
  const t = TOOL[kind];
  if (!which(t.cmd)) return `${t.cmd} is not installed (Debian ${t.pkg})`;
  if (kind === 'squashfs') return 'a squashfs lower needs a loop device, and the agent has none to give: a block node made in its sandbox is refused with EACCES (the sandbox is mounted nodev); mksquashfs images are not mounted yet';
  return undefined;
}

/** Pack `src` into `img` (host paths: the sandbox is the same directory inside and out). */
export function packImage(kind: ImageKind, src: string, img: string): void {
  // the whole layer as it is: owners, modes, times, xattrs (trusted.overlay.* included), device nodes
  if (kind === 'erofs') execFileSync('mkfs.erofs', [img, src], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  else execFileSync('mksquashfs', [src, img, '-noappend', '-quiet', '-no-progress', '-xattrs'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** The agent request that mounts one image lower read-only. */
export function imageMountRequest(kind: ImageKind, source: string, target: string): AgentRequest {
  return { op: 'mount', args: { fstype: kind, source, target, ro: true, api: 'new' } };
}
