// The HTML report: one self-contained static page (no network), implementations/variants as
// columns, behaviour groups as rows with coloured counts expanding to scenarios, a cell opening
// the scenario (YAML, steps expected vs observed, deviation texts and refs, repro command),
// filters by implementation, verdict and group, search by id.

import type { ReportData } from './data.js';
import { CELL_VERDICTS } from './data.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
body{font:13px/1.4 system-ui,sans-serif;margin:1em;color:#222}
h1{font-size:18px;margin:0 0 .3em}
.bar{display:flex;gap:.6em;flex-wrap:wrap;align-items:center;margin:.5em 0}
table{border-collapse:collapse}
th,td{border:1px solid #ddd;padding:2px 5px;vertical-align:top}
thead th{position:sticky;top:0;background:#f6f6f6;font-weight:600;writing-mode:vertical-rl;transform:rotate(180deg);max-height:14em;white-space:nowrap}
th.row{text-align:left;cursor:pointer;white-space:nowrap;writing-mode:horizontal-tb;transform:none;background:#fafafa}
tr.scen th.row{font-weight:normal;padding-left:1.5em;cursor:default}
td.cell{cursor:pointer;white-space:nowrap;text-align:center}
.c{display:inline-block;min-width:1.6em;padding:0 2px;margin:0 1px;border-radius:3px;color:#fff;font-size:11px}
.v-pass{background:#2e7d32}.v-deviation{background:#1565c0}.v-known{background:#ef6c00}.v-fail{background:#c62828}
.v-xpass{background:#6a1b9a}.v-error{background:#ad1457}.v-skip{background:#9e9e9e}
#detail{position:fixed;right:0;top:0;bottom:0;width:46%;overflow:auto;background:#fff;border-left:2px solid #888;padding:1em;display:none;box-shadow:-4px 0 12px #0002}
#detail pre{background:#f5f5f5;padding:.5em;overflow:auto;max-height:30em}
.legend .c{margin-right:.3em}
`;

const JS = `
const D = JSON.parse(document.getElementById('data').textContent);
const V = ${JSON.stringify(CELL_VERDICTS)};
const $ = (s) => document.querySelector(s);
const el = (t, attrs = {}, ...kids) => { const e = document.createElement(t); for (const [k, v] of Object.entries(attrs)) if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v); for (const k of kids) e.append(k); return e; };
const open = new Set();
const impls = [...new Set(D.variants.map((v) => v.split('/')[0]))];
const groups = [...new Set(D.scenarios.map((s) => s[3]))].sort();
for (const i of impls) $('#impl').append(el('option', { value: i }, i));
for (const v of V) $('#verdict').append(el('option', { value: v }, v));
for (const g of groups) $('#group').append(el('option', { value: g }, g));
function counts(runs) { const c = V.map(() => 0); for (const r of runs) c[r[2]]++; return c; }
function badges(c) { const f = document.createDocumentFragment(); c.forEach((n, i) => { if (n) f.append(el('span', { class: 'c v-' + V[i], title: V[i], 'data-verdict': V[i] }, String(n))); }); return f; }
function render() {
  const impl = $('#impl').value, verdict = $('#verdict').value, group = $('#group').value, q = $('#q').value.trim();
  const cols = D.variants.map((v, i) => i).filter((i) => !impl || D.variants[i].split('/')[0] === impl);
  const runs = D.runs.filter((r) => cols.includes(r[1]) && (!verdict || V[r[2]] === verdict) && (!group || D.scenarios[r[0]][3] === group) && (!q || D.scenarios[r[0]][0].includes(q)));
  const head = el('tr', {}, el('th', { class: 'row' }, 'group / scenario'));
  for (const i of cols) head.append(el('th', {}, D.variants[i]));
  const body = el('tbody');
  const byGroup = new Map();
  for (const r of runs) { const g = D.scenarios[r[0]][3]; if (!byGroup.has(g)) byGroup.set(g, []); byGroup.get(g).push(r); }
  for (const [g, rs] of [...byGroup].sort()) {
    const tr = el('tr', { class: 'group', 'data-group': g }, el('th', { class: 'row', onclick: () => { open.has(g) ? open.delete(g) : open.add(g); render(); } }, (open.has(g) ? '▾ ' : '▸ ') + g + ' (' + new Set(rs.map((r) => r[0])).size + ')'));
    for (const i of cols) tr.append(el('td', { 'data-variant': D.variants[i] }, badges(counts(rs.filter((r) => r[1] === i)))));
    body.append(tr);
    if (!open.has(g) && !q) continue;
    const byScen = new Map();
    for (const r of rs) { if (!byScen.has(r[0])) byScen.set(r[0], []); byScen.get(r[0]).push(r); }
    for (const [s, srs] of byScen) {
      const st = el('tr', { class: 'scen', 'data-scenario': D.scenarios[s][0] }, el('th', { class: 'row' }, D.scenarios[s][0]));
      for (const i of cols) { const r = srs.find((x) => x[1] === i); st.append(r ? el('td', { class: 'cell', 'data-variant': D.variants[i], onclick: () => show(r) }, badges(counts([r]))) : el('td')); }
      body.append(st);
    }
  }
  const t = $('#matrix'); t.replaceChildren(el('thead', {}, head), body);
  $('#count').textContent = runs.length + ' runs';
}
function show(r) {
  const [run, id, file] = D.scenarios[r[0]];
  const d = r[3] >= 0 ? D.details[r[3]] : null;
  const box = $('#detail'); box.replaceChildren();
  box.append(el('button', { onclick: () => (box.style.display = 'none') }, 'close'), el('h2', {}, run), el('p', {}, D.variants[r[1]] + ': ', el('span', { class: 'c v-' + V[r[2]], id: 'detail-verdict' }, V[r[2]])));
  if (d) {
    if (d.reason) box.append(el('p', { id: 'detail-reason' }, d.reason));
    if (d.known) { const k = D.known[d.known.id]; box.append(el('p', {}, 'Known failure ' + d.known.id + (d.known.outcome === 'fixed' ? ' (did not occur)' : d.known.flaky ? ' (flaky)' : '') + (k ? ': ' + k.title + ' — ' + k.ref : ''))); }
    for (const dev of d.deviations || []) { const x = D.deviations[dev]; box.append(el('h3', {}, dev + (x ? ' — ' + x.title : ''))); if (x) { box.append(el('p', {}, 'POSIX: ' + x.posix), el('p', {}, 'Observed instead: ' + x.differs)); const ul = el('ul'); for (const ref of x.refs) ul.append(el('li', {}, ref.url ? el('a', { href: ref.url }, ref.title) : ref.title)); box.append(ul); } }
    if (d.failure) box.append(el('h3', {}, 'Expected vs observed (step ' + (d.failure.step ?? 'after') + ', ' + d.failure.file + ':' + (d.failure.line ?? '') + ')'), el('pre', { id: 'detail-failure' }, JSON.stringify({ expected: d.failure.expected, observed: d.failure.observed }, null, 1)));
    if (d.mismatches && d.mismatches.length > 1) { const ul = el('ul', { id: 'detail-mismatches' }); for (const m of d.mismatches) ul.append(el('li', {}, (m.step ? 'step ' + m.step + ': ' : '') + m.message)); box.append(el('h3', {}, 'Every mismatch'), ul); }
    if (d.steps && d.steps.length) { const t = el('table', { id: 'detail-steps' }, el('tr', {}, el('th', { class: 'row' }, 'step'), el('th', { class: 'row' }, 'op (line)'), el('th', { class: 'row' }, 'observed'), el('th', { class: 'row' }, 'matched'))); for (const s of d.steps) t.append(el('tr', {}, el('td', {}, String(s.step)), el('td', {}, s.op + ' (' + s.line + ')'), el('td', {}, el('code', {}, JSON.stringify(s.observed))), el('td', {}, String(s.matched)))); box.append(el('h3', {}, 'Steps recorded'), t); }
    if (d.after) box.append(el('h3', {}, 'Upper layer afterwards'), el('pre', {}, JSON.stringify(d.after, null, 1)));
    for (const n of d.notes || []) box.append(el('p', {}, 'Note: ' + n));
  }
  const [adapter, ...variant] = D.variants[r[1]].split('/');
  box.append(el('h3', {}, 'Reproduce'), el('pre', { id: 'detail-repro' }, 'npx ovlconf run --adapter ' + adapter + " --variant '" + variant.join('/') + "' --grep '^" + run.replace(/[.*+?^$\\{}()|[\\]\\\\]/g, '\\\\$&') + "$'"));
  box.append(el('h3', {}, file), el('pre', { id: 'detail-yaml' }, D.sources[file] || '(source not available)'));
  box.style.display = 'block';
}
for (const s of ['#impl', '#verdict', '#group']) $(s).addEventListener('change', render);
$('#q').addEventListener('input', render);
const legend = $('#legend'); V.forEach((v) => legend.append(el('span', { class: 'c v-' + v }, v)));
render();
`;

/** The whole page for report data. */
export function renderHtml(d: ReportData): string {
  const data = JSON.stringify(d).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head><body>
<h1>${esc(d.title)}</h1>
<p>Generated ${esc(d.generated)}: ${d.runs.length} runs of ${d.scenarios.length} scenarios on ${d.variants.length} variants. Click a group to expand it, a cell to open the scenario.</p>
<div class="bar"><label>implementation <select id="impl"><option value="">all</option></select></label>
<label>verdict <select id="verdict"><option value="">all</option></select></label>
<label>group <select id="group"><option value="">all</option></select></label>
<label>search id <input id="q" type="search" placeholder="rename/"></label> <span id="count"></span> <span id="legend" class="legend"></span></div>
<table id="matrix"></table>
<div id="detail"></div>
<script type="application/json" id="data">${data}</script>
<script>${JS}</script>
</body></html>
`;
}
