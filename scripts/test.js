#!/usr/bin/env node
// Runs the uvu tests compiled to dist/test and ends with the plain "N passed, N failed" line
// CI reads (uvu prints none). Fails when no test ran. Usage: node scripts/test.js [pattern]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// uvu's "exports" map hides bin.js, so find it beside the package's main entry (dist/index.js).
const uvuBin = join(dirname(require.resolve('uvu')), '..', 'bin.js');
const pattern = process.argv[2] ?? '\\.test\\.js$';
if (!existsSync('dist/test')) {
  console.error('dist/test is missing: run `npm run build` first');
  console.log('0 passed, 0 failed');
  process.exit(1);
}
const child = spawn(process.execPath, [uvuBin, 'dist/test', pattern], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
});
let out = '';
child.stdout.on('data', (b) => { process.stdout.write(b); out += b.toString(); });
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const failed = Math.max(total - passed, code !== 0 && total === passed ? 1 : 0);
  if (skipped) console.log(`(${skipped} skipped; their reasons are printed above)`);
  if (total === 0) console.error('no tests ran');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || total === 0 || code !== 0 ? 1 : 0);
});
