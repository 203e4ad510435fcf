// tier: system
// The shipped examples reproduce the built-in FUSE adapters through the command adapter: on a
// representative subset of the suite (every verdict kind, a user-namespace variant, documented
// deviations) both routes give the same verdict, deviations and skip reasons per scenario and
// variant, and the same implementation and effective options. The whole suite is compared by hand
// (docs/testing-your-overlay.md says how).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../language/schema/results.js';
import { packageRoot } from '../../language/root.js';
import { hostOverlayMounts, ovlconf } from '../helpers/cli.js';
import { skipReason } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'ovlconf-routes-'));
// named scenarios, not whole groups (which grow): on fuse-overlayfs and unionfs-fuse they give
// pass, fail, deviation and skip, and skips particular to the user-namespace variant
const SUBSET =
  '^(fd/rename-while-open|inode/merged-dir-nlink|inode/merged-dir-nlink-kinds|opaque/opaque-x-not-opaque|opaque/mkdir-over-whiteout-owner|opaque/rmdir-emptied-merged|' +
  'rename/back-and-forth|whiteout/unlink-lower-file|whiteout/unlink-after-copyup-ways|whiteout/unlink-types-where)(\\[|$)';

/** run one route on the subset; the results file */
async function run(name: string, adapterArgs: string[], variants: string): Promise<ResultsFile> {
  const out = join(dir, `${name}.json`);
  const r = await ovlconf(['run', ...adapterArgs, '--variant', variants, '--grep', SUBSET, '--reporter', 'json', '--out', out], { timeoutMs: 300_000 });
  assert.ok(r.code === 0 || r.code === 1, `${name}: exit ${r.code}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
}

/** scenario × variant → what a verdict comparison looks at */
function verdicts(f: ResultsFile): Map<string, string> {
  return new Map(f.results.map((r) => [`${r.variant} ${r.scenario}`, `${r.verdict} [${(r.deviations ?? []).join(',')}]${r.verdict === 'skip' ? ` ${r.reason}` : ''}`]));
}

function compare(builtin: ResultsFile, command: ResultsFile): void {
  const a = verdicts(builtin);
  const b = verdicts(command);
  assert.ok(a.size >= 80, `the subset has ${a.size} runs`);
  assert.equal([...b.keys()].sort(), [...a.keys()].sort(), 'the same scenario × variant runs');
  const differ = [...a].filter(([k, v]) => b.get(k) !== v).map(([k, v]) => `${k}: ${v} → ${b.get(k)}`);
  // what each route saw of the runs that differ, for a reader of a failed CI log
  const seen = (f: ResultsFile) => f.results.filter((r) => differ.some((d) => d.startsWith(`${r.variant} ${r.scenario}:`))).map(({ scenario, verdict, reason, notes }) => ({ scenario, verdict, reason, notes }));
  if (differ.length) console.error(`the routes differ:\n${JSON.stringify({ builtin: seen(builtin), command: seen(command) }, null, 1)}`);
  assert.equal(differ, [], 'identical verdicts');
  const kinds = new Set(builtin.results.map((r) => r.verdict));
  for (const k of ['pass', 'fail', 'deviation', 'skip']) assert.ok(kinds.has(k as never), `the subset covers ${k}`);
  const fpA = builtin.environment.variants;
  const fpB = command.environment.variants;
  for (const [key, fp] of Object.entries(fpA)) {
    assert.is(fpB[key]?.implementation, fp.implementation, key);
    assert.equal(fpB[key]?.options, fp.options, `${key}: effective options`);
  }
}

const foWhy = skipReason('root', 'fuse', 'fuseOverlayfs');
const ufWhy = skipReason('root', 'fuse', 'unionfs');

(foWhy ? test.skip : test)('The fuse-overlayfs example gives the built-in adapter\'s verdicts', async () => {
  const variants = 'default,static_nlink,unprivileged';
  const builtin = await run('fo-builtin', ['--adapter', 'fuse-overlayfs'], variants);
  const command = await run('fo-command', ['--adapter', 'command', '--config', join(packageRoot(), 'examples', 'fuse-overlayfs.yaml')], variants);
  compare(builtin, command);
  assert.equal(await hostOverlayMounts(), []);
});
if (foWhy) console.log(`  SKIP fuse-overlayfs routes: ${foWhy}`);

(ufWhy ? test.skip : test)('The unionfs-fuse example gives the built-in adapter\'s verdicts', async () => {
  const variants = 'default,direct_io';
  const builtin = await run('uf-builtin', ['--adapter', 'unionfs-fuse'], variants);
  const command = await run('uf-command', ['--adapter', join(packageRoot(), 'examples', 'unionfs-fuse.yaml')], variants);
  compare(builtin, command);
  assert.equal(await hostOverlayMounts(), []);
});
if (ufWhy) console.log(`  SKIP unionfs-fuse routes: ${ufWhy}`);

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
