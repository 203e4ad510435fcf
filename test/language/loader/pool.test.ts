// Loading with helper threads (pool.ts) gives exactly what the one-thread loader gives: the whole
// repository suite, and a directory of broken files with the same file:line:col errors in the
// same order, and the known failures; a helper that dies leaves its files to the main thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnownFailures } from '../../../language/loader/known.js';
import { helperCount, LoadPool } from '../../../language/loader/pool.js';
import { loadSuite } from '../../../language/loader/suite.js';
import { formatLoadError } from '../../../language/model.js';
import { realCatalog } from '../../helpers/scenario.js';

// neither load may answer from a cache: both must parse every file
process.env.OVLCONF_CACHE = 'off';

let whole: ReturnType<typeof loadSuite> | undefined;
/** the repository suite loaded by the one-thread loader, once */
const serialWhole = () => (whole ??= loadSuite(realCatalog()));

/** a load through one helper; `mainLoads: false` makes the helper load every file */
async function pooled(paths?: string[], mainLoads = false, kill = false) {
  const pool = new LoadPool(1);
  try {
    const job = pool.begin(realCatalog(), paths, { mainLoads });
    if (kill) pool.close();
    return { suite: await job.finish(), by: job.loadedBy };
  } finally {
    pool.close();
  }
}

test('the whole repository suite loaded by a helper thread equals the one-thread load', async () => {
  const serial = serialWhole();
  const { suite, by } = await pooled();
  assert.is(by.helpers, serial.files.length, 'the helper loaded every file');
  assert.is(by.main, 0);
  assert.ok(serial.scenarios.length > 1000);
  assert.equal(suite, serial);
});

test('with the main thread loading too, the suite is the same and in the same order', async () => {
  const serial = serialWhole();
  const { suite, by } = await pooled(undefined, true);
  assert.is(by.main + by.helpers, serial.files.length);
  assert.equal(suite.scenarios.map((s) => s.runId), serial.scenarios.map((s) => s.runId));
  assert.equal(suite, serial);
});

const head = (id: string) => `id: ${id}\ntitle: t\nbehaviour: [WH-001]\n`;
const BROKEN: Record<string, string | Buffer> = {
  'b1-yaml.yaml': head('b/1') + 'steps: [broken\n',
  'b2-alias.yaml': head('b/2') + 'x: &r [*r]\nsteps:\n  - stat: a\n',
  'b3-field.yaml': head('b/3') + 'steps:\n  - stat: a\n    expct: { errno: ENOENT }\n',
  'b4-capability.yaml': head('b/4') + 'requires: [no-such-thing]\nsteps:\n  - stat: a\n',
  'b5-bytes.yaml': Buffer.concat([Buffer.from(head('b/5') + 'steps:\n  - stat: "a'), Buffer.from([0xff]), Buffer.from('"\n')]),
  'b6-dup.yaml': head('g/0') + 'steps:\n  - stat: a\n',
  'b7-mode.yaml': head('b/7') + 'steps:\n  - chmod: a\n    mode: 0755\n',
  'b8-vary.yaml': head('b/8') + 'vary:\n  d: [x, y]\nsteps:\n  - stat: ${nope}\n',
};

test('broken files give the same file:line:col errors, in the same order, through a helper', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-pool-'));
  try {
    mkdirSync(join(dir, 'g'));
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, 'g', `f${i}.yaml`), head(`g/${i}`) + 'layers:\n  lower: [{ a: x }]\nsteps:\n  - stat: a\n');
    for (const [name, text] of Object.entries(BROKEN)) writeFileSync(join(dir, name), text);
    execFileSync('mkfifo', [join(dir, 'b9-fifo.yaml')]);
    const serial = loadSuite(realCatalog(), [dir]);
    const { suite, by } = await pooled([dir]);
    assert.is(by.helpers, serial.files.length);
    const msgs = suite.errors.map(formatLoadError).map((m) => m.replace(dir + '/', ''));
    assert.equal(msgs, serial.errors.map(formatLoadError).map((m) => m.replace(dir + '/', '')));
    assert.equal(suite, serial);
    // every broken file is named with its line, column and field (b6-dup.yaml comes first: g/f0.yaml is the duplicate)
    for (const name of [...Object.keys(BROKEN).filter((n) => n !== 'b6-dup.yaml'), 'b9-fifo.yaml']) assert.ok(msgs.some((m) => new RegExp(`${name}:\\d+:\\d+`).test(m)), `${name}: ${msgs.join('\n')}`);
    assert.ok(msgs.some((m) => /b3-field\.yaml:6:5: .*expct/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /b5-bytes\.yaml:5:13: .*byte \d+ \(0xff\)/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /g\/f0\.yaml:1:1: .*duplicate scenario id "g\/0"/.test(m)), msgs.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the helper is gone before it answers, the main thread loads its files', async () => {
  const serial = serialWhole();
  const { suite, by } = await pooled(undefined, false, true);
  assert.is(by.helpers, 0);
  assert.equal(suite, serial);
});

test('helpers started before the loader modules load (helpers.ts) are adopted by a pool and load every file', async () => {
  const { startHelpers } = await import('../../../language/loader/helpers.js');
  const pool = new LoadPool(startHelpers(1));
  try {
    const job = pool.begin(realCatalog(), undefined, { mainLoads: false });
    const suite = await job.finish();
    assert.is(job.loadedBy.helpers, serialWhole().files.length);
    assert.equal(suite, serialWhole());
  } finally {
    pool.close();
  }
});

test('the known failures a helper loads equal those loaded here', async () => {
  const pool = new LoadPool(1);
  try {
    const helped = await pool.known();
    assert.ok(helped && helped.known.size > 3);
    assert.equal(helped, loadKnownFailures());
  } finally {
    pool.close();
  }
  assert.is(await new LoadPool(0).known(), undefined);
});

test('helpers are one per other CPU the load average leaves free, at most three, unless OVLCONF_LOAD_HELPERS says', () => {
  assert.is(helperCount(1, 0, undefined), 0);
  assert.is(helperCount(2, 0.2, undefined), 1);
  assert.is(helperCount(2, 1.2, undefined), 1);
  assert.is(helperCount(2, 1.8, undefined), 0);
  assert.is(helperCount(2, 14, undefined), 0);
  assert.is(helperCount(8, 0, undefined), 3);
  assert.is(helperCount(8, 6.2, undefined), 2);
  assert.is(helperCount(2, 14, '1'), 1);
  assert.is(helperCount(2, 0, '0'), 0);
  assert.is(helperCount(2, 0, 'x'), 1);
});

test.run();
