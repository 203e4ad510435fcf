// One table from op name to engine call: every filesystem op of language/ops.ts (lifecycle ops
// excepted), turning arguments into engine calls and engine results into OpValues.

import type { OpValue } from '../../language/canonical.js';
import type { OpName } from '../../language/ops.js';
import { Args } from './args.js';
import { access, chmod, chown, statPath, utimens, type Target } from './attr.js';
import { createObject, linkObject } from './create.js';
import { fail } from './errors.js';
import { truncatePath } from './fileops.js';
import { DEFAULT_FILE_MODE } from './open.js';
import { checkPerm, isRoot, MAY_READ, MAY_WRITE, ownerOrCap, permitted, type Creds } from './perm.js';
import { listPath, openDir, readDir, rewindDir, seekDir } from './readdir.js';
import { rename } from './rename.js';
import { rmdir, unlink } from './remove.js';
import type { Mount } from './state.js';
import { linkTarget, walk, walkExisting } from './walk.js';
import { getX, listX, setX, xtarget } from './xattr.js';
import { statfsValue } from './statfs.js';
import { entryPath, lookupChild } from './lookup.js';
import { dropCaches } from './caches.js';
import { touchAtime } from './times.js';
import { getInode, statOf } from './inode.js';
import { FD_OPS, fdOf, freeName, type Handler } from './fdtable.js';


function dirOf(m: Mount, a: Args) {
  const d = m.dirs.get(a.int('dir'));
  if (!d) fail('EBADF');
  return d;
}

function targetOf(m: Mount, c: Creds, a: Args, follow: boolean): Target {
  return { entry: walkExisting(m, c, a.str('path'), follow).entry };
}

