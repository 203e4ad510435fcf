// Writing a shrunk finding as a scenario file (expected values from the oracle, the observed
// alternative in a comment), checked by running it again, and keeping the folder's index.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'yaml';
import { classify } from '../engine/classify.js';
import type { CaseContext, CaseVerdict } from './case-run.js';
import { runAllSides, verdictOf } from './case-run.js';
import { compareRuns, type Divergence } from './compare.js';
import { behaviourOf, expectationOf, observedText } from './expect.js';
import { caseDoc, type Case } from './gen/case.js';
import { shown } from './gen/pool.js';
import { loadDoc, loadFile } from './load.js';
import { runOn } from './sides.js';

type Finding = Extract<CaseVerdict, { kind: 'finding' }>;

/** One line of the findings index. */
export interface IndexEntry {
  signature: string;
  file: string;
  target: string;
  command: string;
  steps: number;
  expected: string;
  observed: string;
  /** the written scenario fails on the implementation and passes on the oracle */
  checked: boolean;
}

/** Steps of the case's document: the actions, and of the sweep only the diverging step. */
function trimmed(f: Finding): Record<string, unknown> {
  const steps = (f.doc.steps as Record<string, unknown>[]).slice(0, f.d.step + 1);
  const keep = steps.filter((_s, i) => i === f.d.step || !isSweep(f, i));
  return { ...f.doc, steps: keep };
}
const isSweep = (f: Finding, i: number) => i >= f.actions;

/** Rerun a document; the finding again (same signature) or undefined. */
async function again(ctx: CaseContext, c: Case, doc: Record<string, unknown>, signature: string): Promise<Finding | undefined> {
  const s = loadDoc(doc, ctx.dir, 'again.yaml', ctx.catalog);
  const { impl, oracles } = await runAllSides(ctx, s);
  const v = verdictOf(ctx, c, s, doc, compareRuns(impl, oracles), (doc.steps as unknown[]).length - 1);
  return v.kind === 'finding' && v.signature === signature ? v : undefined;
}

/**
 * A final-tree finding made visible to steps: the actions, a remount when the tree changed on
 * one, then observations of the differing path; the first step that diverges, or undefined.
 */
async function probeFinal(ctx: CaseContext, f: Finding): Promise<{ doc: Record<string, unknown>; d: Divergence } | undefined> {
  const fin = f.d.final;
  if (!fin) return undefined;
  const parent = fin.path.includes('/') ? fin.path.slice(0, fin.path.lastIndexOf('/')) : '.';
  const look = [
    ...(fin.op === 'final-remount' ? [{ remount: {} }] : []),
    { readdir: parent }, { lstat: fin.path }, { readfile: fin.path }, { readlink: fin.path }, ...(ctx.xattr ? [{ listxattr: fin.path }] : []),
  ].map((st) => ({ ...st, expect: { any: true } }));
  const doc = { ...f.doc, steps: [...(f.doc.steps as unknown[]).slice(0, f.actions), ...look] };
  const s = loadDoc(doc, ctx.dir, 'probe.yaml', ctx.catalog);
  const { impl, oracles } = await runAllSides(ctx, s);
  const cmp = compareRuns(impl, oracles);
  if (cmp.kind !== 'diverge' || cmp.d.final) return undefined;
  return { doc: { ...doc, steps: doc.steps.slice(0, cmp.d.step + 1) }, d: cmp.d };
}

