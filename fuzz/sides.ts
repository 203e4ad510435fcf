// The workers a fuzz run compares: the implementation, the reference model with the same
// options, and the POSIX baseline; each is replaced when it hangs or dies, like `run` does.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter, Capabilities, Fingerprint, Worker } from '../adapters/adapter.js';
import { loadAdapter } from '../adapters/registry.js';
import type { RunRecord } from '../engine/classify.js';
import { execute, WorkerBroken } from '../engine/executor.js';
import type { Scenario } from '../language/model.js';

/** One compared implementation variant with its live worker. */
export interface Side {
  role: 'impl' | 'memory' | 'posix';
  adapter: Adapter;
  variant: string;
  worker: Worker;
  fingerprint: Fingerprint;
  workdir: string;
  generation: number;
}

/** Load an adapter and start a worker for one of its variants; a string says why it cannot. */
export async function openSide(role: Side['role'], adapterName: string | Adapter, variant: string, workdir: string): Promise<Side | string> {
  const adapter = typeof adapterName === 'string' ? await loadAdapter(adapterName) : adapterName;
  const info = await adapter.probe();
  if (!info.available) return `${adapter.name}: unavailable (${info.reason ?? 'no reason given'})`;
  const v = info.variants.find((x) => x.name === variant);
  if (!v) return `${adapter.name} has no variant "${variant}"; its variants: ${info.variants.map((x) => x.name).join(', ')}`;
  if (!v.available) return `${adapter.name}/${variant}: unavailable (${v.reason ?? 'no reason given'})`;
  const dir = join(workdir, `${role}.${adapter.name}`);
  mkdirSync(dir, { recursive: true });
  const worker = await adapter.createWorker(variant, { workdir: join(dir, 'w0'), index: 0 });
  return { role, adapter, variant, worker, fingerprint: await worker.fingerprint(), workdir: dir, generation: 0 };
}

/** The memory variant modelling the same options as `variant` (default when it has no such). */
export async function memoryVariantFor(variant: string): Promise<string> {
  const info = await (await loadAdapter('memory')).probe();
  return info.variants.some((v) => v.name === variant) ? variant : 'default';
}

/** Run a scenario on a side; a broken worker is replaced and the run reported with its error. */
export async function runOn(side: Side, s: Scenario, runId: string, timeoutMs?: number, finalState: boolean | 'warm' = false): Promise<RunRecord> {
  try {
    return await execute(side.worker, s, { runId, defaultTimeoutMs: timeoutMs, finalState });
  } catch (e) {
    const rec = (e as WorkerBroken & { record?: RunRecord }).record ?? { steps: [] };
    rec.error ??= (e as Error).message;
    try {
      if (side.worker.kill) await side.worker.kill();
      else await side.worker.close();
    } catch {
      /* already gone */
    }
    side.worker = await side.adapter.createWorker(side.variant, { workdir: join(side.workdir, `w${++side.generation}`), index: 0 });
    return rec;
  }
}

/** Close every side's worker. */
export async function closeSides(sides: Side[]): Promise<void> {
  for (const s of sides) await s.worker.close().catch(() => undefined);
}

/** The capabilities of every side, for the generator. */
export const capabilitiesOf = (sides: Side[]): Capabilities[] => sides.map((s) => s.worker.capabilities);
