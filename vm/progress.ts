// Progress of `ovlconf vm` on a terminal: one status line (kernel i/n, phase, elapsed) redrawn in
// place; plain timestamped lines when stderr is not a TTY (CI logs).

/** Phases of one kernel's run, in order. */
export type Phase = 'prepare' | 'boot' | 'modules' | 'mount' | 'run' | 'collect' | 'done';

/** Shows what the vm runner is doing. */
export interface Progress {
  kernel(i: number, n: number, name: string): void;
  phase(p: Phase, note?: string): void;
  log(line: string): void;
  done(): void;
}

/** The phase a guest console line announces (ovlconf-guest: phase X), if any. */
export function phaseOf(line: string): Phase | undefined {
  const m = /ovlconf-guest: phase (\w+)/.exec(line);
  if (!m) return undefined;
  return ({ modules: 'modules', mount: 'mount', run: 'run', done: 'collect' } as Record<string, Phase>)[m[1]];
}

/** A progress display on `out` (a TTY redraws one line; otherwise one line per event). */
export function progress(out: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Progress {
  const tty = out.isTTY === true;
  let head = '';
  let phase: Phase = 'prepare';
  let note = '';
  let t0 = now();
  let tk = now();
  let timer: NodeJS.Timeout | undefined;
  const secs = (t: number) => `${Math.round((now() - t) / 1000)} s`;
  const draw = () => {
    const line = `${head} ${phase}${note ? ` (${note})` : ''} — ${secs(tk)}`;
    if (tty) out.write(`\r\x1b[K${line.slice(0, (out.columns ?? 100) - 1)}`);
  };
  return {
    kernel(i, n, name) {
      head = `kernel ${i}/${n} ${name}:`;
      tk = now();
      if (i === 1) t0 = now();
      if (tty && !timer) timer = setInterval(draw, 1000).unref();
      this.phase('prepare');
    },
    phase(p, n) {
      phase = p;
      note = n ?? '';
      if (tty) draw();
      else out.write(`${head} ${p}${n ? ` (${n})` : ''} at ${secs(tk)}\n`);
    },
    log(line) {
      if (tty) out.write(`\r\x1b[K${line}\n`);
      else out.write(line + '\n');
      draw();
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (tty) out.write(`\r\x1b[K`);
      out.write(`all kernels done in ${secs(t0)}\n`);
    },
  };
}
