import type { FindingsDocument } from "../engine/findings.js";
import type { RuleMeta } from "../engine/engine.js";
import { formatAsff } from "./asff.js";
import { formatCsv } from "./csv.js";
import { formatHtml } from "./html.js";
import { formatJson } from "./json.js";
import { formatJunit } from "./junit.js";
import { formatMarkdown } from "./markdown.js";
import { formatSarif } from "./sarif.js";
import { formatTable, type TerminalView } from "./table.js";

export interface ReportContext {
  rules: RuleMeta[];
  /** Colour escapes allowed (a TTY without NO_COLOR). */
  color: boolean;
  /** Earlier scans (--history DIR), for the HTML trend chart. */
  history?: HistoryPoint[];
  /** The AWS account and Security Hub region for ASFF (default: the document's own). */
  aws?: { account?: string; region?: string };
  /** The terminal report's layout (summary first, or every finding; --rule / --account). */
  terminal?: TerminalView;
  /** --max-chars: the Markdown report's size limit (default MARKDOWN_MAX_CHARS). */
  maxChars?: number;
}

/** One scan of a history: when, and its summary counts. */
export interface HistoryPoint {
  at: string;
  fail: number;
  unknown: number;
  pass: number;
  suppressed: number;
  bySeverity: Partial<Record<string, number>>;
}

export type Formatter = (doc: FindingsDocument, ctx: ReportContext) => string;

/** The typed registry of output formats. */
export const formatters = {
  table: formatTable,
  json: formatJson,
  sarif: formatSarif,
  markdown: (doc, ctx) => formatMarkdown(doc, ctx.maxChars),
  html: formatHtml,
  junit: formatJunit,
  csv: formatCsv,
  asff: formatAsff,
} satisfies Record<string, Formatter>;

export type FormatName = keyof typeof formatters;

export function isFormat(name: string): name is FormatName {
  return Object.hasOwn(formatters, name);
}
