// Which kernel modules the guest loads, in dependency order: read from the unpacked kernel's
// modules.dep and modules.builtin (Debian's .debs ship neither; depmod -b makes them).

/** Modules the guest needs for the 9p host root and the overlay under test (missing ones are skipped when built in). */
export const BASE_MODULES = ['virtio', 'virtio_ring', 'virtio_pci', '9pnet', '9pnet_virtio', 'netfs', 'fscache', '9p', 'overlay'];
/** Extra modules for layers on an ext4 virtio-blk disk; crc32c_generic (crc32c_cryptoapi from 6.15) is a soft dependency modules.dep omits. */
export const EXT4_MODULES = ['virtio_blk', 'crc32c_generic', 'crc32c_cryptoapi', 'ext4'];
/** Without these the run cannot happen at all. */
export const ESSENTIAL = ['9p', '9pnet_virtio', 'overlay'];

/** A module's name from its path: basename without .ko[.xz|.zst|.gz], dashes as underscores. */
export function moduleName(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** modules.dep as name → { path, deps (paths) } */
export function parseModulesDep(text: string): Map<string, { path: string; deps: string[] }> {
  const out = new Map<string, { path: string; deps: string[] }>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const path = line.slice(0, i).trim();
    const deps = line.slice(i + 1).trim().split(/\s+/).filter(Boolean);
    out.set(moduleName(path), { path, deps });
  }
  return out;
}

/** modules.builtin as a set of names */
export function parseBuiltin(text: string): Set<string> {
  return new Set(text.split('\n').filter(Boolean).map(moduleName));
}

/** What the initramfs loads, what the kernel has built in, and what it lacks. */
export interface ModulePlan {
  /** module paths relative to lib/modules/<release>, dependencies first */
  load: string[];
  builtin: string[];
  /** wanted names that are neither modules nor built in */
  absent: string[];
}

/** The load order for `wanted`: each module after its dependencies, every module once. */
export function planModules(wanted: string[], dep: Map<string, { path: string; deps: string[] }>, builtin: Set<string>): ModulePlan {
  const load: string[] = [];
  const seen = new Set<string>();
  const plan: ModulePlan = { load, builtin: [], absent: [] };
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const e = dep.get(moduleName(path));
    for (const d of e?.deps ?? []) visit(d);
    load.push(path);
  };
  for (const w of wanted) {
    const n = w.replace(/-/g, '_');
    const e = dep.get(n);
    if (e) visit(e.path);
    else if (builtin.has(n)) plan.builtin.push(n);
    else plan.absent.push(n);
  }
  return plan;
}

/** Throw when the kernel lacks a module the run cannot do without. */
export function checkEssential(plan: ModulePlan, release: string): void {
  const missing = ESSENTIAL.filter((m) => plan.absent.includes(m));
  if (missing.length) throw new Error(`kernel ${release} has neither a module nor a built-in for ${missing.join(', ')}: it cannot mount the host root over 9p or an overlay`);
}
