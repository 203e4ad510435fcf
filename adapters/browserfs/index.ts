// The `browserfs` adapter: BrowserFS 1.4.3's OverlayFS (a readable and a writable InMemory store,
// deletions in /.deletedFiles.log) run in-process through the same contract as `zenfs`.

import type { Adapter, AdapterInfo, Capabilities, Worker, WorkerOptions } from '../adapter.js';
import { inEngineThread, threadWorker } from '../inproc/thread.js';
import { packageVersion } from '../zenfs/lib.js';
import { BrowserfsWorker } from './worker.js';

const NO_PROPS = 'BrowserFS\'s InMemory store keeps no permission bits, owners or set times (chmod, chown and utimes are ENOTSUP)';

/** What OverlayFS over InMemory stores can and cannot do, with the reasons a user reads in the skips. */
export const BROWSERFS_CAPABILITIES: Capabilities = {
  'layer-state': true, whiteout: true, opaque: 'BrowserFS OverlayFS has no opaque directories: its deletion log names paths only',
  redirect: 'BrowserFS OverlayFS has no redirects', metacopy: 'BrowserFS OverlayFS has no metacopy files',
  'xattr-whiteout': 'BrowserFS OverlayFS has no xattr whiteouts',
  'multi-lower': 'BrowserFS OverlayFS has exactly one readable layer', 'many-lower': 'BrowserFS OverlayFS has exactly one readable layer',
  'no-upper': 'BrowserFS OverlayFS always has a writable layer',
  xattr: 'BrowserFS has no extended attributes', 'xattr-trusted': 'BrowserFS has no extended attributes',
  symlink: 'BrowserFS\'s InMemory store has no symbolic links (ENOTSUP)', hardlink: 'BrowserFS OverlayFS has no hard links (supportsLinks is false)',
  fifo: 'BrowserFS stores no named pipes', mknod: 'BrowserFS stores no device nodes',
  chown: NO_PROPS, 'other-user': 'BrowserFS has no users: every call runs with the same rights',
  parallel: 'BrowserFS is a JavaScript engine the harness calls one operation at a time: it has no concurrent callers to race (op race)',
  flock: 'BrowserFS has no flock', 'fcntl-lock': 'BrowserFS has no record locks', mmap: 'BrowserFS runs in-process: there is no mmap',
  'drop-caches': true, 'o-tmpfile': 'BrowserFS has no O_TMPFILE', renameat2: 'BrowserFS\'s rename takes no flags',
  'proc-fd': 'BrowserFS descriptors are not kernel descriptors: there is no /proc/self/fd', statfs: 'BrowserFS has no statfs',
  remount: 'BrowserFS has no unmount/mount cycle that keeps the layers in this adapter (the stores live in memory)',
  'layer-edit': 'BrowserFS layers are not edited behind OverlayFS', timestamps: NO_PROPS,
  atime: 'BrowserFS does not update access times on read',
  'overlay-magic': 'BrowserFS is not overlayfs',
};

/** The browserfs adapter. */
export const browserfsAdapter: Adapter = {
  name: 'browserfs',
  description: 'BrowserFS 1.4.3 OverlayFS in-process (a readable and a writable InMemory store, deletions in /.deletedFiles.log)',
  async probe(): Promise<AdapterInfo> {
    const version = packageVersion('browserfs');
    if (version === 'unknown') {
      const reason = 'the browserfs npm package is not installed (npm ci installs it)';
      return { name: this.name, description: this.description, available: false, reason, variants: [{ name: 'default', description: 'OverlayFS over two InMemory stores', options: {}, available: false, reason }] };
    }
    return {
      name: this.name, description: this.description, available: true,
      variants: [{ name: 'default', description: 'OverlayFS over two InMemory stores', options: { backend: 'OverlayFS' }, available: true }],
    };
  },
  async createWorker(variant: string, opts: WorkerOptions): Promise<Worker> {
    if (variant !== 'default') throw new Error(`browserfs has no variant "${variant}"; variants: default`);
    // the library runs in a child process of its own: a synchronous loop in it (a 1,200-level tree) must not stop the run
    if (!inEngineThread()) return threadWorker({ module: import.meta.url, exportName: 'browserfsAdapter', adapter: 'browserfs', variant, opts });
    return new BrowserfsWorker(BROWSERFS_CAPABILITIES, {
      implementation: 'browserfs', version: packageVersion('browserfs'), options: { backend: 'OverlayFS', store: 'InMemory' },
      details: { package: 'browserfs', node: process.version },
    });
  },
};

export default browserfsAdapter;
