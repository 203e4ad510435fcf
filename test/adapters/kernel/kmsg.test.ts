// tier: system
// The kernel log read around a mount: the mark is the newest record, nothing is found after it
// until something is logged, and a refused overlay mount's reason is found after it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kmsgMark, overlayLogSince } from '../../../adapters/kernel/kmsg.js';
import { isRoot, skipping } from '../../helpers/env.js';

const skip = skipping('kernel log', 'root');

test('no overlay record lies beyond a mark far in the future', () => {
  if (skip) return;
  assert.ok(kmsgMark() >= -1);
  assert.is(overlayLogSince(Number.MAX_SAFE_INTEGER), undefined);
});

test('an unreadable log (mark -1) gives no reason rather than a wrong one', () => {
  assert.is(overlayLogSince(-1), undefined);
});

test('the mark of a readable log is a sequence number', () => {
  if (skip || !isRoot) return;
  assert.ok(Number.isInteger(kmsgMark()));
});

test.run();
