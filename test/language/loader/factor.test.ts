// The gate validators (a schema with its repeated parts referenced once, language/loader/factor.ts)
// accept exactly what the full validators accept: on real step modifiers and scenario bodies from
// the suite, and on seeded mutants of them (a value replaced, a field dropped, an unknown field).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../language/root.js';
import { factorSchema } from '../../../language/loader/factor.js';
import { findScenarioFiles } from '../../../language/loader/scan.js';
import { ScenarioLoose } from '../../../language/loader/scenario.js';
import { ModifiersSchema } from '../../../language/loader/steps.js';
import { combinations, expand } from '../../../language/loader/vary.js';
import { gateAgrees } from '../../../language/loader/validate.js';
import { parseWithPositions } from '../../../language/loader/yaml.js';
import { STEP_MODIFIERS } from '../../../language/schema/scenario.js';

type Json = Record<string, unknown>;

/** every twentieth suite file, expanded: scenario bodies and the modifiers of their steps */
function samples(): { bodies: Json[]; mods: Json[] } {
  const files = findScenarioFiles(join(packageRoot(), 'suites')).filter((_, i) => i % 20 === 0);
  const bodies: Json[] = [];
  const mods: Json[] = [];
  for (const f of files) {
    const top = parseWithPositions(readFileSync(f, 'utf8'), f.endsWith('.json')).value as Json;
    const combos = top.vary ? combinations(top.vary as Json, top.exclude as Record<string, string>[] | undefined) : [{ labels: {}, values: {}, sources: {} }];
    for (const c of combos) {
      const body = expand(top, c, []) as Json;
      bodies.push(body);
      for (const st of (body.steps as Json[]) ?? []) mods.push(Object.fromEntries(Object.entries(st).filter(([k]) => (STEP_MODIFIERS as readonly string[]).includes(k))));
    }
  }
  return { bodies, mods };
}

/** every path to a value inside v */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** v with the value at path replaced (or, with `drop`, removed; with `extra`, a field added there) */
function mutate(v: unknown, path: (string | number)[], how: { kind: 'set' | 'drop' | 'extra'; value: unknown; name: string }): unknown {
  const copy = structuredClone(v);
  if (path.length === 0) return how.kind === 'set' ? how.value : copy;
  let parent = copy as Json;
  for (const seg of path.slice(0, -1)) parent = parent[seg as string] as Json;
  const last = path[path.length - 1];
  if (how.kind === 'set') parent[last as string] = how.value;
  else if (how.kind === 'drop') Array.isArray(parent) ? parent.splice(last as number, 1) : delete parent[last as string];
  else {
    const target = parent[last as string];
    if (target && typeof target === 'object' && !Array.isArray(target)) (target as Json)[how.name] = how.value;
  }
  return copy;
}

const { bodies, mods } = samples();

test('The step-modifier and scenario schemas have gates, far smaller than themselves', () => {
  for (const schema of [ModifiersSchema, ScenarioLoose]) {
    const f = factorSchema(schema);
    assert.ok(f && f.$defs, 'factored');
    assert.ok(JSON.stringify(f).length * 3 < JSON.stringify(schema).length, 'repeated parts are referenced once');
    assert.ok(gateAgrees(schema, {}).gate, 'the build made its gate (npm run build)');
  }
  assert.ok(mods.length > 100 && bodies.length > 25, `${mods.length} modifiers, ${bodies.length} bodies`);
});

test('A gate accepts exactly what the full validator accepts, on the suite and on mutants of it', () => {
  for (const m of mods) assert.ok(gateAgrees(ModifiersSchema, m).agrees, JSON.stringify(m));
  for (const b of bodies) assert.ok(gateAgrees(ScenarioLoose, b).agrees, String(b.id));
  const how = fc.record({ kind: fc.constantFrom('set' as const, 'drop' as const, 'extra' as const), value: fc.jsonValue({ maxDepth: 2 }), name: fc.constantFrom('mode', 'size', 'errno', 'x', 'stop', 'eq', 'hex', 'in') });
  for (const [schema, pool] of [[ModifiersSchema, mods], [ScenarioLoose, bodies]] as const) {
    fc.assert(
      fc.property(fc.nat(pool.length - 1), fc.nat(), how, (i, j, h) => {
        const all = paths(pool[i]);
        const v = mutate(pool[i], all[j % all.length], h);
        return gateAgrees(schema, v).agrees;
      }),
      { numRuns: 300, seed: 18 },
    );
  }
});

test('A schema with references of its own is not factored', () => {
  assert.is(factorSchema({ $ref: '#/$defs/a', $defs: { a: { type: 'string' } } }), undefined);
  assert.is(factorSchema({ type: 'string' }), undefined);
});

test.run();
