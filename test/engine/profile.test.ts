import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionHolds, documented } from '../../engine/profile.js';
import { versionParts } from '../../language/version.js';
import { parseVersionRange } from '../../language/loader/catalog.js';
import type { Profile } from '../../language/model.js';

const fp = { implementation: 'kernel', version: '6.18.44-fc-v595', options: { redirect_dir: 'follow', index: 'off' } };

test('kernel release strings compare by their numeric prefix', () => {
  assert.equal(versionParts('6.18.44-fc-v595'), [6, 18, 44]);
  assert.ok(conditionHolds({ version: parseVersionRange('>=4.19 <7') }, 'default', fp));
  assert.not.ok(conditionHolds({ version: parseVersionRange('<4.19') }, 'default', fp));
  assert.ok(conditionHolds({ version: parseVersionRange('>=6.18.44') }, 'default', fp));
  assert.not.ok(conditionHolds({ version: parseVersionRange('>6.18.44') }, 'default', fp));
});

test('option conditions test the effective options, absent options never match anyOf', () => {
  assert.ok(conditionHolds({ options: { redirect_dir: { anyOf: ['follow', 'nofollow'] } } }, 'x', fp));
  assert.not.ok(conditionHolds({ options: { redirect_dir: { not: ['follow'] } } }, 'x', fp));
  assert.not.ok(conditionHolds({ options: { metacopy: { anyOf: ['on'] } } }, 'x', fp));
  assert.ok(conditionHolds({ options: { metacopy: { not: ['on'] } } }, 'x', fp));
});

test('a profile entry applies when any of its conditions holds and its scenario glob matches', () => {
  const p: Profile = {
    implementation: 'kernel', file: 'k.yaml',
    deviations: [
      { id: 'DEV-A', when: [{ variant: ['other'] }, { options: { index: { anyOf: ['off'] } } }], optional: false, observed: 'x' },
      { id: 'DEV-B', when: [], scenarios: ['rename/*'], optional: false, observed: 'x' },
      { id: 'DEV-C', when: [{ variant: ['other'] }], optional: false, observed: 'x' },
    ],
  };
  assert.equal([...documented([p], 'default', fp, 'rename/lower-dir').keys()], ['DEV-A', 'DEV-B']);
  assert.equal([...documented([p], 'default', fp, 'fd/x').keys()], ['DEV-A']);
});

test.run();
