/**
 * The output-escaping layer: one function per output kind, applied by every formatter to
 * every string a scanned resource (or a scanned file's name) controls — ids, names, types,
 * Sids, descriptions, tags, paths, rule messages that quote them, loader reasons.
 *
 * Templates come from people the user does not trust (a pull request from a fork), and their
 * text ends up in terminals, CI logs, job summaries, PR comments, code-scanning alerts and
 * HTML pages. Each function makes such text inert for one kind of reader:
 *
 * - `plainText`: no control character of any kind (C0, C1, DEL, terminal escape sequences,
 *   bidirectional overrides, line and paragraph separators) and no line break: one line of
 *   visible text. Every other function starts from it.
 * - `terminalText`: plain text that cannot start a CI workflow command (`::error …`,
 *   `::stop-commands::…`, `##[…]`, `##vso[…]`), with `terminalLines` as the last guard on a
 *   whole report.
 * - `markdownText`: inline Markdown that renders as the literal text: no image, link, HTML,
 *   emphasis, table break, `@` mention or `#` reference.
 * - `sarifText`: a SARIF plain-text message (`[` and `]` escaped, so no embedded link).
 * - `xmlText`: XML 1.0 text and attribute values (JUnit).
 * - `escapeHtml`: HTML element content and quoted attribute values.
 * - `jsonText`: JSON output (findings document, SARIF, ASFF) with no raw C1 or bidi control.
 * - `csvCell`: one RFC 4180 field that a spreadsheet does not run as a formula.
 */

/* eslint-disable no-control-regex */

/**
 * Terminal escape sequences (7-bit and 8-bit introducers): CSI, terminated OSC and
 * DCS/SOS/PM/APC strings, and two-byte escapes. An unterminated string loses only its
 * introducer (what follows stays visible as text); a lone C1 introducer is a control like any other.
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    "\\x1b\\[[0-?]*[ -/]*[@-~]?", // CSI
    "\\x9b[0-?]*[ -/]*[@-~]?", // 8-bit CSI
    "\\x1b\\][^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)", // OSC … BEL/ST (hyperlinks, window titles, clipboard)
    "\\x9d[^\\x07\\x1b\\x9c]*(?:\\x07|\\x1b\\\\|\\x9c)", // 8-bit OSC
    "\\x1b[PX^_][^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)", // DCS, SOS, PM, APC … ST
    "[\\x90\\x98\\x9e\\x9f][^\\x1b\\x9c]*(?:\\x1b\\\\|\\x9c)", // 8-bit DCS, SOS, PM, APC
    "\\x1b[ -/]*[0-~]?", // other escapes (ESC c, ESC 7, ESC ( B …)
  ].join("|"),
  "g",
);
/** C0 and C1 controls and DEL, after escape sequences are gone. Line breaks become spaces. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Invisible characters that reorder or hide text (Trojan Source), and the byte-order mark. */
const INVISIBLE = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/g;
/** Lone surrogates (not valid Unicode; XML and many terminals reject them). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** One line of visible text: escape sequences and invisible controls removed, every other control (line breaks, tabs) a space. */
export function plainText(value: unknown): string {
  return String(value ?? "")
    .replace(ESCAPE_SEQUENCE, "")
    .replace(INVISIBLE, "")
    .replace(LONE_SURROGATE, "\ufffd")
    .replace(CONTROL, " ");
}

/**
 * Workflow commands a CI runner executes from a log line: GitHub Actions `::name …::` (after
 * leading whitespace) and the older `##[name]`, Azure Pipelines `##vso[…]` (anywhere in a line).
 */
const LEADING_COMMAND = /^(\s*):/;
const HASH_COMMAND = /##(vso)?\[/gi;

/** Neutralises workflow commands in one line of terminal text (a backslash before them; the text stays readable). */
function noCommand(s: string): string {
  return s.replace(HASH_COMMAND, (m) => `#\\${m.slice(1)}`).replace(LEADING_COMMAND, (_m, ws: string) => `${ws}\\:`);
}

