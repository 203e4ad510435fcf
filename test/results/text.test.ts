// Names from scenario files cannot steer a terminal or break Markdown: escapes, table cells, links, code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mdCode, mdLink, mdText, termLine, termSafe } from '../../results/text.js';
import { prettyReporter } from '../../results/reporters/pretty.js';
import { tapReporter } from '../../results/reporters/tap.js';
import { junitReporter } from '../../results/reporters/junit.js';
import { renderDiff } from '../../results/diff/render.js';
import { diffResults } from '../../results/diff/compare.js';
import { file, result } from './diff/make.js';

const EVIL = 'x/\x1b[2J\x1b]0;pwned\x07a|b<script>alert(1)</script>\u202eevil\x9b';

/** the cells of a Markdown table row: split at pipes that no backslash escapes */
const cells = (row: string) => row.replace(/\\\\/g, '').split(/(?<!\\)\|/).slice(1, -1);

test('control characters and bidi overrides are shown, tab and newline kept only by termSafe', () => {
  assert.is(termSafe('a\x1b[31mb\tc\nd\x7f\u202e'), 'a\\x1b[31mb\tc\nd\\x7f\\u{202e}');
  assert.is(termLine('a\tb\nc'), 'a\\x09b\\x0ac');
  assert.not.match(termSafe(EVIL), /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
});

test('Markdown text keeps a table cell whole and lets no HTML or link syntax through', () => {
  const t = mdText(EVIL + '\n[click](javascript:x)');
  assert.equal(cells(`| ${t} | two |`).length, 2);
  assert.not.match(t, /<|>/);
  assert.not.match(t, /(?<!\\)\[/);
  assert.is(mdText('a_b *c* `d`'), 'a_b *c* `d`', 'ordinary text is left as it reads');
});

test('a link from a scenario cannot be broken out of', () => {
  const l = mdLink('a](http://evil)', 'suites/x) [y](http://evil.yaml');
  assert.is(l, '[a\\](http://evil)](suites/x%29%20%5By%5D%28http://evil.yaml)');
  assert.is(mdLink('s', 'suites/a b.yaml#L3'), '[s](suites/a%20b.yaml#L3)');
  assert.is(mdLink('s', 'a\ud800.yaml'), '[s](a%EF%BF%BD.yaml)', 'a lone surrogate cannot make the URL throw');
});

test('code spans hold backticks and pipes', () => {
  assert.is(mdCode('a`b|c'), '``a`b\\|c``');
  assert.is(mdCode('`x'), '`` `x ``');
});

test('the pretty, TAP and JUnit reporters print no control character from a scenario name', () => {
  const f = file([result(EVIL, { verdict: 'fail', reason: 'bad \x1b[1m' }), result('ok/one')]);
  for (const text of [prettyReporter().end(f), tapReporter().end(f), junitReporter().end(f)]) {
    assert.not.match(text, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    assert.match(text, /\\x1b\[2J/);
  }
});

test('a diff in Markdown keeps every row at three cells whatever the scenario is called', () => {
  const a = file([result(EVIL), result('ok/|pipe')]);
  const b = file([result(EVIL, { verdict: 'fail', reason: 'x|y' }), result('ok/|pipe', { verdict: 'fail', file: 'suites/a) [x](y.yaml' })]);
  const md = renderDiff('markdown', { old: 'a.json', new: 'b.json', changes: diffResults(a, b), environment: [], failOn: [], failing: 0, expand: true });
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| variant'));
  assert.ok(rows.length >= 2, md);
  for (const r of rows) assert.is(cells(r).length, 3, r);
  assert.not.match(md, /<script>|\x1b/);
  assert.not.match(renderDiff('pretty', { old: 'a', new: 'b', changes: diffResults(a, b), environment: [], failOn: [], failing: 0, expand: true }), /\x1b/);
});

test.run();
