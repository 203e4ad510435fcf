// Steps sent to the worker ahead of their turn, so a scenario costs one agent round trip per run
// of plain steps rather than one per step. Only steps whose arguments are already known go
// (none refers to a handle or $ref bound inside the run), none after a step whose deviation
// could stop the scenario, and only ops the worker sends as one plain request (canBatch): the
// worker sees the same ops in the same order, and the executor still judges one step at a time.

import type { ResolvedOp, Worker } from '../adapters/adapter.js';
import type { Step } from '../language/model.js';
import { OPS, type ArgSpec } from '../language/ops.js';
import type { StepOutcome } from './match.js';

const REF_NAME = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

/** the binding names a step's arguments read (handles by name, `$name.field` references) */
export function namesRead(step: Step): string[] {
  const spec = OPS[step.op].args as Record<string, ArgSpec>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(step.args)) {
    const kind = spec[k]?.kind;
    if (kind === 'fd' || kind === 'dir' || kind === 'map') out.push(String(v));
    else if (typeof v === 'string') {
      const m = REF_NAME.exec(v);
      if (m) out.push(m[1]);
    }
  }
  return out;
}

/** whether one of the step's deviations ends the scenario when seen (`stop:`) */
const mayStop = (step: Step) => Object.values(step.deviations).some((d) => d.stop);

/** The outcomes of steps already sent, by step index. */
export class Ahead {
  private readonly sent = new Map<number, Promise<StepOutcome>>();

  constructor(
    private readonly worker: Worker,
    private readonly steps: readonly Step[],
  ) {}

  /** the outcome of step i when it was sent ahead (once) */
  take(i: number): Promise<StepOutcome> | undefined {
    const p = this.sent.get(i);
    this.sent.delete(i);
    return p;
  }

  /**
   * Send step `from` and the plain steps after it that can go with it, when there are at least
   * two; `resolve` gives a step's arguments from the bindings so far (a string: not resolvable).
   */
  fill(from: number, resolve: (step: Step) => Record<string, unknown> | string): void {
    const w = this.worker;
    if (!w.canBatch || !w.opMany || this.sent.size) return;
    const ops: ResolvedOp[] = [];
    const bound = new Set<string>();
    for (let i = from; i < this.steps.length; i++) {
      const step = this.steps[i];
      if (namesRead(step).some((n) => bound.has(n))) break;
      const args = resolve(step);
      if (typeof args === 'string') break;
      const op: ResolvedOp = { op: step.op, args, user: step.user };
      if (!w.canBatch(op)) break;
      ops.push(op);
      if (step.as) bound.add(step.as);
      if (mayStop(step)) break;
    }
    if (ops.length < 2) return;
    w.opMany(ops).forEach((p, k) => {
      // the executor may end the scenario before it awaits every one: none goes unhandled
      p.catch(() => undefined);
      this.sent.set(from + k, p);
    });
  }
}
