// SIGINT/SIGTERM as a clean stop: the first signal aborts (teardown, partial results), so a
// command installs this before it starts anything that mounts.

/** An abort signal fired by the first SIGINT or SIGTERM, and which signal it was. */
export interface Interrupt {
  signal: AbortSignal;
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

/** Start listening for SIGINT/SIGTERM; `log` says what happens when one arrives. */
export function interruptible(log: (s: string) => void): Interrupt {
  const ac = new AbortController();
  let got: NodeJS.Signals | undefined;
  const on = (sig: NodeJS.Signals) => {
    if (got) return;
    got = sig;
    log(`\n${sig}: stopping; tearing down and writing partial results`);
    ac.abort();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: ac.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
