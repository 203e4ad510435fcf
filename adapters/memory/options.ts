// Mount options of the model: the variants the adapter offers, and the kernel 6.18 rules that
// turn requested options into effective ones (implications, conflicts, module defaults).

import { FsError } from './errors.js';

/** The effective configuration of one mount. */
export interface Config {
  /** 'off' behaves as 'follow' on this kernel (redirect_always_follow=Y) */
  redirect: 'on' | 'follow' | 'nofollow';
  index: boolean;
  metacopy: boolean;
  xino: 'on' | 'off' | 'auto';
  nfsExport: boolean;
  userxattr: boolean;
  volatile: boolean;
  /** stacked file operations (kernel >= 4.19); off emulates older kernels (DEV FD-001) */
  stackedFops: boolean;
  /** lower layers on another filesystem than the upper */
  layersFs: 'same' | 'different';
  /** verity= (6.15+: independent of metacopy, userxattr and nfs_export; no fs-verity files are modelled) */
  verity: 'off' | 'on' | 'require';
}

/** A variant: its name, what it is for, and the options it requests. */
export interface VariantDef {
  name: string;
  description: string;
  options: Record<string, string>;
}

/** The variants of the memory adapter, each a mount option set the kernel also supports. */
export const VARIANTS: VariantDef[] = [
  { name: 'default', description: 'module defaults of kernel 6.18 on this machine (redirect_dir=follow, index/metacopy/xino/nfs_export off)', options: {} },
  { name: 'redirect_dir=on', description: 'directory renames through overlay.redirect', options: { redirect_dir: 'on' } },
  { name: 'index=on', description: 'inodes index: lower hard links stay together on copy-up', options: { index: 'on' } },
  { name: 'redirect_dir=on+index=on', description: 'redirects and the inodes index', options: { redirect_dir: 'on', index: 'on' } },
  { name: 'metacopy=on', description: 'metadata-only copy-up (implies redirect_dir=on)', options: { metacopy: 'on' } },
  { name: 'xino=on', description: 'lower layers on another filesystem, inode numbers mapped with xino high bits', options: { xino: 'on', layers_fs: 'different' } },
  { name: 'layers-different-fs', description: 'lower layers on another filesystem, xino=off: per-fs st_dev for non-directories', options: { layers_fs: 'different' } },
  { name: 'nfs_export=on', description: 'NFS export support (implies index=on)', options: { nfs_export: 'on' } },
  { name: 'volatile', description: 'volatile upper: syncs are skipped', options: { volatile: 'on' } },
  { name: 'userxattr', description: 'private xattrs in user.overlay.* (implies redirect_dir=nofollow)', options: { userxattr: 'on' } },
  { name: 'legacy-fd', description: 'emulates kernels before 4.19 (no stacked file ops): an fd keeps the real file it was opened on', options: { stacked_fops: 'off' } },
];

const ON = ['on', 'true', 'yes', '1', 'y'];
const OFF = ['off', 'false', 'no', '0', 'n'];

function bool(key: string, v: string): boolean {
  if (ON.includes(v)) return true;
  if (OFF.includes(v)) return false;
  throw new FsError('EINVAL', `overlay: bad value for ${key}: ${v}`);
}

/** Resolve requested options into an effective Config as ovl_fs_params_verify does; EINVAL on conflicts. */
export function resolveOptions(requested: Record<string, string | number | boolean>, hasUpper: boolean): Config {
  const o: Record<string, string> = {};
  for (const [k, v] of Object.entries(requested)) o[k.replace(/-/g, '_')] = String(v).toLowerCase();
  const known = ['redirect_dir', 'index', 'metacopy', 'xino', 'nfs_export', 'userxattr', 'volatile', 'stacked_fops', 'layers_fs', 'uuid', 'verity'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new FsError('EINVAL', `overlay: Unknown parameter '${k}'`);
  let redirect: Config['redirect'] = 'follow';
  const rd = o.redirect_dir;
  if (rd !== undefined && !['on', 'off', 'follow', 'nofollow'].includes(rd)) throw new FsError('EINVAL', `overlay: bad redirect_dir ${rd}`);
  if (rd === 'on' || rd === 'nofollow') redirect = rd;
  const userxattr = o.userxattr !== undefined ? bool('userxattr', o.userxattr) : false;
  let index = o.index !== undefined ? bool('index', o.index) : false;
  const metacopy = o.metacopy !== undefined ? bool('metacopy', o.metacopy) : false;
  const nfsExport = o.nfs_export !== undefined ? bool('nfs_export', o.nfs_export) : false;
  const xino = (o.xino ?? 'off') as Config['xino'];
  if (!['on', 'off', 'auto'].includes(xino)) throw new FsError('EINVAL', `overlay: bad xino ${xino}`);
  // since Linux 6.15 ("ovl: don't require metacopy=on for verity") verity neither implies
  // metacopy nor conflicts with metacopy=off, userxattr or nfs_export (observed on 6.18)
  const verity = (o.verity ?? 'off') as Config['verity'];
  if (!['on', 'off', 'require'].includes(verity)) throw new FsError('EINVAL', `overlay: bad verity ${verity}`);
  if (metacopy) {
    if (rd !== undefined && rd !== 'on' && hasUpper) throw new FsError('EINVAL', `overlay: conflicting options: metacopy=on,redirect_dir=${rd === 'off' ? 'follow' : rd}`);
    if (nfsExport) throw new FsError('EINVAL', 'overlay: conflicting options: nfs_export=on,metacopy=on');
    if (userxattr) throw new FsError('EINVAL', 'overlay: conflicting options: userxattr,metacopy=on');
    redirect = 'on';
  }
  // NX-002: without an upper layer, NFS export needs redirect_dir=nofollow (else it falls back to off with an info line)
  const nfsKept = nfsExport && (hasUpper || rd === 'nofollow');
  if (nfsKept) {
    if (o.index !== undefined && !index) throw new FsError('EINVAL', 'overlay: conflicting options: nfs_export=on,index=off');
    index = true;
  }
  if (userxattr) {
    if (rd === 'on') throw new FsError('EINVAL', 'overlay: conflicting options: userxattr,redirect_dir=on');
    redirect = 'nofollow';
  }
  return {
    redirect, index, metacopy, xino, nfsExport: nfsKept, userxattr,
    volatile: o.volatile !== undefined ? bool('volatile', o.volatile) : false,
    stackedFops: o.stacked_fops !== undefined ? bool('stacked_fops', o.stacked_fops) : true,
    layersFs: o.layers_fs === 'different' ? 'different' : 'same',
    verity,
  };
}

/** The fingerprint's option map: every option, fully resolved. */
export function optionStrings(c: Config): Record<string, string> {
  const f = (b: boolean) => (b ? 'on' : 'off');
  return {
    redirect_dir: c.redirect, index: f(c.index), metacopy: f(c.metacopy), xino: c.xino, nfs_export: f(c.nfsExport),
    userxattr: f(c.userxattr), volatile: f(c.volatile), stacked_fops: f(c.stackedFops), layers_fs: c.layersFs,
  };
}
