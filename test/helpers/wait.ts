// Polling for a condition the system reaches asynchronously (a daemon's exit, a mount's removal).

/** true as soon as `f()` holds, polling every `everyMs` for at most `ms`; else f()'s last answer */
export async function until(f: () => boolean, ms: number, everyMs = 10): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, everyMs))) if (f()) return true;
  return f();
}
