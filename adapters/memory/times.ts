// Timestamp updates on real inodes: change times on modification, and the relatime rule the
// kernel applies when reads touch the atime of an upper inode (lower inodes are never touched).

import type { LNode } from './layer.js';
import type { Mount } from './state.js';

const DAY = 86_400n * 1_000_000_000n;

/** relatime: update atime only when it is not newer than mtime/ctime, or older than a day. */
export function touchAtime(m: Mount, n: LNode): void {
  const now = m.clock.now;
  if (n.atime <= n.mtime || n.atime <= n.ctime || now - n.atime >= DAY) n.atime = now;
}

/** data or entries changed: mtime and ctime become now */
export function touchModify(m: Mount, n: LNode): void {
  n.mtime = n.ctime = m.clock.now;
}

/** attributes changed: ctime becomes now */
export function touchChange(m: Mount, n: LNode): void {
  n.ctime = m.clock.now;
}
