// The end of a scenario's result left to run behind the loop: once an implementation's run is
// over, its comparison with the posix baseline waits on the baseline's own run (an agent's round
// trips), and the worker can take the next scenario meanwhile. The main thread then runs the
// next model scenario while an agent works, where it sat idle (a quarter of the samples of an
// `ovlconf run --adapter memory` profile). A bounded number wait at once; all are awaited
// before the loop ends, so every result is emitted before the run returns.

/** Work left running while a loop goes on: at most `max` at once. */
export class Behind {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly max: number) {}

  /** Start `work` (which must not reject); resolves once fewer than `max` are still running. */
  async add(work: () => Promise<void>): Promise<void> {
    const p: Promise<void> = work().finally(() => this.pending.delete(p));
    this.pending.add(p);
    while (this.pending.size >= this.max) await Promise.race(this.pending);
  }

  /** Wait for everything still running. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
