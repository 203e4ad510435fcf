// unionfs-fuse's meaningful options as variants. Every variant runs copy-on-write (`-o cow`,
// without which lower branches cannot be changed at all) with allow_other (steps run as other
// users), suid and dev, as the man page's own example mounts it; variants then differ in what a
// program observes: the metadata directory in listings, inode numbers, the page cache.

/** One unionfs-fuse configuration. */
export interface UnionfsVariant {
  name: string;
  description: string;
  /** the -o options of the daemon */
  options: string[];
}

const BASE = ['cow', 'allow_other', 'suid', 'dev'];

/** Every variant of the unionfs-fuse adapter, in run order. */
export const UNIONFS_VARIANTS: UnionfsVariant[] = [
  { name: 'default', description: 'unionfs -o cow,allow_other,use_ino,suid,dev (the man page example): branch inode numbers, .unionfs-fuse listed at the root', options: [...BASE, 'use_ino'] },
  { name: 'hide_meta_files', description: 'as default, with the .unionfs-fuse metadata directory (and .fuse_hidden files) left out of listings', options: [...BASE, 'use_ino', 'hide_meta_files'] },
  { name: 'libfuse-inodes', description: 'without use_ino: libfuse numbers the inodes itself', options: [...BASE] },
  { name: 'direct_io', description: 'as default, with direct_io: no page cache, so no cache can hide what the daemon returns (shared mappings are refused)', options: [...BASE, 'use_ino', 'direct_io'] },
];

/** Look a variant up by name. */
export function unionfsVariant(name: string): UnionfsVariant | undefined {
  return UNIONFS_VARIANTS.find((x) => x.name === name);
}

/** The effective options a variant runs with (what profiles' `when: options:` test). */
export function effectiveOptions(v: UnionfsVariant): Record<string, string> {
  const on = (k: string) => (v.options.includes(k) ? 'on' : 'off');
  return { cow: on('cow'), use_ino: on('use_ino'), hide_meta_files: on('hide_meta_files'), direct_io: on('direct_io'), allow_other: on('allow_other') };
}
