#!/usr/bin/env node
// ovlconf: the overlay-conformance command line (compiled code lives in dist/).
import { setFlagsFromString } from 'node:v8';

// V8 optimises a function once it has run for its interrupt budget (67,584 bytecode bytes by
// default); a cold start runs the loader's code over 500 files once, so at the default most of
// that code is optimised (a third of a cold `validate`'s CPU, on other threads) and then hardly
// used. 300,000 optimises only what stays hot (docs/speed.md); it must be set before the code loads.
setFlagsFromString('--interrupt-budget=300000');
const { main } = await import('../dist/cli/main.js');

// a closed pipe (`ovlconf list | head`) ends the output quietly
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e?.stack ?? String(e));
    process.exitCode = 1;
  },
);
