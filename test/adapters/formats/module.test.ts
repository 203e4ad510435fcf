// tier: system
// A command config teaching the suite its upper-layer format through a module outside the repo
// (`format: ./my-format.js`, importing `overlay-conformance/formats` the way an installed package
// does): its decoder is what the canonical `after:` checks read, so a decoder that loses the
// whiteouts makes them fail, and the right one makes them pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../../language/schema/results.js';
import { packageRoot } from '../../../language/root.js';
import { hostOverlayMounts, ovlconf } from '../../helpers/cli.js';
import { skipReason } from '../../helpers/env.js';

const why = skipReason('root', 'overlay');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));
const root = packageRoot();
const project = mkdtempSync(join(tmpdir(), 'ovlconf-format-'));
mkdirSync(join(project, 'node_modules'));
symlinkSync(root, join(project, 'node_modules', 'overlay-conformance'));
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-overlay-tests', private: true, type: 'module' }));

/** a format module: the kernel's markers, with a decoder that keeps or loses the whiteouts */
function formatModule(name: string, loseWhiteouts: boolean): void {
  writeFileSync(join(project, `${name}.js`), `import { kernelFormat } from 'overlay-conformance/formats';
export default {
  name: '${name}',
  description: 'the kernel format as my-overlay keeps it',
  markers: (ctx) => kernelFormat.markers(ctx),
  decode: (items, ctx) => {
    const tree = kernelFormat.decode(items, ctx);
    ${loseWhiteouts ? "for (const [p, e] of Object.entries(tree)) if (e.type === 'whiteout') delete tree[p];" : ''}
    return tree;
  },
};
`);
}

/** a config mounting the kernel overlay with mount(8), its upper read through the module */
function config(format: string): string {
  const file = join(project, `${format}.yaml`);
  writeFileSync(file, readFileSync(join(root, 'examples', 'kernel-mount.yaml'), 'utf8').replace('implementation: kernel-mount', 'implementation: my-overlay').replace('format: kernel', `format: ./${format}.js`));
  return file;
}

async function run(format: string): Promise<ResultsFile> {
  const out = join(project, `${format}.json`);
  const r = await ovlconf(['run', '--config', config(format), '--variant', 'default', '--grep', '^whiteout/unlink-lower-file$', '--steps', 'all', '--reporter', 'json', '--out', out]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
}

t('A decoder module from outside the repo drives the canonical after checks', async () => {
  formatModule('my-format', false);
  const f = await run('my-format');
  assert.equal(f.results.map((r) => r.verdict), ['pass']);
  assert.is(f.environment.variants['my-overlay/default']?.details?.format, './my-format.js');
  assert.ok(JSON.stringify(f.results[0].after).includes('whiteout'), 'the decoded upper is recorded');
});

t('A decoder that loses the whiteouts makes the after check fail at its line', async () => {
  formatModule('lossy-format', true);
  const f = await run('lossy-format');
  assert.equal(f.results.map((r) => r.verdict), ['fail']);
  assert.match(f.results[0].reason ?? '', /^after \(line \d+\): /);
  assert.equal(await hostOverlayMounts(), []);
});

test.after(() => rmSync(project, { recursive: true, force: true }));
test.run();
