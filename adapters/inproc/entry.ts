// The child side of thread.ts: builds the adapter's worker inline and answers each call with
// its value or its error (name and message; ImplementationCrashed keeps its meaning). It ends
// when the harness goes away (the IPC channel closes).

import type { Adapter, Worker } from '../adapter.js';
import type { ThreadSpec } from './thread.js';
import { walkByOps } from '../walk.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as ThreadSpec;
const send = (m: unknown) => process.send!(m);
process.on('disconnect', () => process.exit(0));
let built: Promise<Worker> | undefined;

/** The worker, built on first use from the adapter the spec names. */
function worker(): Promise<Worker> {
  built ??= import(spec.module).then((m: Record<string, unknown>) => {
    const a = m[spec.exportName] as Adapter | undefined;
    if (!a?.createWorker) throw new Error(`${spec.module} exports no adapter "${spec.exportName}"`);
    return a.createWorker(spec.variant, spec.opts);
  });
  return built;
}

/** One turn of the event loop: between two ops of a walk, callbacks the engine queued run, as they did between two messages. */
const turn = () => new Promise<void>((r) => setImmediate(r));

/** Let queued callbacks and promise jobs run: two turns of the event loop. */
const settle = async () => {
  for (let i = 0; i < 2; i++) await new Promise<void>((r) => setImmediate(r));
};

process.on('message', async (m: { id: number; method: string; args: unknown[] }) => {
  try {
    const w = await worker();
    let value: unknown;
    if (m.method === 'ready') value = { capabilities: w.capabilities, maxLowers: w.maxLowers, knownOptions: w.knownOptions, optional: ['layerDirs', 'mergedTree'].filter((k) => typeof (w as unknown as Record<string, unknown>)[k] === 'function') };
    // the final snapshot's walk, op by op next to the engine: one message instead of one per op
    else if (m.method === 'walkTree') value = await walkByOps({ op: (o) => w.op(o), xattrs: w.capabilities.xattr === true, between: turn }, m.args[0] as number, m.args[1] as number);
    else {
      const f = (w as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[m.method];
      value = f ? await f.apply(w, m.args) : undefined;
      // work the engine left queued (a rejected promise of a close, a deferred flush) runs before
      // the scenario is called finished: a crash it causes belongs to this scenario, not the next
      if (m.method === 'teardown') {
        await settle();
        if ((w as { tainted?: boolean }).tainted) {
          send({ id: m.id, ok: true, value, tainted: true });
          return;
        }
      }
    }
    send({ id: m.id, ok: true, value });
  } catch (e) {
    const err = e as Error;
    send({ id: m.id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e) } });
  }
});
