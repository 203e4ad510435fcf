// TypeBox schema of a command adapter config (YAML or JSON): how to mount, when the mount is
// ready, how to unmount, the layer format, the variants with their effective options, the
// capabilities claimed, and how to read the implementation's version.

import { Type, type Static } from '@sinclair/typebox';

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', description: 'lower-case letters, digits and dashes' });
const Element = Type.Union([
  Type.String({ minLength: 1, description: 'a template' }),
  Type.Object({ raw: Type.String() }, { additionalProperties: false, description: '{ raw: text } passed unchanged (a shell script)' }),
]);
const Argv = Type.Array(Element, { minItems: 1, description: 'an argv template: argv[0] is looked up on PATH' });
const Env = Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String());
const Timeout = Type.Integer({ minimum: 100, maximum: 600_000, description: 'milliseconds' });
const Claim = Type.Union([Type.Literal(true), Type.String({ minLength: 1 })], { description: 'true, or the reason it is absent' });
const Claims = Type.Record(Type.String({ pattern: '^[a-z0-9-]+$' }), Claim, { description: 'capability (spec/capabilities.yaml) → true or the reason it is absent' });
const Format = Type.String({ minLength: 1, description: 'kernel, fuse-overlayfs, unionfs, plain, opaque, or a module path (./my-format.js)' });
const XattrNs = Type.Union([Type.Literal('trusted'), Type.Literal('user')]);

const Effective = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }),
  Type.Union([
    Type.String(),
    Type.Object({ superOption: Type.String({ minLength: 1 }) }, { additionalProperties: false, description: '"on" when the probe mount shows this super option, else "off"' }),
    Type.Object({ option: Type.String({ minLength: 1 }), default: Type.Optional(Type.String()) }, { additionalProperties: false, description: 'the value of key=value in the variant\'s options ("on" for a bare key), else default (or "off")' }),
  ]),
  { description: 'effective option → value, as profiles\' `when: options:` test it' },
);

const Ready = Type.Union([
  Type.Object({ mount: Type.Union([Type.Literal(true), Type.Object({ fstype: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })]), timeoutMs: Type.Optional(Timeout) }, { additionalProperties: false, description: 'mount: ready when a mount (of fstype, e.g. fuse or overlay) sits at {merged}' }),
  Type.Object({ file: Type.String({ minLength: 1 }), timeoutMs: Type.Optional(Timeout) }, { additionalProperties: false, description: 'file: ready when this file (a template, e.g. "{merged}/.ready") exists' }),
  Type.Object({ exit: Type.Literal(true), timeoutMs: Type.Optional(Timeout) }, { additionalProperties: false, description: 'exit: ready when the mount command exits 0 (it must not stay in the foreground)' }),
]);

/** One variant: its option set and what differs from the config's defaults. */
export const VariantSrc = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.=-]+$' }),
    description: Type.Optional(Type.String()),
    options: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'the mount\'s option list ({options}); a remount step may change it' })),
    args: Type.Optional(Type.Array(Type.String(), { description: 'extra argv spliced at {args}' })),
    namespace: Type.Optional(Type.Union([Type.Literal('private'), Type.Literal('userns')], { description: 'private: root in a private mount namespace; userns: root of a new user namespace (uid 0 mapped to 0)' })),
    format: Type.Optional(Format),
    xattrNamespace: Type.Optional(XattrNs),
    env: Type.Optional(Env),
    capabilities: Type.Optional(Claims),
    effective: Type.Optional(Effective),
  },
  { additionalProperties: false },
);

/** A whole command adapter config (YAML or JSON). */
export const CommandConfigSrc = Type.Object(
  {
    implementation: Type.String({ pattern: '^[a-z0-9-]+$', description: 'an implementation name of lower-case letters, digits and dashes (as spec/profiles/<name>.yaml and --profile files name it)' }),
    name: Type.Optional(Name),
    description: Type.Optional(Type.String()),
    requires: Type.Optional(Type.Object(
      {
        commands: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        files: Type.Optional(Type.Array(Type.String({ pattern: '^/' }), { description: 'files (devices) that must be readable and writable, e.g. /dev/fuse' })),
        install: Type.Optional(Type.String({ description: 'how to install what is missing, shown in the reason' })),
      },
      { additionalProperties: false },
    )),
    version: Type.Optional(Type.Object(
      {
        command: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'argv run on the host, e.g. [my-overlay, --version]' }),
        pattern: Type.String({ minLength: 1, description: 'regular expression; its first group (or the whole match) is the version' }),
        facts: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$' }), Type.String({ minLength: 1 }), { description: 'more facts for the fingerprint: name → regular expression over the same output' })),
      },
      { additionalProperties: false },
    )),
    mount: Type.Object(
      {
        argv: Argv,
        lowers: Type.Optional(Type.Object({ separator: Type.Optional(Type.String()), item: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false, description: '{lowers}: each lower as item ({dir} is the directory), joined by separator (default ":")' })),
        optionSeparator: Type.Optional(Type.String({ description: '{options}: the variant\'s options joined by this (default ",")' })),
        foreground: Type.Optional(Type.Boolean({ description: 'the process keeps running while mounted (default true); false: it returns once mounted' })),
        env: Type.Optional(Env),
      },
      { additionalProperties: false },
    ),
    ready: Type.Optional(Ready),
    unmount: Type.Optional(Type.Object(
      {
        argv: Type.Optional(Argv),
        timeoutMs: Type.Optional(Timeout),
      },
      { additionalProperties: false, description: 'argv: an unmount command (e.g. [fusermount3, -u, "{merged}"]); without it umount(2) is used' },
    )),
    format: Format,
    xattrNamespace: Type.Optional(XattrNs),
    maxLowers: Type.Optional(Type.Integer({ minimum: 1 })),
    capabilities: Type.Optional(Claims),
    effective: Type.Optional(Effective),
    variants: Type.Array(VariantSrc, { minItems: 1 }),
  },
  { additionalProperties: false, $id: 'https://overlay-conformance.dev/schema/command-adapter.json' },
);

/** A command config as written (after schema validation). */
export type CommandConfigSource = Static<typeof CommandConfigSrc>;
/** One variant as written. */
export type VariantSource = Static<typeof VariantSrc>;
/** An effective option's value as written. */
export type EffectiveSource = NonNullable<CommandConfigSource['effective']>[string];
/** The ready condition as written. */
export type ReadySource = NonNullable<CommandConfigSource['ready']>;
