// The parts of @zenfs/core the zenfs worker uses, behind one interface so two major versions run
// side by side: 1.11.4 (the pinned `@zenfs/core`) and 2.x (the `zenfs2` npm alias), whose
// metadata call, open flags and context credentials changed.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NodeFsLike } from './nodefs.js';

/** A zenfs FileSystem object, opaque to the worker. */
export type ZenFs = object;

/** What the worker needs of a CopyOnWriteFS. */
export interface ZenCow extends ZenFs {
  readonly readable: ZenFs;
  readonly writable: ZenFs;
  readonly journal: { toString(): string; isDeleted(path: string): boolean };
  ready(): Promise<void>;
}

/** Directory metadata set below the path API (zenfs opens a directory with EISDIR). */
export interface ZenMeta { mode: number; uid?: number; gid?: number; mtimeMs?: number; atimeMs?: number }

/** One zenfs major version's calls. */
export interface ZenLib {
  /** the npm package name, as installed (an alias for 2.x) */
  package: string;
  version: string;
  fs: NodeFsLike;
  inMemory(): Promise<ZenFs>;
  mount(at: string, fs: ZenFs): void;
  umount(at: string): void;
  setMeta(fs: ZenFs, path: string, m: ZenMeta): void;
  copyOnWrite(readable: ZenFs, writable: ZenFs, deleted: string[]): ZenCow;
  /** the fs API acting with these credentials */
  as(uid: number, gid: number): NodeFsLike;
  /** open flags the library accepts, or why it cannot open with these */
  openFlags(n: number): number | { skip: string };
}

/** The installed version of a package: the package.json above its entry point (exports maps hide the file itself). */
export function packageVersion(pkg: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(pkg));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** zenfs 1.x (`@zenfs/core`). */
export async function zenfs1(): Promise<ZenLib> {
  const z: Any = await import('@zenfs/core');
  return {
    package: '@zenfs/core', version: packageVersion('@zenfs/core'), fs: z.fs,
    inMemory: () => z.resolveMountConfig({ backend: z.InMemory }),
    mount: (at, fs) => z.mount(at, fs),
    umount: (at) => z.umount(at),
    setMeta: (fs, path, m) => (fs as Any).syncSync(path, undefined, m),
    copyOnWrite: (r, w, deleted) => {
      const j = new z.Journal();
      for (const p of deleted) j.add('delete', p);
      return new z.CopyOnWriteFS(r, w, j);
    },
    as: (uid, gid) => z.bindContext('/', { uid, gid, euid: uid, egid: gid }).fs,
    // 1.x opens only with the flag sets of Node's string flags ('r', 'r+', 'w', 'wx', 'a' …)
    openFlags: (n) => {
      try {
        z.flagToString(n);
        return n;
      } catch {
        return { skip: `zenfs cannot open with flags 0x${n.toString(16)}: its open() takes only Node's flag strings (r, r+, w, w+, wx, a, a+ …)` };
      }
    },
  };
}

/** zenfs 2.x (the `zenfs2` alias of `@zenfs/core@2`). */
export async function zenfs2(): Promise<ZenLib> {
  const z: Any = await import('zenfs2');
  return {
    package: 'zenfs2 (npm:@zenfs/core)', version: packageVersion('zenfs2'), fs: z.fs,
    inMemory: () => z.resolveMountConfig({ backend: z.InMemory }),
    mount: (at, fs) => z.mount(at, fs),
    umount: (at) => z.umount(at),
    // 2.x: FileSystem.touchSync(path, metadata) replaced syncSync(path, data, metadata)
    setMeta: (fs, path, m) => (fs as Any).touchSync(path, m),
    copyOnWrite: (r, w, deleted) => {
      const j = new z.Journal();
      for (const p of deleted) j.add('delete', p);
      return new z.CopyOnWriteFS(r, w, j);
    },
    // 2.x: a context takes { credentials }, not the credentials themselves
    as: (uid, gid) => z.bindContext({ root: '/', credentials: { uid, gid, euid: uid, egid: gid } }).fs,
    // 2.x opens with numeric flags directly
    openFlags: (n) => n,
  };
}
