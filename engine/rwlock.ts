// A read-write lock for the scenarios of one run: ordinary scenarios share it and run side by side,
// one that drops the machine's caches (engine/drops.ts) holds it alone, so no other scenario of the
// run loses its dentries, inodes and FUSE caches between two of its steps. Waiters are served in
// arrival order: a shared request behind a waiting exclusive one waits too (an exclusive one is
// never starved), and the shared requests that arrive together are let in together.

interface Waiter {
  exclusive: boolean;
  go: () => void;
}

/** Shared or exclusive holds around async work; released when the work settles, also when it throws. */
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Waiter[] = [];

  /** Holds now: shared holders and whether an exclusive one holds (for tests and progress). */
  get state(): { shared: number; exclusive: boolean; waiting: number } {
    return { shared: this.readers, exclusive: this.writer, waiting: this.queue.length };
  }

  /** Run fn holding the lock shared (alongside other shared holders) or exclusive (alone). */
  async run<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    await this.acquire(exclusive);
    try {
      return await fn();
    } finally {
      this.release(exclusive);
    }
  }

  private free(exclusive: boolean): boolean {
    return exclusive ? !this.writer && this.readers === 0 : !this.writer;
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (!this.queue.length && this.free(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((go) => this.queue.push({ exclusive, go }));
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.writer = true;
    else this.readers++;
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.writer = false;
    else this.readers--;
    // grant in order, as far as the head of the queue can go: the state changes before anyone resumes
    while (this.queue.length && this.free(this.queue[0].exclusive)) {
      const w = this.queue.shift()!;
      this.take(w.exclusive);
      w.go();
      if (w.exclusive) break;
    }
  }
}
