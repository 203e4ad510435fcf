// tier: system
// Where `spawn` finds a command (agent/pathcache.c): the file execvp would run, looked up on the
// agent's PATH once; a file that went away is searched for again, and a PATH given to the spawn
// itself is searched instead of the agent's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipReason } from '../helpers/env.js';
import { agentAvailable, startAgent, type Agent } from '../../adapters/host/agent.js';
import { spawn, waitpid } from '../../adapters/host/ops.js';

const avail = agentAvailable();
const why = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

const base = mkdtempSync(join(tmpdir(), 'ovlconf-pathcache-test-'));
chmodSync(base, 0o755);
const agents: Agent[] = [];
const dir = (name: string) => {
  const d = join(base, name);
  mkdirSync(d, { recursive: true });
  return d;
};
/** a script `tool` in dir that prints its dir's name */
const tool = (d: string, name: string, mode = 0o755) => {
  writeFileSync(join(d, 'tool'), `#!/bin/sh\necho ${name}\n`);
  chmodSync(join(d, 'tool'), mode);
};
/** an agent whose PATH starts with these directories */
async function agentWith(path: string[]): Promise<Agent> {
  const saved = process.env.PATH;
  process.env.PATH = [...path, saved].join(':');
  try {
    const a = await startAgent({ sandbox: base });
    agents.push(a);
    return a;
  } finally {
    process.env.PATH = saved;
  }
}
let n = 0;
/** what `tool` printed when the agent spawned it */
async function run(a: Agent, env?: Record<string, string>): Promise<string> {
  const log = join(base, `log${++n}`);
  const pid = await spawn(a, ['tool'], { log, env });
  assert.equal(await waitpid(a, pid), { exited: true, status: 0, signal: 0 });
  return readFileSync(log, 'utf8').trim();
}

t('spawn runs the first executable file of that name on the agent\'s PATH, past a directory and a file without x, as execvp does', async () => {
  const [d1, d2, d3, d4] = ['p1', 'p2', 'p3', 'p4'].map(dir);
  mkdirSync(join(d1, 'tool'));
  tool(d2, 'p2', 0o644);
  tool(d3, 'p3');
  tool(d4, 'p4');
  const a = await agentWith([d1, d2, d3, d4]);
  assert.is(await run(a), 'p3');
  assert.is(await run(a), 'p3', 'the second spawn runs the same file');
  // the file found first went away: the exec of it fails and execvp searches again
  rmSync(join(d3, 'tool'));
  assert.is(await run(a), 'p4');
});

t('a PATH given to the spawn itself is searched instead of the agent\'s', async () => {
  const [d1, d2] = ['q1', 'q2'].map(dir);
  tool(d1, 'q1');
  tool(d2, 'q2');
  const a = await agentWith([d1]);
  assert.is(await run(a), 'q1');
  assert.is(await run(a, { PATH: `${d2}:/usr/bin:/bin` }), 'q2');
});

test.after(async () => {
  for (const a of agents) await a.kill();
  rmSync(base, { recursive: true, force: true });
});
test.run();
