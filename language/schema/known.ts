// TypeBox source of spec/known-failures.schema.json: real bugs of a shipped implementation that
// the suite expects to fail (wptrunner-style metadata kept outside the scenarios). A deviation is
// a documented design decision and lives in a profile; a known failure is a bug, with a reference.

import { Type, type Static } from '@sinclair/typebox';

export const KnownFailureSrc = Type.Object(
  {
    id: Type.String({ pattern: '^KF-[A-Z0-9-]+$', description: 'stable id, e.g. KF-ZENFS-RENAME-DIR-EISDIR' }),
    title: Type.String({ minLength: 1, maxLength: 200, description: 'the bug in one line' }),
    ref: Type.String({ minLength: 1, description: 'an upstream issue URL, or the command that reproduces it' }),
    scenarios: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'scenario ids or run ids (glob * allowed)' }),
    variants: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'only on these variants (absent: every variant)' })),
    verdict: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('error')], { description: 'the verdict it produces (default fail)' })),
    observed: Type.Optional(Type.String({ minLength: 1, description: "regular expression the mismatch must match: the result's reason without step numbers and lines, e.g. 'rename: failed with EXDEV, expected success'" })),
    flaky: Type.Optional(Type.Boolean({ description: 'it sometimes passes (timing, caches): a pass is not reported as unexpected' })),
    since: Type.Optional(Type.String({ description: 'where and when it was first observed' })),
  },
  { additionalProperties: false },
);
export type KnownFailureSource = Static<typeof KnownFailureSrc>;

export const KnownFailuresFileSrc = Type.Object(
  {
    implementation: Type.String({ pattern: '^[a-z0-9-]+$' }),
    description: Type.Optional(Type.String()),
    failures: Type.Array(KnownFailureSrc),
  },
  { additionalProperties: false, $id: 'https://overlay-conformance.dev/schema/known-failures.json', title: 'overlay-conformance known failures' },
);
export type KnownFailuresFile = Static<typeof KnownFailuresFileSrc>;
