// A helper thread of pool.ts: loads the package's known failures when asked, and the suite files
// it claims from the shared counter with the catalog the main thread sent, answering with every
// outcome by file index, each on the task's port as soon as it is made, and then saying how many
// it sent. The main thread keeps what the load made in its caches.

import { parentPort } from 'node:worker_threads';
import { loadKnownFailures } from './known.js';
import type { PoolReply, PoolTask } from './pool.js';
import { loadOutcome, type Outcome } from './suite.js';

parentPort?.on('message', (task: PoolTask) => {
  if (task.kind === 'known') return parentPort!.postMessage({ kind: 'known', value: loadKnownFailures() } satisfies PoolReply);
  const claims = new Int32Array(task.counter);
  let sent = 0;
  for (let j; (j = Atomics.add(claims, 0, 1)) < task.files.length; sent++) task.port.postMessage([j, loadOutcome(task.files[j].file, task.catalog, task.files[j].display)] satisfies [number, Outcome]);
  parentPort!.postMessage({ kind: 'suite', sent } satisfies PoolReply);
});
