// TypeBox source of the spec-data schemas: deviations, profiles, capabilities and references.

import { Type, type Static } from '@sinclair/typebox';
import { BehaviourId, CapabilityName, DeviationId, RefKey } from './scenario.js';

export const DeviationSrc = Type.Object(
  {
    id: DeviationId,
    title: Type.String({ minLength: 1 }),
    posix: Type.String({ minLength: 1, description: 'what POSIX (or Linux convention) requires' }),
    differs: Type.String({ minLength: 1, description: 'what is observed instead' }),
    why: Type.Optional(Type.String()),
    kind: Type.Optional(Type.Union([Type.Literal('posix'), Type.Literal('linux'), Type.Literal('model')], {
      description: 'posix: a POSIX violation; linux: differs from Linux local-fs convention only; model: a limit of a reference model',
    })),
    behaviours: Type.Optional(Type.Array(BehaviourId)),
    since: Type.Optional(Type.String({ description: 'first kernel version that shows it, when known' })),
    until: Type.Optional(Type.String({ description: 'first kernel version that no longer shows it' })),
    refs: Type.Array(RefKey, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export const DeviationsFileSrc = Type.Array(DeviationSrc, { $id: 'https://overlay-conformance.dev/schema/deviations.json' });
export type DeviationDef = Static<typeof DeviationSrc>;

const OptionCond = Type.Union([
  Type.String(),
  Type.Array(Type.String(), { minItems: 1 }),
  Type.Object({ not: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]) }, { additionalProperties: false }),
]);
export const ConditionSrc = Type.Object(
  {
    variant: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    options: Type.Optional(Type.Record(Type.String(), OptionCond)),
    version: Type.Optional(Type.String({ pattern: '^\\s*(([<>]=?|=)\\s*[0-9]+(\\.[0-9]+)*\\s*)+$', description: 'e.g. ">=4.19 <5.2"' })),
  },
  { additionalProperties: false },
);
export type Condition = Static<typeof ConditionSrc>;

export const ProfileEntrySrc = Type.Object(
  {
    id: DeviationId,
    when: Type.Optional(Type.Union([ConditionSrc, Type.Array(ConditionSrc, { minItems: 1 })], { description: 'any of these; absent: always' })),
    scenarios: Type.Optional(Type.Array(Type.String(), { description: 'restrict to these scenario ids (glob * allowed)' })),
    optional: Type.Optional(Type.Boolean({ description: 'POSIX may also be observed (timing, caches): no xpass alarm' })),
    observed: Type.String({ minLength: 1, description: 'where and when this was observed (a deviation enters a profile only once observed)' }),
    note: Type.Optional(Type.String()),
    final: Type.Optional(Type.Array(Type.String({ pattern: '^([a-z]+ \\S+ → \\S+|\\S+ (missing|extra) \\(.*\\))$' }), { minItems: 1, description: 'changes this deviation explains in the warm/cold final-state check and in the comparison with the posix baseline, in their words, e.g. "nlink 1 → 2" or "d/* missing (posix has a file)" (* is any one value): a difference made only of these is not a fail; "same * → absent" (a name left its identity class) covers the whole change of that name' })),
  },
  { additionalProperties: false },
);
export const ProfileSrc = Type.Object(
  {
    implementation: Type.String({ pattern: '^[a-z0-9-]+$' }),
    description: Type.Optional(Type.String()),
    deviations: Type.Array(ProfileEntrySrc),
  },
  { additionalProperties: false, $id: 'https://overlay-conformance.dev/schema/profile.json' },
);
export type ProfileSource = Static<typeof ProfileSrc>;
export type ProfileEntry = Static<typeof ProfileEntrySrc>;

export const CapabilitiesFileSrc = Type.Record(CapabilityName, Type.String({ minLength: 1 }), {
  $id: 'https://overlay-conformance.dev/schema/capabilities.json',
  description: 'capability name → what it means',
});
export const RefsFileSrc = Type.Record(RefKey, Type.Object(
  { title: Type.String({ minLength: 1 }), url: Type.String({ pattern: '^https?://' }) },
  { additionalProperties: false },
), { $id: 'https://overlay-conformance.dev/schema/refs.json' });
export type RefsFile = Static<typeof RefsFileSrc>;
export const CapabilitiesFile = CapabilitiesFileSrc;
export { CapabilityName };

/** spec/uncovered/*.yaml: behaviour id → why no scenario covers it (not observable black-box here). */
export const UncoveredFileSrc = Type.Record(BehaviourId, Type.String({ minLength: 1 }), { $id: 'https://overlay-conformance.dev/schema/uncovered.json' });
