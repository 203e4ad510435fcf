#!/usr/bin/env node
// ovlconf: the overlay-conformance command line (compiled code lives in dist/).
import { main } from '../dist/cli/main.js';

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
