// Discretionary access control as Linux applies it on the overlay inode: owner/group/other
// bits, root's capabilities (DAC override, FOWNER, CHOWN, FSETID, SYS_ADMIN), sticky dirs.

import { fail } from './errors.js';
import type { LNode } from './layer.js';
import { accessAcl, aclPermits, ACL_ACCESS } from './acl.js';
import type { Creds } from './types.js';

export type { Creds } from './types.js';

/** The default identity of steps: root with every capability. */
export const ROOT: Creds = { uid: 0, gid: 0, groups: [] };

/** Access mask bits of inode_permission(). */
export const MAY_EXEC = 1;
/** write access */
export const MAY_WRITE = 2;
/** read access */
export const MAY_READ = 4;

/** root holds every capability in this model (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN, ...) */
export function isRoot(c: Creds): boolean {
  return c.uid === 0;
}

/** is `gid` the caller's gid or one of its groups (in_group_p) */
export function inGroup(c: Creds, gid: number): boolean {
  return c.gid === gid || c.groups.includes(gid);
}

/** generic_permission(): may `c` access `n` with `mask`? */
export function permitted(c: Creds, n: LNode, mask: number): boolean {
  if (isRoot(c)) {
    if (!(mask & MAY_EXEC) || n.kind === 'dir') return true;
    return (n.mode & 0o111) !== 0;
  }
  let bits: number;
  if (c.uid === n.uid) bits = (n.mode >> 6) & 7;
  else if (n.mode & 0o070 && n.kind !== 'symlink' && n.xattrs.has(ACL_ACCESS)) {
    // acl_permission_check(): a POSIX ACL decides for everyone but the owner
    const acl = accessAcl(n);
    if (acl && acl.length) return aclPermits(c, n, acl, mask & 7);
    bits = inGroup(c, n.gid) ? (n.mode >> 3) & 7 : n.mode & 7;
  } else if (inGroup(c, n.gid)) bits = (n.mode >> 3) & 7;
  else bits = n.mode & 7;
  return (mask & ~bits & 7) === 0;
}

/** inode_permission(): EACCES unless permitted. */
export function checkPerm(c: Creds, n: LNode, mask: number): void {
  if (!permitted(c, n, mask)) fail('EACCES');
}

/** inode_owner_or_capable(): the owner, or CAP_FOWNER. */
export function ownerOrCap(c: Creds, n: LNode): boolean {
  return isRoot(c) || c.uid === n.uid;
}

/** may_delete() sticky rule: in a sticky dir only the file's or dir's owner (or CAP_FOWNER). */
export function checkSticky(c: Creds, dir: LNode, victim: LNode): void {
  if (!(dir.mode & 0o1000) || isRoot(c)) return;
  if (c.uid === victim.uid || c.uid === dir.uid) return;
  fail('EPERM');
}

/** file_remove_privs(): the mode a write or truncate by `c` leaves (setuid/setgid killed). */
export function killPrivs(c: Creds, mode: number): number {
  if (isRoot(c)) return mode;
  let out = mode & ~0o4000;
  if ((mode & 0o2010) === 0o2010) out &= ~0o2000;
  return out;
}
