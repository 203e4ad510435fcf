// TypeBox source of spec/results.schema.json: the results file other tools (diff, merge,
// CONFORMANCE.md) read. Verdict names are part of the public contract.

import { Type, type Static } from '@sinclair/typebox';

export const VERDICTS = ['pass', 'deviation', 'fail', 'xpass', 'skip', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VerdictT = Type.Union(VERDICTS.map((v) => Type.Literal(v)));

/** One observation as JSON: the op's value, its errno, or what the harness saw instead. */
export const ObservationT = Type.Union([
  Type.Object({ ok: Type.Literal(true), value: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
  Type.Object({ ok: Type.Literal(false), errno: Type.String(), message: Type.Optional(Type.String()) }, { additionalProperties: false }),
  Type.Object({ ok: Type.Literal(false), escape: Type.String() }, { additionalProperties: false }),
  Type.Object({ ok: Type.Literal(false), timeout: Type.Integer() }, { additionalProperties: false }),
  Type.Object({ ok: Type.Literal(false), harness: Type.String() }, { additionalProperties: false }),
  Type.Object({ ok: Type.Literal(false), skip: Type.String() }, { additionalProperties: false }),
  /** the step did not run: it depends on something an earlier step did not produce (an fd, a binding) */
  Type.Object({ ok: Type.Literal(false), notRun: Type.String() }, { additionalProperties: false }),
]);
export type Observation = Static<typeof ObservationT>;

export const StepRecordT = Type.Object(
  {
    /** 1-based, as messages say it ("step 3") */
    step: Type.Integer({ minimum: 1 }),
    line: Type.Integer({ minimum: 1 }),
    op: Type.String(),
    args: Type.Optional(Type.Unknown()),
    user: Type.Optional(Type.Unknown()),
    observed: ObservationT,
    /** 'posix', a deviation id, or null when nothing matched */
    matched: Type.Union([Type.String(), Type.Null()]),
    /** why the observation met neither POSIX nor a documented deviation */
    why: Type.Optional(Type.String()),
    ms: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export type StepRecord = Static<typeof StepRecordT>;

export const FailureT = Type.Object(
  {
    message: Type.String(),
    file: Type.String(),
    line: Type.Optional(Type.Integer()),
    step: Type.Optional(Type.Integer()),
    expected: Type.Optional(Type.Unknown()),
    observed: Type.Optional(Type.Unknown()),
    /** deviations whose alternative matched but the profile does not document here */
    matches: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type Failure = Static<typeof FailureT>;

/** One unexpected observation of a run that has more than one: every mismatch, in step order. */
export const MismatchT = Type.Object(
  { message: Type.String(), line: Type.Integer(), step: Type.Optional(Type.Integer()) },
  { additionalProperties: false },
);

export const ResultT = Type.Object(
  {
    scenario: Type.String({ description: 'run id: the scenario id plus [dim=value,…] for a vary expansion' }),
    id: Type.String({ description: 'the scenario id' }),
    vary: Type.Optional(Type.Record(Type.String(), Type.String())),
    file: Type.String(),
    behaviour: Type.Array(Type.String()),
    adapter: Type.String(),
    variant: Type.String(),
    verdict: VerdictT,
    deviations: Type.Optional(Type.Array(Type.String())),
    reason: Type.Optional(Type.String({ description: 'why skip/error/xpass, in words' })),
    notes: Type.Optional(Type.Array(Type.String())),
    failure: Type.Optional(FailureT),
    /** every unexpected observation when there is more than one (the first is `failure`) */
    mismatches: Type.Optional(Type.Array(MismatchT)),
    /** a spec/known-failures entry about this run: it failed as known, or it no longer fails (fixed: unexpected) */
    known: Type.Optional(Type.Object({
      id: Type.String(),
      /** known: it failed as the entry expects; fixed: it did not fail (unexpected) */
      outcome: Type.Union([Type.Literal('known'), Type.Literal('fixed')]),
      /** the entry is marked flaky: this run may pass or fail from one run to the next */
      flaky: Type.Optional(Type.Literal(true)),
    }, { additionalProperties: false })),
    /** the cold final tree against the posix baseline's: 'same', the differences in words (and what explains them), or why not compared; absent: not compared (a step already differed, or no final state) */
    baseline: Type.Optional(Type.Union([
      Type.Literal('same'),
      Type.Object({ notCompared: Type.String() }, { additionalProperties: false }),
      Type.Object({ differs: Type.Array(Type.String()), explainedBy: Type.Optional(Type.Array(Type.String())), after: Type.Optional(Type.Literal('mismatch')) }, { additionalProperties: false }),
    ], { description: 'the cold final tree against the posix baseline\'s final tree of the same scenario run' })),
    /** run --repeat: the verdict of every repeat, present only when the repeats observed different things */
    unstable: Type.Optional(Type.Array(VerdictT, { description: 'the verdicts of every repeat (run --repeat N) when the repeats observed different things: the run is unstable' })),
    /** run --retry-unexpected: the verdict of each retry of this unexpected result */
    retries: Type.Optional(Type.Array(VerdictT)),
    /** a retry was as expected: the run is flaky, counted apart (not a failure of the run), the first verdict kept */
    flaky: Type.Optional(Type.Literal(true)),
    /** run --repeat: for each other thing the repeats observed, the first repeat that observed it, as recorded */
    otherRepeats: Type.Optional(Type.Array(Type.Object(
      {
        repeat: Type.Integer({ minimum: 2 }),
        verdict: VerdictT,
        deviations: Type.Optional(Type.Array(Type.String())),
        reason: Type.Optional(Type.String()),
        failure: Type.Optional(FailureT),
        mismatches: Type.Optional(Type.Array(MismatchT)),
        /** that repeat's notes (another process's cache drops while it ran, engine/drops.ts) */
        notes: Type.Optional(Type.Array(Type.String())),
        steps: Type.Array(StepRecordT),
      },
      { additionalProperties: false, description: 'a repeat that observed something else than the reported one: what it saw, so an unstable run can be triaged from the file' },
    ))),
    steps: Type.Array(StepRecordT),
    /** steps hold only what was not POSIX (the deviating steps) and after is left out; absent: every step is recorded */
    compact: Type.Optional(Type.Literal(true)),
    after: Type.Optional(Type.Unknown()),
    ms: Type.Number(),
  },
  { additionalProperties: false },
);
export type Result = Static<typeof ResultT>;

export const LoadErrorT = Type.Object(
  {
    file: Type.String(), line: Type.Integer(), col: Type.Integer(), path: Type.String(), message: Type.String(),
  },
  { additionalProperties: false },
);
export type LoadErrorJSON = Static<typeof LoadErrorT>;

export const FingerprintT = Type.Object(
  {
    implementation: Type.String(),
    version: Type.Optional(Type.String()),
    options: Type.Record(Type.String(), Type.String()),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const EnvironmentT = Type.Object(
  {
    suite: Type.Object({ name: Type.String(), version: Type.String(), hash: Type.String(), scenarios: Type.Integer() }, { additionalProperties: false }),
    host: Type.Object(
      {
        kernel: Type.String(), node: Type.String(), platform: Type.String(), arch: Type.String(), hostname: Type.String(),
        uid: Type.Integer(), cpus: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    argv: Type.Array(Type.String()),
    startedAt: Type.String(),
    finishedAt: Type.String(),
    interrupted: Type.Optional(Type.Boolean()),
    /** which part of a sharded run this file holds (`ovlconf run --shard index/count`, 1-based); absent: the whole run */
    shard: Type.Optional(Type.Object({ index: Type.Integer({ minimum: 1 }), count: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })),
    /** "adapter/variant" → fingerprint */
    variants: Type.Record(Type.String(), FingerprintT),
  },
  { additionalProperties: false },
);
export type Environment = Static<typeof EnvironmentT>;

export const ResultsFileT = Type.Object(
  {
    format: Type.Literal('overlay-conformance-results'),
    formatVersion: Type.Literal(2),
    environment: EnvironmentT,
    results: Type.Array(ResultT),
    loadErrors: Type.Array(LoadErrorT),
    summary: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer()), { description: '"adapter/variant" → verdict → count' }),
  },
  { additionalProperties: false, $id: 'https://overlay-conformance.dev/schema/results.json', title: 'overlay-conformance results' },
);
export type ResultsFile = Static<typeof ResultsFileT>;
