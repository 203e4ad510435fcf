// How a repro script mounts each implementation by hand: the command line, the unmount, and the
// on-disk layer format its layers are written in (kernel overlay markers or unionfs hide files).

import { kernelVariant } from '../../adapters/kernel/variants.js';
import { fuseOverlayVariant } from '../../adapters/fuse-overlayfs/variants.js';
import { unionfsVariant } from '../../adapters/unionfs-fuse/variants.js';

/** Shell fragments for one implementation variant; `$T` is the script's temporary directory. */
export interface MountPlan {
  /** mount command using $LOWERS (colon-joined, topmost first), $T/upper, $T/work, $T/merged */
  mount: string;
  umount: string;
  /** layer format: 'overlay' markers in `xattrNs`, or unionfs-fuse hide files */
  format: 'overlay' | 'unionfs';
  xattrNs: 'trusted' | 'user';
  /** the program the script needs besides python3 and coreutils */
  needs: string[];
  note?: string;
}

/** The mount plan, or why the adapter cannot be reproduced by a standalone script. */
export function mountPlan(adapter: string, variant: string): MountPlan | string {
  if (adapter === 'kernel') {
    const v = kernelVariant(variant);
    if (!v) return `kernel has no variant "${variant}"`;
    const opts = ['lowerdir=$LOWERS', 'upperdir=$T/upper', 'workdir=$T/work', ...v.options].join(',');
    return {
      mount: `mount -t overlay overlay -o "${opts}" "$T/merged"`, umount: 'umount -l "$T/merged"', format: 'overlay', xattrNs: v.xattrNs, needs: ['mount'],
      note: v.layout !== 'plain' || v.userns || v.api !== 'new' ? `the suite's ${variant} variant also uses layout ${v.layout}${v.userns ? ', a user namespace' : ''}${v.api !== 'new' ? `, the ${v.api} mount API` : ''}; this script mounts plainly with the same options` : undefined,
    };
  }
  if (adapter === 'fuse-overlayfs') {
    const v = fuseOverlayVariant(variant);
    if (!v) return `fuse-overlayfs has no variant "${variant}"`;
    const opts = ['lowerdir=$LOWERS', 'upperdir=$T/upper', 'workdir=$T/work', ...v.options].join(',');
    return {
      mount: `fuse-overlayfs -o "${opts}" "$T/merged"`, umount: 'fusermount3 -u -z "$T/merged" 2>/dev/null || umount -l "$T/merged"', format: 'overlay', xattrNs: v.xattrNs, needs: ['fuse-overlayfs', 'fusermount3'],
      note: v.userns ? 'the suite mounts this variant as root of a user namespace; this script mounts as root' : undefined,
    };
  }
  if (adapter === 'unionfs-fuse') {
    const v = unionfsVariant(variant);
    if (!v) return `unionfs-fuse has no variant "${variant}"`;
    return {
      mount: `unionfs -o "${v.options.join(',')}" "$T/upper=RW:$UNIONFS_LOWERS" "$T/merged"`, umount: 'fusermount3 -u -z "$T/merged" 2>/dev/null || umount -l "$T/merged"',
      format: 'unionfs', xattrNs: 'trusted', needs: ['unionfs', 'fusermount3'],
    };
  }
  return `${adapter} is not mounted by a command (an in-process engine or a plug-in): a standalone script cannot reproduce it; run \`ovlconf run --adapter ${adapter} --suite FILE\` instead`;
}
