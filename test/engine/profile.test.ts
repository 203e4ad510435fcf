import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionHolds, documented, finalOptional } from '../../engine/profile.js';
import { classify } from '../../engine/classify.js';
import { scenario } from '../helpers/scenario.js';
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

test('Two entries of one id, a firm one and an optional one for the final state: the final-state change is a note on an unchanged verdict where the optional one applies, the id stays firm for steps and xpass', () => {
  const p: Profile = {
    implementation: 'kernel', file: 'k.yaml',
    deviations: [
      { id: 'DEV-SPLIT', when: [], scenarios: ['hardlink/*'], optional: false, observed: 'steps' },
      { id: 'DEV-SPLIT', when: [], scenarios: ['hardlink/*'], optional: true, observed: 'final', final: ['nlink 1 → 2'] },
    ],
  };
  const doc = documented([p], 'default', fp, 'hardlink/x');
  assert.equal([doc.get('DEV-SPLIT')!.optional, doc.get('DEV-SPLIT')!.finalOptional], [false, true]);
  // the same entries the other way round merge the same
  const rev = documented([{ ...p, deviations: [...p.deviations].reverse() }], 'default', fp, 'hardlink/x');
  assert.equal([rev.get('DEV-SPLIT')!.optional, rev.get('DEV-SPLIT')!.finalOptional], [false, true]);
  const [s] = scenario(`id: hardlink/x
title: t
behaviour: [WH-001]
layers: { lower: [{ a: "x" }] }
steps:
  - stat: a
`);
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1.000000000', size: 3, digest: 'x' };
  const run = (cold: object) => ({ steps: [], final: { warm: { a: e }, cold: { a: { ...e, ...cold } }, ms: 0 } }) as unknown as Parameters<typeof classify>[1];
  const seen = classify(s, run({ nlink: 2 }), doc);
  const unseen = classify(s, run({}), doc);
  assert.equal([seen.verdict, unseen.verdict], ['pass', 'pass']);
  assert.ok(seen.notes.some((n) => n.includes('DEV-SPLIT') && n.includes('optional')), seen.notes.join('\n'));
  // a broad firm entry with the same final patterns beside the narrow optional one: optional for the runs the narrow one names
  const broad = documented([{ ...p, deviations: [{ ...p.deviations[1], optional: false, scenarios: ['*'] }, p.deviations[1]] }], 'default', fp, 'hardlink/x');
  assert.equal([classify(s, run({ nlink: 2 }), broad).verdict, broad.get('DEV-SPLIT')!.finalOptional], ['pass', true]);
  const elsewhere = documented([{ ...p, deviations: [{ ...p.deviations[1], optional: false, scenarios: ['*'] }, p.deviations[1]] }], 'default', fp, 'rename/y');
  assert.is(finalOptional(elsewhere.get('DEV-SPLIT')!), false);
  // both firm: the change makes a deviation, as before
  const firm = documented([{ ...p, deviations: p.deviations.map((d) => ({ ...d, optional: false })) }], 'default', fp, 'hardlink/x');
  assert.equal([classify(s, run({ nlink: 2 }), firm).verdict, firm.get('DEV-SPLIT')!.finalOptional], ['deviation', false]);
});

test('One profile asked for several variants and fingerprints in turn gives each the entries whose conditions hold for it', () => {
  const p: Profile = {
    implementation: 'kernel', file: 'k.yaml',
    deviations: [
      { id: 'DEV-V', when: [{ variant: ['other'] }], optional: false, observed: 'x' },
      { id: 'DEV-I', when: [{ options: { index: { anyOf: ['on'] } } }], scenarios: ['rename/*'], optional: false, observed: 'x' },
    ],
  };
  const on = { ...fp, options: { index: 'on' } };
  for (let i = 0; i < 2; i++) {
    assert.equal([...documented([p], 'default', fp, 'rename/a').keys()], []);
    assert.equal([...documented([p], 'other', fp, 'rename/a').keys()], ['DEV-V']);
    assert.equal([...documented([p], 'default', on, 'rename/a').keys()], ['DEV-I']);
    assert.equal([...documented([p], 'other', on, 'rename/a').keys()], ['DEV-V', 'DEV-I']);
    assert.equal([...documented([p], 'other', on, 'fd/a').keys()], ['DEV-V']);
  }
});

test.run();
