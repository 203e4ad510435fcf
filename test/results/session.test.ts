// tier: system
// A run killed with SIGKILL (while probing or mid-scenario) leaves its scratch directory and
// agents behind; the next run removes the directories and the agents died with their runner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';
import { fixtures, ovlconf, hostOverlayMounts } from '../helpers/cli.js';
import { skipping } from '../helpers/env.js';
import { until } from '../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'session-kill-'));

/** entries of dir (none when it is gone) */
const ls = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** PIDs of live processes whose command line names dir */
function processesNaming(dir: string): number[] {
  return ls('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid).filter((n) => {
    try {
      return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(dir) && !readFileSync(`/proc/${n}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  }).map(Number);
}

/** start `ovlconf run`, SIGKILL it once ready() holds; resolves whether it was killed then */
function killWhen(args: string[], ready: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'ovlconf.js'), ...args], { stdio: 'ignore' });
    let killed = false;
    void until(ready, 60_000, 10).then((ok) => {
      if (ok) killed = child.kill('SIGKILL');
    });
    child.on('close', () => resolve(killed));
  });
}

/** a scratch directory of prefix under workdir holding a non-empty subdirectory (an agent's sandbox) */
const busy = (workdir: string, prefix: RegExp) => () => ls(workdir).some((d) => prefix.test(d) && ls(join(workdir, d)).some((w) => ls(join(workdir, d, w)).length > 0));

if (!skipping('SIGKILL of runs', 'root', 'overlay')) {
  test('10 runs killed with SIGKILL, then one more: no scratch directory, agent or mount is left', async () => {
    const workdir = join(work, 'w');
    let killed = 0;
    for (let i = 0; i < 10; i++) {
      // half while the kernel adapter probes its variants (all of them: a run probes only the variants
      // it was asked for, and default alone can be probed between two looks), half with posix workers mid-run
      const probing = i % 2 === 0;
      const args = probing
        ? ['run', '--adapter', 'kernel', '--suite', fixtures('planted'), '--workdir', workdir, '--reporter', 'json']
        : ['run', '--adapter', 'posix', '--jobs', '2', '--suite', fixtures('hang'), '--workdir', workdir, '--reporter', 'json'];
      if (await killWhen(args, busy(workdir, probing ? /^ovlconf-kprobe-p[0-9a-z]+\./ : /^ovlconf-p[0-9a-z]+\./))) killed++;
    }
    assert.is(killed, 10, 'every run was killed while its scratch directory was in use');
    assert.ok(ls(workdir).length > 0, 'the killed runs left their directories');
    // the agents carry PR_SET_PDEATHSIG: they die with their runner, no one has to find them
    assert.ok(await until(() => processesNaming(workdir).length === 0, 10_000), `agents left: ${processesNaming(workdir).join(' ')}`);
    const r = await ovlconf(['run', '--adapter', 'posix', '--variant', 'ext4', '--suite', fixtures('planted'), '--grep', 'planted-good', '--workdir', workdir, '--reporter', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr.slice(-500));
    assert.ok(JSON.parse(r.stdout).results.length > 0, 'the last run ran');
    assert.equal(ls(workdir), []);
    assert.equal(await hostOverlayMounts(), []);
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
