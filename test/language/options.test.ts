import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layerNameProblem, MOUNT_OPTIONS, optionProblem, optionStringProblem } from '../../language/options.js';
import { errorsOf, scenario } from '../helpers/scenario.js';

const head = 'id: t/opt\ntitle: t\nbehaviour: [WH-001]\n';

test('every option of the vocabulary accepts a value of its type', () => {
  for (const [name, type] of MOUNT_OPTIONS) {
    const value = type.kind === 'flag' ? true : type.kind === 'enum' ? type.values[0] : 0;
    assert.is(optionProblem(name, value), undefined, name);
  }
});

test('a layer name a scenario chooses is one directory name: colons and commas yes, separators and dot names no', () => {
  for (const ok of ['a:b', 'c,d', 'x\\y', 'l0']) assert.is(layerNameProblem(ok), undefined, ok);
  for (const bad of ['a/b', '..', '.', '', '-o', 'a b', 'x'.repeat(65), 'a\nb']) assert.ok(layerNameProblem(bad), JSON.stringify(bad));
});

test('a scenario naming a layer directory with a slash is refused at load with the field', () => {
  const errs = errorsOf(`${head}steps:\n  - mountOverlay: { lower: layers, names: ["../x"] }\n`);
  assert.ok(errs.some((e) => /one directory name|outside the layer/.test(e)), errs.join('\n'));
});

test('layer directories are never an option, whatever the value', () => {
  for (const name of ['upperdir', 'workdir', 'lowerdir', 'lowerdir+', 'datadir+'])
    assert.match(optionProblem(name, 'x') ?? '', /layer directory/);
});

test('a value carrying a separator or a path is refused for every option', () => {
  for (const v of ['off,upperdir=/tmp/c2', 'on:x', 'a=b', '/tmp', 'on off', 'on\n', '../x'])
    assert.match(optionProblem('xino', v) ?? '', /not a plain token/, v);
  assert.match(optionStringProblem('timeout=1,upperdir=/x') ?? '', /not a plain token/);
});

test('unknown names and values of the wrong type are refused with what is allowed', () => {
  assert.match(optionProblem('allow_other', 'on') ?? '', /unknown mount option "allow_other"/);
  assert.match(optionProblem('xino', 'maybe') ?? '', /one of on, off, auto/);
  assert.match(optionProblem('timeout', '-1') ?? '', /whole number/);
  assert.match(optionProblem('volatile', 'yes') ?? '', /is a flag/);
  assert.match(optionProblem('index', { on: 1 }) ?? '', /plain value/);
});

test('a remount naming the upper directory fails to load at the option', () => {
  const errs = errorsOf(head + 'steps:\n  - remount: {options: {upperdir: /tmp/c2, workdir: /tmp/c2w}}\n  - open: {path: canary.txt, flags: [O_WRONLY, O_TRUNC]}\n', 'remount.yaml');
  assert.equal(errs, [
    'remount.yaml:5:25: /steps/0/remount/options/upperdir: option "upperdir" names a layer directory; layer paths come only from the harness',
    'remount.yaml:5:44: /steps/0/remount/options/workdir: option "workdir" names a layer directory; layer paths come only from the harness',
  ]);
});

test('a comma inside an option value fails to load, also when it comes from a vary value', () => {
  const errs = errorsOf(head + 'vary:\n  x: { bad: "off,upperdir=/tmp/c2" }\nsteps:\n  - remount: {options: {xino: "${x}"}}\n', 'xino.yaml');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^xino\.yaml:\d+:\d+: \/steps\/0\/remount\/options\/xino: option xino: value "off,upperdir=\/tmp\/c2" is not a plain token/);
});

test('options of the vocabulary load and reach the step as strings', () => {
  const [s] = scenario(head + 'steps:\n  - remount: {options: {redirect_dir: "on", volatile: true, timeout: 0}}\n');
  assert.equal(s.steps[0].args.options, { redirect_dir: 'on', volatile: 'true', timeout: '0' });
});

test.run();
