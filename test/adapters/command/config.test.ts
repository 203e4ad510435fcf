// Command adapter configs are checked like scenarios: every problem is reported as
// file:line:col: /json/path: message, schema problems first, then what the schema cannot say
// (templates, capability names, duplicate variants, the ready condition, the layer format).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCommandConfig } from '../../../adapters/command/config.js';
import { CommandConfigError, loadCommandAdapter } from '../../../adapters/command/index.js';
import { formatLoadError } from '../../../language/model.js';
import { packageRoot } from '../../../language/root.js';

const dir = mkdtempSync(join(tmpdir(), 'ovlconf-cmdcfg-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** the formatted errors of a config text written as `name` */
function errorsOf(text: string, name = 'my.yaml'): string[] {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadCommandConfig(file, name).errors.map(formatLoadError);
}

const GOOD = `implementation: my-overlay
mount:
  argv: [my-overlay, -f, -o, 'lowerdir={lowers}[,upperdir={upper},workdir={work}][,{options}]', '{merged}']
format: kernel
variants:
  - name: default
`;

test('A minimal config with one variant loads without problems', () => {
  assert.equal(errorsOf(GOOD), []);
  const r = loadCommandConfig(join(dir, 'my.yaml'), 'my.yaml');
  assert.ok(r.config);
  assert.ok(r.config!.mountUse.all.has('work'));
  assert.not.ok(r.config!.mountUse.required.has('upper'), '{upper} sits in an optional group');
});

test('A schema problem names the line and column of the offending value', () => {
  assert.equal(errorsOf(GOOD.replace('implementation: my-overlay', 'implementation: My_Overlay')), [
    'my.yaml:1:17: /implementation: "My_Overlay" is not an implementation name of lower-case letters, digits and dashes (as spec/profiles/<name>.yaml and --profile files name it)',
  ]);
});

test('An unknown field is reported at its key with the fields allowed there', () => {
  const errs = errorsOf(GOOD.replace('format: kernel', 'format: kernel\nready: { mount: true, file: x }'));
  assert.equal(errs, ['my.yaml:5:23: /ready/file: unknown field "file"; allowed: mount, timeoutMs']);
});

test('Template, capability, variant and format problems are reported in line order with suggestions', () => {
  const text = `implementation: my-overlay
mount:
  argv: [my-overlay, '{lowers}', '{mergd}']
format: kernal
capabilities:
  redirct: true
variants:
  - name: default
  - name: default
`;
  assert.equal(errorsOf(text), [
    'my.yaml:3:34: /mount/argv/2: unknown placeholder {mergd} (did you mean "merged"?) in "{mergd}"; placeholders: {lowers}, {lower0}, {lower1}…, {upper}, {work}, {merged}, {options}, {args} (a whole element), {dir} (in mount.lowers.item), {lbracket} {rbracket} {lbrace} {rbrace}',
    'my.yaml:4:9: /format: unknown layer format "kernal" (did you mean "kernel"?); formats: kernel, fuse-overlayfs, unionfs, plain, opaque, or a module path (./my-format.js)',
    'my.yaml:6:3: /capabilities/redirct: unknown capability redirct (did you mean "redirect"?); capabilities are listed in spec/capabilities.yaml',
    'my.yaml:9:11: /variants/1/name: variant default is defined twice (first as variants[0])',
  ]);
});

test('A command that never exits cannot be ready by exiting, and an unclosed group is named', () => {
  const text = `implementation: my-overlay
mount:
  argv: [my-overlay, -o, 'lowerdir={lowers}[,upperdir={upper}', '{merged}']
ready: { exit: true }
format: kernel
variants:
  - name: default
`;
  assert.equal(errorsOf(text), [
    'my.yaml:3:26: /mount/argv/2: unclosed "[" in "lowerdir={lowers}[,upperdir={upper}" (write {lbracket} for a literal one)',
    'my.yaml:4:16: /ready/exit: ready: { exit: true } needs mount.foreground: false (a command that stays in the foreground never exits)',
  ]);
});

test('Variant args need an {args} element, the lower item needs {dir}, and the mount point must be named', () => {
  const text = `implementation: my-overlay
mount:
  argv: [my-overlay, '{lowers}']
  lowers: { item: '{upper}=RO' }
format: kernel
variants:
  - name: default
    args: [--fast]
`;
  assert.equal(errorsOf(text), [
    'my.yaml:3:9: /mount/argv: the mount command must name the mount point {merged}',
    'my.yaml:4:19: /mount/lowers/item: the lower item must contain {dir}, the lower directory',
    'my.yaml:4:19: /mount/lowers/item: the lower item may only use {dir}',
    'my.yaml:8:11: /variants/0/args: variant default has args, but mount.argv has no {args} element to put them',
  ]);
});

test('A bad version pattern is reported at the pattern', () => {
  const errs = errorsOf(GOOD + `version:\n  command: [my-overlay, --version]\n  pattern: 'version (\\d+'\n`);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^my\.yaml:9:12: \/version\/pattern: not a regular expression: /);
});

test('A JSON config is checked the same way', () => {
  const json = JSON.stringify({ implementation: 'my-overlay', mount: { argv: ['x', '{lowers}', '{merged}'] }, format: 'plain', variants: [{ name: 'a', namespace: 'host' }] }, null, 1);
  const errs = errorsOf(json, 'my.json');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^my\.json:\d+:\d+: \/variants\/0\/namespace: /);
});

