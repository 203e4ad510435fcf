// Which sources the agent binary was built from. The build embeds a digest of agent/*.c and
// agent/*.h in the binary, which prints it when it starts; a binary built from other sources than
// the runner's (sources edited or pulled without `npm run build`) is refused, because it would
// ignore the requests and flags it does not know and the runner would take its answers as the
// implementation's.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';

/** The digest of the .c and .h files in `dir` as scripts/build-agent.js computes it (16 hex digits), or undefined without any. */
export function sourcesDigest(dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort();
  } catch {
    return undefined;
  }
  if (!names.length) return undefined;
  const h = createHash('sha256');
  for (const n of names) h.update(`${n}\0`).update(readFileSync(join(dir, n))).update('\0');
  return h.digest('hex').slice(0, 16);
}

let mine: { digest: string | undefined } | undefined;

/** The digest of this package's agent sources, read once a process. */
export function agentSourcesDigest(): string | undefined {
  mine ??= { digest: sourcesDigest(join(packageRoot(), 'agent')) };
  return mine.digest;
}

/** Why an agent that printed `built` (its sources' digest, or undefined) may not be used with sources of digest `expected` (undefined: none here), or undefined when it matches. */
export function staleAgent(built: string | undefined, expected: string | undefined): string | undefined {
  if (expected === undefined || built === expected) return undefined;
  return `the agent binary (agent/build/ovlagent) was built from other sources than agent/*.c (${built ? `built from ${built}` : 'it names no sources'}, the sources are ${expected}): run npm run build`;
}
