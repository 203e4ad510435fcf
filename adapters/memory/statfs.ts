// statfs(2) of the merged view: the overlay magic, the upper fs's geometry (top lower when
// read-only), namelen 255, and the mount flags (relatime; read-only without an upper).

import type { StatfsValue } from '../../language/canonical.js';
import type { Mount } from './state.js';

const ST_RDONLY = 1;
const ST_RELATIME = 4096;

/** The statfs value of a mount. */
export function statfsValue(m: Mount): StatfsValue {
  return {
    type: '0x794c7630', bsize: 4096, blocks: 65_536_000, bfree: 60_000_000, bavail: 56_000_000,
    files: 16_384_000, ffree: 16_000_000, namelen: 255, fsid: '0x3ca5485665564d94',
    flags: ST_RELATIME | (m.upper ? 0 : ST_RDONLY),
  };
}