/** Text for a terminal or CI log: plain text that starts no workflow command. */
export function terminalText(value: unknown): string {
  return noCommand(plainText(value));
}

/**
 * The last guard on a whole terminal report: no line may start a workflow command. rampart's
 * own lines never do, so this changes only lines where resource text came first.
 */
export function terminalLines(text: string): string {
  return text
    .split("\n")
    .map((line) => (/^\s*::/.test(line) || /##(vso)?\[/i.test(line) ? noCommand(line) : line))
    .join("\n");
}

const ZWSP = "&#8203;";
/** In one pass (so no replacement is escaped again): HTML, entities, Markdown punctuation, and what GitHub links after rendering. */
const MARKDOWN_SPECIAL = /[&<>"]|[\\`*_[\]()!|~${}]|@|#(?=[\p{L}\p{N}])|(?<![\p{L}\p{N}])GH-(?=\d)|:\/\/|(?<![\p{L}\p{N}])www\./giu;
const HTML_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/**
 * Inline Markdown that renders as the literal text (a table cell, a list item, a heading):
 * HTML and entities are escaped, Markdown punctuation is backslash-escaped (no image, link,
 * emphasis, code, math or table break), and what GitHub links after rendering is broken with
 * a zero-width space: `@` mentions, `#123` and `GH-123` references, bare URLs and `www.` links.
 */
export function markdownText(value: unknown): string {
  return plainText(value).replace(MARKDOWN_SPECIAL, (m) => {
    if (m.length === 1) return HTML_ENTITY[m] ?? (m === "@" || m === "#" ? `${m}${ZWSP}` : `\\${m}`);
    if (m === "://") return `:${ZWSP}//`;
    return `${m.slice(0, -1)}${ZWSP}${m.slice(-1)}`; // GH-, www.
  });
}

/** A SARIF plain-text message (§3.11.3): brackets escaped, so the text holds no embedded link. */
export function sarifText(value: unknown): string {
  return plainText(value).replace(/[[\]]/g, (c) => `\\${c}`);
}

/** XML 1.0 escaping for text and attribute values; characters XML 1.0 cannot hold are dropped. Keeps line breaks (for rampart's own multi-line text). */
export function xmlEscape(s: unknown): string {
  return String(s ?? "")
    .replace(ESCAPE_SEQUENCE, "")
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007f-\u009f\uFFFE\uFFFF]/g, "")
    .replace(LONE_SURROGATE, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] as string)
    .replace(/\r/g, "&#13;");
}

/** XML text from a resource: one line of plain text, escaped. */
export function xmlText(value: unknown): string {
  return xmlEscape(plainText(value));
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes resource text for HTML element content and quoted attribute values: one line of plain text, escaped. */
export function escapeHtml(s: unknown): string {
  return plainText(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Escapes a block of rampart's own multi-line text (pretty-printed JSON evidence in a `<pre>`) for HTML: line breaks kept, every other control removed. */
export function escapeHtmlBlock(s: unknown): string {
  return String(s ?? "")
    .split("\n")
    .map((line) => escapeHtml(line))
    .join("\n");
}

/**
 * JSON text (the findings document, SARIF, ASFF) with the characters JSON.stringify leaves raw
 * but terminals and browsers act on (DEL, C1 controls, line and paragraph separators,
 * bidirectional overrides) written as \u escapes: the same JSON value, no raw control.
 */
export function jsonText(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * One CSV field (RFC 4180: quoted when it holds a quote or comma; quotes doubled), one line of
 * plain text. A cell that a spreadsheet would run as a formula (starting with = + - @, tab or
 * CR) gets a leading apostrophe, so a resource named `=HYPERLINK(…)` stays text.
 */
export function csvCell(value: unknown): string {
  let s = (value === undefined || value === null ? "" : String(value)).replace(ESCAPE_SEQUENCE, "").replace(INVISIBLE, "");
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  s = plainText(s);
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
