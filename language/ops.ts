// The closed vocabulary of scenario operations: one table from which the step schema,
// the executor's argument resolution, the memory engine and the agent client all derive.

/** How an argument is written in a scenario and what the executor hands to an adapter. */
export type ArgKind =
  | 'path' // scenario path beneath the merged root; '.' is the root; a trailing slash is kept
  | 'text' // free text (a symlink target, an xattr name)
  | 'fd' // name of an earlier `as:` binding holding an open file
  | 'dir' // name of a binding holding an open directory stream
  | 'map' // name of a binding holding a memory mapping
  | 'int' // integer (number, or a $binding.field reference)
  | 'data' // bytes: a UTF-8 string, or { hex } / { base64 }
  | 'mode' // permission bits: "0644" / "0o644" string, or a number
  | 'flags' // list of symbolic flags ("O_RDWR|O_CREAT" or [O_RDWR, O_CREAT])
  | 'enum' // one symbolic value from a closed list
  | 'time' // "sec.nsec" string, a number of seconds, "now" or "omit"
  | 'bool'
  | 'layer' // "upper" or "lower:N"
  | 'entries' // a layer tree (direct layer edits)
  | 'paths' // list of paths
  | 'options' // mount option map { key: value }
  | 'names'; // list of layer directory names (one component each, checked by layerNameProblem)

export interface ArgSpec {
  kind: ArgKind;
  required?: boolean;
  /** closed list of values for enum/flags */
  values?: readonly string[];
}

/** What a successful op returns; the executor validates and binds it. */
export type ResultKind =
  | 'none'
  | 'fd'
  | 'dir'
  | 'map'
  | 'stat'
  | 'statfs'
  | 'data'
  | 'count'
  | 'offset'
  | 'entries'
  | 'names'
  | 'value'
  | 'target'
  | 'lock'
  | 'path'
  | 'mount';

export interface OpSpec {
  args: Record<string, ArgSpec>;
  /** the argument a scalar shorthand (`unlink: a.txt`) fills */
  shorthand?: string;
  result: ResultKind;
  /** capabilities (spec/capabilities.yaml) this op needs from an adapter */
  needs?: readonly string[];
  /** scenario-level op handled by the executor/adapter lifecycle rather than a syscall */
  lifecycle?: boolean;
  /** an op on the mount itself, answered by the worker (its mount table, its mount calls), never a path op of the agent */
  mountLevel?: boolean;
  doc: string;
}

export const OPEN_FLAGS = [
  'O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_EXCL', 'O_TRUNC', 'O_APPEND', 'O_DIRECTORY',
  'O_NOFOLLOW', 'O_TMPFILE', 'O_NONBLOCK', 'O_SYNC', 'O_DSYNC', 'O_NOATIME', 'O_PATH', 'O_CLOEXEC',
  'O_NOCTTY', 'O_DIRECT',
] as const;
export const ACCESS_FLAGS = ['F_OK', 'R_OK', 'W_OK', 'X_OK'] as const;
export const RENAME_FLAGS = ['RENAME_NOREPLACE', 'RENAME_EXCHANGE', 'RENAME_WHITEOUT'] as const;
export const WHENCE = ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'] as const;
export const FILE_TYPES = ['file', 'dir', 'symlink', 'fifo', 'chr', 'blk', 'sock'] as const;
export type FileType = (typeof FILE_TYPES)[number];
export const XATTR_FLAGS = ['XATTR_CREATE', 'XATTR_REPLACE'] as const;
export const FLOCK_OPS = ['LOCK_SH', 'LOCK_EX', 'LOCK_UN'] as const;
export const LOCK_CMDS = ['F_SETLK', 'F_GETLK', 'F_OFD_SETLK', 'F_OFD_GETLK'] as const;
export const LOCK_TYPES = ['F_RDLCK', 'F_WRLCK', 'F_UNLCK'] as const;
export const MNT_KINDS = ['chr', 'blk', 'fifo', 'file', 'sock'] as const;
export const MOUNT_APIS = ['new', 'legacy'] as const;
export const STATUS_FLAGS = ['O_APPEND', 'O_NONBLOCK', 'O_NOATIME', 'O_DIRECT', 'O_ASYNC'] as const;
export const INOTIFY_EVENTS = ['IN_ACCESS', 'IN_MODIFY', 'IN_ATTRIB', 'IN_CLOSE_WRITE', 'IN_CLOSE_NOWRITE', 'IN_OPEN', 'IN_MOVED_FROM', 'IN_MOVED_TO', 'IN_CREATE', 'IN_DELETE', 'IN_DELETE_SELF', 'IN_MOVE_SELF'] as const;
export const HANDLE_OPEN_FLAGS = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_PATH', 'O_APPEND', 'O_NOATIME'] as const;
export const STACK_LOWERS = ['merged', 'layers'] as const;
export const STACK_UPPERS = ['new', 'same', 'none'] as const;
export const STACK_WORKS = ['beside', 'inside-upper', 'other-fs'] as const;
export const STACK_UPPERFS = ['same', 'ramfs', 'tmpfs'] as const;
export const RACE_KINDS = ['copyup-writers', 'rename-lookup', 'readdir-unlink'] as const;
export const STACK_STASH = ['create', 'override_creds'] as const;
export const STACK_SYNTAX = ['lowerdir+', 'lowerdir', 'unescaped', 'leading-colon', 'trailing-colon'] as const;
export const INODE_FLAGS = ['FS_IMMUTABLE_FL', 'FS_APPEND_FL', 'FS_NODUMP_FL', 'FS_NOATIME_FL', 'FS_SYNC_FL', 'FS_DIRSYNC_FL'] as const;

