// tier: system
// Probing the host adapters' variants happens under --workdir and stops on SIGINT: the agent is
// killed at once, the probe directory removed and the run exits 130 without running anything.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, ovlconf } from '../../helpers/cli.js';
import { skipping } from '../../helpers/env.js';
import { until } from '../../helpers/wait.js';
import { probeOnce } from '../../../adapters/host/probeonce.js';
import type { Agent } from '../../../adapters/host/agent.js';

const work = mkdtempSync(join(tmpdir(), 'probe-int-'));
const ls = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
/** live agents whose command line names dir */
const agentsIn = (dir: string) => ls('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
  try {
    return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(dir) && !readFileSync(`/proc/${n}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
});

if (!skipping('probe interrupt', 'root', 'overlay')) {
  test('SIGINT while the kernel variants are probed under --workdir stops the run at once and leaves nothing', async () => {
    const workdir = join(work, 'w');
    let sentAt = 0;
    let sawProbe = false;
    const probing = () => ls(workdir).some((d) => /^ovlconf-kprobe-p[0-9a-z]+\./.test(d) && ls(join(workdir, d)).length > 0);
    const r = await ovlconf(['run', '--adapter', 'kernel', '--suite', fixtures('planted'), '--workdir', workdir, '--reporter', 'json'], {
      onSpawn: (pid) => void until(probing, 60_000, 10).then((ok) => {
        sawProbe = ok;
        sentAt = Date.now();
        process.kill(pid, 'SIGINT');
      }),
    });
    const took = Date.now() - sentAt;
    assert.ok(sawProbe, 'the probe made its directory under --workdir');
    assert.is(r.code, 130, r.stderr.slice(-800));
    assert.match(r.stderr, /interrupted while probing/);
    // probing every kernel variant takes many seconds; an honoured SIGINT ends it in about one
    assert.ok(took < 5_000, `exited ${took} ms after SIGINT`);
    assert.equal(ls(workdir), []);
    assert.ok(await until(() => agentsIn(workdir).length === 0, 5_000), 'no agent is left');
  });
}

test('Only the variants asked for are probed; a later call probes the rest, none twice', async () => {
  const probed: string[] = [];
  const fake = { close: async () => undefined, kill: async () => undefined } as unknown as Agent;
  const probe = probeOnce<{ name: string }, string>({
    prefix: 'ovlconf-ptest-', variants: () => [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    start: async () => fake, probe: async (_a, v) => (probed.push(v.name), `ok ${v.name}`), refused: (r) => r,
  });
  const one = await probe({ workdir: work, variants: ['b'] });
  assert.equal(probed, ['b']);
  assert.equal([...one.keys()], ['b']);
  // two callers at once: the second waits for the first and probes nothing again
  const [all, again] = await Promise.all([probe({ workdir: work }), probe({ workdir: work, variants: ['a', 'b'] })]);
  assert.equal(probed, ['b', 'a', 'c']);
  assert.equal([...all.keys()].sort(), ['a', 'b', 'c']);
  assert.is(again.get('a'), 'ok a');
  assert.equal(ls(work).filter((d) => d.startsWith('ovlconf-ptest-')), []);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
