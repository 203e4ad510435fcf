// What a command adapter variant reports about itself: whether it can run here (root, the agent,
// the commands and devices the config requires), its capabilities (defaults, what the probe mount
// observed, what the template and the format imply, what the config claims) and its fingerprint.

import { accessSync, constants } from 'node:fs';
import { release } from 'node:os';
import type { Capabilities, Fingerprint } from '../adapter.js';
import { agentAvailable } from '../host/agent.js';
import type { MountProbe } from '../host/mountprobe.js';
import { commandText, which } from '../host/tools.js';
import type { CommandConfig } from './config.js';
import { elementText } from './template.js';
import { effectiveOptions, type CommandVariant } from './variants.js';

const isRoot = process.getuid?.() === 0;

/** Why the config's implementation cannot run here, or undefined. */
export function unavailable(c: CommandConfig): string | undefined {
  const av = agentAvailable();
  if (!av.ok) return av.reason;
  if (!isRoot) return 'needs root: the command adapter mounts inside the agent\'s private mount namespace';
  const req = c.source.requires;
  const hint = req?.install ? ` (${req.install})` : '';
  const commands = [...new Set([elementText(c.source.mount.argv[0]), ...(req?.commands ?? [])])];
  for (const cmd of commands) if (!cmd.includes('{') && !which(cmd)) return `${cmd} is not installed${hint}`;
  for (const f of req?.files ?? []) {
    try {
      accessSync(f, constants.R_OK | constants.W_OK);
    } catch (e) {
      return `${f} cannot be opened for reading and writing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})${hint}`;
    }
  }
  return undefined;
}

/** The capabilities of a variant: defaults < probed < template and format limits < the config's claims. */
export function capabilitiesOf(c: CommandConfig, v: CommandVariant, probed: Capabilities, statfsType: string): Capabilities {
  const use = c.mountUse;
  const fromTemplate: Capabilities = {};
  if (use.required.has('upper') || use.required.has('work')) fromTemplate['no-upper'] = `the mount command of ${c.display} always names {${use.required.has('upper') ? 'upper' : 'work'}}`;
  const limit = maxLowersOf(c);
  if (limit !== undefined && limit < 2) fromTemplate['multi-lower'] = `the mount command of ${c.display} names only {lower0}`;
  if (limit !== undefined && limit <= 128) fromTemplate['many-lower'] = `the mount command of ${c.display} names at most ${limit} lower layers`;
  const fromFormat: Capabilities = v.format
    ? { ...(v.format.lacks ?? {}) }
    : Object.fromEntries(['layer-state', 'whiteout', 'opaque', 'redirect', 'metacopy', 'xattr-whiteout'].map((k) => [k, `${c.display} declares the layer format opaque: ${k === 'layer-state' ? 'the layers are not inspected' : 'the suite does not know how to write its markers'}`]));
  return {
    'layer-state': true, 'no-upper': true, remount: true, 'layer-edit': true, redirect: true, metacopy: true,
    'overlay-magic': statfsType === 'overlay' ? true : `statfs reports ${statfsType}, not the overlayfs magic 0x794c7630`,
    ...probed,
    ...fromTemplate,
    ...fromFormat,
    ...v.claims,
  };
}

/** How many lower layers the mount command can name (undefined: no limit known). */
export function maxLowersOf(c: CommandConfig): number | undefined {
  if (c.source.maxLowers !== undefined) return c.source.maxLowers;
  return c.mountUse.all.has('lowers') ? undefined : c.mountUse.maxLowerIndex + 1;
}

/** The version and facts the config's version command reports. */
export function versionOf(c: CommandConfig): { version?: string; text?: string; facts: Record<string, string> } {
  const v = c.source.version;
  if (!v) return { facts: {} };
  const text = commandText(v.command);
  const pick = (re: string) => {
    const m = new RegExp(re, 'm').exec(text);
    return m ? (m[1] ?? m[0]) : undefined;
  };
  const facts: Record<string, string> = {};
  for (const [k, re] of Object.entries(v.facts ?? {})) {
    const x = pick(re);
    if (x !== undefined) facts[k] = x;
  }
  return { version: pick(v.pattern), text, facts };
}

/** The fingerprint of a variant whose probe mount succeeded. */
export function fingerprintOf(c: CommandConfig, v: CommandVariant, p: Extract<MountProbe, { ok: true }>, userns: boolean): Fingerprint {
  const ver = versionOf(c);
  return {
    implementation: c.source.implementation,
    ...(ver.version ? { version: ver.version } : {}),
    options: effectiveOptions(v, p.superOptions),
    details: {
      adapter: 'command', config: c.display, variant: v.name, format: v.formatName,
      ...(ver.text !== undefined ? { versionText: ver.text } : {}), ...ver.facts,
      kernel: release(), fstype: p.fstype, statfsType: p.statfsType, superOptions: p.superOptions,
      mountOptions: v.options, ...(v.args.length ? { mountArgs: v.args } : {}),
      userNamespace: userns, probeStartMs: Math.round(p.startMs * 10) / 10, probeStopMs: Math.round(p.stopMs * 10) / 10,
    },
  };
}
