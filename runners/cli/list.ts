// `ovlconf list`: the scenarios, and the adapters with whether they are available here and why.

import { builtinNames, loadAdapter } from '../../adapters/registry.js';
import type { AdapterInfo } from '../../adapters/adapter.js';
import { list, parse } from './args.js';
import { loadAll } from './load.js';
import { formatLoadError } from '../../spec/model.js';

export const LIST_HELP = `Usage: ovlconf list [--json] [--suite PATH]... [--adapter NAME]...

List the scenarios (id, file, behaviour ids) and the adapters with their variants and whether
each is available on this machine (and why not). --json prints
{scenarios: [{id, file, behaviour}], adapters: [{name, available, reason, variants}]}.
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
  const { values } = parse(argv, { json: { type: 'boolean' }, suite: { type: 'string', multiple: true }, adapter: { type: 'string', multiple: true } });
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  const loaded = loadAll({ suites: list(values.suite) });
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
