// Which runs of a fresh run may differ from the published verdicts: a difference made only of
// deviations the implementation's profile marks optional (what the caches held decides) is
// allowed; any other difference, or an optional entry that does not apply to the run, is not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { comparePublished, looseRuns, readPublished } from '../../results/published.js';
import type { Profile } from '../../language/model.js';
import type { Result, ResultsFile } from '../../language/schema/results.js';

const profiles = new Map<string, Profile[]>([['impl', [{
  implementation: 'impl', file: 'p.yaml', deviations: [
    { id: 'DEV-OPT', when: [{ variant: ['v'] }], scenarios: ['g/*'], optional: true, observed: 'here' },
    { id: 'DEV-FIRM', when: [], optional: false, observed: 'here' },
  ],
}]]]);

const run = (scenario: string, verdict: string, deviations?: string[], variant = 'v'): Result =>
  ({ scenario, id: scenario.replace(/\[.*$/, ''), file: 'f.yaml', behaviour: [], adapter: 'a', variant, verdict, ms: 1, steps: [], ...(deviations ? { deviations } : {}) }) as unknown as Result;

const fileOf = (results: Result[]): ResultsFile =>
  ({ environment: { variants: { 'a/v': { implementation: 'impl', options: {} }, 'a/w': { implementation: 'impl', options: {} } } }, results }) as unknown as ResultsFile;

test('Runs that differ from the published verdict only by an optional deviation may differ; others may not', () => {
  const fresh = fileOf([
    run('g/one', 'pass'),
    run('g/two', 'deviation', ['DEV-FIRM']),
    run('g/three', 'deviation', ['DEV-FIRM']),
    run('g/four', 'pass', undefined, 'w'),
    run('h/five', 'pass'),
  ]);
  const published = [
    'a/v\tg/one\tdeviation\tDEV-OPT',
    'a/v\tg/two\tdeviation\tDEV-FIRM,DEV-OPT',
    'a/v\tg/three\tpass\t',
    'a/w\tg/four\tdeviation\tDEV-OPT',
    'a/v\th/five\tdeviation\tDEV-OPT',
  ];
  assert.equal([...looseRuns(fresh, published, undefined, profiles)].sort(), ['a/v\tg/one', 'a/v\tg/two']);
  assert.equal(looseRuns(fresh, published).size, 0, 'without the profiles nothing is loose');
  const c = comparePublished(fresh, published, undefined, profiles);
  assert.equal(c.changes.length, 3, 'g/three (a firm deviation appeared), g/four (the entry is for variant v), h/five (not its scenarios)');
  assert.equal(c.flaky.length, 2);
});

test('The published lines of a few variants are read alone, in the file\'s order; of many, every line is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-published-'));
  try {
    const path = join(dir, 'verdicts.tsv');
    const lines = ['a/v\tg/one\tpass\t', 'a/vv\tg/one\tpass\t', 'b/w\tg/é\tdeviation\tDEV-X', 'a/v\tg/two\tfail\t', 'c/x\tg/one\tskip\t'];
    writeFileSync(path, lines.join('\n') + '\n');
    assert.equal(readPublished(['a/v', 'b/w'], path), [lines[0], lines[2], lines[3]], 'a/vv is another variant');
    assert.equal(readPublished(['c/x', 'c/x'], path), [lines[4]]);
    assert.equal(readPublished(['d/y'], path), []);
    assert.equal(readPublished(['a/v', 'a/vv', 'b/w', 'c/x', 'd/y'], path), lines, 'more than a few variants: every line');
    assert.equal(readPublished(undefined, path), lines);
    assert.is(readPublished(['a/v'], join(dir, 'missing.tsv')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
