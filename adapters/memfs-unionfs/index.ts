// The `memfs-unionfs` adapter: memfs volumes under the `unionfs` npm package, in-process, through
// the same contract as `memory`. A negative control: the package writes through to lower layers,
// so CONFORMANCE.md must show it non-conforming.

import { createRequire } from 'node:module';
import type { Adapter, AdapterInfo, Capabilities, Worker, WorkerOptions } from '../adapter.js';
import { inEngineThread, threadWorker } from '../inproc/thread.js';
import { MemfsUnionfsWorker } from './worker.js';

const require = createRequire(import.meta.url);

/** Installed versions of the two packages. */
export function packageVersions(): { memfs: string; unionfs: string } {
  const v = (name: string) => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return { memfs: v('memfs'), unionfs: v('unionfs') };
}

/** What the package pair can and cannot do, with the reasons a user reads in the skips. */
export const MEMFS_UNIONFS_CAPABILITIES: Capabilities = {
  'layer-state': true,
  whiteout: 'the unionfs npm package has no whiteouts: a layer cannot hide names of the layers below it',
  opaque: 'the unionfs npm package has no opaque directories', redirect: 'the unionfs npm package has no redirects',
  metacopy: 'the unionfs npm package has no metacopy files', 'xattr-whiteout': 'the unionfs npm package has no whiteouts',
  'multi-lower': true, 'many-lower': true, 'no-upper': true,
  xattr: 'memfs has no extended attributes', 'xattr-trusted': 'memfs has no extended attributes',
  symlink: true, hardlink: true, fifo: 'memfs stores no named pipes', mknod: 'memfs stores no device nodes',
  chown: true, 'other-user': 'memfs has no permission checks: every call acts with the process\'s identity',
  parallel: 'memfs is a JavaScript engine the harness calls one operation at a time: it has no concurrent callers to race (op race)',
  flock: 'memfs has no flock', 'fcntl-lock': 'memfs has no record locks', mmap: 'memfs runs in-process: there is no mmap',
  'drop-caches': true, 'o-tmpfile': 'memfs has no O_TMPFILE', renameat2: 'the unionfs npm package\'s rename takes no flags',
  'proc-fd': 'memfs descriptors are not kernel descriptors: there is no /proc/self/fd', statfs: 'memfs has no statfs',
  remount: 'the unionfs npm package has no mount to cycle', 'layer-edit': 'memfs volumes are not edited behind the union',
  timestamps: 'memfs keeps times in milliseconds', atime: 'memfs does not follow strictatime',
  'overlay-magic': 'the unionfs npm package is not overlayfs',
};

/** The memfs-unionfs adapter. */
export const memfsUnionfsAdapter: Adapter = {
  name: 'memfs-unionfs',
  description: 'memfs volumes joined by the unionfs npm package, in-process (negative control: writes go through to lower layers)',
  async probe(): Promise<AdapterInfo> {
    return {
      name: this.name, description: this.description, available: true,
      variants: [{ name: 'default', description: 'new Union().use(lowerN)…use(lower0).use(upper), each a memfs Volume', options: { union: 'unionfs', volumes: 'memfs' } }].map((v) => ({ ...v, available: true })),
    };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    if (variant !== 'default') throw new Error(`memfs-unionfs has no variant "${variant}"; variants: default`);
    // the library runs in a child process of its own: a synchronous loop in it must not stop the run
    if (!inEngineThread()) return threadWorker({ module: import.meta.url, exportName: 'memfsUnionfsAdapter', adapter: 'memfs-unionfs', variant, opts });
    const v = packageVersions();
    return new MemfsUnionfsWorker(MEMFS_UNIONFS_CAPABILITIES, {
      implementation: 'memfs-unionfs', version: v.unionfs, options: { union: 'unionfs', volumes: 'memfs' },
      details: { memfs: v.memfs, unionfs: v.unionfs, node: process.version },
    });
  },
};

export default memfsUnionfsAdapter;
