// The closed vocabulary of mount options a scenario's `remount: {options}` (and a command
// adapter config's variants) may set: known names with typed values. Layer paths are never an
// option: they come only from the harness, so a value can neither name a directory nor smuggle
// a second option into a comma-joined mount string or a daemon's argv.

/** How an option's value is written. */
export type OptionType =
  | { kind: 'flag' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'uint'; max: number };

const flag: OptionType = { kind: 'flag' };
const oneOf = (...values: string[]): OptionType => ({ kind: 'enum', values });
const uint = (max: number): OptionType => ({ kind: 'uint', max });
const onOff = oneOf('on', 'off');

/** Every option any built-in adapter knows, with its value type. */
export const MOUNT_OPTIONS: ReadonlyMap<string, OptionType> = new Map<string, OptionType>([
  // the kernel overlay (Documentation/filesystems/overlayfs.rst) and the memory model of it
  ['redirect_dir', oneOf('on', 'off', 'follow', 'nofollow')],
  ['index', onOff],
  ['metacopy', onOff],
  ['xino', oneOf('on', 'off', 'auto')],
  ['nfs_export', onOff],
  ['uuid', oneOf('on', 'off', 'null', 'auto')],
  ['verity', oneOf('on', 'off', 'require')],
  ['volatile', flag],
  ['userxattr', flag],
  // fuse-overlayfs(1)
  ['static_nlink', flag],
  ['xattr_permissions', oneOf('0', '1', '2')],
  ['fsync', oneOf('0', '1')],
  ['timeout', uint(86_400)],
  ['noacl', flag],
  ['squash_to_root', flag],
  ['squash_to_uid', uint(4_294_967_294)],
  ['squash_to_gid', uint(4_294_967_294)],
  // unionfs-fuse(8)
  ['hide_meta_files', flag],
  ['use_ino', flag],
  ['direct_io', flag],
  ['relaxed_permissions', flag],
]);

/** Options that name a directory: only the harness sets these, never a scenario or config. */
export const PATH_OPTIONS: ReadonlySet<string> = new Set(['lowerdir', 'lowerdir+', 'upperdir', 'workdir', 'datadir+', 'datadir', 'source', 'dirs', 'srcdirs', 'chroot', 'cowdir']);

/** What an option value may look like at all, whatever its type: no separators, no paths. */
const TOKEN = /^[A-Za-z0-9_.+-]{0,64}$/;

/** Why `name=value` is refused, or undefined when it is in the vocabulary with a value of its type. */
export function optionProblem(name: string, value: unknown): string | undefined {
  if (PATH_OPTIONS.has(name)) return `option "${name}" names a layer directory; layer paths come only from the harness`;
  const type = MOUNT_OPTIONS.get(name);
  if (!type) return `unknown mount option "${name}"; known options: ${[...MOUNT_OPTIONS.keys()].join(', ')}`;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return `option ${name} takes a plain value, not ${value === null ? 'null' : typeof value}`;
  const v = String(value);
  if (!TOKEN.test(v)) return `option ${name}: value ${JSON.stringify(v.slice(0, 80))} is not a plain token (letters, digits, _ . + -; no separators such as , = : / or spaces)`;
  switch (type.kind) {
    case 'flag':
      return v === 'true' || v === '' || v === 'on' || v === 'off' ? undefined : `option ${name} is a flag: write ${name}: true`;
    case 'enum':
      return type.values.includes(v) ? undefined : `option ${name} is one of ${type.values.join(', ')}, not "${v}"`;
    case 'uint':
      return /^(0|[1-9][0-9]*)$/.test(v) && Number(v) <= type.max ? undefined : `option ${name} is a whole number from 0 to ${type.max}, not "${v}"`;
  }
}

/** An option as a variant's list writes it (`key` or `key=value`) split and checked. */
export function optionStringProblem(o: string): string | undefined {
  const i = o.indexOf('=');
  return i < 0 ? optionProblem(o, 'true') : optionProblem(o.slice(0, i), o.slice(i + 1));
}

/** What a layer directory name a scenario chooses (mountOverlay names) may be: one path component
 * inside the scenario's directory, printable ASCII, never a separator, a dot name or a dash first. */
export function layerNameProblem(name: string): string | undefined {
  if (!/^[\x21-\x7e]{1,64}$/.test(name)) return `layer name ${JSON.stringify(name.slice(0, 80))} must be 1 to 64 printable ASCII characters without spaces`;
  if (name.includes('/')) return `layer name ${JSON.stringify(name)} is one directory name: no '/'`;
  if (name === '.' || name === '..') return `layer name ${JSON.stringify(name)} would name a directory outside the layer`;
  if (name.startsWith('-')) return `layer name ${JSON.stringify(name)} may not start with '-'`;
  return undefined;
}
