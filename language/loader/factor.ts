// A schema with its repeated parts moved into $defs and referenced, for the build's "gate"
// validators (scripts/build-validators.js). The step-modifier schema repeats the expectation
// schema four times and each expectation repeats the matcher forty times: ajv inlines all of
// it, 4 MB of code that every cold start loaded and compiled before checking one step. Referenced
// once each, the same schema is about 0.1 MB. $ref to $defs means exactly the referenced schema,
// so the gate accepts exactly what the inlined schema accepts; only the errors' schema paths
// would differ, which is why messages still come from the inlined validator (validate.ts).

/** keywords whose value is one schema */
const ONE = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems']);
/** keywords whose value maps names to schemas */
const MAP = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions']);
/** keywords whose value is a list of schemas */
const LIST = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems']);

type Json = Record<string, unknown>;

/** every subschema in schema positions of s (not inside const, enum, default or examples) */
function eachSub(s: Json, f: (x: Json) => void): void {
  for (const [k, v] of Object.entries(s)) {
    if (ONE.has(k) && v && typeof v === 'object' && !Array.isArray(v)) f(v as Json);
    else if (MAP.has(k) && v && typeof v === 'object') Object.values(v as Json).forEach((x) => x && typeof x === 'object' && f(x as Json));
    else if (LIST.has(k) && Array.isArray(v)) v.forEach((x) => x && typeof x === 'object' && f(x as Json));
  }
}

/**
 * The schema as plain JSON with every subschema that occurs more than once (and is at least
 * `min` characters of JSON) defined once under $defs and referenced. Undefined when the schema
 * has anything that makes moving parts unsafe ($id, $anchor, $ref or $defs of its own: a moved
 * part would resolve references against another base): then there is no gate.
 */
export function factorSchema(schema: unknown, min = 200): Json | undefined {
  const plain = JSON.parse(JSON.stringify(schema)) as Json;
  const seen = new Map<string, number>();
  let unsafe = false;
  const count = (s: Json): void => {
    if (['$id', '$anchor', '$dynamicAnchor', '$ref', '$dynamicRef', '$defs', 'definitions'].some((k) => k in s)) unsafe = true;
    const k = JSON.stringify(s);
    if (k.length >= min) seen.set(k, (seen.get(k) ?? 0) + 1);
    eachSub(s, count);
  };
  count(plain);
  if (unsafe) return undefined;
  const defs: Json = {};
  const names = new Map<string, string>();
  const rewrite = (s: Json, top: boolean): Json => {
    const k = JSON.stringify(s);
    if (!top && (seen.get(k) ?? 0) > 1) {
      let name = names.get(k);
      if (!name) {
        name = `s${names.size}`;
        names.set(k, name);
        defs[name] = rewrite(s, true);
      }
      return { $ref: `#/$defs/${name}` };
    }
    const out: Json = {};
    for (const [key, v] of Object.entries(s)) {
      if (ONE.has(key) && v && typeof v === 'object' && !Array.isArray(v)) out[key] = rewrite(v as Json, false);
      else if (MAP.has(key) && v && typeof v === 'object') out[key] = Object.fromEntries(Object.entries(v as Json).map(([n, x]) => [n, x && typeof x === 'object' ? rewrite(x as Json, false) : x]));
      else if (LIST.has(key) && Array.isArray(v)) out[key] = v.map((x) => (x && typeof x === 'object' ? rewrite(x as Json, false) : x));
      else out[key] = v;
    }
    return out;
  };
  const root = rewrite(plain, true);
  return names.size ? { ...root, $defs: defs } : undefined;
}
