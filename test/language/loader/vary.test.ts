// vary expansion (vary.ts): substituted values, the source map that sends an error back to the
// vary block, error paths, keys that are substituted, and keys such as __proto__ kept as data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { combinations, expand, toSource, VaryError, type SourceMapEntry } from '../../../language/loader/vary.js';

const doc = {
  id: 'x',
  vary: { m: { a: { v: 1, s: 'one' }, b: { v: 2, s: 'two' } }, f: ['O_RDONLY', 'O_WRONLY'] },
  steps: [{ open: { path: 'f-${m.s}', flags: ['${f}'] } }, { stat: '${m}' }, { chmod: 'plain', mode: '0644' }],
  layers: { lower: [{ '${m.s}.txt': 'data ${m.v}', __proto__x: 1 }] },
};

test('a combination is substituted in strings, whole values and keys, and every substitution is mapped back to its source', () => {
  const [first] = combinations(doc.vary);
  const map: SourceMapEntry[] = [];
  const out = expand(doc, first, map) as Record<string, unknown>;
  assert.equal(out, {
    id: 'x',
    steps: [{ open: { path: 'f-one', flags: ['O_RDONLY'] } }, { stat: { v: 1, s: 'one' } }, { chmod: 'plain', mode: '0644' }],
    layers: { lower: [{ 'one.txt': 'data 1', __proto__x: 1 }] },
  });
  assert.equal(map, [
    { at: ['steps', 0, 'open', 'flags', 0], from: ['vary', 'f', 0] },
    { at: ['steps', 1, 'stat'], from: ['vary', 'm', 'a'] },
    { at: ['layers', 'lower', 0, 'one.txt'], from: ['layers', 'lower', 0, '${m.s}.txt'] },
  ]);
  assert.equal(toSource(['steps', 1, 'stat', 'v'], map), ['vary', 'm', 'a', 'v']);
  // a whole substitution is a copy: the vary block is never shared with a run
  assert.is.not((out.steps as Record<string, unknown>[])[1].stat, doc.vary.m.a);
});

test('an unknown dimension or field is an error at the path of the string or key that names it, with the path given unchanged', () => {
  const c = combinations({ m: ['a'] })[0];
  const at = ['base'];
  const err = (d: unknown) => {
    try {
      expand(d, c, [], at);
    } catch (e) {
      assert.ok(e instanceof VaryError);
      return [e.message, e.path];
    }
    return undefined;
  };
  assert.equal(err({ steps: [{ stat: 'x' }, { stat: 'a/${n}' }] }), ['${n} names no vary dimension', ['base', 'steps', 1, 'stat']]);
  assert.equal(err({ l: { '${m.x}': 1 } }), ['${m.x} is undefined for m=a', ['base', 'l', '${m.x}']]);
  assert.equal(err([{ a: '${q}' }]), ['${q} names no vary dimension', ['base', 0, 'a']]);
  assert.equal(at, ['base']);
});

test('keys such as __proto__ and constructor stay own data properties after expansion', () => {
  const src = JSON.parse('{"layers": {"__proto__": "p", "constructor": "c", "${m}": "k"}}');
  const out = expand(src, combinations({ m: ['toString'] })[0], []) as { layers: Record<string, unknown> };
  assert.equal(Object.keys(out.layers), ['__proto__', 'constructor', 'toString']);
  assert.is(Object.getPrototypeOf(out.layers), Object.prototype);
  assert.is(out.layers.__proto__, 'p');
  assert.is(Object.getOwnPropertyDescriptor(out.layers, '__proto__')?.enumerable, true);
});

test.run();
