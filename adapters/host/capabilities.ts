// What a host filesystem and the agent's privileges offer, found by trying it once per worker
// (an xattr, an O_TMPFILE, a device node), so capabilities are observed, not assumed.

import type { Capabilities } from '../adapter.js';
import type { Agent } from './agent.js';
import { runOp, setRoot } from './ops.js';

/** statfs f_type values worth naming */
export const FS_MAGIC: Record<string, string> = {
  '0xef53': 'ext4', '0x1021994': 'tmpfs', '0x794c7630': 'overlay', '0x58465342': 'xfs', '0x9123683e': 'btrfs', '0x65735546': 'fuse',
};

/** Whether an agent's cache drop writes /proc/sys/vm/drop_caches, reaching every mount of the machine: as the agent found it (`dropcaches` of its ready line), else root outside a user namespace. */
export function machineDrop(info: Pick<Agent['info'], 'ns' | 'euid' | 'dropCaches'>): boolean {
  return info.dropCaches ?? (info.ns !== 'userns' && info.euid === 0);
}

/** What the agent's cache drop (dropCaches, read/pread dropCaches) reaches for this agent: recorded
 * in each host adapter's fingerprint (agent/PROTOCOL.md, `dropcaches`). */
export function cacheDropReach(info: Pick<Agent['info'], 'ns' | 'euid' | 'dropCaches'>): string {
  return !machineDrop(info)
    ? 'fsync + syncfs + posix_fadvise(DONTNEED) of the file: written data reaches the implementation and this file\'s pages go; ' +
        '/proc/sys/vm/drop_caches is writable only by root of the initial user namespace, so dentries, inodes (FUSE entry and attribute caches) and other files\' pages stay'
    : 'fsync + syncfs + posix_fadvise(DONTNEED) + drop_caches=3: written data reaches the implementation, then the page cache, dentries and inodes ' +
        `of every filesystem go (FUSE looks up and getattrs again; only inodes with open files stay)${info.ns === 'userns' ? '; the user namespace maps its root to the machine\'s, which may write drop_caches' : ''}`;
}

/** Try the optional features in dir (which must be empty or hold no ".ovlconf-probe*"). */
export async function probeCapabilities(agent: Agent, dir: string): Promise<{ capabilities: Capabilities; fstype: string }> {
  await setRoot(agent, dir);
  const op = (o: string, args: Record<string, unknown>) => runOp(agent, { op: o as never, args }, 10_000);
  const st = await op('statfs', { path: '.' });
  const magic = st.ok && st.value && 'statfs' in st.value ? st.value.statfs.type : 'unknown';
  const root = agent.info.euid === 0 && agent.info.ns !== 'userns';
  const probe = '.ovlconf-probe';
  await op('writefile', { path: probe, data: new Uint8Array(), append: false });
  const ux = await op('setxattr', { path: probe, name: 'user.ovlconf', value: new Uint8Array([1]) });
  const tx = root ? await op('setxattr', { path: probe, name: 'trusted.ovlconf', value: new Uint8Array([1]) }) : undefined;
  const tmp = await op('open', { path: '.', flags: ['O_TMPFILE', 'O_RDWR'], mode: 0o600 });
  if (tmp.ok && tmp.value && 'fd' in tmp.value) await op('close', { fd: tmp.value.fd });
  const nod = root ? await op('mknod', { path: `${probe}-dev`, type: 'chr', major: 1, minor: 3, mode: 0o600 }) : undefined;
  await op('unlink', { path: `${probe}-dev` });
  await op('unlink', { path: probe });
  const why = (r: { ok: boolean } | undefined, what: string, fallback: string): true | string =>
    r?.ok ? true : r && 'errno' in r ? `${what} failed here with ${String((r as { errno: string }).errno)}` : fallback;
  const notRoot = 'needs root in the initial user namespace';
  return {
    fstype: FS_MAGIC[magic] ?? magic,
    capabilities: {
      whiteout: true, opaque: true, 'multi-lower': true, 'many-lower': true, 'xattr-whiteout': true,
      symlink: true, hardlink: true, fifo: true, flock: true, 'fcntl-lock': true, mmap: true, 'drop-caches': true,
      renameat2: true, 'proc-fd': true, statfs: true, timestamps: true, parallel: true,
      xattr: why(ux, 'setting a user.* xattr', 'untested'),
      'xattr-trusted': root ? why(tx, 'setting a trusted.* xattr', 'untested') : notRoot,
      'o-tmpfile': why(tmp, 'open(O_TMPFILE)', 'untested'),
      mknod: root ? why(nod, 'mknod of a character device', 'untested') : notRoot,
      chown: root ? true : notRoot,
      'other-user': root ? true : notRoot,
      atime: 'access times follow the mount\'s relatime policy, not strictatime',
    },
  };
}

/** The exec op's test programs are x86-64 ELF images (suites/fd): other machines cannot run them. */
export function execCapability(): true | string {
  return process.arch === 'x64' ? true : `the scenarios' test programs are x86-64 ELF images; this machine is ${process.arch}`;
}
