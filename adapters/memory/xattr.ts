// Extended attributes through the merged view (fs/overlayfs/xattrs.c, 6.7+): overlay-private
// names are hidden from listings, and names in the private namespace are escaped (stored as
// <prefix>overlay.<name>), so they behave as ordinary attributes; trusted.* needs root.

import { ACL_DEFAULT, isAclName, parseAcl, storeAcl } from './acl.js';
import { fail } from './errors.js';
import { copyUp, isPrivateX } from './copyup.js';
import type { OEntry } from './lookup.js';
import type { LNode } from './layer.js';
import type { OpenFile } from './handles.js';
import { checkPerm, isRoot, MAY_READ, MAY_WRITE, ownerOrCap, type Creds } from './perm.js';
import type { Mount } from './state.js';
import { walkExisting } from './walk.js';
import { copyUpFd } from './attr.js';

const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;

/** The object an xattr op applies to, found by path or by fd. */
export interface XTarget {
  /** attributes of the object as the overlay shows them (upper, else lower) */
  node: LNode;
  /** copy the object up and return its upper */
  up: () => LNode;
  hasUpper: boolean;
}

/** Resolve the target of an xattr op. */
export function xtarget(m: Mount, c: Creds, path: string | undefined, f: OpenFile | undefined, nofollow: boolean): XTarget {
  if (f) {
    if (f.pathOnly) fail('EBADF');
    const i = f.inode;
    return {
      node: i.upper ?? i.lower!.node, hasUpper: i.upper !== null,
      up: () => {
        if (!i.upper) copyUpFd(m, f);
        return i.upper!;
      },
    };
  }
  const e: OEntry = walkExisting(m, c, path ?? '.', !nofollow).entry;
  return {
    node: e.upper ?? e.lowers[0].node, hasUpper: e.upper !== null,
    up: () => {
      copyUp(m, e, {});
      return e.upper!;
    },
  };
}

/**
 * The real name an xattr is stored under (private names escaped). An escaped name must itself
 * fit XATTR_NAME_MAX, else EOPNOTSUPP (DEV-XATTR-ESCAPED-NAME-TOO-LONG, verified on 6.18.44).
 */
function realName(m: Mount, name: string): string {
  if (!name.startsWith(m.prefix)) return name;
  const real = m.prefix + 'overlay.' + name.slice(m.prefix.length);
  if (Buffer.byteLength(real) > XATTR_NAME_MAX) fail('EOPNOTSUPP', 'escaped xattr name too long');
  return real;
}

/** xattr_permission() and namespace checks; returns the errno-free real name. */
function checkName(m: Mount, c: Creds, n: LNode, name: string, write: boolean): string {
  if (name.length === 0 || Buffer.byteLength(name) > XATTR_NAME_MAX) fail('ERANGE');
  const known = ['user.', 'trusted.', 'security.', 'system.'].some((p) => name.startsWith(p));
  if (name.startsWith('trusted.')) {
    if (!isRoot(c)) fail(write ? 'EPERM' : 'ENODATA');
  } else if (name.startsWith('user.')) {
    if (n.kind !== 'file' && n.kind !== 'dir') fail(write ? 'EPERM' : 'ENODATA');
    if (write && n.kind === 'dir' && n.mode & 0o1000 && !ownerOrCap(c, n)) fail('EPERM');
    checkPerm(c, n, write ? MAY_WRITE : MAY_READ);
  } else if (!name.startsWith('security.')) {
    if (known) fail('EOPNOTSUPP', 'no such system.* attribute');
    checkPerm(c, n, write ? MAY_WRITE : MAY_READ);
    fail('EOPNOTSUPP');
  }
  return realName(m, name);
}

/**
 * Setting or removing a POSIX ACL through the overlay (vfs_set_acl, ovl_set_acl): parsed and
 * checked on the overlay inode, then set on the copied-up upper as its filesystem does.
 */
function setAclX(m: Mount, c: Creds, t: XTarget, name: string, value: Uint8Array | undefined): void {
  if (value) parseAcl(value);
  if (t.node.kind === 'symlink') fail('EOPNOTSUPP');
  if (name === ACL_DEFAULT && t.node.kind !== 'dir') {
    if (value) fail('EACCES');
    return;
  }
  if (!ownerOrCap(c, t.node)) fail('EPERM');
  if (!value && !t.node.xattrs.has(name)) fail('ENODATA');
  const n = t.up();
  if (value) storeAcl(n, name, value);
  else n.xattrs.delete(name);
  n.ctime = m.clock.now;
}

/** setxattr(2) (value) or removexattr(2) (value undefined). */
export function setX(m: Mount, c: Creds, t: XTarget, name: string, value: Uint8Array | undefined, flags: string[]): void {
  if (!m.upper) fail('EROFS');
  if (value && value.length > XATTR_SIZE_MAX) fail('E2BIG');
  if (isAclName(name)) return setAclX(m, c, t, name, value);
  const real = checkName(m, c, t.node, name, true);
  if (!value && !t.hasUpper && !t.node.xattrs.has(real)) fail('ENODATA');
  const n = t.up();
  const exists = n.xattrs.has(real);
  if (value) {
    if (flags.includes('XATTR_CREATE') && exists) fail('EEXIST');
    if (flags.includes('XATTR_REPLACE') && !exists) fail('ENODATA');
    n.xattrs.set(real, value.slice());
  } else {
    if (!exists) fail('ENODATA');
    n.xattrs.delete(real);
  }
  n.ctime = m.clock.now;
}

/** getxattr(2). */
export function getX(m: Mount, c: Creds, t: XTarget, name: string): Uint8Array {
  // POSIX ACLs are readable by anyone (no xattr_permission() for system.*)
  const real = isAclName(name) ? name : checkName(m, c, t.node, name, false);
  const v = t.node.xattrs.get(real);
  if (!v) fail('ENODATA');
  return v.slice();
}

/** listxattr(2): private names hidden, escaped ones unescaped, trusted.* for root only. */
export function listX(m: Mount, c: Creds, t: XTarget): string[] {
  const out: string[] = [];
  for (const k of t.node.xattrs.keys()) {
    if (isPrivateX(m, k)) continue;
    if (k.startsWith('trusted.') && !isRoot(c)) continue;
    out.push(k.startsWith(m.prefix + 'overlay.') ? m.prefix + k.slice(m.prefix.length + 'overlay.'.length) : k);
  }
  return out;
}
