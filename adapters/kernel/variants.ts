// The kernel overlay's option matrix: each variant is a set of mount options plus how its
// layers are laid out and mounted (new mount API, legacy mount(2), Docker's overlay2 layout).

import { MOUNT_OPTIONS, optionProblem } from '../../language/options.js';

/** How a variant lays its layers out and mounts them. */
export interface KernelVariant {
  name: string;
  description: string;
  /** extra overlay options, one fsconfig call each (or joined for mount(2)) */
  options: string[];
  /** plain: every layer a directory of the scenario; xino: lowers on a separate tmpfs; docker: overlay2 layout */
  layout: 'plain' | 'xino' | 'docker';
  api: 'new' | 'legacy';
  /** run in a user namespace as an unprivileged uid */
  userns?: boolean;
  /** namespace of the private xattrs (userxattr → user) */
  xattrNs: 'trusted' | 'user';
  /** the most lower layers this variant can mount */
  maxLowers: number;
  /** lowers packed as read-only images and mounted (adapters/kernel/images.ts) */
  lowerImage?: 'erofs' | 'squashfs';
}

const v = (name: string, description: string, over: Partial<KernelVariant> = {}): KernelVariant => ({
  name, description, options: [], layout: 'plain', api: 'new', xattrNs: 'trusted', maxLowers: 500, ...over,
});

/** Every variant the kernel adapter offers, in run order. */
export const KERNEL_VARIANTS: KernelVariant[] = [
  v('default', 'the kernel\'s defaults (module parameters), new mount API, one lowerdir+ per layer'),
  v('redirect_dir=on', 'directories can be renamed; redirects are created and followed', { options: ['redirect_dir=on'] }),
  v('index=on', 'the inode index keeps hard links together across copy-up', { options: ['index=on'] }),
  v('redirect_dir=on+index=on', 'redirect_dir=on and index=on together', { options: ['redirect_dir=on', 'index=on'] }),
  v('metacopy=on', 'metadata-only copy-up (implies redirect_dir=on)', { options: ['metacopy=on'] }),
  v('xino=on', 'lower layers on a separate tmpfs, xino=on: inode numbers with layer bits', { options: ['xino=on'], layout: 'xino' }),
  v('layers-different-fs', 'lower layers on a separate tmpfs, xino=off: non-directories report a per-layer st_dev', { options: ['xino=off'], layout: 'xino' }),
  v('nfs_export=on', 'file handles survive copy-up and remount (implies index=on)', { options: ['nfs_export=on'] }),
  v('volatile', 'syncs to the upper filesystem are skipped', { options: ['volatile'] }),
  v('userxattr', 'private attributes in user.overlay.* (mounted by root)', { options: ['userxattr'], xattrNs: 'user' }),
  v('unprivileged', 'mounted by an unprivileged uid inside a user namespace, with userxattr', { options: ['userxattr'], xattrNs: 'user', userns: true }),
  v('legacy-mount', 'mount(2) with one option string (refused above the 4095-byte page, never truncated)', { api: 'legacy' }),
  v('erofs-lower', 'every lower layer an erofs image (mkfs.erofs) mounted read-only from the image file, as image-based systems ship layers', { lowerImage: 'erofs', maxLowers: 16 }),
  v('squashfs-lower', 'every lower layer a squashfs image (mksquashfs) loop-mounted read-only', { lowerImage: 'squashfs', maxLowers: 16 }),
  v('data-only-lowers', 'metacopy=on and redirect_dir=on, with a scenario\'s data-only layers passed as datadir+ (the layout composefs and image-based systems use)', { options: ['metacopy=on', 'redirect_dir=on'] }),
  v('docker', 'Docker overlay2 layout: diff/ link lower work/ and l/<short id> symlinks, lowerdir relative to the driver root, mount(2), up to 128 layers', { layout: 'docker', api: 'legacy', maxLowers: 128 }),
];

/** The uid/gid the unprivileged variant runs as (nobody). */
export const UNPRIVILEGED_ID = { uid: 65534, gid: 65534 };

/** Look a variant up by name. */
export function kernelVariant(name: string): KernelVariant | undefined {
  return KERNEL_VARIANTS.find((k) => k.name === name);
}

/** The overlay options a remount may set (layer directories are the harness's). */
export const KERNEL_OPTIONS: readonly string[] = ['redirect_dir', 'index', 'metacopy', 'xino', 'nfs_export', 'uuid', 'verity', 'volatile', 'userxattr'];

/** Apply remount options (`{ key: value }`) over a variant's options: later keys replace earlier ones. */
export function withOptions(base: string[], over: Record<string, string> | undefined): string[] {
  if (!over) return base;
  // the executor refused these already; a value that could add an option to a joined string never gets here
  for (const [k, val] of Object.entries(over)) {
    const why = optionProblem(k, val);
    if (why) throw new Error(`remount option refused: ${why}`);
  }
  const key = (o: string) => o.split('=')[0];
  const keys = new Set(Object.keys(over));
  // a flag is given bare, or left out when set off
  const flag = (k: string) => MOUNT_OPTIONS.get(k)?.kind === 'flag';
  const given = Object.entries(over).filter(([k, val]) => !(flag(k) && String(val) === 'off'));
  return [...base.filter((o) => !keys.has(key(o))), ...given.map(([k, val]) => (val === '' || val === 'true' || flag(k) ? k : `${k}=${val}`))];
}
