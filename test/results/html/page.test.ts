// tier: system
// The HTML report in a real headless browser (Debian's chromium through playwright-core): a page
// built from a real run shows the same counts as the JSON, and a failure opens with its details.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../../../language/schema/results.js';
import { CELL_VERDICTS, cellVerdict } from '../../../results/html/data.js';
import { ovlconf } from '../../helpers/cli.js';
import { skipping } from '../../helpers/env.js';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

test('a report of a real zenfs run shows the JSON\'s counts and opens a failure with its details', async () => {
  if (skipping('html report in chromium', 'chromium')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-html-'));
  try {
    const json = join(dir, 'r.json');
    const html = join(dir, 'r.html');
    const run = await ovlconf(['run', '--adapter', 'zenfs', '--grep', '^(rename/back-and-forth|copy-up/create-in-lower-dir|fd/)', '--reporter', 'json', '--out', json]);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    const file = JSON.parse(readFileSync(json, 'utf8')) as ResultsFile;
    const rep = await ovlconf(['report', json, '--html', html]);
    assert.is(rep.code, 0, rep.stderr);
    const { chromium } = await import('playwright-core');
    const ctx = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
    try {
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto('file://' + html);
      // every group row's badges equal the JSON's verdict counts for that group
      const groups = [...new Set(file.results.map((r) => r.id.split('/')[0]))];
      for (const g of groups) {
        const shown = await page.locator(`tr.group[data-group="${g}"] span.c`).evaluateAll((xs) => xs.map((x) => [x.getAttribute('data-verdict'), Number(x.textContent)]));
        const want = CELL_VERDICTS.map((v) => [v, file.results.filter((r) => r.id.split('/')[0] === g && cellVerdict(r) === v).length]).filter(([, n]) => n);
        assert.equal(shown, want, `group ${g}`);
      }
      // open a failing run and compare what the panel says with the JSON
      const bad = file.results.find((r) => r.verdict === 'fail')!;
      assert.ok(bad, 'the run has a failure');
      await page.click(`tr.group[data-group="${bad.id.split('/')[0]}"] th`);
      await page.click(`tr.scen[data-scenario="${bad.scenario}"] td.cell`);
      assert.is(await page.locator('#detail-verdict').textContent(), cellVerdict(bad));
      assert.is(await page.locator('#detail-reason').textContent(), bad.reason);
      const failure = JSON.parse((await page.locator('#detail-failure').textContent())!);
      assert.equal(failure.observed, JSON.parse(JSON.stringify(bad.failure!.observed)));
      // a known failure shows its first mismatch; every step only where something was unexpected
      assert.is(await page.locator('#detail-steps tr').count(), cellVerdict(bad) === 'known' ? 0 : bad.steps.length + 1);
      assert.match((await page.locator('#detail-repro').textContent())!, /^npx ovlconf run --adapter zenfs/);
      assert.match((await page.locator('#detail-yaml').textContent())!, new RegExp(`id: ${bad.id}`));
      // filters: only fails, then a search by id
      await page.selectOption('#verdict', cellVerdict(bad));
      assert.is(await page.locator('#count').textContent(), `${file.results.filter((r) => cellVerdict(r) === cellVerdict(bad)).length} runs`);
      await page.fill('#q', bad.scenario);
      assert.is(await page.locator('tr.scen').count(), 1);
      assert.equal(errors, []);
      assert.equal(requests.filter((u) => !u.startsWith('file:')), [], 'no network');
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
