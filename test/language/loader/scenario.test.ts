import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errorsOf, scenario } from '../../helpers/scenario.js';

const head = 'id: t/x\ntitle: t\nbehaviour: [WH-001]\n';

test('a misspelt step field is named with its line, column and a suggestion', () => {
  const errs = errorsOf(head + 'steps:\n  - stat: { pathh: f }\n', 'misspelt.yaml');
  assert.equal(errs, [
    'misspelt.yaml:5:11: /steps/0/stat: missing required field "path"',
    'misspelt.yaml:5:13: /steps/0/stat/pathh: unknown field "pathh" (did you mean "path"?); allowed: path',
  ]);
});

test('an unknown top-level field gets a suggestion', () => {
  const errs = errorsOf(head + 'step:\n  - stat: f\n', 'top.yaml');
  assert.ok(errs.includes('top.yaml:4:1: /step: unknown field "step" (did you mean "steps"?); allowed: id, title, behaviour, refs, requires, description, layers, after, timeout, finalOpen, baselineOpen, steps'), errs.join('\n'));
});

test('invalid YAML reports the parser position', () => {
  const errs = errorsOf('id: x\n  bad: [\n', 'bad.yaml');
  assert.equal(errs, ['bad.yaml:1:5: /: invalid YAML: Nested mappings are not allowed in compact mappings']);
});

test('a mode that YAML 1.2 reads as decimal is rejected with the fix', () => {
  const errs = errorsOf(head + 'layers:\n  lower:\n    - { f: { type: file, mode: 0644 } }\nsteps:\n  - stat: f\n', 'mode.yaml');
  assert.equal(errs, ['mode.yaml:6:32: /layers/lower/0/f/mode: mode 0644 was read by YAML 1.2 as the decimal number 644; write it as a quoted octal string ("0644") or as 0o644']);
});

test('modes written as quoted octal or 0o literals are accepted', () => {
  const [s] = scenario(head + 'layers:\n  lower:\n    - { f: { type: file, mode: "0640" }, g: { type: file, mode: 0o600 } }\nsteps:\n  - chmod: { path: f, mode: "0755" }\n');
  assert.equal((s.layers.lowers[0].f as { mode: number }).mode, 0o640);
  assert.equal((s.layers.lowers[0].g as { mode: number }).mode, 0o600);
  assert.equal(s.steps[0].args.mode, 0o755);
});

test('paths that escape the scenario root are rejected before anything runs', () => {
  const errs = errorsOf(head + 'layers:\n  lower:\n    - { ../out: "x" }\nsteps:\n  - unlink: /etc/passwd\n  - rename: { from: a, to: "b/../../c" }\n', 'escape.yaml');
  assert.equal(errs, [
    'escape.yaml:6:9: /layers/lower/0/..~1out: layer path "../out" contains "..", which could escape the scenario root',
    'escape.yaml:8:13: /steps/0/unlink/path: "/etc/passwd" is absolute: scenario paths are relative to the scenario root',
    'escape.yaml:9:28: /steps/1/rename/to: "b/../../c" contains "..", which could escape the scenario root',
  ]);
});

test('an fd that no earlier step bound is an error', () => {
  const errs = errorsOf(head + 'steps:\n  - pread: { fd: q, offset: 0, length: 1 }\n', 'fd.yaml');
  assert.equal(errs, ['fd.yaml:5:18: /steps/0/pread/fd: "q" is not bound by an earlier step (bind one with `as: q`)']);
});

test('unknown capability, deviation and reference are named', () => {
  const errs = errorsOf(head + 'requires: [whiteout, whitout]\nrefs: [posix:nope]\nsteps:\n  - stat: f\n    deviations:\n      DEV-NOPE: { errno: EXDEV }\n', 'vocab.yaml');
  assert.equal(errs, [
    'vocab.yaml:4:22: /requires/1: unknown capability "whitout" (did you mean "whiteout"?); the vocabulary is spec/capabilities.yaml',
    'vocab.yaml:5:8: /refs/0: unknown reference "posix:nope" (did you mean "posix:open"?); add it to spec/refs/',
    'vocab.yaml:9:7: /steps/0/deviations/DEV-NOPE: unknown deviation id DEV-NOPE; deviations are defined in spec/deviations/',
  ]);
});

test('a step with two operations or none is rejected', () => {
  assert.equal(errorsOf(head + 'steps:\n  - stat: f\n    unlink: f\n', 'two.yaml'), ['two.yaml:5:5: /steps/0: a step has one operation; this one has stat, unlink']);
  assert.equal(errorsOf(head + 'steps:\n  - expect: { errno: ENOENT }\n', 'none.yaml')[0].startsWith('none.yaml:5:5: /steps/0: a step needs an operation (one of open, close,'), true);
});

test('an errno expectation mixed with value matchers is rejected', () => {
  const errs = errorsOf(head + 'steps:\n  - stat: f\n    expect: { errno: ENOENT, size: 1 }\n', 'mixed.yaml');
  assert.equal(errs, ['mixed.yaml:6:13: /steps/0/expect: expect has an errno and value matchers: a step either fails with an errno or succeeds with a value']);
});

