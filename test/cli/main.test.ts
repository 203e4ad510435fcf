// tier: system
// The command line: `validate` of the repository, runs on the memory engine and the TAP and JUnit
// reporters through the real binary; usage errors, help, `list` and a broken file's messages through
// main() in this process (the same code, without a child's start-up).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Import from 'ajv/dist/2020.js';
import { fixtures, ovlconf, ovlconfHere } from '../helpers/cli.js';
import { packageRoot } from '../../language/root.js';

const Ajv2020 = ((Ajv2020Import as unknown as { default?: unknown }).default ?? Ajv2020Import) as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const tmp = mkdtempSync(join(tmpdir(), 'ovlconf-cli-'));

test('validate exits 0 on the repository suite and spec data', async () => {
  const r = await ovlconf(['validate']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ok: \d+ scenario file\(s\)/);
});

test('validate exits 1 and names file:line:col and the field of a misspelt scenario', async () => {
  const r = await ovlconfHere(['validate', fixtures('broken')]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /misspelt\.yaml:5:13: \/steps\/0\/stat\/pth: unknown field "pth" \(did you mean "path"\?\)/);
});

test('run on the memory engine writes results that validate against spec/results.schema.json, with no errors', async () => {
  const out = join(tmp, 'r.json');
  // two variants and four large groups (every verdict kind, after-trees, deviations): the whole
  // file's shape; the whole suite on memory is checked against the kernel by the self-check
  const r = await ovlconf(['run', '--adapter', 'memory', '--variant', 'default,metacopy=on', '--grep', '^(copy-up|rename|whiteout|opaque)/', '--reporter', 'json', '--out', out], { timeoutMs: 600_000 });
  assert.is(r.signal, null, `ovlconf was killed: ${r.stderr.slice(-300)}`);
  const doc = JSON.parse(readFileSync(out, 'utf8'));
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'spec', 'results.schema.json'), 'utf8'));
  const validate = new Ajv2020({ strict: false, allowUnionTypes: true }).compile(schema);
  assert.ok(validate(doc), JSON.stringify(validate.errors)?.slice(0, 500));
  assert.is(doc.results.filter((x: { verdict: string }) => x.verdict === 'error').length, 0);
  const scenarios = new Set(doc.results.map((x: { scenario: string }) => x.scenario));
  assert.ok(scenarios.size >= 30, `${scenarios.size} scenario runs`);
  assert.ok(Object.keys(doc.environment.variants).some((k) => k.startsWith('memory/')));
  const fails = doc.results.filter((x: { verdict: string }) => x.verdict === 'fail' || x.verdict === 'xpass').length;
  assert.is(r.code, fails ? 1 : 0, 'exit status follows the verdicts');
});

test('a broken scenario is reported and the rest of the run goes on, with exit status 1', async () => {
  const r = await ovlconf(['run', '--adapter', 'memory', '--variant', 'default', '--suite', fixtures('broken'), '--reporter', 'json']);
  assert.is(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.results.map((x: { scenario: string; verdict: string }) => `${x.scenario} ${x.verdict}`), ['fixture/good pass']);
  assert.equal(doc.loadErrors.map((e: { file: string; line: number; col: number }) => `${e.line}:${e.col}`), ['5:11', '5:13']);
});

test('an unknown adapter is a usage error listing the valid ones', async () => {
  const r = await ovlconfHere(['run', '--adapter', 'nosuch']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown adapter "nosuch"; built-in adapters: memory, posix, kernel/);
});

test('an unknown variant names the adapter\'s variants', async () => {
  const r = await ovlconfHere(['run', '--adapter', 'memory', '--variant', 'bogus']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /adapter memory has no variant "bogus"; its variants: default, /);
});

test('list --json describes scenarios and adapters for machines', async () => {
  const r = await ovlconfHere(['list', '--json']);
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const s = doc.scenarios.find((x: { id: string }) => x.id === 'rename/lower-dir');
  assert.equal(s.file, 'suites/rename/lower-dir.yaml');
  assert.ok(s.behaviour.includes('RN-001'));
  const mem = doc.adapters.find((a: { name: string }) => a.name === 'memory');
  assert.is(mem.available, true);
  assert.ok(mem.variants.some((v: { name: string }) => v.name === 'legacy-fd'));
});

test('the TAP and JUnit reporters describe the same run', async () => {
  const args = ['run', '--adapter', 'memory', '--variant', 'default', '--grep', '^(rename/lower-dir|lookup/leftmost-lower-wins)$'];
  const tap = await ovlconf([...args, '--reporter', 'tap']);
  assert.match(tap.stdout, /^TAP version 13\n1\.\.\d+\n/);
  assert.match(tap.stdout, /ok \d+ - memory\/default rename\/lower-dir \[DEV-RENAME-DIR-EXDEV\] # documented deviation DEV-RENAME-DIR-EXDEV/);
  const junit = await ovlconf([...args, '--reporter', 'junit']);
  assert.match(junit.stdout, /<testsuite name="memory\/default" tests="2" failures="0" errors="0" skipped="0"/);
  assert.match(junit.stdout, /<testcase classname="memory\/default" name="rename\/lower-dir"/);
});

test('--help works on every command', async () => {
  for (const c of ['run', 'validate', 'list', 'matrix']) {
    const r = await ovlconfHere([c, '--help']);
    assert.is(r.code, 0, c);
    assert.match(r.stdout, new RegExp(`^Usage: ovlconf ${c}`));
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
