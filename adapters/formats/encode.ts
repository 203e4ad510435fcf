// Turning a canonical layer into agent requests in a given format and reading a layer directory
// back, the two halves every daemon-backed worker needs: the format's prepare step, the entries
// with the format's markers, its extra bookkeeping; a marker the format cannot write is a skip.

import type { CanonTree } from '../../language/canonical.js';
import { materialise } from '../host/materialise.js';
import type { TreeItem } from '../host/ops.js';
import type { EncodedLayer, FormatContext, LayerFormat } from './types.js';

/** Requests that write `tree` beneath a layer's root in `format`, or why it cannot hold it. */
export function encodeLayer(format: LayerFormat, tree: CanonTree, ctx: FormatContext): EncodedLayer {
  let t = tree;
  if (format.prepare) {
    const p = format.prepare(tree, ctx);
    if (!p.ok) return p;
    t = p.tree;
  }
  try {
    const requests = materialise(t, format.markers(ctx));
    if (format.extra) requests.push(...format.extra(t, ctx));
    return { ok: true, requests };
  } catch (e) {
    // a MarkerWriter throws for a marker its format has no way to write
    return { ok: false, skip: `the ${format.name} layer format cannot hold this layer: ${(e as Error).message}` };
  }
}

/** A layer directory's listing in canonical form through `format`. */
export function decodeLayer(format: LayerFormat, items: TreeItem[], ctx: FormatContext): CanonTree {
  return format.decode(items, ctx);
}
