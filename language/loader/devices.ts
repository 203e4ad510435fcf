// Device numbers a scenario may create: an allow-list, so a mknod or a layer entry can never
// make a node for a host device (a loop device's backing file, the kernel log) that a later
// open could write through.

/** type → "major:minor" numbers allowed: whiteouts (chr 0:0) and the few the suites use. */
export const ALLOWED_DEVICES: Readonly<Record<'chr' | 'blk', readonly string[]>> = {
  // 0:0 whiteout, 0:1 unnamed, 1:0 unused in the mem major, 1:3 /dev/null, 1:5 /dev/zero
  chr: ['0:0', '0:1', '1:0', '1:3', '1:5'],
  // 0:0 (not a whiteout), 7:200 a loop minor far above what losetup hands out
  blk: ['0:0', '7:200'],
};

/** Why a device node of these numbers is refused, or undefined when it is on the allow-list. */
export function deviceProblem(type: unknown, major: unknown, minor: unknown): string | undefined {
  if (type !== 'chr' && type !== 'blk') return undefined;
  const rdev = `${String(major ?? 0)}:${String(minor ?? 0)}`;
  if (ALLOWED_DEVICES[type].includes(rdev)) return undefined;
  return `device ${type} ${rdev} is not on the allow-list (chr ${ALLOWED_DEVICES.chr.join(', ')}; blk ${ALLOWED_DEVICES.blk.join(', ')}): a node for a real device could reach the host's`;
}
