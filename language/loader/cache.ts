// A cache of loaded scenario files, so `validate`, `list` and `run` do not parse, expand and
// schema-check 400 unchanged files on every start. An entry is keyed by the file's name and
// exact bytes; the whole cache is keyed by the loader's own code, the spec data it checks
// against and the Node version, so a change to any of them empties it. Each such key has its own
// file (a few recent ones are kept): checkouts of different code on one machine, or a test
// loading two files, no longer replace each other's whole cache. Only the current user's
// own, not group- or world-writable file is trusted; anything odd about it means no cache.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, type Stats, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { packageRoot } from '../root.js';

const FORMAT = 'ovlconf-suite-cache/1';
/** at most this many files' results are kept (the suites of a few checkouts) */
const MAX_ENTRIES = 5000;
/** a cache file larger than this is not read */
const MAX_BYTES = 256 << 20;
/** cache files (one per loader key) kept in the directory; older ones are removed on write */
const MAX_FILES = 8;

interface CacheFile {
  format: string;
  codeKey: string;
  entries: Record<string, unknown>;
}

/** Where the cache lives: OVLCONF_CACHE_DIR, else $XDG_CACHE_HOME/ovlconf, else ~/.cache/ovlconf. */
export function cacheDir(): string {
  return process.env.OVLCONF_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ovlconf');
}

/** Whether caching is switched off (OVLCONF_CACHE=off). */
export const cacheOff = () => /^(off|0|no|false)$/i.test(process.env.OVLCONF_CACHE ?? '');

/** names relative to the tree's root, so two checkouts of the same code share entries */
function hashTree(h: ReturnType<typeof createHash>, dir: string, accept: (name: string) => boolean, rel = ''): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) hashTree(h, p, accept, `${rel}${name}/`);
    else if (st.isFile() && accept(name)) h.update(`${rel}${name}\0`).update(readFileSync(p)).update('\0');
  }
}

/** settings that cannot change what a load gives: the cache's own, and how many threads load (pool.ts) */
const UNKEYED = /^OVLCONF_(CACHE|LOAD_HELPERS$)/;

/** The OVLCONF_ settings a loaded result may depend on (limits and the like), as sorted name=value. */
export function keyedSettings(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env).filter((k) => k.startsWith('OVLCONF_') && !UNKEYED.test(k)).sort().map((k) => `${k}=${env[k]}`);
}

let codeKeyMemo: string | undefined;
/** What every cached result depends on besides its own file: loader code, spec data, Node. */
export function codeKey(): string {
  if (codeKeyMemo) return codeKeyMemo;
  const h = createHash('sha256').update(`${FORMAT}\0${process.version}\0`);
  for (const kv of keyedSettings()) h.update(`${kv}\0`);
  // the compiled language/ folder: loader, schemas' source, model
  hashTree(h, dirname(dirname(fileURLToPath(import.meta.url))), (n) => n.endsWith('.js'));
  hashTree(h, join(packageRoot(), 'spec'), (n) => /\.(ya?ml|json)$/.test(n));
  return (codeKeyMemo = h.digest('hex'));
}

/** The key of one scenario file's result: its name in messages and its exact bytes. */
export const fileKey = (display: string, bytes: string) => createHash('sha256').update(display).update('\0').update(bytes).digest('hex');

/** A file's key in the per-file cache from its lstat and bytes: only a regular file of at most 4 MiB is cached. */
export const cacheKeyFrom = (display: string, st: Stats, bytes: Buffer): string | undefined =>
  st.isFile() && st.size <= 4 << 20 ? fileKey(display, bytes.toString('latin1')) : undefined;

/** The cache file of this loader code and spec data. */
export const cacheFile = (): string => join(cacheDir(), `suite-${codeKey().slice(0, 16)}.bin`);

