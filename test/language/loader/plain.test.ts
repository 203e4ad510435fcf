// The one-walk conversion (plain.ts) gives exactly what the yaml package's route gives (its key
// and alias checks, toJS and the decimal-mode visit): the same value (own keys in the same order),
// the same decimal modes and the same first key error at the same place, on every YAML and JSON
// file of the package and on documents made to reach its corners.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { keyProblemText, plainOf } from '../../../language/loader/plain.js';
import { convertByPackage, ParseError, SCENARIO_TAGS, type Position } from '../../../language/loader/yaml.js';
import { packageRoot } from '../../../language/root.js';

/** a value as comparable data: every own key in order (with its descriptor's kind), prototypes and primitive types kept apart */
function shape(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return [typeof v, Object.is(v, -0) ? '-0' : String(v)];
  const proto = Object.getPrototypeOf(v);
  const kind = proto === Object.prototype ? 'object' : proto === Array.prototype ? 'array' : `other:${proto?.constructor?.name}`;
  return [kind, Reflect.ownKeys(v).map((k) => {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    return [String(k), d.enumerable, d.writable, 'value' in d ? shape(d.value) : 'accessor'];
  })];
}

/** both routes on one text: 'fallback' when the walk leaves the document to the package */
function both(text: string, json = false): { fast: unknown; slow: unknown } | 'fallback' {
  const make = () => {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, customTags: SCENARIO_TAGS, prettyErrors: false, uniqueKeys: false });
    assert.is(doc.errors.length, 0, `${doc.errors[0]?.message} in ${JSON.stringify(text)}`);
    const pos = (o: number | undefined): Position => (o === undefined ? { line: 1, col: 1 } : lc.linePos(o));
    return { doc, pos };
  };
  const a = make();
  const plain = plainOf(a.doc, text, json);
  if (!plain) return 'fallback';
  const fast = plain.keyProblem ? keyProblemText(plain.keyProblem, a.pos) : { value: shape(plain.value), modes: plain.decimalModes };
  const b = make();
  let slow: unknown;
  try {
    const r = convertByPackage(b.doc, text, json, b.pos);
    slow = { value: shape(r.value), modes: r.decimalModes };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    slow = { message: e.message, at: { line: e.line, col: e.col } };
  }
  return { fast, slow };
}

function dataFiles(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) dataFiles(p, out);
    else if (/\.(ya?ml|json)$/.test(n)) out.push(p);
  }
  return out;
}

test('every YAML and JSON file of suites/ and spec/ converts to the same value and decimal modes by one walk', () => {
  const files = [...dataFiles(join(packageRoot(), 'suites')), ...dataFiles(join(packageRoot(), 'spec'))];
  assert.ok(files.length > 500);
  for (const f of files) {
    const r = both(readFileSync(f, 'utf8'), f.endsWith('.json'));
    assert.ok(r !== 'fallback', `${f} took the package's route`);
    assert.equal(r.fast, r.slow, f);
  }
});

const CORNERS: [string, string][] = [
  ['keys the package names specially', '__proto__: 1\ntoString: 2\nconstructor: { a: 1 }\n<<: 4\n~: 6\n1: a\n"1": a2\n1.50: b\ntrue: c\n0x1f: d\n'],
  ['an empty key', '? \n: 5\nb: { ? : { mode: 644 } }\n'],
  ['two spellings of one merge-like key', '"<<": 3\n<<: 4\n'],
  ['decimal and octal modes at every depth', 'mode: 755\nsteps:\n  - { chmod: a, mode: 0755 }\n  - chmod: b\n    mode: 0o755\n  - chmod: c\n    mode: "0755"\n  - [ { mode: 1 } ]\nlayers: { lower: [ { a: { mode: 644 } } ] }\nx: { mode: 7.5, y: { mode: -1 } }\n'],
  ['tags, block scalars and empty values', 'a: !symlink /x\nb: !whiteout\nc: !hex "00 ff"\nd: |\n  two\n  lines\ne: >-\n  folded\n  text\nf:\ng: [ ]\nh: { }\ni: !!str 5\nj: !unknown 5\n'],
  ['a repeated key after a complex one in the same mapping', 'a: 1\n[x]: 2\na: 3\n'],
  ['a complex key before a repeated key in a nested mapping', 'a:\n  ? [x]\n  : 1\nb: { c: 1, c: 2 }\n'],
  ['a repeated key deep in a sequence', 'steps:\n  - { stat: a }\n  - { stat: b, expect: { errno: ENOENT, errno: EIO } }\n'],
  ['a tagged key', '!symlink x: 1\n'],
  ['a repeated null key', '? \n: 1\n~: 2\n'],
  ['an empty document', ''],
  ['a scalar document', 'just text\n'],
  ['a sequence document', '- 1\n- [2, { three: 3 }]\n'],
];

for (const [what, text] of CORNERS)
  test(`one walk equals the package's route: ${what}`, () => {
    const r = both(text);
    assert.ok(r !== 'fallback', 'the walk converted it');
    assert.equal(r.fast, r.slow);
    if (!what.startsWith('a repeated') && !what.startsWith('a complex') && !what.startsWith('a tagged') && !what.startsWith('two')) assert.ok('value' in (r.fast as object), 'the text converts without a key error');
  });

test('JSON files are converted the same way and never scanned for decimal modes', () => {
  const r = both('{"mode": 755, "a": [1, {"mode": 644}], "b": {"c": null}}', true);
  assert.ok(r !== 'fallback');
  assert.equal(r.fast, r.slow);
  assert.equal((r.fast as { modes: unknown[] }).modes, []);
});

test('a document with an anchor, an alias or a pair in a flow sequence is left to the package', () => {
  assert.is(both('a: &x 1\n'), 'fallback');
  assert.is(both('a: &x [1]\nb: *x\n'), 'fallback');
  const pairInFlow = both('a: [ b: 1 ]\n');
  if (pairInFlow !== 'fallback') assert.equal(pairInFlow.fast, pairInFlow.slow);
});

test.run();
