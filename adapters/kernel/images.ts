// Lower layers as read-only filesystem images, the way image-based systems ship them: each
// lower is written as a directory, packed (mkfs.erofs or mksquashfs), and mounted read-only
// beneath the scenario; the overlay then stacks those mounts as its lowers. erofs mounts straight
// from the image file (Linux 6.12+); squashfs needs a block device, so the agent attaches the
// image to a read-only loop device with LO_FLAGS_AUTOCLEAR (agent/loopdev.c): the device goes
// with the mount, including when the agent is killed and its mount namespace dies.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
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
  if (kind === 'squashfs') {
    if (!existsSync('/dev/loop-control')) return 'a squashfs lower is mounted from a loop device, and this machine has no /dev/loop-control (the loop module is not loaded, or a container hides it)';
  }
  return undefined;
}

/** The packing command for `kind` (host paths: the sandbox is the same directory inside and out). */
export function packArgv(kind: ImageKind, src: string, img: string): string[] {
  // the whole layer as it is: owners, modes, times, xattrs (trusted.overlay.* included), device nodes
  if (kind === 'erofs') return ['mkfs.erofs', img, src];
  // squashfs: xattrs (the default, said anyway), sparse blocks kept as holes, owners, mtimes;
  // uncompressed and on one core (a shared machine; the images live a scenario long). Its caches
  // are sized for a layer, not for a quarter of the machine's memory (the default, whose setup
  // took most of a run's time): they bound what is buffered, never what is written.
  return ['mksquashfs', src, img, '-noappend', '-quiet', '-no-progress', '-xattrs', '-exit-on-error', '-processors', '1', '-noI', '-noD', '-noF', '-noX', '-mem', '16M', '-read-queue', '2', '-write-queue', '2', '-fragment-queue', '2'];
}

const run = promisify(execFile);

/** Pack `src` into `img` without blocking the runner's other workers; rejects with the tool's stderr (a Buffer) on the error. */
export async function packImage(kind: ImageKind, src: string, img: string): Promise<void> {
  const [cmd, ...args] = packArgv(kind, src, img);
  await run(cmd, args, { encoding: 'buffer', timeout: 60_000, maxBuffer: 1 << 20 });
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

/** The agent request that mounts one image lower read-only (squashfs through an AUTOCLEAR loop device, the
 * superblock read-only too: a read-only loop device refuses a read-write superblock with EACCES). */
export function imageMountRequest(kind: ImageKind, source: string, target: string): AgentRequest {
  return { op: 'mount', args: { fstype: kind, source, target, ro: true, api: 'new', ...(kind === 'squashfs' ? { loop: true, opt: ['ro'] } : {}) } };
}
