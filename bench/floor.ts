// The physical floor of one scenario (mkdirs, overlay mount, stat, umount, rmdirs; with cycles=2 the
// mount, stat and umount twice, as the warm/cold final-state check remounts), measured by
// the small C program bench/floor.c (built into agent/build/ovlfloor), not by the production agent.

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../language/root.js';

/** Mean nanoseconds per iteration, overall and per phase. */
export interface BenchFloor {
  ns: number;
  totalNs: number;
  n: number;
  /** mount cycles (mount, stat, umount) per iteration */
  cycles: number;
  mkdirNs: number;
  mountNs: number;
  statNs: number;
  umountNs: number;
  rmdirNs: number;
}

/** Where `npm run build` puts the floor program. */
export function floorBinaryPath(): string {
  return join(packageRoot(), 'agent', 'build', 'ovlfloor');
}

/** Why the floor cannot be measured here, or undefined when it can. */
export function floorUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the floor mounts overlays: needs root';
  try {
    accessSync(floorBinaryPath(), constants.X_OK);
  } catch {
    return `${floorBinaryPath()} missing: run npm run build (needs a C compiler)`;
  }
  return undefined;
}

/** Run the floor loop n times in dir (an absolute, empty, writable directory), extra overlay options appended; `cycles` mount cycles an iteration (1: the bench's unit). */
export async function measureFloor(dir: string, n: number, options: readonly string[] = [], cycles = 1): Promise<BenchFloor> {
  const { stdout } = await promisify(execFile)(floorBinaryPath(), [dir, String(n), `--cycles=${cycles}`, ...options], { timeout: 120_000 });
  return JSON.parse(stdout) as BenchFloor;
}
