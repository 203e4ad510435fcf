// Triage of a divergence: explained by a deviation the implementation's profile documents for
// this variant (then it is not a finding), or a finding with a signature (op, what differed,
// path class) under which equal findings are counted once.

import type { Fingerprint } from '../adapters/adapter.js';
import { documented } from '../engine/profile.js';
import type { Profile } from '../language/model.js';
import type { Divergence } from './compare.js';
import { LONG, type PathClass } from './gen/pool.js';

/** What a divergence is about, for matching against deviations and for the signature. */
export interface DivergenceFacts {
  op: string;
  what: string[];
  expected: string;
  observed: string;
  pathClass: PathClass | 'root';
  /** every path class in the case's layers (some deviations need one to be present) */
  classes: Set<string>;
  /** the step names the 255-byte name in any argument (a rename's or link's destination too) */
  long?: boolean;
  /** the path the divergence is at (a final-tree difference's path) */
  path?: string;
}

type Explainer = (f: DivergenceFacts) => boolean;
const field = (f: DivergenceFacts, ...names: string[]) => f.expected !== f.observed ? false : f.what.length > 0 && f.what.every((w) => names.includes(w));
const identity: Explainer = (f) => field(f, 'ino');
const links: Explainer = (f) => (f.classes.has('hard-link') || f.op === 'link') && field(f, 'ino', 'nlink', 'data', 'size', 'mode', 'uid', 'gid');

/** How each documented deviation shows in a generated case (those that cannot show are absent). */
export const EXPLAINERS: Record<string, Explainer> = {
  'DEV-INO-CHANGE-ON-COPYUP': identity,
  'DEV-DIR-INO-NOT-PERSISTENT': identity,
  'DEV-STDEV-NONUNIFORM': identity,
  'DEV-DINO-NOT-STINO': identity,
  'DEV-READDIR-DINO-OFFLINE-UPPER': identity,
  'DEV-LOWER-HARDLINKS-DISTINCT': (f) => identity(f) || links(f),
  'DEV-HARDLINK-BROKEN-BY-COPYUP': links,
  'DEV-LINK-SPLITS-WITHOUT-ORIGIN': links,
  'DEV-NLINK-COUNTS-HIDDEN-NAMES': (f) => field(f, 'nlink'),
  'DEV-NLINK-COUNTS-INDEX': (f) => field(f, 'nlink'),
  'DEV-UNLINKED-LOWER-NLINK': (f) => f.op === 'fstat' && field(f, 'nlink'),
  'DEV-FD-STALE-AFTER-COPYUP': (f) => (f.op === 'pread' || f.op === 'read') && field(f, 'data'),
  'DEV-MMAP-STALE-AFTER-COPYUP': (f) => f.op === 'mread' && field(f, 'data'),
  'DEV-RENAME-DIR-EXDEV': (f) => f.op === 'rename' && f.observed === 'EXDEV',
  'DEV-RENAME-DIR-LONG-REDIRECT-EXDEV': (f) => f.op === 'rename' && f.observed === 'EXDEV',
  'DEV-NAME-MAX-HIDE-TAG': (f) => (f.pathClass === 'long-name' || f.long === true) && f.observed === 'ENAMETOOLONG',
  'DEV-NAMEMAX-WH-RESERVED': (f) => (f.pathClass === 'long-name' || f.long === true) && f.observed === 'ENAMETOOLONG',
  'DEV-REDIRECT-NOT-FOLLOWED': (f) => f.classes.has('redirect-dir'),
  'DEV-UNIONFS-METADIR-LISTED': (f) => (f.op === 'readdir' && f.pathClass === 'root' && field(f, 'entries')) || (f.op.startsWith('final-') && /^\.unionfs-fuse(\/|$)/.test(f.path ?? '')),
  'DEV-COPYUP-UNLINKED-EEXIST': (f) => f.observed === 'EEXIST' && ['fchmod', 'ftruncate', 'fchown'].includes(f.op),
  'DEV-RO-BRANCHES-EACCES': (f) => f.observed === 'EACCES' && f.expected === 'EROFS',
};

/** The class of the top-level name a path lives under. */
export function pathClassOf(path: string | undefined, classes: Record<string, PathClass>): PathClass | 'root' {
  if (path === undefined || path === '.' || path === '') return 'root';
  const top = path.split('/')[0];
  if (top === LONG) return 'long-name';
  if (top.endsWith('.link')) return 'hard-link';
  return classes[top] ?? 'absent';
}

/** The facts of a divergence at a step (`path` is the step's path, or its fd's path). */
export function factsOf(d: Divergence, op: string, path: string | undefined, classes: Record<string, PathClass>, args: Record<string, unknown> = {}): DivergenceFacts {
  return {
    op, what: d.what, expected: d.expected.status, observed: d.observed.status,
    pathClass: pathClassOf(path, classes), classes: new Set(Object.values(classes)),
    long: Object.values(args).some((v) => typeof v === 'string' && v.split('/').includes(LONG)),
    path,
  };
}

/** Profiles of the implementation with `scenarios:` lists dropped: they name curated scenarios. */
function anyScenario(profiles: Profile[]): Profile[] {
  return profiles.map((p) => ({ ...p, deviations: p.deviations.map(({ scenarios: _s, ...d }) => d) }));
}

/** The documented deviation explaining a divergence, if any. `except` are the oracle's own. */
export function explain(f: DivergenceFacts, profiles: Profile[], variant: string, fp: Fingerprint, except: Set<string> = new Set()): string | undefined {
  const docd = documented(anyScenario(profiles), variant, fp, 'fuzz/generated');
  for (const id of docd.keys()) if (!except.has(id) && EXPLAINERS[id]?.(f)) return id;
  return undefined;
}

/** The deviations documented for a variant (all scenarios), e.g. the reference model's own. */
export function documentedIds(profiles: Profile[], variant: string, fp: Fingerprint): Set<string> {
  return new Set(documented(anyScenario(profiles), variant, fp, 'fuzz/generated').keys());
}

/** The deduplication key of a finding. */
export function signature(f: DivergenceFacts): string {
  const what = f.expected === f.observed ? f.what.join('+') : f.observed === 'ok' ? `${f.expected}→ok` : `→${f.observed}`;
  return `${f.op} ${what} ${f.pathClass}`;
}
