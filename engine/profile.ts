// Which deviations a profile documents for one implementation variant and scenario: the
// `when:` conditions evaluated against the variant's fingerprint.

import type { Fingerprint } from '../adapters/adapter.js';
import type { Profile, ProfileCondition, ProfileDeviation } from '../language/model.js';
import { compareVersions, versionParts } from '../language/version.js';


/** Does one condition hold for this variant? */
export function conditionHolds(c: ProfileCondition, variant: string, fp: Fingerprint): boolean {
  if (c.variant && !c.variant.includes(variant)) return false;
  for (const [key, test] of Object.entries(c.options ?? {})) {
    const v = fp.options[key];
    if ('anyOf' in test ? v === undefined || !test.anyOf.includes(v) : v !== undefined && test.not.includes(v)) return false;
  }
  if (c.version?.length) {
    if (!fp.version) return false;
    const have = versionParts(fp.version);
    for (const { op, version } of c.version) {
      const d = compareVersions(have, version);
      const ok = op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : op === '>=' ? d >= 0 : d === 0;
      if (!ok) return false;
    }
  }
  return true;
}

const globs = new Map<string, RegExp>();

/** shell-style glob (only `*`) over a whole scenario or run id */
export function globMatch(pattern: string, s: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    globs.set(pattern, re);
  }
  return re.test(s);
}

/** Whether the final-state changes a (merged) entry explains are optional; undefined when it explains none. */
export function finalOptional(d: ProfileDeviation): boolean | undefined {
  return d.final?.length ? (d.finalOptional ?? d.optional) : undefined;
}

// The entries whose `when:` holds for a variant depend on the profiles, the variant and its
// fingerprint only: found once for them, not for every result (each scenario's own filter, its
// `scenarios:` globs, still runs every time). Keyed by the objects themselves; a profile is not
// changed once loaded.
const applying = new WeakMap<Profile[], WeakMap<Fingerprint, Map<string, ProfileDeviation[]>>>();

/** the profiles' deviations, in order, whose `when:` holds for this variant */
function forVariant(profiles: Profile[], variant: string, fp: Fingerprint): ProfileDeviation[] {
  let byFp = applying.get(profiles);
  if (!byFp) applying.set(profiles, (byFp = new WeakMap()));
  let byVariant = byFp.get(fp);
  if (!byVariant) byFp.set(fp, (byVariant = new Map()));
  let list = byVariant.get(variant);
  if (!list) byVariant.set(variant, (list = profiles.flatMap((p) => p.deviations.filter((d) => d.when.length === 0 || d.when.some((c) => conditionHolds(c, variant, fp))))));
  return list;
}

/** The deviations the profiles document for this variant and scenario (id → entry). */
export function documented(profiles: Profile[], variant: string, fp: Fingerprint, scenarioId: string, runId = scenarioId): Map<string, ProfileDeviation> {
  const out = new Map<string, ProfileDeviation>();
  for (const d of forVariant(profiles, variant, fp)) {
    if (d.scenarios && !d.scenarios.some((g) => globMatch(g, scenarioId) || globMatch(g, runId))) continue;
    // two entries of one id: optional only if both are, and what either explains of the final state,
    // which is optional where an optional entry explains some: a firm step entry beside an optional
    // final one, or a narrow optional entry naming the runs where a broad entry's change comes and goes
    const prev = out.get(d.id);
    if (!prev) {
      out.set(d.id, d);
      continue;
    }
    const final = [...(prev.final ?? []), ...(d.final ?? [])];
    const [a, b] = [finalOptional(prev), finalOptional(d)];
    const fo = a === undefined ? b : b === undefined ? a : a || b;
    out.set(d.id, { ...d, optional: prev.optional && d.optional, ...(final.length ? { final } : {}), ...(fo !== undefined ? { finalOptional: fo } : {}) });
  }
  return out;
}