/** Write a finding into `dir` (deduplicated by signature); returns its index entry. */
export async function writeFinding(dir: string, f: Finding, c: Case, ctx: CaseContext, command: string): Promise<IndexEntry> {
  mkdirSync(dir, { recursive: true });
  const probe = await probeFinal(ctx, f);
  const short = probe ? undefined : await again(ctx, c, trimmed(f), f.signature);
  const use = probe ?? short ?? f;
  const doc = probe ? probe.doc : short ? trimmed(f) : { ...f.doc, steps: (f.doc.steps as unknown[]).slice(0, f.d.step + 1) };
  const hash = createHash('sha1').update(f.signature).digest('hex').slice(0, 8);
  const target = `${ctx.impl.adapter.name}/${ctx.impl.variant}`;
  const id = `fuzz/${ctx.impl.adapter.name}-${hash}`;
  // a step no side could run (its handle was never bound) says nothing: left out
  const kept = (doc.steps as Record<string, unknown>[]).map((st, i) => ({ st, n: use.d.oracleSteps[i] })).filter((x, i) => i === use.d.step || x.n?.status !== 'notRun');
  const at = kept.findIndex((x) => x.n === use.d.oracleSteps[use.d.step]);
  const steps = kept.map(({ st, n }) => {
    const { expect: _e, ...rest } = st;
    const e = n ? expectationOf(n, Object.keys(rest)[0]) : undefined;
    return e ? { ...rest, expect: e } : rest;
  });
  const op = f.facts.op;
  const out = new Document({
    id, title: `Generated: ${shown(f.signature)}`.slice(0, 200),
    behaviour: [behaviourOf(op)], refs: [ctx.catalog.refs.has(`posix:${op}`) ? `posix:${op}` : 'posix:rename'],
    layers: doc.layers, steps,
  });
  const fin = f.d.final ? `\n final tree (${f.d.final.op}) at ${shown(f.d.final.path)}: expected ${observedText(f.d.final.expected)}, observed ${observedText(f.d.final.observed)}` : '';
  out.commentBefore = ` found by: ${command}\n signature: ${shown(f.signature)}${fin}\n expected from the oracle ${use.d.oracle}; observed on ${target} at step ${(at < 0 ? steps.length - 1 : at) + 1}`;
  const seq = out.get('steps') as { items: { commentBefore?: string }[] };
  seq.items[at < 0 ? steps.length - 1 : at].commentBefore = ` observed on ${target}: ${observedText(use.d.observed)}`;
  const file = join(dir, `${id.replace('fuzz/', '')}.yaml`);
  writeFileSync(file, out.toString({ lineWidth: 0, flowCollectionPadding: true }));
  const checked = await check(ctx, file);
  const entry: IndexEntry = {
    signature: f.signature, file, target, command, steps: steps.length,
    expected: use.d.expected.status === 'ok' ? JSON.stringify(use.d.expected.fields) : use.d.expected.status,
    observed: observedText(use.d.observed), checked,
  };
  addToIndex(dir, entry);
  return entry;
}

/** The written file loads, passes on the oracle it names and does not pass on the implementation. */
async function check(ctx: CaseContext, file: string): Promise<boolean> {
  const s = loadFile(file, ctx.catalog);
  const none = new Map();
  const impl = classify(s, await runOn(ctx.impl, s, `chk${++ctx.n}`, ctx.timeoutMs), none).verdict;
  const oracle = classify(s, await runOn(ctx.oracles[0], s, `chk${++ctx.n}`, ctx.timeoutMs), none).verdict;
  const last = ctx.oracles.length > 1 ? classify(s, await runOn(ctx.oracles[1], s, `chk${++ctx.n}`, ctx.timeoutMs), none).verdict : 'fail';
  return impl === 'fail' && (oracle === 'pass' || last === 'pass');
}

/** Add an entry to `dir`/index.json and rewrite the short INDEX.md beside it. */
export function addToIndex(dir: string, e: IndexEntry): void {
  const jf = join(dir, 'index.json');
  const all: IndexEntry[] = existsSync(jf) ? JSON.parse(readFileSync(jf, 'utf8')) : [];
  const rest = all.filter((x) => !(x.signature === e.signature && x.target === e.target));
  rest.push(e);
  writeFileSync(jf, JSON.stringify(rest, null, 2) + '\n');
  const rows = rest.map((x) => `| ${x.target} | \`${shown(x.signature)}\` | ${x.steps} | ${x.expected.replace(/\|/g, '\\|')} | ${shown(x.observed).replace(/\|/g, '\\|')} | ${x.checked ? 'yes' : 'no'} | ${x.file.split('/').pop()} |`);
  writeFileSync(join(dir, 'INDEX.md'), `# Fuzz findings\n\nOne scenario per signature (op, what differed, path class). "checked": the file fails on the implementation and passes on an oracle when run again.\n\n| target | signature | steps | expected | observed | checked | file |\n| --- | --- | ---: | --- | --- | --- | --- |\n${rows.join('\n')}\n`);
}
