// The layer formats the suite ships, registered under the names configs use: the kernel's own
// (markers in trusted.* or user.* xattrs, chosen by the mount's namespace), fuse-overlayfs's and
// unionfs-fuse's from their adapters' folders, and plain directories without any markers.

import { kernelDecoder, plainDecoder } from '../host/inspect.js';
import { kernelMarkers, noMarkers } from '../host/materialise.js';
import { fuseOverlayFormat } from '../fuse-overlayfs/format.js';
import { unionfsFormat } from '../unionfs-fuse/format.js';
import type { LayerFormat } from './types.js';

/** The kernel overlay's format: char 0/0 or xattr whiteouts and <ns>.overlay.* xattrs. */
export const kernelFormat: LayerFormat = {
  name: 'kernel',
  description: 'Linux overlayfs: char 0/0 (or overlay.whiteout xattr) whiteouts and overlay.opaque/redirect/metacopy xattrs in trusted.*, or user.* for a mount in a user namespace (userxattr)',
  markers: (ctx) => kernelMarkers(ctx.xattrNs),
  decode: (items, ctx) => kernelDecoder([`${ctx.xattrNs}.overlay.`])(items),
};

/** Plain directories: no markers at all (an implementation with no whiteouts of its own). */
export const plainFormat: LayerFormat = {
  name: 'plain',
  description: 'plain directories without overlay markers: layers holding whiteouts, opaque directories, redirects or metacopy files cannot be written',
  markers: () => noMarkers,
  decode: (items) => plainDecoder(items),
  lacks: {
    whiteout: 'the plain format has no whiteouts',
    opaque: 'the plain format has no opaque directories',
    redirect: 'the plain format has no redirects',
    metacopy: 'the plain format has no metadata-only copies',
    'xattr-whiteout': 'the plain format has no xattr whiteouts',
  },
};

/** Every built-in format, in the order `formatNames()` lists them. */
export const BUILTIN_FORMATS: readonly LayerFormat[] = [kernelFormat, fuseOverlayFormat, unionfsFormat, plainFormat];