/** Every filesystem op: the fd part and the path part. */
const OPS: Partial<Record<OpName, Handler>> = {
  ...FD_OPS,
  // F_SETFL: the status flags of the open file (FD-006); O_NOATIME only for the owner or root
  setfl: (m, a, c) => {
    const f = fdOf(m, a);
    const fl = new Set(a.flags('flags'));
    if (fl.has('O_NOATIME') && !f.noatime && !isRoot(c) && statOf(m, f.inode).uid !== c.uid) fail('EPERM');
    f.append = fl.has('O_APPEND');
    f.nonblock = fl.has('O_NONBLOCK');
    f.noatime = fl.has('O_NOATIME');
    return undefined;
  },
  truncate: (m, a, c) => (truncatePath(m, c, a.str('path'), a.int('length')), undefined),
  stat: (m, a, c) => ({ stat: statPath(m, c, a.str('path'), true) }),
  lstat: (m, a, c) => ({ stat: statPath(m, c, a.str('path'), false) }),
  access: (m, a, c) => (access(m, c, a.str('path'), a.flags('mode')), undefined),
  readdir: (m, a, c) => ({ entries: listPath(m, c, a.str('path')) }),
  opendir: (m, a, c) => ({ dir: openDir(m, c, a.str('path')).id }),
  readdirNext: (m, a) => ({ entries: readDir(m, dirOf(m, a), a.optInt('count')) }),
  telldir: (m, a) => ({ offset: dirOf(m, a).pos }),
  seekdir: (m, a) => (seekDir(dirOf(m, a), a.int('offset')), undefined),
  rewinddir: (m, a) => (rewindDir(dirOf(m, a)), undefined),
  closedir: (m, a) => {
    dirOf(m, a);
    m.dirs.delete(a.int('dir'));
    return undefined;
  },
  mkdir: (m, a, c) => {
    const w = freeName(m, c, a.str('path'), true);
    createObject(m, c, w, { kind: 'dir', mode: a.mode('mode') ?? 0o755 });
    getInode(m, lookupChild(m, w.parent, w.name));
    return undefined;
  },
  rmdir: (m, a, c) => (rmdir(m, c, a.str('path')), undefined),
  unlink: (m, a, c) => (unlink(m, c, a.str('path')), undefined),
  rename: (m, a, c) => (rename(m, c, a.str('from'), a.str('to'), a.flags('flags')), undefined),
  link: (m, a, c) => {
    const src = walk(m, c, a.str('from'), a.bool('follow'));
    if (src.entry.kind === null) fail('ENOENT');
    if (src.slash && src.entry.kind !== 'dir') fail('ENOTDIR');
    const w = freeName(m, c, a.str('to'), false);
    if (!m.upper) fail('EROFS');
    const n = src.entry.upper ?? src.entry.lowers[0].node;
    if (!isRoot(c) && !ownerOrCap(c, n)) {
      const safe = n.kind === 'file' && !(n.mode & 0o4000) && (n.mode & 0o2010) !== 0o2010 && permitted(c, n, MAY_READ | MAY_WRITE);
      if (!safe) fail('EPERM');
    }
    checkPerm(c, w.parent.upper ?? w.parent.lowers[0].node, MAY_WRITE | 1);
    if (src.entry.kind === 'dir') fail('EPERM');
    linkObject(m, c, src.entry, w);
    return undefined;
  },
  symlink: (m, a, c) => {
    const target = a.str('target');
    const w = freeName(m, c, a.str('path'), false);
    if (target.length === 0) fail('ENOENT');
    if (Buffer.byteLength(target) >= 4096) fail('ENAMETOOLONG');
    createObject(m, c, w, { kind: 'symlink', mode: 0o777, target });
    return undefined;
  },
  readlink: (m, a, c) => {
    const e = walkExisting(m, c, a.str('path'), false).entry;
    if (e.kind !== 'symlink') fail('EINVAL');
    if (e.upper) touchAtime(m, e.upper);
    return { target: linkTarget(e) };
  },
  chmod: (m, a, c) => (chmod(m, c, targetOf(m, c, a, true), a.mode('mode') ?? 0), undefined),
  fchmod: (m, a, c) => (chmod(m, c, { fd: fdOf(m, a) }, a.mode('mode') ?? 0), undefined),
  chown: (m, a, c) => (chown(m, c, targetOf(m, c, a, true), a.int('uid'), a.int('gid')), undefined),
  lchown: (m, a, c) => (chown(m, c, targetOf(m, c, a, false), a.int('uid'), a.int('gid')), undefined),
  fchown: (m, a, c) => (chown(m, c, { fd: fdOf(m, a) }, a.int('uid'), a.int('gid')), undefined),
  utimens: (m, a, c) => {
    const at = a.time('atime');
    const mt = a.time('mtime');
    if (at === undefined && mt === undefined) return undefined;
    utimens(m, c, targetOf(m, c, a, !a.bool('nofollow')), at, mt);
    return undefined;
  },
  mknod: (m, a, c) => {
    const type = a.str('type');
    if (!['chr', 'blk', 'fifo', 'file', 'sock'].includes(type)) fail('EINVAL');
    const w = freeName(m, c, a.str('path'), false);
    const major = a.int('major', 0);
    const minor = a.int('minor', 0);
    const kind = type as 'chr' | 'blk' | 'fifo' | 'file' | 'sock';
    if (!m.upper) fail('EROFS');
    checkPerm(c, w.parent.upper ?? w.parent.lowers[0].node, MAY_WRITE | 1);
    const whiteout = kind === 'chr' && major === 0 && minor === 0;
    if ((kind === 'chr' || kind === 'blk') && !whiteout && !isRoot(c)) fail('EPERM');
    if (whiteout) fail('EPERM', 'overlay refuses to create a whiteout');
    createObject(m, c, w, { kind, mode: a.mode('mode') ?? DEFAULT_FILE_MODE, major, minor });
    return undefined;
  },
  mkfifo: (m, a, c) => {
    createObject(m, c, freeName(m, c, a.str('path'), false), { kind: 'fifo', mode: a.mode('mode') ?? DEFAULT_FILE_MODE });
    return undefined;
  },
  setxattr: (m, a, c) => {
    const f = a.has('fd') ? fdOf(m, a) : undefined;
    setX(m, c, xtarget(m, c, a.optStr('path'), f, a.bool('nofollow')), a.str('name'), a.bytes('value'), a.flags('flags'));
    return undefined;
  },
  getxattr: (m, a, c) => {
    const f = a.has('fd') ? fdOf(m, a) : undefined;
    return { value: getX(m, c, xtarget(m, c, a.optStr('path'), f, a.bool('nofollow')), a.str('name')) };
  },
  listxattr: (m, a, c) => {
    const f = a.has('fd') ? fdOf(m, a) : undefined;
    return { names: listX(m, c, xtarget(m, c, a.optStr('path'), f, a.bool('nofollow'))) };
  },
  removexattr: (m, a, c) => {
    const f = a.has('fd') ? fdOf(m, a) : undefined;
    setX(m, c, xtarget(m, c, a.optStr('path'), f, a.bool('nofollow')), a.str('name'), undefined, []);
    return undefined;
  },
  statfs: (m, a, c) => (walkExisting(m, c, a.str('path'), true), { statfs: statfsValue(m) }),
  dropCaches: (m, a, c) => {
    if (a.has('fd')) fdOf(m, a);
    else {
      const w = walkExisting(m, c, a.str('path'), true);
      // the agent opens the path to reach its filesystem: that name stays held
      dropCaches(m, { inode: getInode(m, w.entry), path: entryPath(w.entry) });
      return undefined;
    }
    dropCaches(m);
    return undefined;
  },
  syncfs: (m, a, c) => (walkExisting(m, c, a.str('path'), true), undefined),
};


/** Run one op; throws FsError/EscapeError for failures the worker turns into results. */
export function runOp(m: Mount, name: OpName, args: Record<string, unknown>, c: Creds): OpValue | undefined {
  const h = OPS[name];
  if (!h) throw new Error(`memory engine: op ${name} is not a filesystem op`);
  return h(m, new Args(name, args), c);
}
