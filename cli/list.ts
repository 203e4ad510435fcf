// `ovlconf list`: the scenarios, and the adapters with whether they are available here and why.

import { builtinNames, loadAdapter } from '../adapters/registry.js';
import type { AdapterInfo } from '../adapters/adapter.js';
import { list, parse } from './args.js';
import { loadAll, type Loaded } from './load.js';
import { formatLoadError } from '../language/model.js';

export const LIST_HELP = `Usage: ovlconf list [--json] [--coverage] [--suite PATH]... [--adapter NAME]...

List the scenarios (id, file, behaviour ids) and the adapters with their variants and whether
each is available on this machine (and why not). --json prints
{scenarios: [{id, file, behaviour}], adapters: [{name, available, reason, variants}]}.
--coverage prints which behaviour ids of the catalogue the scenarios cover, per group, and every
uncovered id with its reason (spec/uncovered/*.yaml); it exits 1 when an uncovered id has none.
`;

async function probeAll(names: string[]): Promise<AdapterInfo[]> {
  const out: AdapterInfo[] = [];
  for (const n of names) {
    try {
      out.push(await (await loadAdapter(n)).probe());
    } catch (e) {
      out.push({ name: n, description: '', available: false, reason: (e as Error).message, variants: [] });
    }
  }
  return out;
}

/** `ovlconf list`; returns the exit status. */
export async function listCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, coverage: { type: 'boolean' }, suite: { type: 'string', multiple: true }, adapter: { type: 'string', multiple: true } });
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  const loaded = await loadAll({ suites: list(values.suite) });
  if (values.coverage) return printCoverage(loaded, values.json === true);
  const ids = [...new Map(loaded.scenarios.map((s) => [s.id, s])).values()];
  const adapters = await probeAll(list(values.adapter).length ? list(values.adapter) : builtinNames());
  if (values.json) {
    const doc = {
      scenarios: ids.map((s) => ({ id: s.id, file: s.file, behaviour: s.behaviour, title: s.title, runs: loaded.scenarios.filter((x) => x.id === s.id).length })),
      adapters: adapters.map((a) => ({ name: a.name, available: a.available, reason: a.reason ?? null, variants: a.variants.map((v) => ({ name: v.name, available: v.available, reason: v.reason ?? null, options: v.options })) })),
      errors: loaded.errors,
    };
    process.stdout.write(JSON.stringify(doc, null, 1) + '\n');
  } else {
    const w = Math.max(...ids.map((s) => s.id.length), 10);
    for (const s of ids) process.stdout.write(`${s.id.padEnd(w)}  ${s.behaviour.join(',').padEnd(15)}  ${s.title}\n`);
    process.stdout.write(`\n${ids.length} scenario(s), ${loaded.scenarios.length} run(s) after vary expansion\n\nAdapters:\n`);
    for (const a of adapters) {
      process.stdout.write(`  ${a.name.padEnd(16)} ${a.available ? 'available' : `unavailable: ${a.reason}`}\n`);
      for (const v of a.variants) process.stdout.write(`    ${v.name.padEnd(24)} ${v.available ? '' : `unavailable: ${v.reason}`}\n`);
    }
  }
  for (const e of loaded.errors) process.stderr.write(formatLoadError(e) + '\n');
  return loaded.errors.length ? 1 : 0;
}

/** Coverage of the behaviour catalogue by the loaded scenarios. */
export function coverage(l: Loaded): { total: number; covered: string[]; uncovered: { id: string; group: string; title: string; reason: string | null }[]; staleReasons: string[] } {
  const covered = new Set(l.scenarios.flatMap((s) => s.behaviour));
  const all = [...l.catalog.behaviours.values()];
  return {
    total: all.length,
    covered: all.filter((b) => covered.has(b.id)).map((b) => b.id),
    uncovered: all.filter((b) => !covered.has(b.id)).map((b) => ({ id: b.id, group: b.group, title: b.title, reason: l.catalog.uncovered.get(b.id) ?? null })),
    staleReasons: [...l.catalog.uncovered.keys()].filter((id) => covered.has(id)),
  };
}

function printCoverage(l: Loaded, json: boolean): number {
  const c = coverage(l);
  const missing = c.uncovered.filter((u) => u.reason === null);
  if (json) process.stdout.write(JSON.stringify(c, null, 1) + '\n');
  else {
    const groups = new Map<string, { all: number; cov: number }>();
    for (const b of l.catalog.behaviours.values()) {
      const g = groups.get(b.group) ?? { all: 0, cov: 0 };
      g.all++;
      if (c.covered.includes(b.id)) g.cov++;
      groups.set(b.group, g);
    }
    process.stdout.write(`Behaviour coverage: ${c.covered.length} of ${c.total} ids have a scenario\n\n`);
    for (const [g, n] of groups) process.stdout.write(`  ${String(n.cov).padStart(3)}/${String(n.all).padEnd(3)} ${g}\n`);
    if (c.uncovered.length) {
      process.stdout.write('\nNot covered:\n');
      for (const u of c.uncovered) process.stdout.write(`  ${u.id}  ${u.title}\n          ${u.reason ?? 'NO REASON GIVEN (add one to spec/uncovered/)'}\n`);
    }
    for (const id of c.staleReasons) process.stdout.write(`\nnote: ${id} is covered but spec/uncovered/ still gives a reason\n`);
  }
  return missing.length || l.errors.length ? 1 : 0;
}
