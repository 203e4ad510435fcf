// The adapter contract: what every implementation under test (built-in or plug-in) provides.
// The executor only ever talks to adapters through these types.

import type { CanonLayers, CanonTree, OpResult } from '../language/canonical.js';
import type { OpName } from '../language/ops.js';
import type { FileType } from '../language/ops.js';

export type { CanonLayers, CanonTree, CanonEntry, OpResult, OpValue, StatValue, StatfsValue, DirEntryValue, DataJSON } from '../language/canonical.js';
export type { OpName } from '../language/ops.js';
export type { Cred } from '../language/model.js';
import type { Cred } from '../language/model.js';


/**
 * One op with arguments resolved by the executor: paths are normalised scenario paths
 * ('.' is the root, a trailing slash kept), data is bytes, modes are numbers, fd/dir/map
 * are the handle numbers an earlier op returned, flags are symbolic names.
 */
export interface ResolvedOp {
  op: OpName;
  args: Record<string, unknown>;
  user?: Cred;
}

/** A capability present (true) or absent with the reason a user reads in the skip. */
export type Capabilities = Record<string, true | string>;

/** Facts about the implementation a profile's `when:` conditions and the results JSON use. */
export interface Fingerprint {
  /** implementation name as in spec/profiles/<implementation>.yaml */
  implementation: string;
  /** version compared by `version:` conditions (e.g. kernel release "6.18.44") */
  version?: string;
  /** effective options of this variant, fully resolved (e.g. redirect_dir: "follow") */
  options: Record<string, string>;
  /** anything else worth keeping: module parameters, fs types, daemon versions */
  details?: Record<string, unknown>;
}

export interface VariantInfo {
  name: string;
  description: string;
  /** options as requested; the fingerprint has the effective ones */
  options: Record<string, string>;
  available: boolean;
  /** why not available (shown as the reason of every skip) */
  reason?: string;
}

export interface AdapterInfo {
  name: string;
  description: string;
  available: boolean;
  reason?: string;
  variants: VariantInfo[];
}

/** What `setup` reports: mounted and ready, or a skip the scenario cannot run past. */
export type SetupResult = { ok: true } | { ok: false; skip: string } | { ok: false; error: string };

/** Result of reading the layers back after the steps. */
export type InspectResult =
  | { ok: true; upper: CanonTree | null; lowers: CanonTree[] }
  | { ok: false; skip: string };

/** How a remount treats what the previous mount left in the workdir. */
export interface RemountHow {
  /** leave workdir/work/incompat/volatile of a volatile mount in place (the kernel then refuses the mount) */
  keepVolatile?: boolean;
}

/** A scenario's context handed to setup: where to put things and how long to wait. */
export interface ScenarioContext {
  /** unique per scenario run within the worker; adapters may name directories after it */
  runId: string;
  /** per-op timeout the executor enforces; adapters use it for their own waits */
  timeoutMs: number;
  /** how many lower layers (so adapters can skip past their limit early) */
  lowerCount: number;
  /** the scenario declares device-open: its mounts keep device semantics (every other mount is nodev,nosuid) */
  devices?: boolean;
}

/**
 * A worker: one isolated instance of the implementation (one agent process, one engine).
 * The executor runs one scenario at a time on it: setup → op* → inspect → teardown.
 */
