// The two ways a scenario says more than POSIX: a `linux:` expectation (the one answer Linux
// filesystems give where POSIX allows several; another POSIX answer is the kind-linux deviation
// DEV-LINUX-CONVENTION, never a silent pass) and `when:` layer-state checks that hold only on
// variants with some options or capabilities. Kept apart from the classifier's verdict logic.

import type { CanonTree } from '../language/canonical.js';
import { conditionHolds, describeCondition, LINUX_CONVENTION, type ConditionContext } from '../language/loader/condition.js';
import type { After } from '../language/model.js';
import { afterMismatch } from './after.js';
import type { StepRun } from './judge.js';

export { LINUX_CONVENTION };

/** The Linux-convention deviation a POSIX step showed, with why; undefined when it gave the Linux answer (or has none). */
export function linuxConvention(r: StepRun): { id: string; why: string } | undefined {
  const j = r.judgement;
  return j.kind === 'posix' && j.linux ? { id: LINUX_CONVENTION, why: j.linux } : undefined;
}

/** The first `after.when` check that applies on this variant and does not hold. */
export function conditionalAfterMismatch(after: After, context: ConditionContext | undefined, upper: CanonTree | null, lowersBefore: CanonTree[] | undefined, lowersAfter: CanonTree[]): string | undefined {
  if (!context) return undefined;
  for (const w of after.when) {
    if (!conditionHolds(w.when, context)) continue;
    const why = afterMismatch(w.spec, upper, lowersBefore, lowersAfter);
    if (why) return `where ${describeCondition(w.when)}: ${why}`;
  }
  return undefined;
}
