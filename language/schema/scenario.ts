// TypeBox source of the scenario schema: spec/scenario.schema.json is generated from it and the
// loader validates with it, so the types and the published schema cannot drift.

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { OPS, type ArgKind, type ArgSpec } from '../ops.js';

export const ScenarioId = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$',
  description: 'group/name, lower case; unique across the suite',
});
export const BehaviourId = Type.String({ pattern: '^[A-Z]{2}-[0-9]{3}$', description: 'an id of behaviours.md' });
export const DeviationId = Type.String({ pattern: '^DEV-[A-Z0-9-]+$' });
export const RefKey = Type.String({ pattern: '^[a-z0-9-]+:[A-Za-z0-9._/#-]+$', description: 'a key of spec/refs.yaml' });
export const CapabilityName = Type.String({ pattern: '^[a-z0-9-]+$' });

const Ref = Type.String({ pattern: '^\\$[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*$', description: 'value of an earlier binding' });
export const DataSrc = Type.Union([
  Type.String(),
  Type.Object({ hex: Type.String({ pattern: '^([0-9a-fA-F]{2})*$' }) }, { additionalProperties: false }),
  Type.Object({ base64: Type.String() }, { additionalProperties: false }),
]);
export const ModeSrc = Type.Union([
  Type.String({ pattern: '^(0o?)?[0-7]{1,4}$', description: 'octal, e.g. "0644"' }),
  Type.Integer({ minimum: 0, maximum: 0o7777 }),
]);
const IntSrc = Type.Union([Type.Integer(), Ref]);
const TimeSrc = Type.Union([
  Type.String({ pattern: '^(now|omit|-?[0-9]+(\\.[0-9]{1,9})?)$' }),
  Type.Number(),
  Ref,
]);
const FlagsSrc = (values?: readonly string[]) => {
  const one = values ? Type.Union(values.map((v) => Type.Literal(v))) : Type.String();
  return Type.Union([Type.Array(one), Type.String({ description: values ? `"|"-separated: ${values.join(', ')}` : '' })]);
};
const Xattrs = Type.Record(Type.String({ minLength: 1 }), DataSrc);
const Owner = { uid: Type.Optional(Type.Integer({ minimum: 0 })), gid: Type.Optional(Type.Integer({ minimum: 0 })) };
const TimeStr = Type.Union([Type.String({ pattern: '^-?[0-9]+(\\.[0-9]{1,9})?$' }), Type.Number()]);

