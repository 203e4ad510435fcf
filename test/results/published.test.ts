// Which runs of a fresh run may differ from the published verdicts: a difference made only of
// deviations the implementation's profile marks optional (what the caches held decides) is
// allowed; any other difference, or an optional entry that does not apply to the run, is not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparePublished, looseRuns } from '../../results/published.js';
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

test.run();
