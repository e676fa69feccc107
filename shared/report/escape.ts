/**
 * Making a value safe for the place it is written: HTML/SVG text and attributes, Markdown, CSV cells opened by a
 * spreadsheet, a terminal, a file name. Every value a report or the CLI prints from a run folder goes through one
 * of these — the run folder may come from someone else. Pure.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text (or an attribute value, quoted with `"`) safe inside HTML and SVG; numbers too (a file may hold a string). */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Plain text inside Markdown (CommonMark/GFM): no raw HTML (`<`, `>`, `&` as entities), no emphasis, links,
 * code, tables or strikethrough (their punctuation backslash-escaped, CommonMark §2.4), no new block (line
 * breaks become spaces).
 */
export function mdText(text: string | number): string {
  return String(text)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/** A code span holding `text` literally: fenced by more backticks than any run inside it (CommonMark §6.1). */
export function mdCode(text: string): string {
  const flat = text.replace(/\r\n?|\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A string a spreadsheet would run as a formula (starts with `=`, `+`, `-`, `@`, tab or CR — OWASP "CSV
 * injection") gets a leading `'`, which spreadsheets show as text. Numbers are left alone.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** C0, DEL and C1 controls, and the bidirectional overrides (U+202A–E) and isolates (U+2066–9). */
function isTerminalControl(code: number, multiline: boolean): boolean {
  if (multiline && (code === 0x0a || code === 0x09)) return false;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Text safe to print on a terminal: C0 and C1 control characters (escape sequences), DEL and the Unicode
 * bidirectional overrides and isolates (which reorder what is shown) removed; line breaks and tabs kept only
 * when `multiline`.
 */
export function terminalText(text: string, multiline = false): string {
  let out = '';
  for (const ch of text) if (!isTerminalControl(ch.codePointAt(0)!, multiline)) out += ch;
  return out;
}

/**
 * A run id made safe as one file or folder name: only `A-Z a-z 0-9 . _ -` kept (others become "_"), no leading
 * dot, at most 128 characters, never empty.
 */
export function safeFileStem(runId: string): string {
  const stem = runId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 128);
  return stem || 'run';
}
