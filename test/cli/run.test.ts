// tier: system
// `ovlconf run --out` on a full filesystem (a 256 KiB tmpfs in a private mount namespace): a clear
// error and the previous file intact, never a truncated results file; a missing directory is
// refused before the run starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../language/root.js';
import { fixtures, ovlconf } from '../helpers/cli.js';
import { skipping } from '../helpers/env.js';

if (!skipping('--out on a full filesystem', 'root')) {
  test('--out on a full filesystem ends in a clear error and leaves the previous file unchanged', () => {
    const bin = join(packageRoot(), 'bin', 'ovlconf.js');
    // inside `unshare -m` the tmpfs vanishes with the shell; the output is read back before that
    const script = `set -e; d=$(mktemp -d); mount -t tmpfs -o size=256k tmpfs "$d"
      echo '{"previous":true}' > "$d/r.json"
      dd if=/dev/zero of="$d/fill" bs=4k 2>/dev/null || true
      set +e; "$0" "$1" run --adapter memory --suite "$2" --reporter json --out "$d/r.json" 2>"$d/../err.$$"; rc=$?
      echo "rc=$rc"; echo "file=$(cat "$d/r.json")"; echo "left=$(ls -A "$d" | tr '\\n' ' ')"; echo "err=$(cat "$d/../err.$$")"
      umount "$d"; rm -rf "$d" "$d/../err.$$"`;
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script, process.execPath, bin, fixtures('planted')], { encoding: 'utf8', timeout: 120_000 });
    const out = r.stdout;
    assert.match(out, /^rc=1$/m, out + r.stderr);
    assert.match(out, /^file=\{"previous":true\}$/m);
    assert.match(out, /^left=fill r\.json $/m);
    assert.match(out, /^ovlconf: cannot write \/.*r\.json: no space left on the filesystem \(ENOSPC\); the previous file is left unchanged$/m, out);
  });

  test('--out in a missing directory is refused before anything runs', async () => {
    const r = await ovlconf(['run', '--adapter', 'memory', '--suite', fixtures('planted'), '--out', '/nonexistent-ovlconf/r.json']);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^ovlconf: cannot write \/nonexistent-ovlconf\/r\.json: \/nonexistent-ovlconf: the directory does not exist \(ENOENT\)\n$/);
  });
}

test.run();
