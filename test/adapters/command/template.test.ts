// Command templates: placeholders expand to the scenario's layer directories and the mount's
// options, optional groups vanish when a placeholder inside has no value, {args} splices the
// variant's extra arguments, and --adapter/--config turn into the adapters to load.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adapterEntries, isConfigPath } from '../../../adapters/registry.js';
import { analyse, expandArgv, expandElement, MissingValue, TemplateError } from '../../../adapters/command/template.js';
import { UnknownAdapter } from '../../../adapters/registry.js';

const FO = ['fuse-overlayfs', '-f', '-o', 'lowerdir={lowers}[,upperdir={upper},workdir={work}][,{options}]', '{merged}'];

test('A full layout fills every placeholder and keeps both optional groups', () => {
  const argv = expandArgv(FO, { lowers: '/l0:/l1', upper: '/u', work: '/w', merged: '/m', options: 'static_nlink' });
  assert.equal(argv, ['fuse-overlayfs', '-f', '-o', 'lowerdir=/l0:/l1,upperdir=/u,workdir=/w,static_nlink', '/m']);
});

test('Without an upper layer or options their groups are left out', () => {
  assert.equal(expandArgv(FO, { lowers: '/l0', merged: '/m', options: '' }), ['fuse-overlayfs', '-f', '-o', 'lowerdir=/l0', '/m']);
});

test('A required placeholder without a value is a MissingValue naming it', () => {
  assert.throws(() => expandElement('upperdir={upper}', { merged: '/m' }), (e: unknown) => e instanceof MissingValue && e.placeholder === 'upper');
});

test('An element that expands to nothing is dropped and {args} splices extra arguments', () => {
  assert.equal(expandArgv(['x', '{options}', '{args}', '{lower1}'], { options: '', lowerN: ['/a', '/b'] }, ['--one', '--two']), ['x', '--one', '--two', '/b']);
});

test('Literal brackets and braces have placeholders of their own', () => {
  assert.is(expandElement('{lbracket}{merged}{rbracket}{lbrace}{rbrace}', { merged: 'm' }), '[m]{}');
});

test('Analysis tells required from optional placeholders and the highest lower index', () => {
  const u = analyse(['x', '{lower0}', '[{lower2}]', '{merged}']);
  assert.equal([...u.required].sort(), ['lower0', 'merged']);
  assert.is(u.maxLowerIndex, 2);
  assert.throws(() => analyse(['-o{args}']), (e: unknown) => e instanceof TemplateError && /whole argv element/.test((e as Error).message));
  assert.throws(() => analyse(['[a[b]]']), /cannot nest/);
  assert.throws(() => analyse(['a]']), /without its "\["/);
});

test('Config paths and the command adapter name become config entries; other names go to the registry', () => {
  assert.ok(isConfigPath('./my.yaml') && isConfigPath('x.JSON') && !isConfigPath('./plugin.js'));
  assert.equal(adapterEntries(['memory', 'command'], ['a.yaml', 'b.yml']).map((e) => e.name), ['memory', 'a.yaml', 'b.yml']);
  assert.equal(adapterEntries([], ['a.yaml']).map((e) => e.name), ['a.yaml']);
  assert.equal(adapterEntries(['memory'], ['a.yaml']).map((e) => e.name), ['memory', 'a.yaml']);
  assert.equal(adapterEntries(['./c.yaml'], []).map((e) => e.name), ['./c.yaml']);
  assert.throws(() => adapterEntries(['command'], []), (e: unknown) => e instanceof UnknownAdapter && /needs a config/.test((e as Error).message));
});

test.run();
