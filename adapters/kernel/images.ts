// Lower layers as read-only filesystem images, the way image-based systems ship them: each
// lower is written as a directory, packed with mkfs.erofs, and mounted read-only beneath the
// scenario straight from the image file (Linux 6.12+ mounts erofs from a file); the overlay then
// stacks those mounts as its lowers. squashfs needs a block device: a loop device's node made
// in the sandbox is refused (EACCES: the agent's sandbox is mounted nodev) and the agent has no
// loop request yet, so the squashfs-lower variant is unavailable with that reason.

import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** The longest name under `dir` in bytes, with its path (names as the host sees them). */
function longestName(dir: string): { bytes: number; path: string } {
  let best = { bytes: 0, path: '' };
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return best; // a path past PATH_MAX: what was read so far
  }
  for (const e of entries) {
    const here = { bytes: Buffer.byteLength(e.name), path: join(dir, e.name) };
    if (here.bytes > best.bytes) best = here;
    if (e.isDirectory()) {
      const sub = longestName(here.path);
      if (sub.bytes > best.bytes) best = sub;
    }
  }
  return best;
}

/** Why packing `src` as `kind` failed for a limit of the packing tool rather than of the harness, or undefined. */
export function packLimit(kind: ImageKind, src: string): string | undefined {
  if (kind !== 'erofs') return undefined;
  // mkfs.erofs 1.5 (Debian bookworm) cuts a 255-byte name to 254 bytes before lstat and stops
  // with ENOENT; 254-byte names pack. Asked only after a failure, so a fixed mkfs.erofs just packs.
  const n = longestName(src);
  return n.bytes >= 255 ? `mkfs.erofs cannot pack a ${n.bytes}-byte name (erofs-utils 1.5 looks it up cut to 254 bytes and fails with ENOENT)` : undefined;
}

/** The agent request that mounts one image lower read-only. */
export function imageMountRequest(kind: ImageKind, source: string, target: string): AgentRequest {
  return { op: 'mount', args: { fstype: kind, source, target, ro: true, api: 'new' } };
}
