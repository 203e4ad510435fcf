// Loading a command adapter config: the schema check of language/loader/file.ts (every problem as
// file:line:col: /json/path: message), then what a schema cannot say — templates that parse and
// name known placeholders, capability names from spec/capabilities.yaml, unique variant names,
// a ready condition that fits the foreground setting, a known layer format.

import { dirname, resolve } from 'node:path';
import { loadCatalog } from '../../language/loader/catalog.js';
import { errorAt, loadChecked } from '../../language/loader/file.js';
import { suggest } from '../../language/loader/validate.js';
import type { JsonPath, ParsedDoc } from '../../language/loader/yaml.js';
import type { LoadError } from '../../language/model.js';
import { PATH_OPTIONS } from '../../language/options.js';
import { formatNames, isFormatModule } from '../formats/registry.js';
import { CommandConfigSrc, type CommandConfigSource } from './schema.js';
import { analyse, TemplateError, type ArgvElement, type TemplateUse } from './template.js';

/** A config that passed every check, with what its mount template uses. */
export interface CommandConfig {
  /** absolute path of the config file (format modules resolve against its directory) */
  file: string;
  /** the path as the user gave it, for messages */
  display: string;
  source: CommandConfigSource;
  /** placeholders of mount.argv */
  mountUse: TemplateUse;
}

/** The format name that means "do not inspect the layers". */
export const OPAQUE_FORMAT = 'opaque';

let capabilityNames: Set<string> | undefined;
/** the vocabulary of spec/capabilities.yaml */
function vocabulary(): Set<string> {
  return (capabilityNames ??= new Set(loadCatalog().capabilities.keys()));
}

/** `key` or `key=value` of a variant: a name of its own, a plain value, never a layer directory. */
export function variantOptionProblem(o: string): string | undefined {
  const i = o.indexOf('=');
  const [name, value] = i < 0 ? [o, ''] : [o.slice(0, i), o.slice(i + 1)];
  if (PATH_OPTIONS.has(name)) return `option "${name}" names a layer directory; layer paths come only from the harness ({lowers}, {upper}, {work})`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return `option name "${name.slice(0, 80)}" is not a plain name (letters, digits, _ . -)`;
  if (!/^[A-Za-z0-9_.+-]{0,64}$/.test(value)) return `option ${name}: value ${JSON.stringify(value.slice(0, 80))} is not a plain token (no separators such as , = : / or spaces)`;
  return undefined;
}

/** The option names a remount may set on a config's workers: those its variants and effective options name. */
export function configOptionNames(c: CommandConfigSource): string[] {
  const names = new Set<string>();
  for (const v of c.variants) for (const o of v.options ?? []) names.add(o.split('=')[0]);
  for (const e of [c.effective, ...c.variants.map((v) => v.effective)]) for (const x of Object.values(e ?? {})) if (typeof x === 'object' && 'option' in x) names.add(x.option);
  return [...names].filter((n) => !PATH_OPTIONS.has(n)).sort();
}

const LAYER_ASSIGNMENT = /(^|[,\s])(lowerdir|upperdir|workdir|datadir)\+?=/;

