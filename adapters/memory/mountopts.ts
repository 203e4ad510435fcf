// Mount options seen from outside the model: what mountinfo would show for a mount (the
// effective options, as the kernel adapter reads them back), how remount options are laid over
// the requested ones, and what an in-place reconfigure of a mounted overlay does.

import type { OpResult } from '../adapter.js';
import { MOUNT_OPTIONS } from '../../language/options.js';
import type { Config } from './options.js';

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** Remount options laid over the requested ones, as the kernel adapter's withOptions does (a flag set off is dropped). */
export function layOptions(base: Record<string, string>, over: Record<string, string> | undefined): Record<string, string> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) {
    if (MOUNT_OPTIONS.get(k)?.kind === 'flag' && String(v) === 'off') delete out[k];
    else out[k] = String(v);
  }
  return out;
}

/** The effective options of a mount in the mountinfo op's shape (the kernel adapter's effectiveOptions plus verity). */
export function mountinfoValue(c: Config, hasUpper: boolean, requested: Record<string, string>): Record<string, string> {
  return {
    // a read-only overlay that follows redirects shows redirect_dir=on (6.18, observed by hand)
    redirect_dir: !hasUpper && c.redirect === 'follow' ? 'on' : c.redirect,
    index: onOff(c.index),
    metacopy: onOff(c.metacopy),
    xino: c.xino,
    nfs_export: onOff(c.nfsExport),
    userxattr: onOff(c.userxattr),
    volatile: onOff(c.volatile),
    uuid: requested.uuid ?? 'auto',
    verity: c.verity,
    ro: onOff(!hasUpper),
  };
}

/**
 * An in-place reconfigure (ovl_parse_param's reconfigure branch, ovl_reconfigure): the legacy
 * MS_REMOUNT ignores every overlay option; the new API refuses any with EINVAL; ro→rw of an
 * overlay without upper is EROFS. A rw→ro switch of a writable overlay is not modelled.
 */
export function reconfigure(c: Config, hasUpper: boolean, args: Record<string, unknown>): OpResult {
  void c;
  const options = Object.keys((args.options as Record<string, unknown> | undefined) ?? {});
  if (args.api !== 'legacy' && options.length > 0) return { ok: false, errno: 'EINVAL', message: 'fsconfig #1: overlay: No changes allowed in reconfigure' };
  if (args.readonly === false && !hasUpper) return { ok: false, errno: 'EROFS' };
  if (args.readonly === true && hasUpper) return { ok: false, skip: 'the model has no read-only state for a writable overlay (reconfigure readonly: true)' };
  return { ok: true };
}

/** The overlay's own f_fsid when it has a UUID (uuid=on, or auto on a new upper, persisted in overlay.uuid), else the upper filesystem's (SF-002). */
export const OWN_FSID = '0x6f766c7575696400';

/** f_fsid under the uuid= option: off/null (or no upper: on falls back to null) → the upper fs's, otherwise the overlay's own. */
export function fsidOf(uuid: string | undefined, hasUpper: boolean, upperFsid: string): string {
  return !hasUpper || uuid === 'off' || uuid === 'null' ? upperFsid : OWN_FSID;
}
