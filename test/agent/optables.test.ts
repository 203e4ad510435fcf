// The arguments each agent op declares in its op table (agent/*.c, `{ "op", fn, "args" }`: the
// agent refuses any other) are the ones agent/PROTOCOL.md's tables list for it, op for op, so the
// protocol a client reads is the one the agent enforces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentDir = fileURLToPath(new URL('../../../agent', import.meta.url));

/** op → its declared arguments, from every op table of agent/*.c */
function declared(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(agentDir).filter((n) => n.endsWith('.c'))) {
    for (const m of readFileSync(join(agentDir, f), 'utf8').matchAll(/\{ "([a-z]+)", op_[a-z_]+, "([a-z_ ]*)" \}/g))
      out.set(m[1]!, m[2]!.split(' ').filter(Boolean).sort());
  }
  return out;
}

/** the argument names of a PROTOCOL.md args cell: its backticked words, values (`=…`) and remarks in parentheses left out */
function cellArgs(cell: string): string[] {
  const code = [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([^`]*)`/g)].map((m) => m[1]!.replace(/=[^\s\]]*/g, '')).join(' ');
  return [...new Set(code.match(/\b[a-z][a-z_]*\b/g) ?? [])].sort();
}

/** op → the arguments its row lists, from every `| \`op\` [/ \`op\`] | args | … |` table row */
function documented(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(agentDir, 'PROTOCOL.md'), 'utf8').split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    if (cells.length < 4 || !/^`[a-z]+`( \/ `[a-z]+`)*$/.test(cells[1]!)) continue;
    for (const m of cells[1]!.matchAll(/`([a-z]+)`/g)) out.set(m[1]!, cellArgs(cells[2]!));
  }
  return out;
}

test('an args cell yields its argument names, not their values or the remarks around them', () => {
  assert.equal(cellArgs('`path type=chr\\|blk\\|fifo [mode] [major] [minor]` (mode default 0644)'), ['major', 'minor', 'mode', 'path', 'type']);
  assert.equal(cellArgs('`path\\|fd name [nofollow=1]`'), ['fd', 'name', 'nofollow', 'path']);
  assert.equal(cellArgs('`argv=…`… `[log=/abs] [env=K=V]…`'), ['argv', 'env', 'log']);
  assert.equal(cellArgs('`fd [offset]` (flags default `O_RDONLY`)'), ['fd', 'offset']);
  assert.equal(cellArgs('`dir offset` (a value telldir returned, else `err EINVAL`)'), ['dir', 'offset']);
  assert.equal(cellArgs(''), []);
});

test('every op the agent has declares exactly the arguments agent/PROTOCOL.md lists for it', () => {
  const code = declared();
  const doc = documented();
  assert.ok(code.size > 70, `op tables found: ${code.size}`);
  const wrong: string[] = [];
  for (const [op, args] of code) {
    const listed = doc.get(op);
    if (!listed) wrong.push(`${op}: no row in PROTOCOL.md`);
    else if (listed.join(' ') !== args.join(' ')) wrong.push(`${op}: declares [${args.join(' ')}], PROTOCOL.md lists [${listed.join(' ')}]`);
  }
  for (const op of doc.keys()) if (!code.has(op)) wrong.push(`${op}: in PROTOCOL.md, not in any op table`);
  assert.equal(wrong, []);
});

test.run();
