// A test file's sandbox for native agents: one directory every agent of the file lives beneath,
// the agents started there, and the cleanup that kills them and removes the directory.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type Agent } from '../../adapters/host/agent.js';

/** The sandbox of one test file (its agents die and its directory goes in `cleanup`, for test.after). */
export interface AgentSandbox {
  base: string;
  /** start an agent in the sandbox (PATH as the test process has it when called) */
  agent: () => Promise<Agent>;
  cleanup: () => Promise<void>;
}

/** A fresh sandbox directory under TMPDIR named by `prefix`, readable by the uids the tests drop to. */
export function agentSandbox(prefix: string): AgentSandbox {
  const base = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(base, 0o755);
  const agents: Agent[] = [];
  return {
    base,
    agent: async () => {
      const a = await startAgent({ sandbox: base });
      agents.push(a);
      return a;
    },
    cleanup: async () => {
      for (const a of agents) await a.kill();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
