// The lazy adapter registry: built-in adapters load only when named; a path or package name
// loads a plug-in through the same contract; an unknown name lists the valid ones.

import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnknownAdapter, type Adapter, type AdapterModule } from './adapter.js';

export { UnknownAdapter };

type Loader = () => Promise<Adapter>;

/** A union shipped as a command config (adapters/command/configs/<name>.yaml), loaded like --config would. */
async function shippedConfig(name: string): Promise<Adapter> {
  const [{ loadCommandAdapter }, { packageRoot }] = await Promise.all([import('./command/index.js'), import('../language/root.js')]);
  const rel = `adapters/command/configs/${name}.yaml`;
  return loadCommandAdapter(join(packageRoot(), rel), rel);
}

const builtin: Record<string, Loader> = {
  memory: async () => (await import('./memory/index.js')).memoryAdapter,
  posix: async () => (await import('./posix/index.js')).posixAdapter,
  kernel: async () => (await import('./kernel/index.js')).kernelAdapter,
  'fuse-overlayfs': async () => (await import('./fuse-overlayfs/index.js')).fuseOverlayAdapter,
  'unionfs-fuse': async () => (await import('./unionfs-fuse/index.js')).unionfsAdapter,
  zenfs: async () => (await import('./zenfs/index.js')).zenfsAdapter,
  zenfs2: async () => (await import('./zenfs/index.js')).zenfs2Adapter,
  browserfs: async () => (await import('./browserfs/index.js')).browserfsAdapter,
  'memfs-unionfs': async () => (await import('./memfs-unionfs/index.js')).memfsUnionfsAdapter,
  command: async () => (await import('./command/index.js')).commandAdapter,
  gvisor: async () => (await import('./gvisor/index.js')).gvisorAdapter,
  mergerfs: () => shippedConfig('mergerfs'),
  mhddfs: () => shippedConfig('mhddfs'),
};

/** Register a built-in adapter (used by adapter folders that exist only on some builds). */
export function registerBuiltin(name: string, load: Loader): void {
  builtin[name] = load;
}

/** names of the built-in adapters, in the order `run` tries them */
export function builtinNames(): string[] {
  return Object.keys(builtin);
}


function looksLikeModule(name: string): boolean {
  return name.startsWith('.') || isAbsolute(name) || /\.(c|m)?js$/.test(name) || name.startsWith('@') || name.includes('/');
}

/** Validate that a plug-in module export has the shape of the contract. */
function checkAdapter(a: unknown, from: string): Adapter {
  const x = a as Partial<Adapter> | undefined;
  const missing = ['name', 'probe', 'createWorker'].filter((k) => !x || !(k in x));
  if (missing.length) throw new UnknownAdapter(`${from} does not export an adapter: missing ${missing.join(', ')} (see the Adapter type in overlay-conformance)`);
  return x as Adapter;
}

/** Load an adapter by built-in name, file path or package name. */
export async function loadAdapter(name: string): Promise<Adapter> {
  const b = builtin[name];
  if (b) return b();
  if (!looksLikeModule(name))
    throw new UnknownAdapter(`unknown adapter "${name}"; built-in adapters: ${builtinNames().join(', ')} (or give a path to a plug-in module, e.g. ./my-adapter.js)`);
  let spec = name;
  if (name.startsWith('.') || isAbsolute(name)) {
    const file = resolve(name);
    if (!existsSync(file)) throw new UnknownAdapter(`adapter plug-in ${name}: no such file (${file})`);
    spec = pathToFileURL(file).href;
  }
  let mod: AdapterModule;
  try {
    mod = (await import(spec)) as AdapterModule;
  } catch (e) {
    throw new UnknownAdapter(`adapter plug-in ${name} failed to load: ${(e as Error).message}`);
  }
  const exp = mod.adapter ?? mod.default;
  const value = typeof exp === 'function' ? await (exp as () => Adapter | Promise<Adapter>)() : exp;
  return checkAdapter(value, name);
}

// Selection: how `run` and `matrix` turn --adapter names and --config files into adapters to load.
// `command` (or no --adapter at all) takes the --config files, a name ending in .yaml/.yml/.json is
// a config itself, anything else is a built-in name, plug-in path or package name.

/** One adapter to load, named as the user wrote it. */
export interface AdapterEntry {
  name: string;
  load: () => Promise<Adapter>;
}

/** Whether an --adapter value names a command config file rather than an adapter. */
export const isConfigPath = (name: string) => /\.(ya?ml|json)$/i.test(name);

function configEntry(file: string): AdapterEntry {
  return { name: file, load: async () => (await import('./command/index.js')).loadCommandAdapter(resolve(file), file) };
}

/**
 * The adapters to load for these --adapter names and --config files. Configs go where `command`
 * is named, or after the other names when it is not; `command` without any config is a usage error.
 */
export function adapterEntries(names: readonly string[], configs: readonly string[]): AdapterEntry[] {
  const out: AdapterEntry[] = [];
  let placed = false;
  for (const name of names) {
    if (name === 'command') {
      if (configs.length === 0) throw new UnknownAdapter('--adapter command needs a config: --config my-overlay.yaml (see docs/testing-your-overlay.md and examples/)');
      if (!placed) out.push(...configs.map(configEntry));
      placed = true;
    } else if (isConfigPath(name)) out.push(configEntry(name));
    else out.push({ name, load: () => loadAdapter(name) });
  }
  if (!placed) out.push(...configs.map(configEntry));
  return out;
}
