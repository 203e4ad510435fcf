// The FUSE rows' CPU figure: this process's and that of the children it reaped (agents, and the
// daemons they reaped), so a row's CPU is not only the runner's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { treeCpu } from '../../bench/cli.js';

test('treeCpu counts the CPU of a child once it is reaped, besides this process\'s', () => {
  const before = treeCpu();
  // a child that burns CPU until it has used 300 ms of it (not a wall-clock wait)
  const r = spawnSync(process.execPath, ['-e', 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000);']);
  assert.is(r.status, 0);
  const after = treeCpu();
  assert.ok(after.children - before.children >= 0.2, `children CPU grew by ${after.children - before.children} s`);
  assert.ok(after.self >= before.self);
});

test.run();
