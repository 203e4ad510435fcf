// The registry of named layer formats: the built-in ones, formats a plug-in registers, and
// formats loaded from a module a command config names (`format: ./my-format.js`), each checked
// for the contract's shape before it is used.

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_FORMATS } from './builtin.js';
import type { LayerFormat } from './types.js';

const formats = new Map<string, LayerFormat>(BUILTIN_FORMATS.map((f) => [f.name, f]));

/** A format module or registration that does not satisfy the contract. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** Why a value is not a LayerFormat, or undefined when it is one. */
export function formatProblem(f: unknown): string | undefined {
  const x = f as Partial<LayerFormat> | undefined;
  if (!x || typeof x !== 'object') return 'it is not an object';
  const missing = (['name', 'markers', 'decode'] as const).filter((k) => !(k in x));
  if (missing.length) return `missing ${missing.join(', ')}`;
  if (typeof x.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(x.name)) return 'name must be a lower-case word (letters, digits, dashes)';
  for (const k of ['markers', 'decode', 'prepare', 'extra'] as const) if (k in x && x[k] !== undefined && typeof x[k] !== 'function') return `${k} must be a function`;
  return undefined;
}

/** Register a format under its name (a plug-in teaching the suite its upper-layer format); replaces none. */
export function registerFormat(f: LayerFormat): void {
  const why = formatProblem(f);
  if (why) throw new FormatError(`not a layer format: ${why}`);
  if (formats.has(f.name)) throw new FormatError(`a layer format named "${f.name}" is already registered`);
  formats.set(f.name, f);
}

/** The format registered under name, or undefined. */
export function getFormat(name: string): LayerFormat | undefined {
  return formats.get(name);
}

/** names of the registered formats */
export function formatNames(): string[] {
  return [...formats.keys()];
}

/** Whether a config's `format:` value names a module rather than a registered format. */
export function isFormatModule(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.(c|m)?js$/.test(spec);
}

/** Load a format module (a `default` or `format` export, or a function returning one); relative paths resolve against baseDir. */
export async function loadFormatModule(spec: string, baseDir: string): Promise<LayerFormat> {
  let target = spec;
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const file = resolve(baseDir, spec);
    if (!existsSync(file)) throw new FormatError(`layer format module ${spec}: no such file (${file})`);
    target = pathToFileURL(file).href;
  }
  let mod: { default?: unknown; format?: unknown };
  try {
    mod = (await import(target)) as typeof mod;
  } catch (e) {
    throw new FormatError(`layer format module ${spec} failed to load: ${(e as Error).message}`);
  }
  const exp = mod.format ?? mod.default;
  const value = typeof exp === 'function' ? await (exp as () => unknown)() : exp;
  const why = formatProblem(value);
  if (why) throw new FormatError(`${spec} does not export a layer format: ${why} (see LayerFormat in overlay-conformance/formats)`);
  return value as LayerFormat;
}

/** A registered format by name or a format module, whichever `spec` is. */
export async function resolveFormat(spec: string, baseDir: string): Promise<LayerFormat> {
  if (isFormatModule(spec)) return loadFormatModule(spec, baseDir);
  const f = getFormat(spec);
  if (!f) throw new FormatError(`unknown layer format "${spec}"; formats: ${formatNames().join(', ')}, opaque, or a module path (./my-format.js)`);
  return f;
}
