#!/usr/bin/env node
// Builds the native agent (agent/*.c → agent/build/ovlagent) as part of `npm run build`.
// It never fails the install: without a C compiler, or when compilation fails, it writes the
// reason to agent/build/UNAVAILABLE (host adapters then report themselves unavailable), warns,
// and exits 0. A binary newer than every source (and this script) is left alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const agentDir = join(root, 'agent');
const buildDir = join(agentDir, 'build');
const binary = join(buildDir, 'ovlagent');
const marker = join(buildDir, 'UNAVAILABLE');
const FLAGS = ['-O2', '-Wall', '-Wextra', '-std=gnu11'];

function unavailable(reason) {
  const line = reason.replace(/\s+/g, ' ').trim();
  try {
    mkdirSync(buildDir, { recursive: true });
    writeFileSync(marker, line + '\n');
  } catch {
    // even the marker cannot be written: the warning below is all we can do
  }
  console.warn(`warning: native agent not built: ${line}`);
  console.warn('warning: host-backed adapters (posix, kernel, fuse) will report themselves unavailable');
}

function findCompiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc'].filter(Boolean)) {
    const r = spawnSync(cc, ['--version'], { stdio: 'ignore' });
    if (!r.error && r.status === 0) return cc;
  }
  return undefined;
}

function main() {
  const sources = readdirSync(agentDir).filter((f) => f.endsWith('.c')).map((f) => join(agentDir, f));
  const inputs = [
    ...sources,
    ...readdirSync(agentDir).filter((f) => f.endsWith('.h')).map((f) => join(agentDir, f)),
    fileURLToPath(import.meta.url),
  ];
  if (sources.length === 0) return unavailable('no agent sources in agent/*.c');
  if (existsSync(binary) && !existsSync(marker)) {
    const built = statSync(binary).mtimeMs;
    if (inputs.every((f) => statSync(f).mtimeMs < built)) return; // up to date
  }
  const cc = findCompiler();
  if (!cc) return unavailable('no C compiler (cc/gcc) on PATH: apt-get install gcc');
  mkdirSync(buildDir, { recursive: true });
  const tmp = `${binary}.tmp${process.pid}`;
  try {
    const r = spawnSync(cc, [...FLAGS, '-o', tmp, ...sources], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.error || r.status !== 0) throw Object.assign(new Error(r.error?.message ?? `${cc} exited ${r.status}`), r);
    if (r.stderr.trim()) process.stderr.write(r.stderr); // warnings: the agent is meant to build warning-free
  } catch (e) {
    rmSync(tmp, { force: true });
    const out = `${e.stderr ?? ''}${e.stdout ?? ''}`;
    const first = out.split('\n').find((l) => /error/i.test(l)) ?? out.split('\n')[0] ?? String(e);
    return unavailable(`compiling the agent with ${cc} failed: ${first || e.message}`);
  }
  renameSync(tmp, binary);
  rmSync(marker, { force: true });
  console.log(`built ${binary.slice(root.length + 1)} with ${cc}`);
}

try {
  main();
} catch (e) {
  unavailable(`agent build script error: ${e instanceof Error ? e.message : String(e)}`);
}
process.exit(0);
