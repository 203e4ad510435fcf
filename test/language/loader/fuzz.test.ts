// tier: system
// A seeded fuzz of the scenario loader: byte-level and YAML-feature mutants of the real suite
// files (anchors and aliases, merge keys, tags, ${…} lookups on Object.prototype names, deep
// nesting, duplicate and prototype keys, huge numbers, control bytes). Every mutant loads or
// ends in file:line:col errors; none throws. fast-check shrinks a failure to its smallest mutant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../language/root.js';
import { loadScenarioFile } from '../../../language/loader/scenario.js';
import { formatLoadError } from '../../../language/model.js';
import { realCatalog } from '../../helpers/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'loader-fuzz-'));
const SEED = 20261206;

/** every scenario file of the package's suites, as bytes (a fixed sample keeps the run short) */
function suiteFiles(): Buffer[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.yaml')) out.push(p);
    }
  };
  walk(join(packageRoot(), 'suites'));
  return out.filter((_, i) => i % Math.max(1, Math.floor(out.length / 60)) === 0).map((p) => readFileSync(p));
}
const FILES = suiteFiles();

/** YAML features an attacker or a broken editor puts into a file */
const FEATURES = [
  '&a ', '*a', '*nowhere', '&r [*r]', '<<: *a\n', '<<: [*a, *a]\n', '!!binary aGVsbG8=', '!symlink ', '!dir', '!fifo', '!hex ff00', '!unknown ',
  '!!js/function "x"', '"${d.constructor}"', '"${d.__proto__}"', '"${toString}"', '"${x.y.z}"', '__proto__: x\n', 'constructor: x\n', 'toString: { a: 1 }\n',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  '1e309', '-0', '.nan', '.inf', '0x7fffffffffffffff', '99999999999999999999999', 'repeat: 100000000\n', 'major: 4294967296', 'mode: 0o7777777',
  '\u0000', '\u001b[31m', '\ufeff', '\r\n', '---\n', '...\n', '%YAML 1.1\n', '? [a, b]\n: c\n', '{', '}', '[', ']', ': ', '- ', '|\n', '>-\n', '"', "'", '#',
  'id: dup\n', 'steps: []\n', 'layers: null\n', 'vary: { d: [1, 2, 3] }\n', 'exclude: [{ d: 1 }]\n', '\t', '\\', '\\uD800', 'x'.repeat(5000),
];

/** one mutation of a file at a relative position */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), what: fc.constantFrom(...FEATURES) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 200 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(src: Buffer, ms: Mutation[]): Buffer {
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

/** a warning (the yaml package's "Keys with collection values will be stringified") is a silent change of the input: caught as it is emitted */
const warned: string[] = [];
process.emitWarning = ((w: string | Error) => void warned.push(typeof w === 'string' ? w : w.message)) as typeof process.emitWarning;

const POS = /^m\.yaml:\d+:\d+: /;
let n = 0;
/** load a mutant; fails the property on an exception or an error without a position */
function loads(bytes: Buffer): void {
  const file = join(dir, `m${n++ % 8}.yaml`);
  writeFileSync(file, bytes);
  const r = loadScenarioFile(file, realCatalog(), 'm.yaml'); // an exception fails the property
  if (warned.length) throw new Error(`the loader warned instead of refusing: ${warned.splice(0).join('; ')}`);
  for (const e of r.errors) if (!POS.test(formatLoadError(e))) throw new Error(`an error without file:line:col: ${formatLoadError(e)}`);
}

test('2,000 byte-level and YAML-feature mutants of the suite files load or end in file:line:col errors, never an exception', () => {
  assert.ok(FILES.length >= 30, `a sample of suite files (${FILES.length})`);
  let errored = 0;
  const before = n;
  fc.assert(
    fc.property(fc.nat(FILES.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ms) => {
      loads(apply(FILES[i], ms));
    }),
    { seed: SEED, numRuns: 2000, endOnFailure: true },
  );
  assert.ok(n - before >= 2000, `${n - before} mutants loaded`);
  // the mutants reach the loader's error paths, not only its happy path
  for (let i = 0; i < 50; i++) {
    const file = join(dir, 'm0.yaml');
    writeFileSync(file, apply(FILES[i % FILES.length], [{ kind: 'insert', at: 0.5, what: '&r [*r]' }]));
    if (loadScenarioFile(file, realCatalog(), 'm.yaml').errors.length) errored++;
  }
  assert.ok(errored > 25, `${errored} of 50 self-referencing mutants were refused`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