test('A format module that does not exist is reported at the format line when the adapter loads', async () => {
  const file = join(dir, 'mod.yaml');
  writeFileSync(file, GOOD.replace('format: kernel', 'format: ./nope.js'));
  const e = await loadCommandAdapter(file, 'mod.yaml').then(() => undefined, (x: unknown) => x);
  assert.instance(e, CommandConfigError);
  assert.is((e as Error).message, `invalid command adapter config mod.yaml:\nmod.yaml:4:9: /format: layer format module ./nope.js: no such file (${join(dir, 'nope.js')})`);
});

test('The shipped examples load without problems', async () => {
  for (const name of ['fuse-overlayfs', 'unionfs-fuse', 'kernel-mount']) {
    const r = loadCommandConfig(join(packageRoot(), 'examples', `${name}.yaml`), `examples/${name}.yaml`);
    assert.equal(r.errors.map(formatLoadError), [], name);
  }
});

test('A variant option naming a layer directory or carrying a separator is refused at its line', () => {
  const errs = errorsOf(GOOD + '  - name: evil\n    options: [upperdir=/tmp/c2, "xino=off,workdir=/tmp/w", static_nlink]\n    args: ["-o", "upperdir=/tmp/c2"]\n', 'evil.yaml');
  assert.equal(errs, [
    'evil.yaml:8:15: /variants/1/options/0: option "upperdir" names a layer directory; layer paths come only from the harness ({lowers}, {upper}, {work})',
    'evil.yaml:8:33: /variants/1/options/1: option xino: value "off,workdir=/tmp/w" is not a plain token (no separators such as , = : / or spaces)',
    'evil.yaml:9:11: /variants/1/args: variant evil has args, but mount.argv has no {args} element to put them',
    'evil.yaml:9:18: /variants/1/args/1: an extra argument sets a layer directory; layer paths come only from the harness ({lowers}, {upper}, {work})',
  ]);
});

test('The options a remount may set are those the variants and effective options name', async () => {
  const { configOptionNames } = await import('../../../adapters/command/config.js');
  const file = join(packageRoot(), 'examples', 'fuse-overlayfs.yaml');
  const r = loadCommandConfig(file, 'fuse-overlayfs.yaml');
  assert.equal(configOptionNames(r.config!.source), ['fsync', 'static_nlink', 'timeout', 'xattr_permissions']);
});

test.run();
