#!/usr/bin/env node
// Builds the native agent (agent/*.c → agent/build/ovlagent) and the bench's floor program
// (bench/floor.c + agent/mountapi.c → agent/build/ovlfloor) as part of `npm run build`.
// It never fails the install: without a C compiler, or when compilation fails, it writes the
// reason to agent/build/UNAVAILABLE (host adapters then report themselves unavailable), warns,
// and exits 0. A binary newer than every source (and this script) is left alone.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const agentDir = join(root, 'agent');
const buildDir = join(agentDir, 'build');
const binary = join(buildDir, 'ovlagent');
const floorBinary = join(buildDir, 'ovlfloor');
const floorSources = [join(root, 'bench', 'floor.c'), join(agentDir, 'mountapi.c')];
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

/** The digest of agent/*.c and agent/*.h, as adapters/host/agentsources.ts computes it: the agent prints it when it starts. */
function sourcesDigest() {
  const names = readdirSync(agentDir).filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort();
  const h = createHash('sha256');
  for (const n of names) h.update(`${n}\0`).update(readFileSync(join(agentDir, n))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Compile sources into out unless out is newer than every input and was built from these sources (`digest`); returns an error line or undefined. */
function compile(cc, sources, inputs, out, digest) {
  const stamp = `${out}.sources`;
  if (existsSync(out) && !existsSync(marker) && (!digest || (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest))) {
    const built = statSync(out).mtimeMs;
    if (inputs.every((f) => statSync(f).mtimeMs < built)) return undefined; // up to date
  }
  mkdirSync(buildDir, { recursive: true });
  const tmp = `${out}.tmp${process.pid}`;
  const defs = digest ? [`-DAGENT_SOURCES="${digest}"`] : [];
  const r = spawnSync(cc, [...FLAGS, ...defs, '-o', tmp, ...sources], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const text = `${r.stderr ?? ''}${r.stdout ?? ''}`;
    const first = text.split('\n').find((l) => /error/i.test(l)) ?? text.split('\n')[0];
    return first || r.error?.message || `${cc} exited ${r.status}`;
  }
  if (r.stderr.trim()) process.stderr.write(r.stderr); // warnings: the agent is meant to build warning-free
  renameSync(tmp, out);
  if (digest) writeFileSync(stamp, `${digest}\n`);
  console.log(`built ${out.slice(root.length + 1)} with ${cc}`);
  return undefined;
}

function main() {
  const sources = readdirSync(agentDir).filter((f) => f.endsWith('.c')).map((f) => join(agentDir, f));
  const headers = readdirSync(agentDir).filter((f) => f.endsWith('.h')).map((f) => join(agentDir, f));
  const self = fileURLToPath(import.meta.url);
  if (sources.length === 0) return unavailable('no agent sources in agent/*.c');
  const cc = findCompiler();
  if (!cc) return unavailable('no C compiler (cc/gcc) on PATH: apt-get install gcc');
  const failed = compile(cc, sources, [...sources, ...headers, self], binary, sourcesDigest());
  if (failed) return unavailable(`compiling the agent with ${cc} failed: ${failed}`);
  rmSync(marker, { force: true });
  // the bench's floor: a measurement, never part of the agent; its failure only costs the bench
  const floorFailed = compile(cc, floorSources, [...floorSources, ...headers, self], floorBinary);
  if (floorFailed) console.warn(`warning: bench floor program not built: ${floorFailed}`);
}

try {
  main();
} catch (e) {
  unavailable(`agent build script error: ${e instanceof Error ? e.message : String(e)}`);
}
process.exit(0);
