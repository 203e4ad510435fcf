#!/bin/bash
# Standalone reproduction of scenario whiteout/remove-name-renamed-over-lower[src=upper,removal=unlink] (suites/whiteout/remove-name-renamed-over-lower.yaml:1) on fuse-overlayfs/default,
# written by `ovlconf repro` from overlay-conformance. A name a file was renamed onto, over a lower file, is gone for good once it is removed or renamed away; the lower file does not come back
# Needs: root, python3, fuse-overlayfs, fusermount3, unshare (util-linux). Everything happens in a fresh
# mount namespace under one temporary directory, removed at the end.
set -u
if [ -z "${OVLCONF_REPRO_NS:-}" ]; then exec env OVLCONF_REPRO_NS=1 unshare -m --propagation private bash "$0" "$@"; fi
[ "$(id -u)" = 0 ] || { echo "run as root (mounts)"; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/ovl-repro.XXXXXX")
cleanup() { fusermount3 -u -z "$T/merged" 2>/dev/null || umount -l "$T/merged" 2>/dev/null; sleep 0.1; rm -rf "$T"; }
trap cleanup EXIT
setx() { python3 -c 'import base64,os,sys; os.setxattr(sys.argv[1], sys.argv[2], base64.b64decode(sys.argv[3]), follow_symlinks=False)' "$1" "$2" "$3"; }
umask 022
# lower layer 0 (topmost first)
mkdir -p "$T/lower0"
mkdir -p "$(dirname "$T/lower0"/'a')"
printf %s bG93ZXIgYQ== | base64 -d > "$T/lower0"/'a'
mkdir -p "$T/lower0"/'d'
mkdir -p "$(dirname "$T/lower0"/'d/k')"
printf %s aw== | base64 -d > "$T/lower0"/'d/k'
mkdir -p "$(dirname "$T/lower0"/'keep')"
printf %s aw== | base64 -d > "$T/lower0"/'keep'
# upper layer
mkdir -p "$T/upper" "$T/work" "$T/merged"
mkdir -p "$(dirname "$T/upper"/'b')"
printf %s YiBkYXRh | base64 -d > "$T/upper"/'b'
LOWERS="$T/lower0"
UNIONFS_LOWERS="$T/lower0=RO"
MOUNT_CMD="fuse-overlayfs -o \"lowerdir=$LOWERS,upperdir=$T/upper,workdir=$T/work\" \"$T/merged\""
UMOUNT_CMD="fusermount3 -u -z \"$T/merged\" 2>/dev/null || umount -l \"$T/merged\""
eval "$MOUNT_CMD" || { echo "mount failed: $MOUNT_CMD"; exit 2; }
echo "mounted: $(eval echo "$MOUNT_CMD")"
export MERGED="$T/merged" MOUNT_CMD UMOUNT_CMD
export STEPS=W3sib3AiOiJyZW5hbWUiLCJhcmdzIjp7ImZyb20iOiJiIiwidG8iOiJhIn0sImV4cGVjdCI6eyJmaWVsZHMiOnt9fSwibGFiZWwiOiJiIn0seyJvcCI6InJlYWRmaWxlIiwiYXJncyI6eyJwYXRoIjoiYSJ9LCJleHBlY3QiOnsiZmllbGRzIjp7ImRhdGEiOlt7ImVxIjp7ImI2NCI6IllpQmtZWFJoIn19XX19LCJsYWJlbCI6ImEifSx7Im9wIjoidW5saW5rIiwiYXJncyI6eyJwYXRoIjoiYSJ9LCJleHBlY3QiOnsiZmllbGRzIjp7fX0sImxhYmVsIjoiYSJ9LHsib3AiOiJsc3RhdCIsImFyZ3MiOnsicGF0aCI6ImEifSwiZXhwZWN0Ijp7ImZpZWxkcyI6e30sImVycm5vIjpbIkVOT0VOVCJdfSwibGFiZWwiOiJhIn0seyJvcCI6Im9wZW4iLCJhcmdzIjp7InBhdGgiOiJhIiwiZmxhZ3MiOlsiT19SRE9OTFkiXX0sImV4cGVjdCI6eyJmaWVsZHMiOnt9LCJlcnJubyI6WyJFTk9FTlQiXX0sImxhYmVsIjoiYSJ9LHsib3AiOiJyZWFkZGlyIiwiYXJncyI6eyJwYXRoIjoiLiJ9LCJleHBlY3QiOnsiZmllbGRzIjp7fSwiZXhjbHVkZXMiOlsiYSIsImIiXSwiaW5jbHVkZXMiOlsiZCIsImtlZXAiXX0sImxhYmVsIjoiLiJ9LHsib3AiOiJyZWFkZGlyIiwiYXJncyI6eyJwYXRoIjoiZCJ9LCJleHBlY3QiOnsiZmllbGRzIjp7fSwiZW50cmllcyI6WyJrIl19LCJsYWJlbCI6ImQifV0=
cd / && python3 - <<'PY'
import base64, ctypes, errno, json, mmap, os, stat as S, sys
M = os.environ['MERGED']
steps = json.loads(base64.b64decode(os.environ['STEPS']))
libc = ctypes.CDLL(None, use_errno=True)
fds, maps, binds = {}, {}, {}
def P(p):
    if p == '.': return M
    return os.path.join(M, p)
def B(x):
    if isinstance(x, dict) and 'b64' in x: return base64.b64decode(x['b64'])
    return x.encode() if isinstance(x, str) else x
OF = {k: getattr(os, k, 0) for k in ['O_RDONLY','O_WRONLY','O_RDWR','O_CREAT','O_EXCL','O_TRUNC','O_APPEND','O_DIRECTORY','O_NOFOLLOW','O_NONBLOCK','O_SYNC','O_DSYNC','O_NOATIME','O_PATH','O_CLOEXEC','O_NOCTTY','O_DIRECT','O_TMPFILE']}
def flags(fl): 
    v = 0
    for f in fl or ['O_RDONLY']: v |= OF[f]
    return v
TYPES = [(S.S_ISREG,'file'),(S.S_ISDIR,'dir'),(S.S_ISLNK,'symlink'),(S.S_ISFIFO,'fifo'),(S.S_ISCHR,'chr'),(S.S_ISBLK,'blk'),(S.S_ISSOCK,'sock')]
def ts(ns): return '%d.%09d' % (ns // 1000000000, ns % 1000000000)
def statv(st):
    t = next(n for f, n in TYPES if f(st.st_mode))
    return {'type': t, 'mode': st.st_mode & 0o7777, 'ino': str(st.st_ino), 'dev': '%d:%d' % (os.major(st.st_dev), os.minor(st.st_dev)),
            'nlink': st.st_nlink, 'uid': st.st_uid, 'gid': st.st_gid, 'size': st.st_size, 'blocks': st.st_blocks,
            'rdev': '%d:%d' % (os.major(st.st_rdev), os.minor(st.st_rdev)), 'atime': ts(st.st_atime_ns), 'mtime': ts(st.st_mtime_ns), 'ctime': ts(st.st_ctime_ns)}
def check(rc):
    if rc < 0:
        e = ctypes.get_errno(); raise OSError(e, os.strerror(e))
    return rc
def renameat2(a, b, fl):
    v = 0
    for f in fl: v |= {'RENAME_NOREPLACE': 1, 'RENAME_EXCHANGE': 2, 'RENAME_WHITEOUT': 4}[f]
    check(libc.renameat2(-100, a.encode(), -100, b.encode(), v))
def tm(v):
    if v in (None, 'omit'): return None
    if v == 'now': return 'now'
    s, n = (str(v).split('.') + ['0'])[:2]
    return int(s) * 1000000000 + int((n + '000000000')[:9])
def run(op, a):
    if op == 'open':
        fd = os.open(P(a['path']), flags(a.get('flags')), a.get('mode', 0o644)); return {'fd': fd}
    if op == 'close': os.close(fds.pop(a['fd'])); return {}
    if op == 'read': return {'data': os.read(fds[a['fd']], a['length'])}
    if op == 'pread':
        if a.get('dropCaches'): os.posix_fadvise(fds[a['fd']], 0, 0, os.POSIX_FADV_DONTNEED)
        return {'data': os.pread(fds[a['fd']], a['length'], a['offset'])}
    if op == 'write': return {'count': os.write(fds[a['fd']], B(a['data']))}
    if op == 'pwrite': return {'count': os.pwrite(fds[a['fd']], B(a['data']), a['offset'])}
    if op == 'lseek': return {'offset': os.lseek(fds[a['fd']], a['offset'], {'SEEK_SET': 0, 'SEEK_CUR': 1, 'SEEK_END': 2, 'SEEK_DATA': 3, 'SEEK_HOLE': 4}[a.get('whence', 'SEEK_SET')])}
    if op in ('fsync', 'fdatasync'): getattr(os, op)(fds[a['fd']]); return {}
    if op == 'truncate': os.truncate(P(a['path']), a['length']); return {}
    if op == 'ftruncate': os.ftruncate(fds[a['fd']], a['length']); return {}
    if op == 'stat': return statv(os.stat(P(a['path'])))
    if op == 'lstat': return statv(os.lstat(P(a['path'])))
    if op == 'fstat': return statv(os.fstat(fds[a['fd']]))
    if op == 'access':
        m = 0
        for f in a['mode']: m |= {'F_OK': 0, 'R_OK': 4, 'W_OK': 2, 'X_OK': 1}[f]
        if not os.access(P(a['path']), m): raise OSError(ctypes.get_errno() or errno.EACCES, 'access')
        return {}
    if op == 'readdir':
        es = list(os.scandir(P(a['path'])))
        def ty(e):
            st = e.stat(follow_symlinks=False); return next(n for f, n in TYPES if f(st.st_mode))
        return {'entries': sorted(e.name for e in es), 'entryTypes': {e.name: ty(e) for e in es}, 'inos': {e.name: str(e.inode()) for e in es}}
    if op == 'mkdir': os.mkdir(P(a['path']), a.get('mode', 0o755)); return {}
    if op == 'rmdir': os.rmdir(P(a['path'])); return {}
    if op == 'unlink': os.unlink(P(a['path'])); return {}
    if op == 'rename':
        if a.get('flags'): renameat2(P(a['from']), P(a['to']), a['flags'])
        else: os.rename(P(a['from']), P(a['to']))
        return {}
    if op == 'link': os.link(P(a['from']), P(a['to']), follow_symlinks=bool(a.get('follow'))); return {}
    if op == 'symlink': os.symlink(a['target'], P(a['path'])); return {}
    if op == 'readlink': return {'target': os.readlink(P(a['path']))}
    if op == 'chmod': os.chmod(P(a['path']), a['mode']); return {}
    if op == 'fchmod': os.fchmod(fds[a['fd']], a['mode']); return {}
    if op == 'chown': os.chown(P(a['path']), a['uid'], a['gid']); return {}
    if op == 'lchown': os.lchown(P(a['path']), a['uid'], a['gid']); return {}
    if op == 'fchown': os.fchown(fds[a['fd']], a['uid'], a['gid']); return {}
    if op == 'utimens':
        at, mt = tm(a.get('atime')), tm(a.get('mtime'))
        class TS(ctypes.Structure): _fields_ = [('s', ctypes.c_long), ('ns', ctypes.c_long)]
        def t(v): return TS(0, (1 << 30) - 2) if v is None else TS(0, (1 << 30) - 1) if v == 'now' else TS(v // 1000000000, v % 1000000000)
        arr = (TS * 2)(t(at), t(mt))
        check(libc.utimensat(-100, P(a['path']).encode(), arr, 0x100 if a.get('nofollow') else 0)); return {}
    if op == 'mkfifo': os.mkfifo(P(a['path']), a.get('mode', 0o644)); return {}
    if op == 'mknod':
        kind = {'chr': S.S_IFCHR, 'blk': S.S_IFBLK, 'fifo': S.S_IFIFO, 'file': S.S_IFREG, 'sock': S.S_IFSOCK}[a['type']]
        os.mknod(P(a['path']), kind | a.get('mode', 0o644), os.makedev(a.get('major', 0), a.get('minor', 0))); return {}
    tgt = lambda: fds[a['fd']] if 'fd' in a else P(a['path'])
    nf = lambda: not a.get('nofollow')
    if op == 'setxattr':
        f = 0
        for x in a.get('flags') or []: f |= {'XATTR_CREATE': 1, 'XATTR_REPLACE': 2}[x]
        os.setxattr(tgt(), a['name'], B(a['value']), f, follow_symlinks=nf()); return {}
    if op == 'getxattr': return {'value': os.getxattr(tgt(), a['name'], follow_symlinks=nf())}
    if op == 'listxattr': return {'names': sorted(os.listxattr(tgt(), follow_symlinks=nf()))}
    if op == 'removexattr': os.removexattr(tgt(), a['name'], follow_symlinks=nf()); return {}
    if op == 'mmap':
        m = mmap.mmap(fds[a['fd']], a['length'], mmap.MAP_SHARED, mmap.PROT_READ | (mmap.PROT_WRITE if a.get('write') else 0), offset=a.get('offset', 0)); return {'map': m}
    if op == 'mread':
        m = maps[a['map']]; o = a.get('offset', 0); return {'data': m[o:o + a['length']]}
    if op == 'mwrite':
        m = maps[a['map']]; o = a.get('offset', 0); d = B(a['data']); m[o:o + len(d)] = d; return {}
    if op == 'munmap': maps.pop(a['map']).close(); return {}
    if op == 'dropCaches':
        fd = fds[a['fd']] if 'fd' in a else os.open(P(a['path']), os.O_RDONLY | os.O_NONBLOCK)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if 'fd' not in a: os.close(fd)
        return {}
    if op == 'readfile':
        with open(P(a['path']), 'rb') as f: return {'data': f.read()}
    if op == 'writefile':
        fd = os.open(P(a['path']), os.O_WRONLY | os.O_CREAT | (os.O_APPEND if a.get('append') else os.O_TRUNC), a.get('mode', 0o644))
        os.write(fd, B(a['data'])); os.close(fd); return {}
    if op == 'syncfs':
        fd = os.open(P(a['path']), os.O_RDONLY); libc.syncfs(fd); os.close(fd); return {}
    if op == 'statfs':
        v = os.statvfs(P(a['path'])); return {'bsize': v.f_bsize, 'namelen': v.f_namemax, 'readonly': bool(v.f_flag & 1)}
    if op == 'remount':
        if os.system(os.environ['UMOUNT_CMD']) or os.system(os.environ['MOUNT_CMD']): raise OSError(errno.EIO, 'remount failed')
        return {}
    raise NotImplementedError(op)
def as_user(u, op, a):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups(u.get('groups', [])); os.setgid(u['gid']); os.setuid(u['uid'])
            v = run(op, a); out = {'ok': {k: (base64.b64encode(x).decode() if isinstance(x, bytes) else x) for k, x in v.items() if k != 'map'}}
        except OSError as e: out = {'errno': errno.errorcode.get(e.errno, str(e.errno))}
        os.write(w, json.dumps(out).encode()); os._exit(0)
    os.close(w); data = b''
    while True:
        c = os.read(r, 65536)
        if not c: break
        data += c
    os.waitpid(pid, 0); out = json.loads(data)
    if 'errno' in out: raise OSError(getattr(errno, out['errno'], 0), out['errno'])
    return {k: (base64.b64decode(x) if k in ('data', 'value') else x) for k, x in out['ok'].items()}
def ref(v):
    if isinstance(v, str) and v.startswith('$'):
        parts = v[1:].split('.'); x = binds.get(parts[0])
        if len(parts) == 1 and isinstance(x, dict):
            for k in ['data', 'value', 'target', 'path', 'offset', 'count']:
                if k in x: return x[k]
        for p in parts[1:]: x = x.get(p) if isinstance(x, dict) else None
        return x
    return B(v) if isinstance(v, dict) and 'b64' in v else v
def cmp(a, b):
    if isinstance(a, bytes) or isinstance(b, bytes):
        return 0 if B(a) == B(b) else 'ne'
    if isinstance(a, str) and isinstance(b, str) and '.' in a and '.' in b and a.replace('.', '').isdigit() and b.replace('.', '').isdigit():
        a, b = tm(a), tm(b)
    try:
        a2, b2 = int(a), int(b)
        return (a2 > b2) - (a2 < b2)
    except (TypeError, ValueError):
        return 0 if a == b else 'ne'
def holds(obs, m):
    (k, want), = m.items()
    want = [ref(x) for x in want] if isinstance(want, list) else ref(want)
    c = lambda: cmp(obs, want)
    if k == 'eq': return c() == 0
    if k == 'ne': return c() != 0
    if k == 'in': return any(cmp(obs, w) == 0 for w in want)
    if k == 'notIn': return all(cmp(obs, w) != 0 for w in want)
    r = c()
    return r != 'ne' and {'gt': r > 0, 'ge': r >= 0, 'lt': r < 0, 'le': r <= 0}[k]
def show(v):
    if isinstance(v, bytes):
        try: return repr(v.decode())
        except UnicodeDecodeError: return v.hex()
    return repr(v)
def mismatch(e, res, err):
    if e.get('any'): return None
    if err is not None:
        return None if e.get('errno') and err in e['errno'] else 'expected %s' % ('errno ' + '|'.join(e['errno']) if e.get('errno') else 'success')
    if e.get('errno'): return 'expected errno ' + '|'.join(e['errno'])
    for f, ms in e.get('fields', {}).items():
        for m in ms:
            if not holds(res.get(f), m): return 'expected %s %s, observed %s' % (f, show(ref(list(m.values())[0])), show(res.get(f)))
    if 'entries' in e and sorted(e['entries']) != res.get('entries'): return 'expected entries %s, observed %s' % (sorted(e['entries']), res.get('entries'))
    if 'names' in e and sorted(e['names']) != sorted(res.get('names', [])): return 'expected names %s, observed %s' % (sorted(e['names']), res.get('names'))
    for n in e.get('includes', []):
        if n not in (res.get('entries') or res.get('names') or []): return 'expected %s listed' % n
    for n in e.get('excludes', []):
        if n in (res.get('entries') or res.get('names') or []): return 'expected %s not listed' % n
    return None
first = None
for i, st in enumerate(steps):
    a = dict(st['args'])
    for k in ('offset', 'length', 'uid', 'gid', 'count'):
        if k in a: a[k] = ref(a[k])
    res, err = None, None
    try:
        res = as_user(st['user'], st['op'], a) if st.get('user') else run(st['op'], a)
        if 'fd' in res and st.get('as'): fds[st['as']] = res['fd']
        if 'map' in res and st.get('as'): maps[st['as']] = res['map']
        if 'data' in res: res['size'] = len(res['data'])
        if st.get('as'): binds[st['as']] = res
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
    except NotImplementedError as e:
        print('step %d %s: not supported by this script' % (i + 1, st['op'])); sys.exit(3)
    why = mismatch(st['expect'], res or {}, err)
    seen = 'errno ' + err if err else ', '.join('%s=%s' % (k, oct(v) if k == 'mode' else show(v)) for k, v in sorted((res or {}).items()) if k not in ('map', 'fd', 'entryTypes', 'inos', 'atime', 'ctime', 'dev', 'blocks')) or 'ok'
    print('step %d %s %s: observed %s%s' % (i + 1, st['op'], st.get('label', ''), seen, '' if why is None else '   <-- DIFFERS: ' + why))
    if why is not None and first is None:
        first = i + 1
        if st.get('stop', True): break
print('RESULT: ' + ('POSIX behaviour observed at every step' if first is None else 'differs from POSIX at step %d' % first))
sys.exit(0 if first is None else 1)
PY
