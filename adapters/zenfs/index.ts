// The `zenfs` adapter: @zenfs/core's CopyOnWrite backend (a readable and a writable InMemory
// store plus a deletion journal) run in-process through the same contract as `memory`; `zenfs2`
// runs the same worker on @zenfs/core 2.x (the `zenfs2` npm alias) beside the pinned 1.11.4, so
// one implementation's upgrade shows up in `ovlconf diff`.

import type { Adapter, AdapterInfo, Capabilities, Worker, WorkerOptions } from '../adapter.js';
import { packageVersion, zenfs1, zenfs2, type ZenLib } from './lib.js';
import { ZenfsWorker } from './worker.js';
import { inEngineThread, threadWorker } from '../inproc/thread.js';

/** The installed @zenfs/core version (read from its package.json). */
export function zenfsVersion(): string {
  return packageVersion('@zenfs/core');
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
  parallel: 'zenfs is a JavaScript engine the harness calls one operation at a time: it has no concurrent callers to race (op race)',
  flock: 'zenfs has no flock', 'fcntl-lock': 'zenfs has no record locks', mmap: 'zenfs runs in-process: there is no mmap',
  'drop-caches': true, 'o-tmpfile': 'zenfs has no O_TMPFILE', renameat2: 'zenfs\'s rename takes no flags',
  'proc-fd': 'zenfs descriptors are not kernel descriptors: there is no /proc/self/fd', statfs: true,
  remount: 'zenfs has no unmount/mount cycle that keeps the layers (its journal lives in memory)',
  'layer-edit': 'zenfs layers are not edited behind the CopyOnWrite backend', timestamps: 'zenfs keeps times in milliseconds',
  atime: 'zenfs does not update access times on read by default (config.updateOnRead)',
  'overlay-magic': 'zenfs is not overlayfs',
};

/** 2.x: the same backend; extended attributes exist only in its own `xattr` namespace, which the Node fs API the ops use does not reach. */
export const ZENFS2_CAPABILITIES: Capabilities = {
  ...ZENFS_CAPABILITIES,
  xattr: 'zenfs 2.x keeps extended attributes behind its own xattr functions, not the Node fs API the zenfs adapter drives',
  'xattr-trusted': 'zenfs 2.x keeps extended attributes behind its own xattr functions, not the Node fs API the zenfs adapter drives',
};

/** A zenfs adapter for one major version of the library. */
function zenfsAdapterFor(name: string, exportName: string, load: () => Promise<ZenLib>, caps: Capabilities, pkg: string, withheld?: string): Adapter {
  return {
    name,
    description: `${pkg} CopyOnWrite backend in-process (a readable and a writable InMemory store, deletions in a journal)`,
    async probe(): Promise<AdapterInfo> {
      try {
        if (withheld) throw new Error(withheld);
        await load();
      } catch (e) {
        const reason = withheld ?? `${pkg} cannot be loaded: ${(e as Error).message} (npm ci installs it)`;
        return { name, description: this.description, available: false, reason, variants: [{ name: 'default', description: 'CopyOnWrite over two InMemory stores', options: {}, available: false, reason }] };
      }
      return {
        name, description: this.description, available: true,
        variants: [{ name: 'default', description: 'CopyOnWrite over two InMemory stores, access checks on (config.checkAccess)', options: { backend: 'CopyOnWrite' }, available: true }],
      };
    },
    async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
      if (variant !== 'default') throw new Error(`${name} has no variant "${variant}"; variants: default`);
      // the library runs in a child process of its own: a synchronous loop in it (2.x loops on a symlink cycle) must not stop the run
      if (!inEngineThread()) return threadWorker({ module: import.meta.url, exportName, adapter: name, variant, opts });
      const lib = await load();
      return new ZenfsWorker(caps, {
        implementation: 'zenfs', version: lib.version, options: { backend: 'CopyOnWrite', store: 'InMemory' },
        details: { package: lib.package, node: process.version },
      }, lib);
    },
  };
}

/** The zenfs adapter (the pinned @zenfs/core 1.11.4). */
export const zenfsAdapter: Adapter = zenfsAdapterFor('zenfs', 'zenfsAdapter', zenfs1, ZENFS_CAPABILITIES, '@zenfs/core');

/** The zenfs2 adapter (@zenfs/core 2.x through the `zenfs2` npm alias). */
export const zenfs2Adapter: Adapter = zenfsAdapterFor('zenfs2', 'zenfs2Adapter', zenfs2, ZENFS2_CAPABILITIES, '@zenfs/core 2.x (npm alias zenfs2)');

export default zenfsAdapter;
