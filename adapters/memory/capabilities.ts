// The capabilities each variant reports: every name of spec/capabilities.yaml, present or
// missing with the reason a user reads in the skip.

import type { Capabilities } from '../adapter.js';
import type { Config } from './options.js';

/** Capabilities of a memory worker with this configuration. */
export function capabilitiesFor(c: Config): Capabilities {
  return {
    'layer-state': true,
    whiteout: true,
    opaque: true,
    redirect: c.redirect === 'nofollow'
      ? `redirect_dir=nofollow${c.userxattr ? ' (implied by userxattr)' : ''}: the kernel refuses to follow overlay.redirect (EPERM)`
      : true,
    metacopy: c.metacopy ? true : 'metacopy=off: the kernel refuses to follow overlay.metacopy (EPERM)',
    'xattr-whiteout': true,
    'multi-lower': true,
    'no-upper': true,
    xattr: true,
    'xattr-trusted': true,
    symlink: true,
    hardlink: true,
    fifo: true,
    mknod: true,
    chown: true,
    'other-user': true,
    flock: true,
    'fcntl-lock': true,
    mmap: true,
    'drop-caches': true,
    'o-tmpfile': true,
    renameat2: true,
    'proc-fd': true,
    statfs: true,
    remount: c.volatile ? "volatile: the kernel refuses to mount a volatile upper again (incompat feature 'volatile')" : true,
    'layer-edit': 'the model shows direct layer edits at once; the kernel serves cached dentries and inodes, which the model does not reproduce',
    timestamps: true,
    atime: 'the model follows the kernel default relatime (upper inodes only), not strictatime',
    'many-lower': true,
    'overlay-magic': true,
  };
}
