// How `run` and `matrix` turn --adapter names and --config files into adapters to load: `command`
// (or no --adapter at all) takes the --config files, a name ending in .yaml/.yml/.json is a config
// itself, anything else goes to the registry (built-in name, plug-in path or package name).

import { resolve } from 'node:path';
import type { Adapter } from '../adapter.js';
import { loadAdapter, UnknownAdapter } from '../registry.js';

/** One adapter to load, named as the user wrote it. */
export interface AdapterEntry {
  name: string;
  load: () => Promise<Adapter>;
}

/** Whether an --adapter value names a command config file rather than an adapter. */
export const isConfigPath = (name: string) => /\.(ya?ml|json)$/i.test(name);

function configEntry(file: string): AdapterEntry {
  return { name: file, load: async () => (await import('./index.js')).loadCommandAdapter(resolve(file), file) };
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
