import fs from "node:fs";
import path from "node:path";
import type { FindingsDocument } from "../engine/findings.js";
import type { Engine } from "../engine/engine.js";
import { UserError } from "../model/errors.js";
import { SEVERITIES, type Severity } from "../engine/pack.js";
import { formatters, isFormat, type FormatName, type HistoryPoint } from "../reports/index.js";
import { formatTable, type TerminalView } from "../reports/table.js";
import { MARKDOWN_MAX_CHARS, MARKDOWN_MIN_CHARS } from "../reports/markdown.js";

export interface OutputOptions {
  format?: string;
  output?: string;
  failOn?: string;
  failOnUnknown?: boolean;
  /** Earlier scans, for the HTML trend chart (set from --history). */
  historyPoints?: HistoryPoint[];
  /** --max-chars: the Markdown report's size limit (another host's comment limit). */
  maxChars?: string;
  /** --summary / --details: the terminal report's layout (default: summary on a TTY, details otherwise). */
  summary?: boolean;
  details?: boolean;
  /** --rule ID: the terminal report's details only for this rule. */
  rule?: string;
  /** --account ID on scan and demo: the terminal report's details only for this account (iac's --account is the deploy account). */
  accountFilter?: string;
}

export function parseFormat(value: string | undefined): FormatName {
  const f = value ?? "table";
  if (!isFormat(f)) throw new UserError(`--format ${f}: unknown format. Use one of: ${Object.keys(formatters).join(", ")}.`);
  return f;
}

export function parseSeverity(value: string | undefined, flag = "--fail-on"): Severity | "none" {
  const v = (value ?? "high").toLowerCase();
  if (v === "none" || v === "never") return "none";
  if (!SEVERITIES.includes(v as Severity)) throw new UserError(`${flag} ${value}: unknown severity. Use one of: ${SEVERITIES.join(", ")}, none.`);
  return v as Severity;
}

/** --max-chars N: a whole number of characters, at least MARKDOWN_MIN_CHARS; only the Markdown report has a size limit. */
export function parseMaxChars(value: string | undefined, format: FormatName): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < MARKDOWN_MIN_CHARS)
    throw new UserError(`--max-chars ${value}: give a whole number of characters, at least ${MARKDOWN_MIN_CHARS} (default ${MARKDOWN_MAX_CHARS}).`);
  if (format !== "markdown") throw new UserError(`--max-chars ${value}: only --format markdown has a size limit (this is --format ${format}).`);
  return n;
}

/** The terminal report's layout from the flags and the TTY; the flags are for --format table only. */
export function parseView(opts: OutputOptions, format: FormatName, ruleIds?: ReadonlySet<string>): TerminalView | undefined {
  const flags = [
    opts.summary && "--summary",
    opts.details && "--details",
    opts.rule !== undefined && `--rule ${opts.rule}`,
    opts.accountFilter !== undefined && `--account ${opts.accountFilter}`,
  ].filter(Boolean);
  if (format !== "table") {
    if (flags.length) throw new UserError(`${flags[0]}: only the terminal report (--format table) has it (this is --format ${format}).`);
    return undefined;
  }
  if (opts.summary && opts.details) throw new UserError("--summary and --details: give one of them (summary first, or every finding).");
  if (opts.rule !== undefined && ruleIds && !ruleIds.has(opts.rule)) throw new UserError(`--rule ${opts.rule}: no such rule (see rampart rules list).`);
  if (opts.accountFilter !== undefined && !/^[0-9]{12}$/.test(opts.accountFilter))
    throw new UserError(`--account ${opts.accountFilter}: an AWS account id is 12 digits.`);
  const tty = !opts.output && Boolean(process.stdout.isTTY);
  return {
    mode: opts.details ? "details" : opts.summary || tty ? "summary" : "details",
    ...(tty && process.stdout.rows ? { rows: process.stdout.rows - 2 } : {}),
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.accountFilter !== undefined ? { account: opts.accountFilter } : {}),
  };
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

/**
 * Writes the report (stdout or --output) and returns the exit code:
 * 0 nothing at or above the threshold; 1 failing findings at or above it;
 * 3 the scan was incomplete (or undecided) and --fail-on-unknown was given.
 */
export function emit(doc: FindingsDocument, engine: Engine, opts: OutputOptions): number {
  const format = parseFormat(opts.format);
  const threshold = parseSeverity(opts.failOn);
  const toFile = Boolean(opts.output);
  const maxChars = parseMaxChars(opts.maxChars, format);
  const terminal = parseView(opts, format, new Set([...engine.rules.map((r) => r.id), "rampart-exception-expired"]));
  const text = formatters[format](doc, {
    rules: engine.rules,
    color: !toFile && format === "table" && useColor(process.stdout),
    history: opts.historyPoints,
    aws: { region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION },
    ...(maxChars !== undefined ? { maxChars } : {}),
    ...(terminal ? { terminal } : {}),
  });
  if (opts.output) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(opts.output)), { recursive: true });
      fs.writeFileSync(opts.output, text);
    } catch (e) {
      throw new UserError(`--output ${opts.output}: cannot write the report (${(e as NodeJS.ErrnoException).code ?? e}).`);
    }
    // A one-line summary on stderr, so a person running with --output still sees the verdict.
    const summary = formatTable({ ...doc, findings: [], coverage: [], errors: [] }, { rules: engine.rules, color: useColor(process.stderr) }).trim();
    process.stderr.write(`${summary}\nreport written to ${opts.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return exitCode(doc, threshold, Boolean(opts.failOnUnknown));
}

/**
 * Appends the Markdown report of `doc` to `file` (--summary-markdown: the GitHub job summary,
 * $GITHUB_STEP_SUMMARY), so the summary comes from the same findings document as the report.
 */
export function appendMarkdown(doc: FindingsDocument, engine: Engine, file: string): void {
  const text = formatters.markdown(doc, { rules: engine.rules, color: false });
  try {
    fs.appendFileSync(file, text);
  } catch (e) {
    throw new UserError(`--summary-markdown ${file}: cannot write the summary (${(e as NodeJS.ErrnoException).code ?? e}).`);
  }
}

export function exitCode(doc: FindingsDocument, threshold: Severity | "none", failOnUnknown: boolean): number {
  if (threshold !== "none") {
    const limit = SEVERITIES.indexOf(threshold);
    if (doc.findings.some((f) => f.status === "fail" && !f.baseline && SEVERITIES.indexOf(f.severity) <= limit)) return 1;
  }
  // Findings already in the baseline (--baseline) do not count.
  if (failOnUnknown && (doc.scan.incomplete || doc.findings.some((f) => f.status === "unknown" && !f.baseline))) return 3;
  return 0;
}
