// The capabilities each variant reports: every name of spec/capabilities.yaml, present or
// missing with the reason a user reads in the skip.

import type { Capabilities } from '../adapter.js';
import type { Config } from './options.js';

/** Capabilities of a memory worker with this configuration. */
export function capabilitiesFor(c: Config): Capabilities {
  return {
    'layer-state': true,
    'origin-index': true,
    whiteout: true,
    opaque: true,
    // with redirect_dir=nofollow (userxattr) and metacopy=off the layers may still hold these
    // markers: lookup refuses them with EPERM as the kernel does (DEV-REDIRECT-NOT-FOLLOWED,
    // DEV-METACOPY-NOT-FOLLOWED), so the scenarios are run and compared rather than skipped
    redirect: true,
    metacopy: true,
    'data-only-lowers': 'the reference model has no data-only layers (a metacopy file\'s data is looked up only in the regular lowers); the kernel adapter runs these scenarios',
    'xattr-whiteout': true,
    'multi-lower': true,
    'no-upper': true,
    xattr: true,
    'xattr-trusted': true,
    symlink: true,
    hardlink: true,
    fifo: true,
    mknod: true,
    'device-open': true,
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
    // a volatile upper is mounted again after the documented cleanup (remount removes work/incompat/volatile)
    remount: true,
    // direct edits are applied to the layer trees at once and every later lookup sees them; the
    // kernel may go on serving cached dentries, inodes and readdir caches (behaviour the
    // documentation calls undefined, which the lower-changes scenarios record with
    // `expect: { any: true }`): the model does not reproduce those caches
    'layer-edit': true,
    timestamps: true,
    atime: 'the model follows the kernel default relatime (upper inodes only), not strictatime',
    'many-lower': true,
    'overlay-magic': true,
    'mount-options': c.volatile ? 'volatile: the variant\'s own option set is what its scenarios are about; mount/volatile-incompat reaches volatile from the other variants' : true,
    mountinfo: true,
    reconfigure: true,
    'range-ops': 'the model does not model copy_file_range, FICLONE or FIDEDUPERANGE (ops copyFileRange, clone, dedupe)',
    'inode-flags': 'the model does not model inode flags (ops getflags, setflags: FS_IOC_GETFLAGS/SETFLAGS and overlay.protattr)',
    'verity-independent': true,
    'verity-needs-metacopy': 'the model follows Linux 6.18, where verity= no longer needs metacopy=on (6.15+)',
    exec: 'the model runs no programs (op exec: execveat and ETXTBSY)',
    inotify: 'the model does not model inotify (ops watch, events)',
    'file-handles': 'the model does not model file handles (ops fhandle, openHandle: name_to_handle_at, open_by_handle_at, nfs_export)',
    'overlay-stacking': 'the model mounts one overlay per scenario (op mountOverlay: nested, shared-lower and same-upper mounts, other upper filesystems)',
    parallel: 'the model runs one step at a time in one process: it has no concurrent callers (op race)',
    'layer-open': 'the model keeps its layers as trees in memory: there is no file of a layer to open beside the overlay (op openLayer)',
    'override-creds': 'the model has no credentials of a mounter (mountOverlay stash: override_creds)',
  };
}
