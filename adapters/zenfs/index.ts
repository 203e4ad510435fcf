// The `zenfs` adapter: @zenfs/core's CopyOnWrite backend (a readable and a writable InMemory
// store plus a deletion journal) run in-process through the same contract as `memory`.

import { createRequire } from 'node:module';
import type { Adapter, AdapterInfo, Capabilities, Worker, WorkerOptions } from '../adapter.js';
import { ZenfsWorker } from './worker.js';

/** The installed @zenfs/core version (read from its package.json). */
export function zenfsVersion(): string {
  try {
    return (createRequire(import.meta.url)('@zenfs/core/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What CopyOnWrite can and cannot do, with the reasons a user reads in the skips. */
export const ZENFS_CAPABILITIES: Capabilities = {
  'layer-state': true, whiteout: true, opaque: 'zenfs CopyOnWrite\'s journal records deleted paths only: it has no opaque directories',
  redirect: 'zenfs CopyOnWrite has no redirects', metacopy: 'zenfs CopyOnWrite has no metacopy files',
  'xattr-whiteout': 'zenfs CopyOnWrite has no xattr whiteouts',
  'multi-lower': 'zenfs CopyOnWrite has exactly one readable layer', 'many-lower': 'zenfs CopyOnWrite has exactly one readable layer',
  'no-upper': 'zenfs CopyOnWrite always has a writable layer',
  xattr: 'zenfs 1.x has no extended attributes', 'xattr-trusted': 'zenfs 1.x has no extended attributes',
  symlink: true, hardlink: true, fifo: 'zenfs InMemory stores no named pipes', mknod: 'zenfs InMemory stores no device nodes',
  chown: true, 'other-user': true,
  flock: 'zenfs has no flock', 'fcntl-lock': 'zenfs has no record locks', mmap: 'zenfs runs in-process: there is no mmap',
  'drop-caches': true, 'o-tmpfile': 'zenfs has no O_TMPFILE', renameat2: 'zenfs\'s rename takes no flags',
  'proc-fd': 'zenfs descriptors are not kernel descriptors: there is no /proc/self/fd', statfs: true,
  remount: 'zenfs has no unmount/mount cycle that keeps the layers (its journal lives in memory)',
  'layer-edit': 'zenfs layers are not edited behind the CopyOnWrite backend', timestamps: 'zenfs keeps times in milliseconds',
  atime: 'zenfs does not update access times on read by default (config.updateOnRead)',
  'overlay-magic': 'zenfs is not overlayfs',
};

/** The zenfs adapter. */
export const zenfsAdapter: Adapter = {
  name: 'zenfs',
  description: '@zenfs/core CopyOnWrite backend in-process (a readable and a writable InMemory store, deletions in a journal)',
  async probe(): Promise<AdapterInfo> {
    return {
      name: this.name, description: this.description, available: true,
      variants: [{ name: 'default', description: 'CopyOnWrite over two InMemory stores, access checks on (config.checkAccess)', options: { backend: 'CopyOnWrite' }, available: true }],
    };
  },
  async createWorker(variant: string, _opts: WorkerOptions): Promise<Worker> {
    if (variant !== 'default') throw new Error(`zenfs has no variant "${variant}"; variants: default`);
    return new ZenfsWorker(ZENFS_CAPABILITIES, {
      implementation: 'zenfs', version: zenfsVersion(), options: { backend: 'CopyOnWrite', store: 'InMemory' },
      details: { package: '@zenfs/core', node: process.version },
    });
  },
};

export default zenfsAdapter;