const path = (required = true): ArgSpec => ({ kind: 'path', required });
const fd: ArgSpec = { kind: 'fd', required: true };
const int = (required = true): ArgSpec => ({ kind: 'int', required });
const bool: ArgSpec = { kind: 'bool' };
const mode = (required = true): ArgSpec => ({ kind: 'mode', required });

/** Every op a scenario step may name. Keep in sync with agent/PROTOCOL.md. */
export const OPS = {
  open: {
    args: { path: path(), flags: { kind: 'flags', values: OPEN_FLAGS }, mode: mode(false) },
    shorthand: 'path', result: 'fd',
    doc: 'open(2)/openat2 beneath the root; flags default to O_RDONLY; bind the fd with `as:`',
  },
  close: { args: { fd }, shorthand: 'fd', result: 'none', doc: 'close(2)' },
  read: {
    args: { fd, length: int(), dropCaches: bool }, result: 'data',
    doc: 'read(2) up to length bytes at the current offset',
  },
  pread: {
    args: { fd, offset: int(), length: int(), dropCaches: bool }, result: 'data',
    doc: 'pread(2); dropCaches first drops the caches between the reader and the implementation (as the dropCaches op)',
  },
  write: { args: { fd, data: { kind: 'data', required: true } }, result: 'count', doc: 'write(2)' },
  pwrite: {
    args: { fd, data: { kind: 'data', required: true }, offset: int() }, result: 'count', doc: 'pwrite(2)',
  },
  lseek: {
    args: { fd, offset: int(), whence: { kind: 'enum', values: WHENCE } }, result: 'offset',
    doc: 'lseek(2); whence defaults to SEEK_SET',
  },
  fsync: { args: { fd }, shorthand: 'fd', result: 'none', doc: 'fsync(2)' },
  fdatasync: { args: { fd }, shorthand: 'fd', result: 'none', doc: 'fdatasync(2)' },
  truncate: { args: { path: path(), length: int() }, result: 'none', doc: 'truncate(2)' },
  ftruncate: { args: { fd, length: int() }, result: 'none', doc: 'ftruncate(2)' },
  stat: { args: { path: path() }, shorthand: 'path', result: 'stat', doc: 'statx(2), following symlinks' },
  lstat: { args: { path: path() }, shorthand: 'path', result: 'stat', doc: 'statx(2) with AT_SYMLINK_NOFOLLOW' },
  fstat: { args: { fd }, shorthand: 'fd', result: 'stat', doc: 'statx(2) on an open fd' },
  access: {
    args: { path: path(), mode: { kind: 'flags', values: ACCESS_FLAGS, required: true } },
    result: 'none', doc: 'faccessat(2) with the real ids (of the step\'s user)',
  },
  readdir: {
    args: { path: path() }, shorthand: 'path', result: 'entries',
    doc: 'whole listing of a directory (without . and ..): names with d_ino and d_type',
  },
  opendir: { args: { path: path() }, shorthand: 'path', result: 'dir', doc: 'opendir(3); bind with `as:`' },
  readdirNext: {
    args: { dir: { kind: 'dir', required: true }, count: int(false) }, result: 'entries',
    doc: 'readdir(3) up to count entries (default all remaining) from an open stream, skipping . and ..',
  },
  telldir: { args: { dir: { kind: 'dir', required: true } }, shorthand: 'dir', result: 'offset', doc: 'telldir(3)' },
  seekdir: {
    args: { dir: { kind: 'dir', required: true }, offset: int() }, result: 'none', doc: 'seekdir(3)',
  },
  rewinddir: { args: { dir: { kind: 'dir', required: true } }, shorthand: 'dir', result: 'none', doc: 'rewinddir(3)' },
  closedir: { args: { dir: { kind: 'dir', required: true } }, shorthand: 'dir', result: 'none', doc: 'closedir(3)' },
  mkdir: { args: { path: path(), mode: mode(false) }, shorthand: 'path', result: 'none', doc: 'mkdir(2), mode default 0755' },
  rmdir: { args: { path: path() }, shorthand: 'path', result: 'none', doc: 'rmdir(2)' },
  unlink: { args: { path: path() }, shorthand: 'path', result: 'none', doc: 'unlink(2)' },
  rename: {
    args: { from: path(), to: path(), flags: { kind: 'flags', values: RENAME_FLAGS } }, result: 'none',
    needs: [], doc: 'rename(2), or renameat2(2) when flags are given',
  },
  link: { args: { from: path(), to: path(), follow: bool }, result: 'none', doc: 'linkat(2) from an existing name to a new one' },
  symlink: {
    args: { target: { kind: 'text', required: true }, path: path() }, result: 'none', doc: 'symlink(2) creating path → target',
  },
  readlink: { args: { path: path() }, shorthand: 'path', result: 'target', doc: 'readlink(2)' },
  chmod: { args: { path: path(), mode: mode() }, result: 'none', doc: 'chmod(2)' },
  fchmod: { args: { fd, mode: mode() }, result: 'none', doc: 'fchmod(2)' },
  chown: { args: { path: path(), uid: int(), gid: int() }, result: 'none', doc: 'chown(2); -1 leaves an id unchanged' },
  lchown: { args: { path: path(), uid: int(), gid: int() }, result: 'none', doc: 'lchown(2)' },
  fchown: { args: { fd, uid: int(), gid: int() }, result: 'none', doc: 'fchown(2)' },
  utimens: {
    args: { path: path(), atime: { kind: 'time' }, mtime: { kind: 'time' }, nofollow: bool }, result: 'none',
    doc: 'utimensat(2); an omitted time is UTIME_OMIT',
  },
  mknod: {
    args: { path: path(), type: { kind: 'enum', values: MNT_KINDS, required: true }, mode: mode(false), major: int(false), minor: int(false) },
    result: 'none', needs: ['mknod'], doc: 'mknod(2)',
  },
  mkfifo: { args: { path: path(), mode: mode(false) }, shorthand: 'path', result: 'none', needs: ['fifo'], doc: 'mkfifo(3)' },
  setxattr: {
    args: { path: path(false), fd: { kind: 'fd' }, name: { kind: 'text', required: true }, value: { kind: 'data', required: true }, flags: { kind: 'flags', values: XATTR_FLAGS }, nofollow: bool },
    result: 'none', needs: ['xattr'], doc: 'setxattr(2) (lsetxattr with nofollow, fsetxattr with fd)',
  },
  getxattr: {
    args: { path: path(false), fd: { kind: 'fd' }, name: { kind: 'text', required: true }, nofollow: bool },
    result: 'value', needs: ['xattr'], doc: 'getxattr(2)',
  },
  listxattr: {
    args: { path: path(false), fd: { kind: 'fd' }, nofollow: bool }, shorthand: 'path',
    result: 'names', needs: ['xattr'], doc: 'listxattr(2): the names as a set',
  },
  removexattr: {
    args: { path: path(false), fd: { kind: 'fd' }, name: { kind: 'text', required: true }, nofollow: bool },
    result: 'none', needs: ['xattr'], doc: 'removexattr(2)',
  },
  statfs: { args: { path: path() }, shorthand: 'path', result: 'statfs', needs: ['statfs'], doc: 'statfs(2)' },
  flock: {
    args: { fd, op: { kind: 'enum', values: FLOCK_OPS, required: true }, nonblock: bool },
    result: 'none', needs: ['flock'], doc: 'flock(2); nonblock adds LOCK_NB',
  },
  lock: {
    args: {
      fd, cmd: { kind: 'enum', values: LOCK_CMDS, required: true }, type: { kind: 'enum', values: LOCK_TYPES, required: true },
      start: int(false), len: int(false),
    },
    result: 'lock', needs: ['fcntl-lock'], doc: 'fcntl(2) record locks (OFD locks conflict between fds of one process)',
  },
  mmap: {
    args: { fd, offset: int(false), length: int(), write: bool }, result: 'map', needs: ['mmap'],
    doc: 'mmap(2) MAP_SHARED of a range; bind with `as:`',
  },
  mread: { args: { map: { kind: 'map', required: true }, offset: int(false), length: int() }, result: 'data', needs: ['mmap'], doc: 'read bytes from a mapping' },
  mwrite: { args: { map: { kind: 'map', required: true }, offset: int(false), data: { kind: 'data', required: true } }, result: 'none', needs: ['mmap'], doc: 'store bytes into a writable mapping' },
  munmap: { args: { map: { kind: 'map', required: true } }, shorthand: 'map', result: 'none', needs: ['mmap'], doc: 'munmap(2)' },
  dropCaches: {
    args: { path: path(false), fd: { kind: 'fd' } }, shorthand: 'path', result: 'none', needs: ['drop-caches'],
    doc: 'fsync + syncfs + posix_fadvise(DONTNEED) of a path or fd, then drop_caches=3 where allowed (an effective uid that is root of the initial user namespace), so no cache hides what the implementation returns; each adapter\'s fingerprint says what it reaches (cacheDrop)',
  },
  readfile: { args: { path: path() }, shorthand: 'path', result: 'data', doc: 'open O_RDONLY, read all, close' },
  writefile: {
    args: { path: path(), data: { kind: 'data', required: true }, append: bool, mode: mode(false) },
    result: 'none', doc: 'open O_WRONLY|O_CREAT|(O_APPEND or O_TRUNC), write, close',
  },
  linkfd: {
    args: { fd, path: path() }, result: 'none', needs: ['o-tmpfile'],
    doc: 'linkat(fd, "", AT_EMPTY_PATH) — give an O_TMPFILE file a name',
  },
  fdpath: { args: { fd }, shorthand: 'fd', result: 'path', needs: ['proc-fd'], doc: 'readlink /proc/self/fd/N, relative to the merged root' },
  syncfs: { args: { path: path() }, shorthand: 'path', result: 'none', doc: 'syncfs(2) on the fs holding path' },
  setfl: {
    args: { fd, flags: { kind: 'flags', values: STATUS_FLAGS } }, result: 'none',
    doc: 'fcntl(2) F_SETFL: the open file\'s status flags become exactly these (O_APPEND, O_NONBLOCK, O_NOATIME, …)',
  },
  copyFileRange: {
    args: { in: fd, out: fd, length: int(), inOffset: int(false), outOffset: int(false) }, result: 'count', needs: ['range-ops'],
    doc: 'one copy_file_range(2) call from in to out (at the given offsets, else at each file\'s position); the count copied',
  },
  clone: {
    args: { in: fd, out: fd }, result: 'none', needs: ['range-ops'],
    doc: 'ioctl(out, FICLONE, in): share the data of in with out (reflink)',
  },
  dedupe: {
    args: { in: fd, out: fd, length: int() }, result: 'count', needs: ['range-ops'],
    doc: 'ioctl FIDEDUPERANGE of the first length bytes of in onto out; ranges that differ are EBADE; the count deduplicated',
  },
  getflags: {
    args: { fd }, shorthand: 'fd', result: 'names', needs: ['inode-flags'],
    doc: 'ioctl FS_IOC_GETFLAGS: the inode flags set, by name (FS_IMMUTABLE_FL, FS_APPEND_FL, …)',
  },
  setflags: {
    args: { fd, flags: { kind: 'flags', values: INODE_FLAGS } }, result: 'none', needs: ['inode-flags'],
    doc: 'ioctl FS_IOC_SETFLAGS: the named inode flags become exactly these (other flags are kept); chattr',
  },
  exec: {
    args: { path: path() }, shorthand: 'path', result: 'none', needs: ['exec'],
    doc: 'execveat(2) of path in a child process that keeps running (its image in use) until the scenario ends; the exec\'s errno if it fails',
  },
  watch: {
    args: { path: path(), mask: { kind: 'flags', values: INOTIFY_EVENTS } }, shorthand: 'path', result: 'target', needs: ['inotify'],
    doc: 'inotify_add_watch(2) on path (default mask: IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM/TO, IN_CREATE, IN_DELETE); target is the inode number inotify shows for it in /proc/self/fdinfo (i_ino, decimal, as st_ino is written)',
  },
  events: {
    args: {}, result: 'names', needs: ['inotify'],
    doc: 'the inotify events queued so far on every watch, each "MASK[|MASK] [name]" (IN_CREATE|IN_ISDIR d); reading drains them',
  },
  fhandle: {
    args: { path: path(), name: { kind: 'text', required: true } }, result: 'none', needs: ['file-handles'],
    doc: 'name_to_handle_at(2) of path, the handle kept under name for openHandle (EOPNOTSUPP where the filesystem cannot encode one)',
  },
  openHandle: {
    args: { name: { kind: 'text', required: true }, flags: { kind: 'flags', values: HANDLE_OPEN_FLAGS } }, result: 'fd', needs: ['file-handles'],
    doc: 'open_by_handle_at(2) of the handle kept under name, relative to the merged root\'s mount (ESTALE once the object is gone)',
  },
  mountOverlay: {
    args: {
      lower: { kind: 'enum', values: STACK_LOWERS, required: true }, upper: { kind: 'enum', values: STACK_UPPERS }, work: { kind: 'enum', values: STACK_WORKS },
      upperfs: { kind: 'enum', values: STACK_UPPERFS }, size: int(false), dataLayers: int(false), options: { kind: 'options' },
      mounter: int(false), stash: { kind: 'enum', values: STACK_STASH }, names: { kind: 'names' }, syntax: { kind: 'enum', values: STACK_SYNTAX },
    },
    result: 'none', needs: ['overlay-stacking'], mountLevel: true,
    doc: 'mount one more overlay and move the scenario\'s root onto it (the first stays mounted): lower "merged" stacks it on the current merged view (nesting), "layers" puts it over the scenario\'s own lower layers (sharing them); upper "new" (default) a fresh upper and work, "same" the scenario\'s upper and work (in use), "none" none (read-only); work "inside-upper" or "other-fs" breaks the placement rules; upperfs puts a new upper and work on a fresh ramfs (no xattrs) or a tmpfs of size bytes; dataLayers N passes the bottom N of the scenario\'s lower layers as data-only layers (datadir+, or after \'::\'); options are the new mount\'s only options; mounter N: the credentials the overlay stashes are uid=gid N holding only CAP_SYS_ADMIN, taken from the task that creates the superblock (stash create, the default: fsopen and fsconfig as root, FSCONFIG_CMD_CREATE as N) or from the task that sets override_creds (stash override_creds, Linux 6.15+; root creates); names: the new mount\'s lower layers (topmost first) are reached through these directory names (symlinks to the layers, one name component each), written in the mount options by syntax (lowerdir+: one key per layer, literal; lowerdir: one string, \':\' \',\' and \'\\\' escaped; unescaped: joined raw; leading-colon / trailing-colon: lowerdir=:… / lowerdir=…:); a refused mount is the step\'s errno, the kernel\'s reason its message',
  },
  remount: {
    args: { options: { kind: 'options' }, rotate: bool, replace: bool, keepVolatile: bool }, result: 'none', lifecycle: true, needs: ['remount'],
    doc: 'unmount and mount again on the same layers (each option given replaces the variant\'s of that name; replace: the variant\'s options are dropped, only these are requested; rotate moves upper into the lower stack); after a volatile mount the harness removes workdir/work/incompat/volatile before mounting again, as overlayfs.rst allows after a clean unmount (keepVolatile: leave it, so the mount is refused); a refused mount is the step\'s errno, the kernel\'s reason its message',
  },
  mountinfo: {
    args: {}, result: 'mount', needs: ['mountinfo'], mountLevel: true,
    doc: 'the effective options of the mounted overlay, read back (the kernel: /proc/PID/mountinfo super options with the module defaults for what it leaves out); fields redirect_dir, index, metacopy, xino, nfs_export, userxattr, volatile, uuid, verity, ro',
  },
  reconfigure: {
    args: { options: { kind: 'options' }, api: { kind: 'enum', values: MOUNT_APIS }, readonly: bool }, result: 'none', needs: ['reconfigure'], mountLevel: true,
    doc: 'reconfigure the mounted overlay in place: fspick + FSCONFIG_CMD_RECONFIGURE (api new, the default) or mount(2) MS_REMOUNT (api legacy) with these options; readonly adds MS_RDONLY / ro',
  },
  clockPast: {
    args: { time: { kind: 'time', required: true } }, shorthand: 'time', result: 'none', lifecycle: true,
    doc: 'wait (harness side) until the real-time clock is past the given time by more than a clock tick, so the next timestamp a filesystem sets is strictly later: Linux timestamps are as coarse as the tick unless the inode\'s time was just observed (6.13+), and tmpfs gives a parent the child\'s coarse time',
  },
  race: {
    args: { kind: { kind: 'enum', values: RACE_KINDS, required: true }, path: path(), to: path(false), procs: int(false), rounds: int(false) },
    result: 'names', needs: ['parallel'],
    doc: 'procs processes (2-16, default 4) start one operation together (a barrier), each after a delay drawn from a seed new for every run, the round and its index, for rounds rounds (1-500, default 20; "{i}" in path and to is the round number, so each round can use fresh files); the result names every violation of the race\'s invariant (none: it held in every interleaving tried). copyup-writers: every process opens the file path O_WRONLY and pwrites its own byte at its own offset: all bytes land, the rest is unchanged, every writer wrote the inode path names (copied up once). rename-lookup: one process renames path over to while the others open and read to: every read gives the old or the new data, never an error, the new data once rename returned; path is then gone. readdir-unlink: one process unlinks every entry of the directory path while the others list it: a listing names only entries it had, none twice, and none once the unlinks returned',
  },
  openLayer: {
    args: { layer: { kind: 'layer', required: true }, path: path(), flags: { kind: 'flags', values: OPEN_FLAGS } }, result: 'fd', needs: ['layer-open'], mountLevel: true,
    doc: 'open(2) a file of one layer itself (upper or lower:N), not through the overlay, while mounted; flags default to O_RDONLY; bind the fd with `as:` for flock, lock and the other fd ops (touching a layer while mounted is undefined, UL-001: observed, never asserted as POSIX)',
  },
  edit: {
    args: { layer: { kind: 'layer', required: true }, entries: { kind: 'entries' }, remove: { kind: 'paths' } },
    result: 'none', lifecycle: true, needs: ['layer-edit'],
    doc: 'write entries into (or remove paths from) a layer directly while mounted: undefined behaviour, observed never asserted as POSIX',
  },
} as const satisfies Record<string, OpSpec>;

export type OpName = keyof typeof OPS;
export const OP_NAMES = Object.keys(OPS) as OpName[];
export function isOpName(s: string): s is OpName {
  return Object.prototype.hasOwnProperty.call(OPS, s);
}
