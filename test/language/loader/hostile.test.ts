// Hostile and broken scenario files: every one ends in a file:line:col error, never an
// exception, a hang or an exhausted runner; names a filesystem allows load as written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite } from '../../../language/loader/suite.js';
import { LIMITS } from '../../../language/loader/limits.js';
import { formatLoadError } from '../../../language/model.js';
import { errorsOf, realCatalog, scenario } from '../../helpers/scenario.js';

const head = 'id: t/hostile\ntitle: t\nbehaviour: [WH-001]\n';
const POS = /^[^:]+\.yaml:\d+:\d+: /;

const oneError = (text: string, re: RegExp) => {
  const errs = errorsOf(text, 'h.yaml');
  assert.ok(errs.length >= 1, 'an error is reported');
  for (const e of errs) assert.match(e, POS);
  assert.ok(errs.some((e) => re.test(e)), errs.join('\n'));
};

test('billion-laughs aliases end in an alias-limit error', () => {
  const rows = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) rows.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`);
  oneError(head + 'vary:\n  d: { one: 1 }\n' + rows.map((r) => 'x' + r).join('\n').replace(/^x/gm, '# ') + '\n' + rows.join('\n') + '\nsteps:\n  - stat: a\n', /alias/i);
});

test('a self-referencing alias and an alias before its anchor are named at the alias', () => {
  oneError(head + 'x: &r [*r]\nsteps:\n  - stat: a\n', /^h\.yaml:4:8: .*alias \*r sits inside the value anchored as &r/);
  oneError(head + 'steps:\n  - stat: *p\n  - stat: &p a\n', /^h\.yaml:5:11: .*alias \*p comes before its anchor/);
});

test('a sequence, mapping or alias as a mapping key is refused, never stringified', () => {
  oneError(head + 'steps:\n  - stat: a\nlayers:\n  lower:\n    - { ? [a, b] : x }\n', /^h\.yaml:8:11: .*a key must be a plain name, not a sequence/);
  oneError(head + 'steps:\n  - stat: a\nx: { { a: 1 }: 2 }\n', /^h\.yaml:6:6: .*not a mapping/);
  oneError(head + 'steps:\n  - stat: &k [a]\nx: { *k : 2 }\n', /^h\.yaml:6:6: .*not a YAML alias/);
  oneError(head + 'steps:\n  - stat: a\nx: [ { a: 1 }: x ]\n', /^h\.yaml:6:6: .*not a mapping/);
  oneError('!symlink ' + head + 'steps:\n  - stat: a\n', /^h\.yaml:1:10: .*not a value tagged !symlink/);
});

test('vary lookups reach only own data fields', () => {
  for (const f of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])
    oneError(head + `vary:\n  d: { one: { a: x } }\nsteps:\n  - stat: "\${d.${f}}"\n`, new RegExp(`\\$\\{d\\.${f}\\} is undefined for d=one`));
  oneError(head + 'vary:\n  d: [x]\nsteps:\n  - stat: "${constructor}"\n', /\$\{constructor\} names no vary dimension/);
});

test('vary products past the run limit are refused before they are built', () => {
  const dims = Array.from({ length: 9 }, (_, i) => `  d${i}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]`).join('\n');
  oneError(head + `vary:\n${dims}\nsteps:\n  - stat: a\n`, /vary expands to 1000000000 runs/);
});

test('a file past the size limit is refused without being parsed', () => {
  oneError(head + `layers:\n  lower:\n    - { f: "${'x'.repeat(LIMITS.fileBytes)}" }\nsteps:\n  - stat: f\n`, /^h\.yaml:1:1: .*the limit is 1048576/);
});

test('too many steps, layers and entries are refused at their key', () => {
  oneError(head + `steps: [${Array(LIMITS.steps + 1).fill('{stat: a}').join(', ')}]\n`, /^h\.yaml:4:1: \/steps: 1001 steps; the limit is 1000/);
  oneError(head + 'layers:\n  lower:\n    - { repeat: 1000, entries: { "f{i}": x } }\nsteps:\n  - stat: a\n', /1000 lower layers; the limit is 500/);
  const many = Array.from({ length: LIMITS.entries + 1 }, (_, i) => `f${i}: x`).join(', ');
  oneError(head + `layers:\n  lower:\n    - { ${many} }\nsteps:\n  - stat: a\n`, /10001 entries in one layer/);
});

test('names that are Object.prototype members load as ordinary layer entries and paths', () => {
  const [s] = scenario(head + 'layers:\n  lower:\n    - { __proto__: "p", constructor/x: "c", toString: "t", hasOwnProperty: !dir }\nsteps:\n  - stat: __proto__\n  - stat: constructor/x\nafter:\n  upper: { __proto__: absent }\n');
  const lower = s.layers.lowers[0];
  assert.equal(Object.keys(lower), ['__proto__', 'constructor', 'constructor/x', 'hasOwnProperty', 'toString']);
  assert.equal(lower['__proto__'], { type: 'file', data: 'p' });
  assert.equal(lower['constructor'], { type: 'dir' });
  assert.equal(s.steps[0].args.path, '__proto__');
  assert.equal(Object.keys(s.after!.upper!), ['__proto__']);
});

test('a name that is not valid Unicode is refused, never replaced', () => {
  oneError(head + 'steps:\n  - stat: "a\\uD800b"\n', /lone UTF-16 surrogate/);
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-bytes-'));
  try {
    writeFileSync(join(dir, 'b.yaml'), Buffer.concat([Buffer.from(head + 'steps:\n  - stat: "a'), Buffer.from([0xff]), Buffer.from('"\n')]));
    const r = loadSuite(realCatalog(), [dir]);
    assert.equal(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`), ['5:13: byte 62 (0xff) is not UTF-8: scenario files are UTF-8 text (write other bytes with !hex data)']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('special files and symlinks out of the suite are refused while the rest of the suite loads', () => {
  const base = mkdtempSync(join(tmpdir(), 'ovlconf-special-'));
  const dir = join(base, 'suite');
  mkdirSync(dir);
  try {
    writeFileSync(join(base, 'outside.yaml'), head.replace('t/hostile', 't/outside') + 'steps:\n  - stat: a\n');
    writeFileSync(join(dir, 'good.yaml'), head + 'steps:\n  - stat: a\n');
    writeFileSync(join(dir, 'broken.yaml'), head + 'x: &r [*r]\nsteps:\n  - stat: a\n');
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    symlinkSync(join(base, 'outside.yaml'), join(dir, 'out.yaml'));
    symlinkSync('nowhere.yaml', join(dir, 'dangling.yaml'));
    symlinkSync('loop.yaml', join(dir, 'loop.yaml'));
    symlinkSync(dir, join(dir, 'self'));
    const r = loadSuite(realCatalog(), [dir]);
    assert.equal(r.scenarios.map((s) => s.id), ['t/hostile']);
    const msgs = r.errors.map(formatLoadError).map((m) => m.replace(base, 'B'));
    for (const [file, re] of [['broken', /sits inside/], ['fifo', /not a regular file/], ['zero', /outside the suite directory/], ['out', /outside the suite directory/], ['dangling', /ENOENT/], ['loop', /ELOOP/]] as const)
      assert.ok(msgs.some((m) => m.includes(`${file}.yaml:`) && re.test(m)), `${file}: ${msgs.join('\n')}`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test.run();
