// Seeded mutants of real input files for the fuzz tests (scenario files, profiles, command
// configs): YAML features an attacker or a broken editor puts into a file, single bytes,
// deletions and duplications, as fast-check arbitraries so a failure shrinks to its smallest mutant.
import fc from 'fast-check';

/** YAML features an attacker or a broken editor puts into a file */
export const FEATURES = [
  '&a ', '*a', '*nowhere', '&r [*r]', '<<: *a\n', '<<: [*a, *a]\n', '!!binary aGVsbG8=', '!symlink ', '!dir', '!fifo', '!hex ff00', '!unknown ',
  '!!js/function "x"', '"${d.constructor}"', '"${d.__proto__}"', '"${toString}"', '"${x.y.z}"', '__proto__: x\n', 'constructor: x\n', 'toString: { a: 1 }\n',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  '1e309', '-0', '.nan', '.inf', '0x7fffffffffffffff', '99999999999999999999999', 'repeat: 100000000\n', 'major: 4294967296', 'mode: 0o7777777',
  '\u0000', '\u001b[31m', '\ufeff', '\r\n', '---\n', '...\n', '%YAML 1.1\n', '? [a, b]\n: c\n', '{', '}', '[', ']', ': ', '- ', '|\n', '>-\n', '"', "'", '#',
  'id: dup\n', 'steps: []\n', 'layers: null\n', 'vary: { d: [1, 2, 3] }\n', 'exclude: [{ d: 1 }]\n', '\t', '\\', '\\uD800', 'x'.repeat(5000),
];

/** one mutation of a file at a relative position; `extra` adds features of one file kind */
export const mutationOf = (extra: readonly string[] = []) => fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), what: fc.constantFrom(...FEATURES, ...extra) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 200 }) }),
);
/** the default mutation arbitrary (the scenario loader fuzz's) */
export const mutation = mutationOf();
export type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** apply mutations in order */
export function apply(src: Buffer, ms: Mutation[]): Buffer {
  let b = src;
  for (const m of ms) {
    const at = Math.floor(m.at * b.length);
    if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.what), b.subarray(at)]);
    else if (m.kind === 'byte') b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at + 1)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + m.length), b.subarray(at)]);
  }
  return b;
}

/** collect process warnings instead of printing them (a warning is a silent change of the input); returns the list */
export function catchWarnings(): string[] {
  const warned: string[] = [];
  process.emitWarning = ((w: string | Error) => void warned.push(typeof w === 'string' ? w : w.message)) as typeof process.emitWarning;
  return warned;
}
