// What every in-process bench row starts from: the adapter, its variant once probed available, and
// the profiles by implementation (the verdicts need them as `ovlconf run` has them).

import { loadAdapter } from '../adapters/registry.js';
import type { Adapter, VariantInfo } from '../adapters/adapter.js';
import { loadCatalog, type Catalog } from '../language/loader/catalog.js';
import type { Profile } from '../language/model.js';

/** An adapter variant ready to run, with the profiles; or why the row cannot run here. */
export interface BenchTarget {
  adapter: Adapter;
  variant: VariantInfo;
  profiles: Map<string, Profile[]>;
}

/** Probe the adapter and pick the variant: a sentence instead when either is unavailable. */
export async function benchTarget(adapterName: string, variant: string): Promise<BenchTarget | string> {
  const adapter = await loadAdapter(adapterName);
  const info = await adapter.probe();
  const v = info.variants.find((x) => x.name === variant);
  if (!info.available || !v?.available) return `${adapterName}/${variant}: unavailable (${v?.reason ?? info.reason})`;
  return { adapter, variant: v, profiles: profilesOf(loadCatalog()) };
}

/** The catalog's profiles by implementation, as runAll and the fuzz campaign take them. */
export function profilesOf(catalog: Catalog): Map<string, Profile[]> {
  return new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]]));
}
