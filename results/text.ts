// Text from scenario files (ids, titles, file names, reasons quoting names) embedded in what the
// reporters print: escaped for a terminal (control characters and bidi overrides made visible, so a
// name cannot move the cursor, recolour or retitle the terminal, or reorder what is shown) and
// for Markdown (a `|` cannot split a table cell, `<` cannot open raw HTML, a link cannot be broken out of).

const hex = (c: string) => {
  const n = c.codePointAt(0)!;
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
};

/** C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to write to a terminal: control characters shown as \xNN (tab and newline kept). */
export function termSafe(s: string): string {
  return s.replace(CONTROL, hex);
}

/** One line safe for a terminal: like termSafe, and newlines and tabs shown too. */
export function termLine(s: string): string {
  return termSafe(s).replace(/[\n\t]/g, hex);
}

/** Text for a Markdown table cell or paragraph: no control characters, no raw HTML, no cell split, no link syntax. */
export function mdText(s: string): string {
  return termLine(s.replace(/\r?\n/g, ' '))
    .replace(/[\\[\]|]/g, (c) => '\\' + c)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A relative link target with everything that could end or break the link percent-encoded. */
export function mdUrl(url: string): string {
  let enc: string;
  try {
    enc = encodeURI(url);
  } catch {
    enc = encodeURI(url.replace(/[\ud800-\udfff]/g, '\ufffd')); // a lone surrogate: no URL can hold it
  }
  return enc.replace(/[()|<>"'`[\]\\ ]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** A Markdown link whose text and target come from a scenario. */
export function mdLink(text: string, url: string): string {
  return `[${mdText(text)}](${mdUrl(url)})`;
}

/** Inline code holding any text: a fence longer than any backtick run in it; `|` escaped for tables. */
export function mdCode(s: string): string {
  const t = termLine(s);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`;
}
