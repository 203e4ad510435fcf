// Step outcomes reduced to what must agree between an implementation and its oracles: the errno,
// or the value without what legitimately differs (handle numbers, times, st_dev, blocks); inode
// numbers become "the Nth object seen in this run", so identity is compared, not numbering.

import type { StepOutcome } from '../engine/match.js';

/** An outcome as comparable data: `key` is equal exactly when two outcomes agree. */
export interface Norm {
  key: string;
  /** errno name, or 'ok', or 'harness'/'timeout'/'skip' */
  status: string;
  /** the compared value fields (absent on errors) */
  fields?: Record<string, unknown>;
}

/**
 * Assigns ordinals to objects, named by (st_dev, st_ino) as the final snapshot names them, in
 * order of first appearance within one run. The pair, not the number alone: an overlay whose
 * layers are on different filesystems (xino off) reports directories with the overlay's st_dev
 * and a per-mount sequence number, non-directories with a per-filesystem st_dev and the real
 * layer's number, so a directory and a lower file may share a number (checked on 6.18: an upper
 * dir `m` and a lower symlink on tmpfs both st_ino 3, st_dev 0:58 and 0:61). An inode number
 * names an object only while the object lives: once a step that can free an object has run
 * (`retire()`), a number seen again gets a new ordinal, so a number a filesystem reuses for a new
 * file (ext4 does, right after an unlink) is not taken for the old file's identity, and a model
 * that never reuses numbers agrees. Identity within the steps between two such steps is compared.
 */
export class InoOrdinals {
  private readonly seen = new Map<string, { n: number; epoch: number }>();
  private next = 0;
  private epoch = 0;
  of(ino: string, dev = ''): number {
    const id = `${dev}/${ino}`;
    const s = this.seen.get(id);
    if (s && s.epoch === this.epoch) return s.n;
    const n = this.next++;
    this.seen.set(id, { n, epoch: this.epoch });
    return n;
  }
  /** a step that can free an object (unlink, rmdir, rename, close, remount) has run */
  retire(): void {
    this.epoch++;
  }
}

/** ops after which an object seen before may be gone and its inode number reused */
export const FREEING_OPS = new Set(['unlink', 'rmdir', 'rename', 'close', 'closedir', 'munmap', 'remount']);

const text = (b: Uint8Array) => {
  const s = Buffer.from(b).toString('utf8');
  return /^[\x20-\x7e]*$/.test(s) ? s : { hex: Buffer.from(b).toString('hex') };
};

/** Normalise one outcome. */
export function normalise(o: StepOutcome, inos: InoOrdinals): Norm {
  if (!o.ok) {
    // notRun: the step's handle was never bound (its open failed): equal on every side whose
    // earlier steps agreed, so it is compared like an outcome, not counted as a harness fault
    const status = 'errno' in o ? o.errno : 'timeout' in o ? 'timeout' : 'skip' in o ? 'skip' : 'escape' in o ? 'escape' : 'notRun' in o ? 'notRun' : 'harness';
    return { key: status, status };
  }
  const v = o.value as Record<string, unknown> | undefined;
  let fields: Record<string, unknown> = {};
  if (!v) fields = {};
  else if ('stat' in v) {
    const s = v.stat as { type: string; mode: number; uid: number; gid: number; size: number; nlink: number; ino: string; dev?: string; rdev: string };
    fields = { type: s.type, mode: '0' + s.mode.toString(8), uid: s.uid, gid: s.gid, ino: inos.of(String(s.ino), s.dev === undefined ? '' : String(s.dev)) };
    if (s.type !== 'dir') fields.nlink = s.nlink;
    if (s.type === 'file' || s.type === 'symlink') fields.size = s.size;
  } else if ('data' in v) fields = { data: text(v.data as Uint8Array) };
  else if ('value' in v) fields = { value: text(v.value as Uint8Array) };
  else if ('entries' in v) {
    const es = (v.entries as { name: string; type: string }[]).map((e) => `${e.name}:${e.type}`).sort();
    fields = { entries: es };
  } else if ('names' in v) fields = { names: (v.names as string[]).filter((n) => n.startsWith('user.')).sort() };
  else if ('count' in v) fields = { count: v.count };
  else if ('offset' in v) fields = { offset: v.offset };
  else if ('target' in v) fields = { target: v.target };
  else if ('path' in v) fields = { path: v.path };
  // fd, dir, map handles and statfs/lock values: success is what is compared
  return { key: 'ok ' + JSON.stringify(fields), status: 'ok', fields };
}

/** What differs between two normalised outcomes, as short words ("errno", "size", "entries"). */
export function differs(a: Norm, b: Norm): string[] {
  if (a.status !== b.status) return ['errno'];
  const out: string[] = [];
  const keys = new Set([...Object.keys(a.fields ?? {}), ...Object.keys(b.fields ?? {})]);
  for (const k of keys) if (JSON.stringify(a.fields?.[k]) !== JSON.stringify(b.fields?.[k])) out.push(k);
  return out.sort();
}
