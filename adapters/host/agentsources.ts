// Which sources the agent binary was built from. The build embeds a digest of agent/*.c and
// agent/*.h in the binary, which prints it when it starts; a binary built from other sources than
// the runner's (sources edited or pulled without `npm run build`) is refused, because it would
// ignore the requests and flags it does not know and the runner would take its answers as the
// implementation's.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';

let cached: string | undefined | null = null;

/** The digest of agent/*.c and agent/*.h as scripts/build-agent.js computes it (16 hex digits), or undefined without sources. */
export function agentSourcesDigest(dir = join(packageRoot(), 'agent')): string | undefined {
  if (cached !== null && dir === join(packageRoot(), 'agent')) return cached;
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort();
  } catch {
    names = [];
  }
  const h = createHash('sha256');
  for (const n of names) h.update(`${n}\0`).update(readFileSync(join(dir, n))).update('\0');
  const d = names.length ? h.digest('hex').slice(0, 16) : undefined;
  if (dir === join(packageRoot(), 'agent')) cached = d;
  return d;
}

/** Why an agent that printed `built` (its sources' digest, or undefined) may not be used with sources of digest `expected` (undefined: none here), or undefined when it matches. */
export function staleAgent(built: string | undefined, expected: string | undefined): string | undefined {
  if (expected === undefined || built === expected) return undefined;
  return `the agent binary (agent/build/ovlagent) was built from other sources than agent/*.c (${built ? `built from ${built}` : 'it names no sources'}, the sources are ${expected}): run npm run build`;
}
