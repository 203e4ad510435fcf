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

/** Devices a scenario that declares device-open may open through the merged view: /dev/null and /dev/zero's numbers, which reach nothing of the host's. */
export const OPENABLE_DEVICES: readonly string[] = ['chr 0:0', 'chr 1:3', 'chr 1:5', 'blk 0:0'];

/** Every device node a scenario's layers or mknod/edit steps make, as "type major:minor". */
export function devicesOf(trees: readonly Record<string, unknown>[], steps: readonly { op: string; args: Record<string, unknown> }[]): string[] {
  const out: string[] = [];
  const fromTree = (t: Record<string, unknown> | undefined) => {
    for (const e of Object.values(t ?? {}) as { type?: string; major?: unknown; minor?: unknown }[])
      if (e?.type === 'chr' || e?.type === 'blk') out.push(`${e.type} ${String(e.major ?? 0)}:${String(e.minor ?? 0)}`);
  };
  trees.forEach(fromTree);
  for (const st of steps) {
    if (st.op === 'mknod' && (st.args.type === 'chr' || st.args.type === 'blk')) out.push(`${String(st.args.type)} ${String(st.args.major ?? 0)}:${String(st.args.minor ?? 0)}`);
    if (st.op === 'edit') fromTree(st.args.entries as Record<string, unknown> | undefined);
  }
  return out;
}

/** Why a scenario that declares device-open may not have it (a device beyond OPENABLE_DEVICES), or undefined. */
export function deviceOpenProblem(devices: readonly string[]): string | undefined {
  const bad = [...new Set(devices.filter((d) => !OPENABLE_DEVICES.includes(d)))];
  if (!bad.length) return undefined;
  return `device-open (mounts with device semantics) is only for the devices ${OPENABLE_DEVICES.join(', ')}; this scenario makes ${bad.join(', ')}, which could reach a host device`;
}
