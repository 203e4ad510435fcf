// Layer names a scenario chooses, written in each lowerdir syntax, and read back from mountinfo.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { namedLowerOptions } from '../../../adapters/kernel/stack.js';
import { shownLowers } from '../../../adapters/kernel/worker.js';

test('named layers are escaped in one lowerdir= string and literal in lowerdir+ keys', () => {
  assert.equal(namedLowerOptions(['a:b', 'c,d', 'e\\f'], 'lowerdir', '/s/s1'), ['lowerdir=a\\:b:c\\,d:e\\\\f']);
  assert.equal(namedLowerOptions(['a:b', 'c,d'], 'lowerdir+', '/s/s1'), ['lowerdir+=/s/s1/a:b', 'lowerdir+=/s/s1/c,d']);
  assert.equal(namedLowerOptions(['a:b', 'c'], 'unescaped', '/s/s1'), ['lowerdir=a:b:c']);
  assert.equal(namedLowerOptions(['a:b', 'c'], 'leading-colon', '/s/s1'), ['lowerdir=:a\\:b:c']);
  assert.equal(namedLowerOptions(['a:b', 'c'], 'trailing-colon', '/s/s1'), ['lowerdir=a\\:b:c:']);
});

test('mountinfo lower options are shown unescaped and relative to the mount\'s own directory', () => {
  // as 6.18 prints them: '\' as \134, ',' as \054 (the options were split on bare commas first)
  assert.is(shownLowers(['rw', 'lowerdir=a\\134:b:c\\134\\054d', 'upperdir=/s/s1/u', 'uuid=on'], '/s/s1/m'), 'lowerdir=a\\:b:c\\,d');
  assert.is(shownLowers(['lowerdir+=/s/s1/a:b', 'lowerdir+=/s/s1/c\\054d', 'datadir+=/s/l1', 'workdir=/s/s1/w'], '/s/s1/m'), 'lowerdir+=a:b,lowerdir+=c,d,datadir+=/s/l1');
});

test.run();
