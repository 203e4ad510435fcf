// tier: system
// Adapter plug-ins from outside the repository: the TypeScript example plug-in compiles against
// the published types (`import type { Adapter } from 'overlay-conformance'`, resolved the way a
// file: dependency installs it) and runs through `--adapter ./my-union.js`; a plug-in that throws
// on load or exports no adapter is a clear usage error, and one whose setup never resolves turns
// into an `error` verdict while the run goes on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../language/schema/results.js';
import { packageRoot } from '../../language/root.js';
import { hostOverlayMounts } from '../helpers/cli.js';

const root = packageRoot();
const project = mkdtempSync(join(tmpdir(), 'ovlconf-plugin-'));

/** run a node script in the plug-in project; exit code and output */
function node(args: string[], timeoutMs = 300_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
const ovlconf = (args: string[], timeoutMs?: number) => node([join(root, 'bin', 'ovlconf.js'), ...args], timeoutMs);
// --skipLibCheck: the plug-in is checked against the published .d.ts files; re-checking those
// (built and checked by this package's own tsc) and @types/node is three quarters of the cost
const tsc = (config: string) => node([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config, '--skipLibCheck']);

test.before(() => {
  for (const f of ['my-union.ts', 'tsconfig.json', 'unlink-lower.yaml']) copyFileSync(join(root, 'examples', 'plugin', f), join(project, f));
  // what `npm install file:<this package>` leaves: a link to the package; @types/node for the compiler
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules', 'overlay-conformance'));
  symlinkSync(join(root, 'node_modules', '@types'), join(project, 'node_modules', '@types'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-union-plugin', private: true, type: 'module', dependencies: { 'overlay-conformance': `file:${root}` } }));
});

test('A TypeScript plug-in outside the repo compiles against the published types', async () => {
  // one compiler run (it costs seconds of CPU) over the plug-in and a file that misuses the
  // types: the plug-in compiles clean and is emitted, and the types are real: a wrong field is a
  // compile error, not an `any`
  writeFileSync(join(project, 'wrong.ts'), "import type { Adapter, Worker } from 'overlay-conformance';\nexport const a: Pick<Adapter, 'name'> = { name: 1 };\nexport type W = Worker['inspect'];\n");
  writeFileSync(join(project, 'tsconfig.both.json'), JSON.stringify({ extends: './tsconfig.json', files: ['my-union.ts', 'wrong.ts'] }));
  const r = await tsc('tsconfig.both.json');
  const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
  assert.is(errors.length, 1, `only the misuse is an error:\n${r.stdout}${r.stderr}`);
  assert.match(errors[0], /^wrong\.ts\(2,43\): error TS2322: Type 'number' is not assignable to type 'string'/);
  assert.is(r.code, 2);
  assert.ok(existsSync(join(project, 'my-union.js')), 'the plug-in was emitted');
});

test('The compiled plug-in runs through --adapter ./my-union.js with the suite\'s verdicts', async () => {
  const out = join(project, 'r.json');
  const r = await ovlconf(['run', '--adapter', './my-union.js', '--suite', 'unlink-lower.yaml', '--grep', '.', '--reporter', 'json', '--out', out, '--allow-empty']);
  assert.is(r.code, 0, r.stderr);
  const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
  assert.equal(file.results.map((x) => [x.adapter, x.id]), [['my-union', 'plugin/unlink-lower']]);
  // the harness now asks the plug-in for a stat it does not implement: a skip that says so, never a fail
  assert.match(`${file.results[0].verdict} ${file.results[0].reason ?? ''}`, /^pass |^skip .*the my-union plug-in does not implement/);
  assert.is(file.environment.variants['my-union/default']?.implementation, 'my-union');
  const whiteouts = await ovlconf(['run', '--adapter', join(project, 'my-union.js'), '--grep', '^whiteout/unlink-lower-file$', '--reporter', 'json', '--out', out, '--allow-empty']);
  assert.is(whiteouts.code, 0, whiteouts.stderr);
  const skips = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).results;
  assert.ok(skips.length > 0);
  for (const s of skips) assert.match(`${s.verdict} ${s.reason}`, /^(pass|skip) |the my-union plug-in does not implement/);
});

test('A plug-in that throws while loading is a usage error that says so', async () => {
  writeFileSync(join(project, 'throws.js'), "throw new Error('the plug-in cannot find its daemon');\n");
  const r = await ovlconf(['run', '--adapter', './throws.js']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^ovlconf: adapter plug-in \.\/throws\.js failed to load: the plug-in cannot find its daemon/);
});

test('A module that exports no adapter is refused naming what is missing', async () => {
  writeFileSync(join(project, 'empty.js'), 'export const adapter = { name: "half" };\n');
  const r = await ovlconf(['run', '--adapter', './empty.js']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /\.\/empty\.js does not export an adapter: missing probe, createWorker/);
});

test('A plug-in whose setup never resolves gets an error verdict and the run goes on', async () => {
  writeFileSync(join(project, 'hangs.js'), readFileSync(join(project, 'my-union.js'), 'utf8')
    .replace("name: 'my-union'", "name: 'hangs'")
    .replace(/async setup\(layers\) \{/, 'async setup(layers) {\n        if (layers.lowers[0]?.["a.txt"]) return new Promise(() => {});'));
  writeFileSync(join(project, 'second.yaml'), readFileSync(join(project, 'unlink-lower.yaml'), 'utf8').replace('plugin/unlink-lower', 'plugin/z-second').replace(/a\.txt/g, 'c.txt'));
  const out = join(project, 'h.json');
  const r = await ovlconf(['run', '--adapter', './hangs.js', '--suite', 'unlink-lower.yaml', '--suite', 'second.yaml', '--jobs', '1', '--reporter', 'json', '--out', out], 300_000);
  assert.is(r.code, 1, r.stderr);
  const results = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).results;
  const byId = Object.fromEntries(results.map((x) => [x.id, x]));
  assert.is(byId['plugin/unlink-lower']?.verdict, 'error');
  assert.match(byId['plugin/unlink-lower']?.reason ?? '', /setup did not finish within 30000 ms/);
  assert.is(byId['plugin/z-second']?.verdict, 'pass', 'a fresh worker runs the next scenario');
  assert.equal(await hostOverlayMounts(), []);
});

test.after(() => rmSync(project, { recursive: true, force: true }));
test.run();
