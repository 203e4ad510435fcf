// tier: system
// The kernel log read around a mount: the mark is the newest record, nothing is found after it
// until something is logged, and a refused overlay mount's reason is found after it, also by a
// mark taken before another mark read that record (two workers of one process).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeKmsg, kmsgMark, overlayLogSince } from '../../../adapters/kernel/kmsg.js';
import { isRoot, skipping, skipReason } from '../../helpers/env.js';

const skip = skipping('kernel log', 'root');

/** a legacy mount(2) of an overlay with an option overlayfs does not know, in a private namespace: refused, and logged */
function refusedMount(option: string): void {
  const d = mkdtempSync(join(tmpdir(), 'ovlconf-kmsg-test-'));
  try {
    execFileSync('unshare', ['-m', 'mount', '-t', 'overlay', 'overlay', '-o', option, d], { stdio: 'ignore' });
  } catch {
    // refused, as meant
  } finally {
    rmdirSync(d);
  }
}

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

const mountWhy = skipReason('root', 'overlay');
(mountWhy ? test.skip : test)('a refused mount is found after a mark taken before it, though a later mark already read it', () => {
  const option = `ovlconf_kmsg_test_${process.pid}`;
  const first = kmsgMark();
  refusedMount(option);
  const second = kmsgMark();
  assert.ok(second > first, `the log moved on (${first} → ${second})`);
  const found = overlayLogSince(first);
  // another developer's overlay may log in between: the first overlay record after the mark is a hint
  assert.match(found ?? '', /^overlay(fs)?: /);
});

(mountWhy ? test.skip : test)('the log is read again from the start after it was closed', () => {
  const first = kmsgMark();
  closeKmsg();
  const again = kmsgMark();
  assert.ok(again >= first, 'a fresh read ends at the same record or a newer one');
  refusedMount(`ovlconf_kmsg_reopen_${process.pid}`);
  assert.match(overlayLogSince(again) ?? '', /^overlay(fs)?: /);
});

test.run();
