// Preloaded into every test file's process by scripts/test.js (node --require): at exit it writes
// the CPU time the file cost (its own user+sys plus that of every child it waited for, from
// /proc/self/stat) to the file named by TEST_CPU_FILE, so the runner can print a per-file CPU
// table that stays meaningful when other developers load the machine (wall time does not).
// (Not an OVLCONF_ variable: the loader's cache key covers every OVLCONF_ setting, and a value
// that differs per file made every test process miss the catalog, suite and known-failure caches.)
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

const out = process.env.TEST_CPU_FILE;
if (out) {
  process.on('exit', () => {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      // fields after "(comm) ": state is field 3, so utime/stime/cutime/cstime (14-17) are 11-14 here
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      const tick = 100; // USER_HZ on Linux
      const self = process.resourceUsage();
      const children = (f[13] + f[14]) / tick;
      writeFileSync(out, JSON.stringify({ user: self.userCPUTime / 1e6, system: self.systemCPUTime / 1e6, children }));
    } catch {
      // no /proc: the table shows "?" for this file
    }
  });
}
