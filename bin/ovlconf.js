#!/usr/bin/env node
// ovlconf: the overlay-conformance command line (compiled code lives in dist/).
import { main } from '../dist/runners/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e?.stack ?? String(e));
    process.exitCode = 1;
  },
);
