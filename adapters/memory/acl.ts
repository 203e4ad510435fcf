// POSIX ACLs as Linux keeps them (fs/posix_acl.c) on the layers' filesystems (ext4, tmpfs):
// the system.posix_acl_access / system.posix_acl_default xattrs in the kernel's binary format,
// the mode <-> ACL coupling (the group bits are the mask), permission checks for other users,
// and default ACL inheritance when an object is created.

import { fail } from './errors.js';
import type { Kind, LNode } from './layer.js';
import type { Creds } from './types.js';

/** the xattr holding a file's access ACL */
export const ACL_ACCESS = 'system.posix_acl_access';
/** the xattr holding a directory's default ACL */
export const ACL_DEFAULT = 'system.posix_acl_default';

const ACL_XATTR_VERSION = 2;
const UNDEFINED_ID = 0xffffffff;

/** Entry tags (ACL_USER_OBJ ...). */
export const USER_OBJ = 0x01;
export const USER = 0x02;
export const GROUP_OBJ = 0x04;
export const GROUP = 0x08;
export const MASK = 0x10;
export const OTHER = 0x20;

/** One ACL entry: tag, permission bits (rwx = 4|2|1), id for USER/GROUP. */
export interface AclEntry {
  tag: number;
  perm: number;
  id: number;
}

/** Is this xattr name one of the two ACLs? */
export function isAclName(name: string): boolean {
  return name === ACL_ACCESS || name === ACL_DEFAULT;
}

/** posix_acl_from_xattr() + posix_acl_valid(): the entries, or EINVAL. */
export function parseAcl(b: Uint8Array): AclEntry[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 4) fail('EINVAL', 'malformed ACL');
  if (buf.readUInt32LE(0) !== ACL_XATTR_VERSION) fail('EOPNOTSUPP', 'unknown ACL version');
  if ((buf.length - 4) % 8 !== 0) fail('EINVAL', 'malformed ACL');
  const out: AclEntry[] = [];
  for (let o = 4; o < buf.length; o += 8) {
    const tag = buf.readUInt16LE(o);
    const perm = buf.readUInt16LE(o + 2);
    const id = buf.readUInt32LE(o + 4);
    out.push({ tag, perm, id: tag === USER || tag === GROUP ? id : UNDEFINED_ID });
  }
  // an ACL without entries stands for no ACL (setting it removes the ACL)
  if (out.length) validate(out);
  return out;
}

/** posix_acl_valid(): one owner, group and other entry in tag order, a mask when named entries exist. */
function validate(acl: AclEntry[]): void {
  let state = USER_OBJ;
  let needMask = false;
  for (const e of acl) {
    if (e.perm & ~7) fail('EINVAL', 'bad ACL permission');
    switch (e.tag) {
      case USER_OBJ:
        if (state !== USER_OBJ) fail('EINVAL');
        state = USER;
        break;
      case USER:
        if (state !== USER) fail('EINVAL');
        needMask = true;
        break;
      case GROUP_OBJ:
        if (state !== USER) fail('EINVAL');
        state = GROUP;
        break;
      case GROUP:
        if (state !== GROUP) fail('EINVAL');
        needMask = true;
        break;
      case MASK:
        if (state !== GROUP) fail('EINVAL');
        state = OTHER;
        break;
      case OTHER:
        if (state === OTHER || (state === GROUP && !needMask)) {
          state = 0;
          break;
        }
        fail('EINVAL');
        break;
      default:
        fail('EINVAL', 'bad ACL tag');
    }
  }
  if (state !== 0) fail('EINVAL');
}

/** posix_acl_to_xattr(): the binary form (ids of the *_OBJ entries written as undefined). */
export function aclBytes(acl: AclEntry[]): Uint8Array {
  const buf = Buffer.alloc(4 + 8 * acl.length);
  buf.writeUInt32LE(ACL_XATTR_VERSION, 0);
  acl.forEach((e, i) => {
    buf.writeUInt16LE(e.tag, 4 + 8 * i);
    buf.writeUInt16LE(e.perm, 6 + 8 * i);
    buf.writeUInt32LE(e.tag === USER || e.tag === GROUP ? e.id : UNDEFINED_ID, 8 + 8 * i);
  });
  return new Uint8Array(buf);
}

/** posix_acl_equiv_mode(): the mode bits an ACL stands for, and whether it says no more than them. */
function equivMode(acl: AclEntry[], mode: number): { mode: number; equiv: boolean } {
  let m = mode & ~0o777;
  let equiv = true;
  for (const e of acl) {
    if (e.tag === USER_OBJ) m |= e.perm << 6;
    else if (e.tag === GROUP_OBJ) m |= e.perm << 3;
    else if (e.tag === OTHER) m |= e.perm;
    else if (e.tag === MASK) {
      m = (m & ~0o070) | (e.perm << 3);
      equiv = false;
    } else equiv = false;
  }
  return { mode: m, equiv };
}