test('a hardlink to a missing target is rejected', () => {
  const errs = errorsOf(head + 'layers:\n  lower:\n    - { b: !hardlink a }\nsteps:\n  - stat: b\n', 'hl.yaml');
  assert.equal(errs, ['hl.yaml:6:9: /layers/lower/0/b: hardlink target "a" is not in this layer']);
});

test('shorthand tags become canonical entries and parents are implied', () => {
  const [s] = scenario(head + 'layers:\n  lower:\n    - { a/b/w: !whiteout, o: !opaque, l: !symlink a/b, p: !fifo, f: "text", h: !hex 00ff }\nsteps:\n  - stat: f\n');
  const t = s.layers.lowers[0];
  assert.equal(t['a/b/w'], { type: 'whiteout' });
  assert.equal(t['a'], { type: 'dir' });
  assert.equal(t['a/b'], { type: 'dir' });
  assert.equal(t['o'], { type: 'dir', opaque: 'y' });
  assert.equal(t['l'], { type: 'symlink', target: 'a/b' });
  assert.equal(t['p'], { type: 'fifo' });
  assert.equal(t['f'], { type: 'file', data: 'text' });
  assert.equal(t['h'], { type: 'file', data: { hex: '00ff' } });
  assert.equal(s.layers.upper, {});
});

test('vary expands into one run per combination with substituted values', () => {
  const runs = scenario(head + 'vary:\n  kind:\n    file: "data"\n    link: !symlink x\n  n: [1, 2]\nlayers:\n  lower:\n    - { "o${n}": "${kind}" }\nsteps:\n  - lstat: "o${n}"\n');
  assert.equal(runs.map((r) => r.runId), ['t/x[kind=file,n=1]', 't/x[kind=file,n=2]', 't/x[kind=link,n=1]', 't/x[kind=link,n=2]']);
  assert.equal(runs[2].layers.lowers[0].o1, { type: 'symlink', target: 'x' });
  assert.equal(runs[1].steps[0].args.path, 'o2');
});

test('an error inside a vary value points at the vary block', () => {
  const errs = errorsOf(head + 'vary:\n  w:\n    ok: { type: file }\n    bad: { type: file, mdoe: "0644" }\nlayers:\n  lower:\n    - { f: "${w}" }\nsteps:\n  - stat: f\n', 'vary.yaml');
  assert.equal(errs, ['vary.yaml:7:24: /layers/lower/0/f/mdoe: unknown field "mdoe" (did you mean "mode"?); allowed: type, data, size, mode, uid, gid, mtime, atime, xattrs, metacopy, redirect']);
});

test('an unknown vary dimension in a substitution is an error', () => {
  const errs = errorsOf(head + 'vary:\n  a: [1]\nsteps:\n  - stat: "${b}"\n', 'dim.yaml');
  assert.equal(errs, ['dim.yaml:7:11: /steps/0/stat: ${b} names no vary dimension']);
});

test('JSON scenarios load with positions too', () => {
  const errs = errorsOf('{\n "id": "t/j",\n "title": "j",\n "behaviour": ["WH-001"],\n "steps": [{ "stat": { "pth": "f" } }]\n}\n', 'j.json');
  assert.equal(errs[1], 'j.json:5:24: /steps/0/stat/pth: unknown field "pth" (did you mean "path"?); allowed: path');
});

test('repeat layers expand with the layer index substituted', () => {
  const [s] = scenario(head + 'layers:\n  lower:\n    - repeat: 3\n      entries: { "f{i}": "layer {i}" }\nsteps:\n  - stat: f0\n');
  assert.equal(s.layers.lowers.length, 3);
  assert.equal(s.layers.lowers[2], { f2: { type: 'file', data: 'layer 2' } });
});

test('a value the schema admits but that cannot be read is an error of its file, never a crash', () => {
  const errs = errorsOf(head + 'steps:\n  - stat: f\n    expect: { mode: "rwx" }\n', 'unreadable.yaml');
  assert.equal(errs, ['unreadable.yaml:6:21: /steps/0/expect/mode: mode "rwx" is not an octal mode such as "0644"']);
});

test('data-only layers load under layers.data, below the lowers, and make the scenario need data-only-lowers', async () => {
  const { requirementsOf } = await import('../../../engine/requirements.js');
  const [s] = scenario(head + 'layers:\n  lower:\n    - { f: { type: file, size: 1, metacopy: true, redirect: /b/f } }\n  data:\n    - { b/f: "x" }\nsteps:\n  - readfile: f\n');
  assert.equal(Object.keys(s.layers.data?.[0] ?? {}), ['b', 'b/f'], 'the data layer is a canonical tree, parents made explicit');
  assert.is(s.layers.lowers.length, 1);
  const needs = requirementsOf(s);
  assert.ok(needs.includes('data-only-lowers') && needs.includes('metacopy'), needs.join(','));
  const plain = scenario(head + 'steps:\n  - stat: f\n');
  assert.is(plain[0].layers.data, undefined, 'a scenario without data layers has none');
  assert.ok(!requirementsOf(plain[0]).includes('data-only-lowers'));
  const errs = errorsOf(head + 'layers:\n  data: []\nsteps:\n  - stat: f\n', 'empty-data.yaml');
  assert.ok(errs.some((e) => e.includes('/layers/data')), errs.join('\n'));
});

test.run();
