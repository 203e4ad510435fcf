// The loaded, validated and normalised forms the executor and classifier work on.

import type { CanonLayers, CanonTree } from './canonical.js';
import type { OpName } from './ops.js';

/** Identity a step runs as (`user:` in a scenario). */
export interface Cred {
  uid: number;
  gid: number;
  groups?: number[];
}

/** A matcher after normalisation: equality or comparison against a literal or a $reference. */
export type Matcher =
  | { eq: unknown }
  | { ne: unknown }
  | { gt: unknown }
  | { ge: unknown }
  | { lt: unknown }
  | { le: unknown }
  | { in: unknown[] }
  | { notIn: unknown[] };

/** What a step must observe: an errno (one of), or success with value matchers. */
export interface Expectation {
  /** any outcome is acceptable (observed, never asserted: undefined behaviour) */
  any?: boolean;
  errno?: string[];
  /** field of the op's value → matchers (all must hold) */
  fields: Record<string, Matcher[]>;
  /** listings compared as sets */
  entries?: string[];
  names?: string[];
  includes?: string[];
  excludes?: string[];
  entryTypes?: Record<string, string>;
}

/**
 * Where a conditional expectation or layer-state check applies: every listed option has one of
 * the listed effective values, every capability in `capabilities` is present and every one in
 * `without` is absent on the variant.
 */
export interface Condition {
  options?: Record<string, string[]>;
  capabilities?: string[];
  without?: string[];
}

/** An expectation that must also hold where its condition does (`when:` on a step). */
export interface ConditionalExpectation {
  when: Condition;
  expect: Expectation;
}

export interface Alternative extends Expectation {
  stop: boolean;
}

export interface Step {
  index: number;
  line: number;
  op: OpName;
  /** arguments as written (after shorthand expansion), with $refs and binding names unresolved */
  args: Record<string, unknown>;
  expect: Expectation;
  as?: string;
  deviations: Record<string, Alternative>;
  /** the answer Linux local filesystems (ext4, tmpfs) give where POSIX allows several: another POSIX answer is a `linux` deviation */
  linux?: Expectation;
  /** expectations that must also hold on variants where their condition does */
  when: ConditionalExpectation[];
  user?: Cred;
  timeoutMs?: number;
}

export type AfterMatcher =
  | { type: 'absent' }
  | {
      type: 'file' | 'dir' | 'symlink' | 'fifo' | 'chr' | 'blk' | 'sock' | 'whiteout';
      data?: Uint8Array;
      size?: Matcher[];
      mode?: number;
      uid?: number;
      gid?: number;
      target?: string;
      opaque?: 'y' | 'x' | false;
      redirect?: string | null;
      metacopy?: boolean;
      xattrs?: Record<string, Uint8Array | null>;
      nlink?: Matcher[];
      major?: number;
      minor?: number;
      sameAs?: string;
      /** carries overlay.origin */
      origin?: boolean;
      /** linked into the inodes index (workdir/index) */
      indexed?: boolean;
    };

export interface AfterSpec {
  upper?: Record<string, AfterMatcher>;
  lowerUnchanged: boolean;
  exact: boolean;
}
export interface After extends AfterSpec {
  line: number;
  deviations: Record<string, AfterSpec>;
  /** layer-state checks that must also hold on variants where their condition does */
  when: { when: Condition; spec: AfterSpec }[];
}

export interface Scenario {
  /** run id: base id plus `[dim=label,…]` for vary expansions */
  runId: string;
  id: string;
  vary?: Record<string, string>;
  title: string;
  behaviour: string[];
  refs: string[];
  requires: string[];
  file: string;
  line: number;
  layers: CanonLayers;
  steps: Step[];
  after?: After;
  timeoutMs?: number;
  /** why POSIX leaves the final state open: no warm/cold final-state check */
  finalOpen?: string;
  /** why POSIX leaves the final tree open between implementations: no comparison with the posix baseline's final tree */
  baselineOpen?: string;
  /** every deviation id this scenario mentions (steps and after) */
  mentions: string[];
}

export interface LoadError {
  file: string;
  line: number;
  col: number;
  /** JSON pointer into the document */
  path: string;
  message: string;
}

export function formatLoadError(e: LoadError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.path || '/'}: ${e.message}`;
}

export interface DeviationDefinition {
  id: string;
  title: string;
  posix: string;
  differs: string;
  why?: string;
  kind: 'posix' | 'linux' | 'model';
  behaviours: string[];
  since?: string;
  until?: string;
  refs: string[];
  /** the spec/deviations/*.yaml file defining it */
  file?: string;
}

export interface ProfileCondition {
  variant?: string[];
  options?: Record<string, { anyOf: string[] } | { not: string[] }>;
  version?: { op: '<' | '<=' | '>' | '>=' | '='; version: number[] }[];
}

export interface ProfileDeviation {
  id: string;
  /** any of; empty: always */
  when: ProfileCondition[];
  scenarios?: string[];
  optional: boolean;
  observed: string;
  note?: string;
  /** warm/cold final-state changes it explains, e.g. "nlink 1 → 2" (engine/final.ts) */
  final?: string[];
  /** set when entries of one id are merged (engine/profile.ts): whether the final-state changes they explain are optional (an entry of the id with `final` is) */
  finalOptional?: boolean;
}

export interface Profile {
  implementation: string;
  file: string;
  description?: string;
  deviations: ProfileDeviation[];
}

export type LayerTree = CanonTree;
