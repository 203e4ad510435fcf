// Whether this machine matches the published results (conformance/verdicts.tsv): the verdict
// of every run the two share, compared; what differs, in a few lines.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../language/root.js';
import type { ResultsFile } from '../language/schema/results.js';
import { runKey, verdictChanges, verdictLines } from './conformance/verdicts.js';
import { mayDiffer } from '../engine/known.js';
import { documented } from '../engine/profile.js';
import type { KnownFailures } from '../language/loader/known.js';
import type { Profile } from '../language/model.js';
import type { Result } from '../language/schema/results.js';

export const PUBLISHED_FILE = 'conformance/verdicts.tsv';

/** beyond this many variants a run reads every published line (one scan of the file per variant would cost more) */
const FEW = 4;

/**
 * The published verdict lines, or undefined when the package has none; given the few adapter
 * variants of a run ("adapter/variant"), only their lines, in the file's order (a run is compared
 * with those alone): cut out of the file's bytes, where decoding and splitting all ~94,000 lines
 * (7 MB) and then filtering them was ~60 ms of a one-variant `run`.
 */
export function readPublished(variants?: Iterable<string>, path = join(packageRoot(), PUBLISHED_FILE)): string[] | undefined {
  if (!existsSync(path)) return undefined;
  const names = variants ? new Set(variants) : undefined;
  if (!names || names.size > FEW) return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const buf = readFileSync(path);
  const starts: number[] = [];
  for (const v of names) {
    const head = Buffer.from(`${v}\t`);
    if (buf.subarray(0, head.length).equals(head)) starts.push(0);
    const needle = Buffer.concat([Buffer.from('\n'), head]);
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) starts.push(i + 1);
  }
  return starts.sort((a, b) => a - b).map((s) => {
    const e = buf.indexOf(10, s);
    return buf.toString('utf8', s, e < 0 ? buf.length : e);
  });
}

export interface PublishedComparison {
  /** runs both have */
  shared: number;
  /** "changed: …" lines for shared runs whose verdict or deviations differ */
  changes: string[];
  /** runs of this machine with no published verdict (new scenarios or variants) */
  unpublished: number;
  /** shared runs that differ but may: a flaky known failure covers them, or they were flaky on retry here */
  flaky: string[];
}

/**
 * Whether a run's verdict and a published one differ only by deviations its profile marks
 * `optional` (POSIX may also be observed: what the caches held decides), e.g. pass against
 * "deviation DEV-X" or "deviation DEV-A,DEV-X" against "deviation DEV-A" with DEV-X optional.
 */
export function optionalOnly(r: Result, file: ResultsFile, profiles: Map<string, Profile[]>, publishedVerdict: string, publishedDevs: string): boolean {
  const fp = file.environment.variants[`${r.adapter}/${r.variant}`];
  if (!fp) return false;
  const doc = documented(profiles.get(fp.implementation) ?? [], r.variant, fp, r.id, r.scenario);
  const firm = (verdict: string, devs: string[]) => {
    if (verdict !== 'pass' && verdict !== 'deviation') return verdict;
    const kept = devs.filter((d) => !doc.get(d)?.optional).sort();
    return kept.length ? `deviation ${kept.join(',')}` : 'pass';
  };
  const optionals = [...(r.deviations ?? []), ...publishedDevs.split(',').filter(Boolean)].some((d) => doc.get(d)?.optional);
  return optionals && firm(r.verdict, r.deviations ?? []) === firm(publishedVerdict, publishedDevs.split(',').filter(Boolean));
}

/**
 * The runs ("adapter/variant<TAB>run id") of a fresh run that may differ from the published
 * verdicts: engine/known.ts mayDiffer (flaky), or, given the profiles, a difference made only of
 * optional deviations.
 */
export function looseRuns(file: ResultsFile, published: string[], known?: KnownFailures, profiles?: Map<string, Profile[]>): Set<string> {
  const key = (r: { adapter: string; variant: string; scenario: string }) => `${r.adapter}/${r.variant}\t${r.scenario}`;
  const was = new Map(published.map((l) => { const [v, s, verdict, devs] = l.split('\t'); return [`${v}\t${s}`, { verdict, devs: devs ?? '' }]; }));
  return new Set(file.results.filter((r) => {
    const p = was.get(key(r));
    if (mayDiffer(r, known?.get(r.adapter) ?? [], p?.verdict)) return true;
    // the profile lookup only for a run that differs at all (most of a whole run's 93,000 do not)
    const same = p && p.verdict === r.verdict && p.devs === (r.deviations ?? []).join(',');
    return !!p && !same && !!profiles && optionalOnly(r, file, profiles, p.verdict, p.devs);
  }).map(key));
}

/** Compare a run with the published verdicts, restricted to the variants and scenarios it ran. */
export function comparePublished(file: ResultsFile, published: string[], known?: KnownFailures, profiles?: Map<string, Profile[]>): PublishedComparison {
  const fresh = verdictLines(file);
  const keys = new Set(fresh.map(runKey));
  const mine = published.filter((l) => keys.has(runKey(l)));
  // a run a flaky known failure covers (or that was flaky on retry) may differ from the published verdict
  const loose = looseRuns(file, mine, known, profiles);
  const firm = (ls: string[]) => (loose.size ? ls.filter((l) => !loose.has(runKey(l))) : ls);
  const all = verdictChanges(firm(mine), firm(fresh));
  const flaky = loose.size ? verdictChanges(mine.filter((l) => loose.has(runKey(l))), fresh.filter((l) => loose.has(runKey(l)))).filter((c) => c.startsWith('changed:')) : [];
  const changes = all.filter((c) => c.startsWith('changed:'));
  return { shared: mine.length, changes, unpublished: all.filter((c) => c.startsWith('new:')).length, flaky };
}

/** A few lines for the end of a run. */
export function renderPublished(c: PublishedComparison, max = 5): string[] {
  if (!c.shared) return [`No published verdicts (${PUBLISHED_FILE}) for what ran here: nothing to compare with.`];
  const extra = c.unpublished ? ` (${c.unpublished} run${c.unpublished === 1 ? '' : 's'} here have no published verdict)` : '';
  const loose = c.flaky.length ? ` ${c.flaky.length} run${c.flaky.length === 1 ? '' : 's'} known to be flaky ${c.flaky.length === 1 ? 'differs' : 'differ'}, as allowed: ${c.flaky.slice(0, 3).map((l) => l.replace(/^changed: /, '')).join('; ')}${c.flaky.length > 3 ? '; …' : ''}.` : '';
  if (!c.changes.length) return [`This machine matches the published results (${PUBLISHED_FILE}): ${c.flaky.length ? `all ${c.shared - c.flaky.length} of ${c.shared} shared runs not known to be flaky` : `all ${c.shared} shared runs`} have the same verdict${extra}.${loose}`];
  return [
    `This machine differs from the published results (${PUBLISHED_FILE}) in ${c.changes.length} of ${c.shared} shared runs${extra}:`,
    ...c.changes.slice(0, max).map((l) => '  ' + l.replace(/^changed: /, '')),
    ...(c.changes.length > max ? [`  … and ${c.changes.length - max} more (\`ovlconf diff\` against a published run, or \`ovlconf matrix --check\`)`] : []),
    ...(loose ? [loose.trim()] : []),
  ];
}
