// tier: system
// A profile for an implementation the project does not ship: a command config names
// `implementation: my-overlay`, `--profile my-overlay.yaml` documents what was observed, and the
// verdicts follow — an undocumented known deviation fails naming it, a documented one is a
// `deviation`, and a documented one that is no longer observed is an `xpass` alarm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../../language/schema/results.js';
import { packageRoot } from '../../../language/root.js';
import { hostOverlayMounts, ovlconf } from '../../helpers/cli.js';
import { skipReason } from '../../helpers/env.js';

const why = skipReason('root', 'overlay');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));
const dir = mkdtempSync(join(tmpdir(), 'ovlconf-3rdparty-'));
const config = join(dir, 'my-overlay.yaml');
// the kernel overlay mounted by mount(8), under a name no shipped profile knows
writeFileSync(config, readFileSync(join(packageRoot(), 'examples', 'kernel-mount.yaml'), 'utf8').replace('implementation: kernel-mount', 'implementation: my-overlay'));
const suites = ['inode/merged-dir-nlink.yaml', 'lookup/wh-prefix-is-ordinary.yaml'].flatMap((f) => ['--suite', join(packageRoot(), 'suites', f)]);

/** run my-overlay's default variant on the two scenarios; exit code and verdict per scenario */
async function run(extra: string[]): Promise<{ code: number | null; verdicts: Record<string, string>; file: ResultsFile; stderr: string }> {
  const out = join(dir, `r${Math.random().toString(36).slice(2)}.json`);
  const r = await ovlconf(['run', '--config', config, '--variant', 'default', ...suites, ...extra, '--reporter', 'json', '--out', out]);
  if (r.code === 2) return { code: r.code, verdicts: {}, file: undefined as never, stderr: r.stderr };
  const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
  return { code: r.code, verdicts: Object.fromEntries(file.results.map((x) => [x.id, `${x.verdict}${x.deviations ? ` ${x.deviations.join(',')}` : ''}`])), file, stderr: r.stderr };
}

const profile = (entries: string) => {
  const f = join(dir, 'profile-my-overlay.yaml');
  writeFileSync(f, `implementation: my-overlay\ndescription: deviations of my-overlay, observed by its own team\ndeviations:\n${entries}`);
  return f;
};

t('Without a profile a known deviation of the new implementation fails and names the deviation', async () => {
  const r = await run([]);
  assert.is(r.code, 1);
  assert.equal(r.verdicts, { 'inode/merged-dir-nlink': 'fail', 'lookup/wh-prefix-is-ordinary': 'pass' });
  const fail = r.file.results.find((x) => x.id === 'inode/merged-dir-nlink')!;
  assert.match(fail.reason ?? '', /known deviation DEV-MERGED-DIR-NLINK-1, which this implementation's profile does not document/);
  assert.is(r.file.environment.variants['my-overlay/default']?.implementation, 'my-overlay', 'the adapter is named after the implementation');
});

t('A --profile for my-overlay turns the observed deviation into `deviation` and a fixed one into `xpass`', async () => {
  const f = profile(`  - id: DEV-MERGED-DIR-NLINK-1
    observed: my-overlay 1.0 on 6.18 (merged directories report st_nlink 1)
  - id: DEV-WH-FILE-IS-WHITEOUT
    observed: my-overlay 0.9 treated .wh. files as whiteouts; 1.0 fixed it
`);
  const r = await run(['--profile', f]);
  assert.equal(r.verdicts, { 'inode/merged-dir-nlink': 'deviation DEV-MERGED-DIR-NLINK-1', 'lookup/wh-prefix-is-ordinary': 'xpass' });
  assert.is(r.code, 1, 'an xpass fails the run: the profile is stale');
  const x = r.file.results.find((y) => y.id === 'lookup/wh-prefix-is-ordinary')!;
  assert.match(x.reason ?? '', /documents DEV-WH-FILE-IS-WHITEOUT for this variant, but POSIX behaviour was observed/);
});

t('Once the stale entry is dropped the run is clean, and conditions on effective options apply', async () => {
  const clean = await run(['--profile', profile(`  - id: DEV-MERGED-DIR-NLINK-1
    when: { options: { redirect_dir: "off" } }
    observed: my-overlay 1.0 on 6.18
`)]);
  assert.equal(clean.verdicts, { 'inode/merged-dir-nlink': 'deviation DEV-MERGED-DIR-NLINK-1', 'lookup/wh-prefix-is-ordinary': 'pass' });
  assert.is(clean.code, 0);
  const other = await run(['--profile', profile(`  - id: DEV-MERGED-DIR-NLINK-1
    when: { options: { redirect_dir: "on" } }
    observed: my-overlay 1.0 on 6.18, with redirect_dir=on only
`)]);
  assert.is(other.verdicts['inode/merged-dir-nlink'], 'fail', 'documented for another option set only');
  assert.equal(await hostOverlayMounts(), []);
});

t('A profile naming an unknown deviation is refused with its file and line', async () => {
  const r = await run(['--profile', profile('  - id: DEV-MERGED-DIR-NLINK-2\n    observed: never\n')]);
  assert.match(r.stderr, /profile-my-overlay\.yaml:4:9: \/deviations\/0\/id: unknown deviation id DEV-MERGED-DIR-NLINK-2 \(did you mean "DEV-MERGED-DIR-NLINK-1"\?\)/);
  assert.is(r.code, 1);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
