// The run's scenario lock: shared holders overlap, an exclusive holder is alone, waiters are served
// in arrival order (an exclusive one is not starved by shared ones arriving after it), and a hold
// ends when its work throws.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReadWriteLock } from '../../engine/rwlock.js';

/** a promise and the function that settles it: work that ends when the test says so */
function gate(): { p: Promise<void>; open: () => void } {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

/** the message a promise rejects with (fails the test when it resolves) */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  assert.unreachable('resolved');
  return '';
}

/** let every promise that can settle settle */
const settle = () => new Promise<void>((r) => setImmediate(r));

test('Shared holders hold the lock together', async () => {
  const lock = new ReadWriteLock();
  const g = gate();
  const inside: string[] = [];
  const a = lock.run(false, async () => {
    inside.push('a');
    await g.p;
  });
  const b = lock.run(false, async () => {
    inside.push('b');
    await g.p;
  });
  await settle();
  assert.equal(inside, ['a', 'b']);
  assert.equal(lock.state, { shared: 2, exclusive: false, waiting: 0 });
  g.open();
  await Promise.all([a, b]);
  assert.equal(lock.state, { shared: 0, exclusive: false, waiting: 0 });
});

test('An exclusive holder waits for the shared ones and keeps later ones out until it is done', async () => {
  const lock = new ReadWriteLock();
  const log: string[] = [];
  const first = gate();
  const ex = gate();
  const s1 = lock.run(false, async () => {
    log.push('s1 in');
    await first.p;
    log.push('s1 out');
  });
  const x = lock.run(true, async () => {
    log.push('x in');
    await ex.p;
    log.push('x out');
  });
  // arrives after the exclusive request: waits behind it though only a shared hold is held now
  const s2 = lock.run(false, async () => {
    log.push('s2 in');
  });
  await settle();
  assert.equal(log, ['s1 in']);
  assert.equal(lock.state, { shared: 1, exclusive: false, waiting: 2 });
  first.open();
  await s1;
  await settle();
  assert.equal(log, ['s1 in', 's1 out', 'x in']);
  assert.equal(lock.state, { shared: 0, exclusive: true, waiting: 1 });
  ex.open();
  await Promise.all([x, s2]);
  assert.equal(log, ['s1 in', 's1 out', 'x in', 'x out', 's2 in']);
});

test('Shared requests queued behind an exclusive one are let in together when it ends', async () => {
  const lock = new ReadWriteLock();
  const ex = gate();
  const held = gate();
  const x = lock.run(true, () => ex.p);
  const inside: string[] = [];
  const readers = ['a', 'b', 'c'].map((n) => lock.run(false, async () => {
    inside.push(n);
    await held.p;
  }));
  await settle();
  assert.equal(inside, []);
  ex.open();
  await x;
  await settle();
  assert.equal(inside, ['a', 'b', 'c']);
  assert.is(lock.state.shared, 3);
  held.open();
  await Promise.all(readers);
});

test('A hold whose work throws is released and the error reaches the caller', async () => {
  const lock = new ReadWriteLock();
  assert.is(await rejection(lock.run(true, async () => {
    throw new Error('worker died');
  })), 'worker died');
  assert.is(await rejection(lock.run(false, async () => {
    throw new Error('step timed out');
  })), 'step timed out');
  assert.equal(lock.state, { shared: 0, exclusive: false, waiting: 0 });
  assert.is(await lock.run(true, async () => 'alone again'), 'alone again');
});

test('A failed exclusive hold lets the waiters behind it in', async () => {
  const lock = new ReadWriteLock();
  const g = gate();
  const x = lock.run(true, async () => {
    await g.p;
    throw new Error('crashed');
  });
  const after = lock.run(false, async () => 'ran');
  g.open();
  assert.is(await rejection(x), 'crashed');
  assert.is(await after, 'ran');
});

test.run();