export const FileEntrySrc = Type.Object(
  {
    type: Type.Literal('file'),
    data: Type.Optional(DataSrc),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
    mode: Type.Optional(ModeSrc),
    ...Owner,
    mtime: Type.Optional(TimeStr),
    atime: Type.Optional(TimeStr),
    xattrs: Type.Optional(Xattrs),
    metacopy: Type.Optional(Type.Boolean()),
    redirect: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export const DirEntrySrc = Type.Object(
  {
    type: Type.Literal('dir'),
    mode: Type.Optional(ModeSrc),
    ...Owner,
    mtime: Type.Optional(TimeStr),
    atime: Type.Optional(TimeStr),
    xattrs: Type.Optional(Xattrs),
    opaque: Type.Optional(Type.Union([Type.Literal('y'), Type.Literal('x'), Type.Boolean()])),
    redirect: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export const SymlinkEntrySrc = Type.Object(
  { type: Type.Literal('symlink'), target: Type.String({ minLength: 1 }), ...Owner, mtime: Type.Optional(TimeStr), atime: Type.Optional(TimeStr), xattrs: Type.Optional(Xattrs) },
  { additionalProperties: false },
);
export const HardlinkEntrySrc = Type.Object(
  { type: Type.Literal('hardlink'), target: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export const SpecialEntrySrc = Type.Object(
  {
    type: Type.Union([Type.Literal('fifo'), Type.Literal('chr'), Type.Literal('blk'), Type.Literal('sock')]),
    mode: Type.Optional(ModeSrc),
    ...Owner,
    major: Type.Optional(Type.Integer({ minimum: 0 })),
    minor: Type.Optional(Type.Integer({ minimum: 0 })),
    mtime: Type.Optional(TimeStr),
    atime: Type.Optional(TimeStr),
    xattrs: Type.Optional(Xattrs),
  },
  { additionalProperties: false },
);
export const WhiteoutEntrySrc = Type.Object(
  {
    type: Type.Literal('whiteout'),
    format: Type.Optional(Type.Union([Type.Literal('chr'), Type.Literal('xattr')])),
  },
  { additionalProperties: false },
);
export const EntrySrc = Type.Union([
  Type.String({ description: 'a regular file with this UTF-8 content' }),
  Type.Object({ hex: Type.String() }, { additionalProperties: false }),
  FileEntrySrc, DirEntrySrc, SymlinkEntrySrc, HardlinkEntrySrc, SpecialEntrySrc, WhiteoutEntrySrc,
]);
export const TreeSrc = Type.Record(Type.String({ minLength: 1 }), EntrySrc, {
  description: 'path → entry; parent directories are implied',
});
export const LayerSrc = Type.Union([
  TreeSrc,
  Type.Object(
    {
      repeat: Type.Integer({ minimum: 1, maximum: 1000, description: 'this many identical layers; "{i}" in names and data is the layer index' }),
      entries: TreeSrc,
    },
    { additionalProperties: false },
  ),
]);
export const LayersSrc = Type.Object(
  {
    lower: Type.Optional(Type.Array(LayerSrc, { description: 'lower layers, topmost first (lowerdir= order)' })),
    upper: Type.Optional(Type.Union([TreeSrc, Type.Null()], { description: 'initial upper; null: no upper (read-only overlay)' })),
    data: Type.Optional(Type.Array(TreeSrc, { minItems: 1, maxItems: 16, description: 'data-only lower layers below every lower, topmost first (datadir+, or after "::" in lowerdir=): never looked up by name, only the data of a metacopy file whose absolute redirect names a path in them' })),
  },
  { additionalProperties: false },
);

/** A value matcher: a literal compared for equality, or a comparison. */
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
export const MatcherSrc = Type.Union([
  Scalar,
  Type.Object({ hex: Type.String() }, { additionalProperties: false }),
  Type.Object(
    {
      eq: Type.Optional(Scalar), ne: Type.Optional(Scalar),
      gt: Type.Optional(Scalar), ge: Type.Optional(Scalar), lt: Type.Optional(Scalar), le: Type.Optional(Scalar),
      in: Type.Optional(Type.Array(Scalar)), notIn: Type.Optional(Type.Array(Scalar)),
    },
    { additionalProperties: false, minProperties: 1 },
  ),
]);
const NameList = Type.Array(Type.String());
const expectFields = {
  errno: Type.Optional(Type.Union([Type.String({ pattern: '^(E[A-Z0-9]+|SIGBUS|SIGSEGV)$' }), Type.Array(Type.String({ pattern: '^(E[A-Z0-9]+|SIGBUS|SIGSEGV)$' }), { minItems: 1 })])),
  ok: Type.Optional(Type.Literal(true)),
  any: Type.Optional(Type.Literal(true, { description: 'record whatever happens (undefined behaviour): only a hang or crash fails' })),
  // stat
  type: Type.Optional(MatcherSrc), mode: Type.Optional(MatcherSrc), ino: Type.Optional(MatcherSrc), dev: Type.Optional(MatcherSrc),
  nlink: Type.Optional(MatcherSrc), uid: Type.Optional(MatcherSrc), gid: Type.Optional(MatcherSrc), size: Type.Optional(MatcherSrc),
  blocks: Type.Optional(MatcherSrc), rdev: Type.Optional(MatcherSrc), atime: Type.Optional(MatcherSrc), mtime: Type.Optional(MatcherSrc),
  ctime: Type.Optional(MatcherSrc), btime: Type.Optional(MatcherSrc),
  // statfs
  fstype: Type.Optional(MatcherSrc), namelen: Type.Optional(MatcherSrc), readonly: Type.Optional(MatcherSrc),
  // data-like
  data: Type.Optional(MatcherSrc), value: Type.Optional(MatcherSrc), target: Type.Optional(MatcherSrc), path: Type.Optional(MatcherSrc),
  count: Type.Optional(MatcherSrc), offset: Type.Optional(MatcherSrc),
  // listings (compared as sets of names)
  entries: Type.Optional(NameList), names: Type.Optional(NameList),
  includes: Type.Optional(NameList), excludes: Type.Optional(NameList),
  entryTypes: Type.Optional(Type.Record(Type.String(), Type.String())),
  // locks
  lockType: Type.Optional(MatcherSrc),
  // statfs f_fsid
  fsid: Type.Optional(MatcherSrc),
  // effective mount options (mountinfo)
  redirect_dir: Type.Optional(MatcherSrc), index: Type.Optional(MatcherSrc), metacopy: Type.Optional(MatcherSrc), xino: Type.Optional(MatcherSrc),
  nfs_export: Type.Optional(MatcherSrc), userxattr: Type.Optional(MatcherSrc), volatile: Type.Optional(MatcherSrc), uuid: Type.Optional(MatcherSrc),
  verity: Type.Optional(MatcherSrc), ro: Type.Optional(MatcherSrc),
  lowerdirs: Type.Optional(MatcherSrc),
};
export const ExpectSrc = Type.Object(expectFields, { additionalProperties: false });
export const AlternativeSrc = Type.Object(
  { ...expectFields, stop: Type.Optional(Type.Boolean({ description: 'the rest of the scenario is moot once this alternative was observed' })) },
  { additionalProperties: false },
);
/** Where a conditional expectation or layer-state check applies (every part must hold). */
const conditionFields = {
  options: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z_]+$' }), Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]), {
    description: 'effective mount options of the variant: option → value or list of values (any of them)',
  })),
  capabilities: Type.Optional(Type.Array(CapabilityName, { description: 'capabilities the variant has (all of them)' })),
  without: Type.Optional(Type.Array(CapabilityName, { description: 'capabilities the variant lacks (all of them)' })),
};
/** `when:` on a step: an expectation that must also hold on variants where the condition does. */
export const ConditionalExpectSrc = Type.Object({ ...conditionFields, expect: ExpectSrc }, { additionalProperties: false, required: ['expect'] });
export const LinuxExpectSrc = Type.Object(expectFields, {
  additionalProperties: false,
  description: 'the answer ext4 and tmpfs give where POSIX allows several; another POSIX answer is a deviation of kind linux (DEV-LINUX-CONVENTION)',
});
export const CredSrc = Type.Object(
  { uid: Type.Integer({ minimum: 0 }), gid: Type.Integer({ minimum: 0 }), groups: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))) },
  { additionalProperties: false },
);