/** The access ACL of a layer inode, if it has one. */
export function accessAcl(n: LNode): AclEntry[] | null {
  const v = n.xattrs.get(ACL_ACCESS);
  return v ? parseAcl(v) : null;
}

/**
 * Set an ACL xattr on a layer inode as the filesystem does (ext4_set_acl): an access ACL sets
 * the permission bits (posix_acl_update_mode) and is not stored when the bits say it all; a
 * default ACL needs a directory.
 */
export function storeAcl(n: LNode, name: string, value: Uint8Array): void {
  const acl = parseAcl(value);
  if (name === ACL_DEFAULT && n.kind !== 'dir') fail('EACCES');
  if (acl.length === 0) {
    n.xattrs.delete(name);
    return;
  }
  if (name === ACL_DEFAULT) {
    n.xattrs.set(name, aclBytes(acl));
    return;
  }
  const { mode, equiv } = equivMode(acl, n.mode);
  n.mode = mode;
  if (equiv) n.xattrs.delete(name);
  else n.xattrs.set(name, aclBytes(acl));
}

/** posix_acl_chmod(): after a chmod the ACL's owner, mask (else group) and other entries follow the mode. */
export function chmodAcl(n: LNode): void {
  const acl = n.kind === 'symlink' ? null : accessAcl(n);
  if (!acl) return;
  const mask = acl.find((e) => e.tag === MASK);
  for (const e of acl) {
    if (e.tag === USER_OBJ) e.perm = (n.mode >> 6) & 7;
    else if (e.tag === OTHER) e.perm = n.mode & 7;
    else if (e.tag === MASK || (e.tag === GROUP_OBJ && !mask)) e.perm = (n.mode >> 3) & 7;
  }
  n.xattrs.set(ACL_ACCESS, aclBytes(acl));
}

/**
 * posix_acl_permission() for a caller that is not the owner (the owner is judged by the mode
 * bits first): a named user's entry, else the owning and named groups (any one granting all
 * of `want`), each limited by the mask; else the other entry. `want` is rwx bits.
 */
export function aclPermits(c: Creds, n: LNode, acl: AclEntry[], want: number): boolean {
  const mask = acl.find((e) => e.tag === MASK);
  const masked = (e: AclEntry) => ((mask ? e.perm & mask.perm : e.perm) & want) === want;
  const inGroup = (gid: number) => c.gid === gid || c.groups.includes(gid);
  let found = false;
  for (const e of acl) {
    switch (e.tag) {
      case USER_OBJ:
        if (c.uid === n.uid) return (e.perm & want) === want;
        break;
      case USER:
        if (c.uid === e.id) return masked(e);
        break;
      case GROUP_OBJ:
      case GROUP:
        if (inGroup(e.tag === GROUP ? e.id : n.gid)) {
          found = true;
          if ((e.perm & want) === want) return masked(e);
        }
        break;
      case OTHER:
        return !found && (e.perm & want) === want;
    }
  }
  return false;
}

/**
 * posix_acl_create(): an object created in a directory with a default ACL gets the mode the
 * ACL allows (no umask) and, unless that says it all, an access ACL; a directory also inherits
 * the default ACL. Returns the new mode.
 */
export function inheritAcl(parent: LNode, child: LNode, kind: Kind, mode: number): number {
  const def = kind === 'symlink' ? undefined : parent.xattrs.get(ACL_DEFAULT);
  if (!def) return mode;
  const acl = parseAcl(def);
  // posix_acl_create_masq()
  let m = mode & 0o777;
  let notEquiv = false;
  let groupObj: AclEntry | undefined;
  let maskObj: AclEntry | undefined;
  for (const e of acl) {
    if (e.tag === USER_OBJ) {
      e.perm &= (m >> 6) & 7;
      m &= (e.perm << 6) | ~0o700;
    } else if (e.tag === USER || e.tag === GROUP) notEquiv = true;
    else if (e.tag === GROUP_OBJ) groupObj = e;
    else if (e.tag === OTHER) {
      e.perm &= m & 7;
      m &= e.perm | ~0o007;
    } else if (e.tag === MASK) {
      maskObj = e;
      notEquiv = true;
    }
  }
  const g = maskObj ?? groupObj!;
  g.perm &= (m >> 3) & 7;
  m &= (g.perm << 3) | ~0o070;
  if (notEquiv) child.xattrs.set(ACL_ACCESS, aclBytes(acl));
  if (kind === 'dir') child.xattrs.set(ACL_DEFAULT, def.slice());
  return (mode & ~0o777) | (m & 0o777);
}
