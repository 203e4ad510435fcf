// tier: system
// The agent's request arguments (agent/proto.c check_args, the op tables' declared lists): an
// argument the op does not take is refused as `fatal` naming the op, the argument and what it
// takes, before anything runs; the optional arguments it does take still work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason } from '../helpers/env.js';
import { agentAvailable, type Agent, type AgentReply } from '../../adapters/host/agent.js';
import { agentSandbox } from '../helpers/agents.js';
import { getText } from '../../adapters/host/wire.js';

const avail = agentAvailable();
const why = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

const box = agentSandbox('ovlconf-proto-test-');
let n = 0;
/** an agent whose root is a fresh directory of the sandbox (returned with it) */
async function rooted(): Promise<[Agent, string]> {
  const dir = join(box.base, `d${++n}`);
  mkdirSync(dir);
  const a = await box.agent();
  assert.is((await a.request('root', { path: dir })).kind, 'ok');
  return [a, dir];
}
const COMMON = 'what every op takes: ifok as_uid as_gid as_groups';
/** the reply is the refusal of op's unknown arguments, listing what op takes */
function refused(r: AgentReply, op: string, unknown: string, takes: string): void {
  assert.is(r.kind, 'fatal', `${op}: ${r.kind} ${getText(r.fields, 'msg') ?? ''}`);
  assert.is(getText(r.fields, 'msg'), `${op} does not take ${unknown} (it takes: ${takes}, and ${COMMON})`);
}

test.after(box.cleanup);

t('a mkdir with an argument it does not take is refused naming it, and makes no directory', async () => {
  const [a, dir] = await rooted();
  refused(await a.request('mkdir', { path: 'x', mode: 0o700, bogus: 1 }), 'mkdir', 'argument bogus', 'path mode');
  assert.not.ok(existsSync(join(dir, 'x')));
  // the same request without it: the optional mode is taken
  assert.is((await a.request('mkdir', { path: 'x', mode: 0o700 })).kind, 'ok');
  assert.is(statSync(join(dir, 'x')).mode & 0o7777, 0o700);
});

t('each unknown argument is named once, a repeated one too', async () => {
  const [a, dir] = await rooted();
  const r = await a.request('writefile', { path: 'f', data: 'x', apend: [1, 1], zz: 2 });
  refused(r, 'writefile', 'arguments apend, zz', 'path data append mode');
  assert.not.ok(existsSync(join(dir, 'f')));
  assert.is((await a.request('writefile', { path: 'f', data: 'ab' })).kind, 'ok');
  assert.is((await a.request('writefile', { path: 'f', data: 'c', append: true })).kind, 'ok');
  assert.is(readFileSync(join(dir, 'f'), 'utf8'), 'abc');
});

t('a spawn with an unknown argument starts nothing; its optional log, cwd and env still work', async () => {
  const [a, dir] = await rooted();
  const marker = join(dir, 'ran');
  refused(await a.request('spawn', { argv: ['touch', marker], chdir: dir }), 'spawn', 'argument chdir', 'argv env log cwd');
  const log = join(dir, 'log');
  const r = await a.request('spawn', { argv: ['sh', '-c', 'echo "$V" > "$PWD/out"; touch ran'], cwd: dir, env: 'V=hello', log });
  assert.is(r.kind, 'ok');
  const w = await a.request('waitpid', { pid: Number(getText(r.fields, 'pid')), timeout: 10_000, gone: true });
  assert.is(w.kind, 'ok');
  assert.is(readFileSync(join(dir, 'out'), 'utf8'), 'hello\n');
  assert.ok(existsSync(marker), 'the spawn without the unknown argument ran');
  assert.ok(existsSync(log));
});

t('a waitpid with a misspelt gone is refused rather than answered as if the flag were absent', async () => {
  const [a] = await rooted();
  const s = await a.request('spawn', { argv: ['sleep', '30'] });
  const pid = Number(getText(s.fields, 'pid'));
  refused(await a.request('waitpid', { pid, timeout: 1, gnoe: true }), 'waitpid', 'argument gnoe', 'pid timeout nohang gone');
  const w = await a.request('waitpid', { pid, timeout: 1, gone: true });
  assert.is(w.kind, 'err');
  assert.is(w.errno, 'ETIMEDOUT');
  assert.is((await a.request('kill', { pid, sig: 'SIGKILL', group: true })).kind, 'ok');
});

t('an op that takes no arguments of its own accepts the common ones and names only those in a refusal', async () => {
  const [a] = await rooted();
  assert.is((await a.request('ping', { ifok: true, as_uid: 0, as_gid: 0, as_groups: '0' })).kind, 'ok');
  const r = await a.request('ping', { path: '.' });
  assert.is(getText(r.fields, 'msg'), `ping does not take argument path (it takes: only ${COMMON})`);
});

t('the refusal comes before ifok: a request that would be cancelled still reports its unknown argument', async () => {
  const [a] = await rooted();
  assert.is((await a.request('stat', { path: 'missing' })).errno, 'ENOENT');
  refused(await a.request('stat', { path: '.', nofollow: true, ifok: true }), 'stat', 'argument nofollow', 'path');
  // without it, the ifok request is cancelled by the refusal before it, as by any failure
  assert.is((await a.request('stat', { path: '.', ifok: true })).errno, 'ECANCELED');
});

test.run();