/** A cache file's contents, or undefined when it is missing, not this user's own private file, or unreadable. */
function readTrusted(file: string): unknown {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || st.size > MAX_BYTES || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    return deserialize(readFileSync(fd));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write a cache file (owner-only, replaced atomically); a failure only costs the next start time. */
function writeTrusted(file: string, value: unknown, prefix: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, serialize(value));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    prune(dirname(file), prefix);
  } catch {
    // a read-only home or a full disk: the next run parses again
  }
}

/** The cached results, or an empty cache when there is none, it is stale or not to be trusted. */
export function readCache<T = unknown>(file = cacheFile()): Map<string, T> {
  if (cacheOff()) return new Map();
  const c = readTrusted(file) as CacheFile | undefined;
  if (c?.format !== FORMAT || c.codeKey !== codeKey() || typeof c.entries !== 'object') return new Map();
  return new Map(Object.entries(c.entries) as [string, T][]);
}

/** Write the cache (owner-only, replaced atomically); a failure only costs the next start time. */
export function writeCache<T>(entries: Map<string, T>, file = cacheFile()): void {
  if (cacheOff()) return;
  const kept = [...entries].slice(-MAX_ENTRIES);
  writeTrusted(file, { format: FORMAT, codeKey: codeKey(), entries: Object.fromEntries(kept) } satisfies CacheFile, 'suite');
}

/**
 * A value made from the package's spec data alone (the catalog, the built-in known failures):
 * kept per loader key (which covers spec/) and working directory (messages name files relative
 * to it), so a start reads it instead of parsing spec/ with positions again.
 */
export function cachedValue<T>(name: string, make: () => T): T {
  if (cacheOff()) return make();
  const key = createHash('sha256').update(`${codeKey()}\0${name}\0${process.cwd()}`).digest('hex');
  const file = join(cacheDir(), `${name}-${key.slice(0, 16)}.bin`);
  const c = readTrusted(file) as { format: string; key: string; value: T } | undefined;
  if (c?.format === FORMAT && c.key === key) return c.value;
  const value = make();
  writeTrusted(file, { format: FORMAT, key, value }, name);
  return value;
}

/** keep the MAX_FILES most recently written cache files of this user and kind in dir */
function prune(dir: string, prefix: string): void {
  const uid = process.getuid?.();
  const mine = readdirSync(dir)
    .filter((n) => n.startsWith(`${prefix}-`) || n === `${prefix}.bin`)
    .filter((n) => /^[a-z]+(-[0-9a-f]{16})?\.bin$/.test(n))
    .map((n) => ({ p: join(dir, n), st: lstatSync(join(dir, n)) }))
    .filter(({ st }) => st.isFile() && (uid === undefined || st.uid === uid))
    .sort((a, b) => b.st.mtimeMs - a.st.mtimeMs);
  for (const { p } of mine.slice(MAX_FILES)) unlinkSync(p);
}

// A whole load (catalog, suite, profiles, known failures) under one key, kept so that a start
// whose inputs are all unchanged reads it (and the per-file cache its scenarios stay in, see
// cli/load.ts) and loads neither the YAML parser, the schema checker nor TypeBox. The key
// covers codeKey() and whatever else the caller's load read.

const WHOLE = 'ovlconf-load-cache/2';
const wholeFile = () => join(cacheDir(), 'load.bin');

/** The key of a whole load: codeKey() plus the caller's own parts (paths, file names and bytes). */
export function wholeKey(parts: Iterable<string | Uint8Array>): string {
  const h = createHash('sha256').update(`${WHOLE}\0${codeKey()}\0`);
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** The value kept under this key, or undefined (no cache, another key, caching off). */
export function readWhole<T>(key: string): T | undefined {
  if (cacheOff()) return undefined;
  const c = readTrusted(wholeFile()) as { format?: string; key?: string; value?: T } | undefined;
  return c?.format === WHOLE && c.key === key ? c.value : undefined;
}

/** Keep one whole load (the last one made replaces the one before). */
export function writeWhole(key: string, value: unknown): void {
  if (!cacheOff()) writeTrusted(wholeFile(), { format: WHOLE, key, value }, 'load');
}