function argSchema(spec: ArgSpec): TSchema {
  const byKind: Record<ArgKind, () => TSchema> = {
    path: () => Type.String({ minLength: 1 }),
    text: () => Type.Union([Type.String(), Ref]),
    fd: () => Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
    dir: () => Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
    map: () => Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
    int: () => IntSrc,
    data: () => DataSrc,
    mode: () => ModeSrc,
    flags: () => FlagsSrc(spec.values),
    enum: () => Type.Union((spec.values ?? []).map((v) => Type.Literal(v))),
    time: () => TimeSrc,
    bool: () => Type.Boolean(),
    layer: () => Type.String({ pattern: '^(upper|lower:[0-9]+)$' }),
    entries: () => TreeSrc,
    paths: () => Type.Array(Type.String({ minLength: 1 })),
    options: () => Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    names: () => Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 16 }),
  };
  return byKind[spec.kind]();
}

/** The argument object schema of one op (scalar shorthand is expanded before validation). */
export function opArgsSchema(name: keyof typeof OPS): TSchema {
  const spec = OPS[name];
  const props: Record<string, TSchema> = {};
  for (const [arg, a] of Object.entries(spec.args) as [string, ArgSpec][]) {
    props[arg] = a.required ? argSchema(a) : Type.Optional(argSchema(a));
  }
  return Type.Object(props, { additionalProperties: false, description: spec.doc });
}

export const STEP_MODIFIERS = ['expect', 'linux', 'when', 'as', 'deviations', 'user', 'timeout', 'note'] as const;
const stepModifiers = {
  expect: Type.Optional(ExpectSrc),
  linux: Type.Optional(LinuxExpectSrc),
  when: Type.Optional(Type.Array(ConditionalExpectSrc, { minItems: 1 })),
  as: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'bind the result for later steps' })),
  deviations: Type.Optional(Type.Record(DeviationId, AlternativeSrc)),
  user: Type.Optional(CredSrc),
  timeout: Type.Optional(Type.Integer({ minimum: 1, description: 'ms' })),
  note: Type.Optional(Type.String()),
};

