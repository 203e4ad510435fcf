// A generated case (a layer stack and actions) as a scenario document in the scenario file's
// own syntax, plus the final sweep that observes the whole merged tree after the actions.

import fc from 'fast-check';
import type { Capabilities } from '../../adapters/adapter.js';
import { actionsArb, type Action, type ActionCaps } from './actions.js';
import { stackArb, type Stack, type StackCaps } from './layers.js';
import { FIFO_SLOTS, REGULAR_PATHS } from './pool.js';

/** One generated test case. */
export interface Case {
  stack: Stack;
  actions: Action[];
}

/** Where a document step came from: the action it expands, or the final-tree sweep. */
export type StepOrigin = { action: number } | { sweep: true };

/** A scenario document ready to be written as YAML and its steps' origins. */
export interface CaseDoc {
  doc: Record<string, unknown>;
  origins: StepOrigin[];
}

const has = (caps: Capabilities, k: string) => caps[k] === true;

/** What every one of the compared workers can do, from their capabilities. */
export function capsOf(all: Capabilities[], maxLowers: number): { stack: StackCaps; actions: ActionCaps } {
  const c = (k: string) => all.every((x) => has(x, k));
  return {
    stack: {
      multiLower: c('multi-lower') && maxLowers > 1, whiteout: c('whiteout'), opaque: c('opaque'), redirect: c('redirect'),
      hardlink: c('hardlink'), symlink: c('symlink'), fifo: c('fifo'), xattr: c('xattr'), chown: c('chown'),
    },
    actions: {
      xattr: c('xattr'), mmap: c('mmap'), remount: c('remount'), dropCaches: c('drop-caches'), otherUser: c('other-user'),
      chown: c('chown'), fifo: c('fifo'), renameat2: c('renameat2'), symlink: c('symlink'), hardlink: c('hardlink'),
    },
  };
}

/** Arbitrary of whole cases. */
export function caseArb(caps: { stack: StackCaps; actions: ActionCaps }, maxActions = 12): fc.Arbitrary<Case> {
  return fc.record({ stack: stackArb(caps.stack), actions: actionsArb(caps.actions, maxActions) });
}

/** The sweep: every pool path's lstat and content, and every directory's listing. */
export function sweepSteps(xattr: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const d of ['.', 'm', 'n', 'm/s']) out.push({ readdir: d });
  for (const p of [...REGULAR_PATHS, ...FIFO_SLOTS]) out.push({ lstat: p });
  for (const p of REGULAR_PATHS) out.push({ readfile: p });
  if (xattr) for (const p of ['a', 'b', 'm']) out.push({ listxattr: p });
  return out;
}

/** Turn a case into a scenario document; actions whose handle is not bound are dropped. */
export function caseDoc(c: Case, id: string, opts: { xattr: boolean; sweep?: boolean; title?: string }): CaseDoc {
  const steps: Record<string, unknown>[] = [];
  const origins: StepOrigin[] = [];
  const bound = new Map<string, string>();
  let n = 0;
  c.actions.forEach((a, i) => {
    const args: Record<string, unknown> = { ...a.args };
    if (a.use) {
      const name = bound.get(`${a.use.kind}${a.use.slot}`);
      if (!name) return;
      args[a.use.arg] = name;
    }
    const step: Record<string, unknown> = { [a.op]: args };
    if (a.bind) {
      const name = `${a.bind.kind === 'fd' ? 'f' : 'map'}${a.bind.slot}_${++n}`;
      bound.set(`${a.bind.kind}${a.bind.slot}`, name);
      step.as = name;
    }
    if (a.op === 'close' && a.use) bound.delete(`fd${a.use.slot}`);
    if (a.user) step.user = a.user;
    steps.push(step);
    origins.push({ action: i });
  });
  if (opts.sweep !== false) for (const s of sweepSteps(opts.xattr)) {
    steps.push(s);
    origins.push({ sweep: true });
  }
  const layers: Record<string, unknown> = { lower: c.stack.lower, upper: c.stack.upper };
  const doc = {
    id, title: opts.title ?? 'A generated scenario', behaviour: ['LK-001'], refs: ['posix:rename'],
    layers, steps: steps.map((s) => ({ ...s, expect: { any: true } })),
  };
  return { doc, origins };
}
