import type { FindingsDocument } from "../engine/findings.js";
import type { RuleMeta } from "../engine/engine.js";
import { formatJson } from "./json.js";
import { formatMarkdown } from "./markdown.js";
import { formatSarif } from "./sarif.js";
import { formatTable } from "./table.js";

export interface ReportContext {
  rules: RuleMeta[];
  /** Colour escapes allowed (a TTY without NO_COLOR). */
  color: boolean;
}

export type Formatter = (doc: FindingsDocument, ctx: ReportContext) => string;

/** The typed registry of output formats. */
export const formatters = {
  table: formatTable,
  json: formatJson,
  sarif: formatSarif,
  markdown: formatMarkdown,
} satisfies Record<string, Formatter>;

export type FormatName = keyof typeof formatters;

export function isFormat(name: string): name is FormatName {
  return Object.hasOwn(formatters, name);
}