/** One step: exactly one op key (with its arguments or scalar shorthand) plus modifiers. */
export const StepSrc = Type.Union(
  (Object.keys(OPS) as (keyof typeof OPS)[]).map((name) => {
    const spec = OPS[name] as { shorthand?: string; args: Record<string, ArgSpec> };
    const args = opArgsSchema(name);
    const short = spec.shorthand ? argSchema(spec.args[spec.shorthand]) : undefined;
    const noArgs = Object.values(spec.args).every((a) => !a.required);
    const variants = [args, ...(short ? [short] : []), ...(noArgs ? [Type.Null()] : [])];
    return Type.Object(
      { [name]: variants.length === 1 ? args : Type.Union(variants), ...stepModifiers },
      { additionalProperties: false, required: [name] },
    );
  }),
);

const AfterEntry = Type.Union([
  Type.String({ description: 'file content' }),
  Type.Object({ hex: Type.String() }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Union(['file', 'dir', 'symlink', 'fifo', 'chr', 'blk', 'sock', 'whiteout', 'absent'].map((t) => Type.Literal(t))),
      data: Type.Optional(DataSrc), size: Type.Optional(MatcherSrc), mode: Type.Optional(ModeSrc),
      uid: Type.Optional(Type.Integer()), gid: Type.Optional(Type.Integer()),
      target: Type.Optional(Type.String()), opaque: Type.Optional(Type.Union([Type.Literal('y'), Type.Literal('x'), Type.Boolean()])),
      redirect: Type.Optional(Type.Union([Type.String(), Type.Null()])), metacopy: Type.Optional(Type.Boolean()),
      xattrs: Type.Optional(Type.Record(Type.String(), Type.Union([DataSrc, Type.Null()]))),
      nlink: Type.Optional(MatcherSrc), major: Type.Optional(Type.Integer()), minor: Type.Optional(Type.Integer()),
      sameAs: Type.Optional(Type.String({ description: 'another path of this layer that is the same inode' })),
      origin: Type.Optional(Type.Boolean({ description: 'carries overlay.origin: copied up from (or merged with) a lower object the overlay can find again' })),
      indexed: Type.Optional(Type.Boolean({ description: 'linked into the inodes index (workdir/index), as index=on does for a copied-up lower hard link' })),
    },
    { additionalProperties: false },
  ),
]);
export const AfterTreeSrc = Type.Record(Type.String({ minLength: 1 }), AfterEntry);
const afterFields = {
  upper: Type.Optional(AfterTreeSrc),
  lower: Type.Optional(Type.Literal('unchanged')),
  exact: Type.Optional(Type.Boolean({ description: 'upper holds nothing but the listed paths (and their parents)' })),
};
export const AfterSrc = Type.Object(
  {
    ...afterFields,
    deviations: Type.Optional(Type.Record(DeviationId, Type.Object(afterFields, { additionalProperties: false }))),
    when: Type.Optional(Type.Array(Type.Object({ ...conditionFields, ...afterFields }, { additionalProperties: false }), {
      minItems: 1, description: 'layer-state checks that must also hold on variants where the condition does',
    })),
  },
  { additionalProperties: false },
);

const VaryValues = Type.Union([
  Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { minItems: 1 }),
  Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.+-]+$' }), Type.Unknown(), { minProperties: 1 }),
]);

export const ScenarioSrc = Type.Object(
  {
    id: ScenarioId,
    title: Type.String({ minLength: 1 }),
    behaviour: Type.Array(BehaviourId, { minItems: 1 }),
    refs: Type.Optional(Type.Array(RefKey)),
    requires: Type.Optional(Type.Array(CapabilityName)),
    description: Type.Optional(Type.String()),
    layers: Type.Optional(LayersSrc),
    steps: Type.Array(StepSrc, { minItems: 1 }),
    after: Type.Optional(AfterSrc),
    vary: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]*$' }), VaryValues)),
    exclude: Type.Optional(Type.Array(Type.Record(Type.String(), Type.String()))),
    timeout: Type.Optional(Type.Integer({ minimum: 1, description: 'per-step timeout in ms' })),
    finalOpen: Type.Optional(Type.String({ minLength: 1, description: 'why POSIX leaves this scenario\'s final state open: the warm/cold final-state check (snapshot, remount, snapshot) is not made' })),
    baselineOpen: Type.Optional(Type.String({ minLength: 1, pattern: '^[^\\n]*\\S[^\\n]*$', description: 'why POSIX leaves this scenario\'s final tree open between implementations (one line): the cold final tree is not compared with the posix baseline\'s' })),
  },
  { additionalProperties: false, $id: 'https://overlay-conformance.dev/schema/scenario.json', title: 'overlay-conformance scenario' },
);
export type ScenarioSource = Static<typeof ScenarioSrc>;