/** Every semantic problem of a schema-valid config, with its JSON path. */
function problemsOf(c: CommandConfigSource): { path: JsonPath; key?: boolean; message: string }[] {
  const out: { path: JsonPath; key?: boolean; message: string }[] = [];
  const template = (path: JsonPath, argv: readonly ArgvElement[], allowArgs: boolean): TemplateUse | undefined => {
    try {
      return analyse(argv, allowArgs);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      const i = argv.findIndex((el) => {
        try {
          analyse([el], allowArgs);
          return false;
        } catch {
          return true;
        }
      });
      out.push({ path: i >= 0 && argv.length > 1 ? [...path, i] : path, message: e.message });
      return undefined;
    }
  };
  const use = template(['mount', 'argv'], c.mount.argv, true);
  if (use) {
    if (!use.all.has('merged')) out.push({ path: ['mount', 'argv'], message: 'the mount command must name the mount point {merged}' });
    if (!use.all.has('lowers') && use.maxLowerIndex < 0) out.push({ path: ['mount', 'argv'], message: 'the mount command must name the lower layers: {lowers} or {lower0}, {lower1} …' });
    if (use.all.has('dir')) out.push({ path: ['mount', 'argv'], message: '{dir} belongs in mount.lowers.item (one lower directory), not in mount.argv' });
    c.variants.forEach((v, i) => {
      if (v.args?.length && !use.all.has('args')) out.push({ path: ['variants', i, 'args'], message: `variant ${v.name} has args, but mount.argv has no {args} element to put them` });
    });
  }
  const item = c.mount.lowers?.item;
  if (item !== undefined) {
    const u = template(['mount', 'lowers', 'item'], [item], false);
    if (u && !u.all.has('dir')) out.push({ path: ['mount', 'lowers', 'item'], message: 'the lower item must contain {dir}, the lower directory' });
    if (u && [...u.all].some((n) => n !== 'dir')) out.push({ path: ['mount', 'lowers', 'item'], message: 'the lower item may only use {dir}' });
  }
  if (c.unmount?.argv) template(['unmount', 'argv'], c.unmount.argv, false);
  if (c.ready && 'file' in c.ready) template(['ready', 'file'], [c.ready.file], false);
  const envs: [JsonPath, Record<string, string> | undefined][] = [[['mount', 'env'], c.mount.env], ...c.variants.map((v, i): [JsonPath, Record<string, string> | undefined] => [['variants', i, 'env'], v.env])];
  for (const [path, env] of envs) for (const [k, v] of Object.entries(env ?? {})) template([...path, k], [v], false);
  if (c.ready && 'exit' in c.ready && c.mount.foreground !== false)
    out.push({ path: ['ready', 'exit'], message: 'ready: { exit: true } needs mount.foreground: false (a command that stays in the foreground never exits)' });
  const regexes: [JsonPath, string][] = c.version ? [[['version', 'pattern'], c.version.pattern], ...Object.entries(c.version.facts ?? {}).map(([k, re]): [JsonPath, string] => [['version', 'facts', k], re])] : [];
  for (const [path, re] of regexes) {
    try {
      new RegExp(re);
    } catch (e) {
      out.push({ path, message: `not a regular expression: ${(e as Error).message}` });
    }
  }
  c.variants.forEach((v, i) => {
    (v.options ?? []).forEach((o, j) => {
      const why = variantOptionProblem(o);
      if (why) out.push({ path: ['variants', i, 'options', j], message: why });
    });
    (v.args ?? []).forEach((a, j) => {
      if (LAYER_ASSIGNMENT.test(a)) out.push({ path: ['variants', i, 'args', j], message: 'an extra argument sets a layer directory; layer paths come only from the harness ({lowers}, {upper}, {work})' });
    });
  });
  const seen = new Map<string, number>();
  c.variants.forEach((v, i) => {
    if (seen.has(v.name)) out.push({ path: ['variants', i, 'name'], message: `variant ${v.name} is defined twice (first as variants[${seen.get(v.name)}])` });
    seen.set(v.name, i);
  });
  const caps = vocabulary();
  const claims: [JsonPath, Record<string, unknown> | undefined][] = [[['capabilities'], c.capabilities], ...c.variants.map((v, i): [JsonPath, Record<string, unknown> | undefined] => [['variants', i, 'capabilities'], v.capabilities])];
  for (const [path, claim] of claims) for (const k of Object.keys(claim ?? {}))
    if (caps.size && !caps.has(k)) out.push({ path: [...path, k], key: true, message: `unknown capability ${k}${suggest(k, caps)}; capabilities are listed in spec/capabilities.yaml` });
  const formats: [JsonPath, string | undefined][] = [[['format'], c.format], ...c.variants.map((v, i): [JsonPath, string | undefined] => [['variants', i, 'format'], v.format])];
  for (const [path, f] of formats) if (f !== undefined && f !== OPAQUE_FORMAT && !isFormatModule(f) && !formatNames().includes(f))
    out.push({ path, message: `unknown layer format "${f}"${suggest(f, [...formatNames(), OPAQUE_FORMAT])}; formats: ${[...formatNames(), OPAQUE_FORMAT].join(', ')}, or a module path (./my-format.js)` });
  return out;
}

/** Load and check a config file; every problem is a LoadError naming file:line:col and the JSON path. */
export function loadCommandConfig(file: string, display = file): { config?: CommandConfig; doc?: ParsedDoc; errors: LoadError[] } {
  const { value, doc, errors } = loadChecked<CommandConfigSource>(file, CommandConfigSrc, display);
  if (!value) return { doc, errors };
  const problems = problemsOf(value);
  if (problems.length) {
    const found = problems.map((p) => errorAt(display, doc, { path: p.path, key: p.key ?? false, message: p.message }));
    return { doc, errors: found.sort((a, b) => a.line - b.line || a.col - b.col) };
  }
  return { doc, errors: [], config: { file: resolve(file), display, source: value, mountUse: analyse(value.mount.argv, true) } };
}

/** The directory relative module paths of a config resolve against. */
export const configDir = (c: CommandConfig) => dirname(c.file);
