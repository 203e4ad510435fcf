// The guest's initramfs: a static busybox, /init, and the kernel's modules (decompressed on the
// host, since busybox insmod reads plain .ko files), listed in load order. The manifest is pure;
// building it reads the files and writes a newc cpio, cached by the manifest's hash.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeCpio, type CpioEntry } from './cpio.js';
import { initScript } from './guest.js';
import type { ModulePlan } from './modules.js';

/** One initramfs entry before its data is read: inline text, or a host file (maybe compressed). */
export interface ManifestEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'chr';
  mode: number;
  text?: string;
  source?: string;
  decompress?: 'xz' | 'zst' | 'gz';
  target?: string;
  rdev?: [number, number];
}

/** The file name a module gets in the initramfs (/modules/<name>.ko). */
export function moduleFile(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.ko(\.(xz|zst|gz))?$/, '.ko');
}

/** Every entry of the initramfs for one kernel. `moduleRoot` is the unpacked lib/modules/<release>. */
export function initramfsManifest(o: { busybox: string; plan: ModulePlan; moduleRoot: string }): ManifestEntry[] {
  const out: ManifestEntry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'host', 'modules'].map((d) => ({ path: d, type: 'dir' as const, mode: 0o755 })),
    { path: 'dev/console', type: 'chr', mode: 0o600, rdev: [5, 1] },
    { path: 'bin/busybox', type: 'file', mode: 0o755, source: o.busybox },
    { path: 'bin/sh', type: 'symlink', mode: 0o777, target: 'busybox' },
    { path: 'init', type: 'file', mode: 0o755, text: initScript() },
    { path: 'modules.list', type: 'file', mode: 0o644, text: o.plan.load.map(moduleFile).join('\n') + (o.plan.load.length ? '\n' : '') },
  ];
  for (const m of o.plan.load) {
    const ext = /\.ko\.(xz|zst|gz)$/.exec(m)?.[1] as ManifestEntry['decompress'];
    out.push({ path: `modules/${moduleFile(m)}`, type: 'file', mode: 0o644, source: `${o.moduleRoot}/${m}`, ...(ext ? { decompress: ext } : {}) });
  }
  return out;
}

/** A key for the cache: changes when the script, the module list or the busybox binary changes. */
export function manifestHash(entries: ManifestEntry[], busyboxMtimeMs: number): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(entries));
  h.update(String(busyboxMtimeMs));
  return h.digest('hex').slice(0, 12);
}

function decompress(buf: Buffer, how: NonNullable<ManifestEntry['decompress']>, path: string): Buffer {
  const argv = how === 'xz' ? ['xz', '-dcq'] : how === 'zst' ? ['zstd', '-dcq'] : ['gzip', '-dcq'];
  const r = spawnSync(argv[0], argv.slice(1), { input: buf, maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) throw new Error(`cannot decompress ${path} with ${argv[0]}: ${r.error?.message ?? r.stderr.toString().trim()}`);
  return r.stdout;
}

/** Read every source and write the cpio archive. */
export function buildInitramfs(entries: ManifestEntry[]): Buffer {
  const cpio: CpioEntry[] = entries.map((e) => {
    if (e.type !== 'file') return { path: e.path, type: e.type, mode: e.mode, target: e.target, rdev: e.rdev };
    let data: Buffer = e.text !== undefined ? Buffer.from(e.text) : readFileSync(e.source!);
    if (e.decompress) data = decompress(data, e.decompress, e.source!);
    return { path: e.path, type: 'file', mode: e.mode, data };
  });
  return writeCpio(cpio);
}
