// A command config's variants resolved for running: the config's defaults merged with each
// variant's own settings, the layer format looked up (or loaded from a module), and the
// effective options a profile's `when: options:` tests computed from the variant's options and
// what the probe mount showed.

import type { Capabilities } from '../adapter.js';
import { resolveFormat } from '../formats/registry.js';
import type { LayerFormat } from '../formats/types.js';
import { configDir, OPAQUE_FORMAT, type CommandConfig } from './config.js';
import type { EffectiveSource } from './schema.js';

/** One variant ready to run. */
export interface CommandVariant {
  name: string;
  description: string;
  /** the mount's option list ({options}) */
  options: string[];
  /** extra argv at {args} */
  args: string[];
  namespace: 'private' | 'userns';
  /** undefined: the layers are opaque (not inspected) */
  format: LayerFormat | undefined;
  formatName: string;
  xattrNs: 'trusted' | 'user';
  env: Record<string, string>;
  /** config claims, then the variant's */
  claims: Capabilities;
  effective: Record<string, EffectiveSource>;
}

/** "key=value" or a bare key ("on") as a pair. */
export function splitOption(o: string): [string, string] {
  const i = o.indexOf('=');
  return i < 0 ? [o, 'on'] : [o.slice(0, i), o.slice(i + 1)];
}

/** The options as requested, as `ovlconf list` shows them. */
export function requestedOptions(v: CommandVariant): Record<string, string> {
  return Object.fromEntries(v.options.map(splitOption).concat(v.namespace === 'userns' ? [['userns', 'on']] : []));
}

/** The effective options: literal values, option lookups, and super options of the probe mount. */
export function effectiveOptions(v: CommandVariant, superOptions: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const opts = new Map(v.options.map(splitOption));
  for (const [k, e] of Object.entries(v.effective)) {
    if (typeof e === 'string') out[k] = e;
    else if ('superOption' in e) out[k] = superOptions.includes(e.superOption) ? 'on' : 'off';
    else out[k] = opts.get(e.option) ?? e.default ?? 'off';
  }
  return out;
}

/** Resolve every variant of a config (format modules are loaded once per distinct path); a failure carries the JSON path of its `format`. */
export async function resolveVariants(c: CommandConfig): Promise<CommandVariant[]> {
  const src = c.source;
  const formats = new Map<string, LayerFormat | undefined>();
  const formatOf = async (spec: string) => {
    if (spec === OPAQUE_FORMAT) return undefined;
    if (!formats.has(spec)) formats.set(spec, await resolveFormat(spec, configDir(c)));
    return formats.get(spec);
  };
  const out: CommandVariant[] = [];
  for (const [i, v] of src.variants.entries()) {
    const namespace = v.namespace ?? 'private';
    const formatName = v.format ?? src.format;
    let format: LayerFormat | undefined;
    try {
      format = await formatOf(formatName);
    } catch (e) {
      throw Object.assign(e as Error, { path: v.format ? ['variants', i, 'format'] : ['format'] });
    }
    out.push({
      name: v.name,
      description: v.description ?? `${src.implementation} with options ${(v.options ?? []).join(',') || '(none)'}`,
      options: v.options ?? [],
      args: v.args ?? [],
      namespace,
      format,
      formatName,
      xattrNs: v.xattrNamespace ?? src.xattrNamespace ?? (namespace === 'userns' ? 'user' : 'trusted'),
      env: { ...(src.mount.env ?? {}), ...(v.env ?? {}) },
      claims: { ...(src.capabilities ?? {}), ...(v.capabilities ?? {}) },
      effective: { ...(src.effective ?? {}), ...(v.effective ?? {}) },
    });
  }
  return out;
}
