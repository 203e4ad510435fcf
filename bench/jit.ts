// The bench's process runs with the V8 interrupt budget `ovlconf` sets (bin/ovlconf.js), so its
// in-process rows measure the engine as a run executes it. Imported first by bench/run.ts: the
// budget must be set before the engine's code first runs. At V8's default budget the first
// in-process row spent a quarter of its CPU optimising code on V8's compiler threads.

import { setFlagsFromString } from 'node:v8';

/** bin/ovlconf.js's value (docs/speed.md, "Cold start") */
export const INTERRUPT_BUDGET = 300_000;

setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
