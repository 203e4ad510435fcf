// fuse-overlayfs's meaningful options as variants: its defaults, the options that change what a
// program observes (directory link counts, where owners and modes live, fsync, the kernel's
// entry/attribute cache), and mounting by root inside a user namespace.

/** One fuse-overlayfs configuration. */
export interface FuseOverlayVariant {
  name: string;
  description: string;
  /** extra -o options of the daemon */
  options: string[];
  /** run the agent (and so the daemon) as root of its own user namespace (uid 0 mapped to 0) */
  userns?: boolean;
  /** namespace the materialised overlay markers use */
  xattrNs: 'trusted' | 'user';
}

const v = (name: string, description: string, over: Partial<FuseOverlayVariant> = {}): FuseOverlayVariant => ({
  name, description, options: [], xattrNs: 'trusted', ...over,
});

/** Every variant of the fuse-overlayfs adapter, in run order. */
export const FUSE_OVERLAY_VARIANTS: FuseOverlayVariant[] = [
  v('default', 'fuse-overlayfs -f with its defaults, mounted by root (it adds allow_other, default_permissions, noatime itself)'),
  v('static_nlink', 'directories report st_nlink 1, like the kernel overlay', { options: ['static_nlink'] }),
  v('xattr_permissions=1', 'owners and modes set through the mount are stored in security.fuseoverlayfs.override_stat instead of the upper inode', { options: ['xattr_permissions=1'] }),
  v('fsync=0', 'fsync is not passed down (the daemon answers ENOSYS, so the kernel stops asking): fuse-overlayfs\'s volatile mode', { options: ['fsync=0'] }),
  v('timeout=0', 'no entry/attribute caching in the kernel: every lookup and stat reaches the daemon', { options: ['timeout=0'] }),
  v('unprivileged', 'root of a new user namespace (unshare -Urm: uid 0 mapped to 0) mounts it; trusted.* is unavailable, so opaque dirs use user.fuseoverlayfs.opaque', { userns: true, xattrNs: 'user' }),
];

/** Look a variant up by name. */
export function fuseOverlayVariant(name: string): FuseOverlayVariant | undefined {
  return FUSE_OVERLAY_VARIANTS.find((x) => x.name === name);
}

/** The effective options a variant runs with (what profiles' `when: options:` test). */
export function effectiveOptions(v: FuseOverlayVariant, superOptions: string[] = []): Record<string, string> {
  const has = (k: string) => v.options.find((o) => o === k || o.startsWith(k + '='));
  const val = (k: string, dflt: string) => {
    const o = has(k);
    return o === undefined ? dflt : o.includes('=') ? o.slice(o.indexOf('=') + 1) : 'on';
  };
  return {
    static_nlink: has('static_nlink') ? 'on' : 'off',
    xattr_permissions: val('xattr_permissions', '0'),
    fsync: val('fsync', '1'),
    timeout: val('timeout', 'default'),
    userns: v.userns ? 'on' : 'off',
    private_xattrs: v.xattrNs,
    allow_other: superOptions.includes('allow_other') ? 'on' : 'off',
    default_permissions: superOptions.includes('default_permissions') ? 'on' : 'off',
  };
}