export interface Worker {
  readonly capabilities: Capabilities;
  /** how many lower layers this worker can mount (undefined: no limit known) */
  readonly maxLowers?: number;
  /** the mount options a remount may set on this worker (names of language/options.ts, or a command config's own); undefined: any of the vocabulary */
  readonly knownOptions?: readonly string[];
  /** whether this worker's cache drop (dropCaches, read/pread dropCaches) writes /proc/sys/vm/drop_caches, which reaches every mount on the machine: a scenario that drops then runs alone (engine/alone.ts); absent: assumed so */
  readonly dropsMachineCaches?: boolean;
  /** false where what the worker shows lives in no cache of the machine's kernel (an in-process model): another process's drop_caches cannot change it, so a run neither reads the machine's drop count around its scenarios nor notes a drop; absent: assumed it can */
  readonly seesMachineDrops?: boolean;
  fingerprint(): Promise<Fingerprint>;
  setup(layers: CanonLayers, ctx: ScenarioContext): Promise<SetupResult>;
  /** never throws for filesystem errors; an exception means the worker is broken */
  op(op: ResolvedOp): Promise<OpResult>;
  /** whether op may be sent ahead with opMany (optional: a worker without it gets one op at a time) */
  canBatch?(op: ResolvedOp): boolean;
  /** send several ops (each canBatch) at once; one result per op, settling in order, as op would give them */
  opMany?(ops: readonly ResolvedOp[]): Promise<OpResult>[];
  /** remount, optionally with new options (laid over the current ones, or replacing them all) or the upper rotated into the lower stack */
  remount(options: Record<string, string> | undefined, rotate: boolean, replace?: boolean, how?: RemountHow): Promise<OpResult>;
  /** direct edit of a layer while mounted ('upper' or 'lower:N') */
  editLayer(layer: string, entries: CanonTree, remove: string[]): Promise<OpResult>;
  inspect(): Promise<InspectResult>;
  /** undo the mount and delete the scenario's files; must be safe to call after any failure */
  teardown(): Promise<void>;
  /** release the worker for good (kill processes, unmount everything) */
  close(): Promise<void>;
  /** forcibly destroy after a hang: the executor calls this, then creates a fresh worker */
  kill?(): Promise<void>;
  /** where the mounted scenario's layers live as host directories (interchange copies them); absent where they are not directories */
  layerDirs?(): Promise<LayerDirs | undefined>;
  /** the mounted scenario's merged tree read through the implementation, data up to maxData bytes per file */
  mergedTree?(maxData: number): Promise<TreeItem[]>;
  /** the merged tree walked through this worker's own ops exactly as engine/snapshot.ts walks it
   * (adapters/walk.ts), in one call: for a worker whose every op is a message (adapters/inproc), or
   * one that answers them in this process (the memory model: no promise per op) */
  walkTree?(maxData: number, maxDepth: number): Promise<TreeItem[]>;
  /** the op walkTree walks with, where that is a method of the worker's own (the memory model's): walkTree is
   * used only while the worker's op is that one, so a wrapper that answers ops itself is walked through them */
  readonly walkTreeUses?: Worker['op'];
  /**
   * the final-state check's merged listing, the remount (as remount(undefined, false) makes it)
   * and the listing after it, sent at once; undefined when this worker cannot chain them now
   */
  finalRemount?(maxData: number): FinalRemount | undefined;
  /**
   * the warm-only check's merged listing with the teardown sent after it at once (the executor's
   * next call is teardown, which then only waits for it); resolves undefined when the listing
   * failed (the teardown was cancelled: make the check and the teardown as usual). Undefined
   * when this worker cannot chain them now.
   */
  lastTree?(maxData: number): Promise<TreeItem[] | undefined> | undefined;
}

/** The three phases of a chained final remount, each settling when its replies arrive. */
export interface FinalRemount {
  /** the listing before the remount; undefined when it failed (nothing after it ran: make the check step by step) */
  warm: Promise<TreeItem[] | undefined>;
  /** the remount's result (undefined when the listing before it failed) */
  remount: Promise<OpResult | undefined>;
  /** the listing after a successful remount (undefined otherwise) */
  cold: Promise<TreeItem[] | undefined>;
}

/** Where a mounted scenario's layers live on the host. */
export interface LayerDirs {
  merged: string;
  upper?: string;
  /** topmost first */
  lowers: string[];
}

export interface WorkerOptions {
  /** sandbox directory this worker may write beneath (host adapters) */
  workdir: string;
  /** index of the worker, for naming */
  index: number;
}

/** Where and how long an adapter may probe: the run's --workdir and its interrupt. */
export interface ProbeOptions {
  /** parent of any scratch directory the probe makes (default: the OS temp dir) */
  workdir?: string;
  /** aborted on SIGINT/SIGTERM: a probe stops, kills what it started and removes its files */
  signal?: AbortSignal;
  /** only these variants need probing (a run of some variants); the others may be answered unavailable, unprobed */
  variants?: readonly string[];
}

/** An adapter: describes itself and its variants, and makes workers for a variant. */
export interface Adapter {
  readonly name: string;
  readonly description: string;
  probe(opts?: ProbeOptions): Promise<AdapterInfo>;
  createWorker(variant: string, opts: WorkerOptions): Promise<Worker>;
}

/** Module shape of a plug-in (`--adapter ./file.js`): a default export or an `adapter` export. */
export interface AdapterModule {
  default?: Adapter | (() => Adapter | Promise<Adapter>);
  adapter?: Adapter | (() => Adapter | Promise<Adapter>);
}

/** An adapter name, plug-in or config that cannot be loaded; the message lists what would work. */
export class UnknownAdapter extends Error {}

/**
 * Thrown by a worker when the implementation under test died under a scenario (a FUSE daemon
 * killed by a signal, exited, or gone from its mount): the implementation's own bug, a `fail`.
 * Anything else a worker throws is the harness's trouble, an `error`.
 */
export class ImplementationCrashed extends Error {
  override name = 'ImplementationCrashed';
}

/** One entry of a merged tree as a host worker reads it (not yet canonicalised). */
export interface TreeItem {
  /** relative to the listed directory, no leading slash */
  path: string;
  type: FileType | 'unknown';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  ino: string;
  /** "major:minor" of st_dev, where known: identity is (dev, ino) */
  dev?: string;
  rdev: string;
  atime: string;
  mtime: string;
  target?: string;
  /** content, when the file is no larger than maxData */
  data?: Uint8Array;
  /** extended attributes in the order listed */
  xattrs: Array<[name: string, value: Uint8Array]>;
  /** a directory that is another mount: listed, not descended */
  mount?: boolean;
}
