import fs from "node:fs";
import path from "node:path";
import type { FindingsDocument } from "../engine/findings.js";
import type { Engine } from "../engine/engine.js";
import { UserError } from "../model/errors.js";
import { SEVERITIES, type Severity } from "../engine/pack.js";
import { formatters, isFormat, type FormatName, type HistoryPoint } from "../reports/index.js";
import { formatTable } from "../reports/table.js";

export interface OutputOptions {
  format?: string;
  output?: string;
  failOn?: string;
  failOnUnknown?: boolean;
  /** Earlier scans, for the HTML trend chart (set from --history). */
  historyPoints?: HistoryPoint[];
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
  const text = formatters[format](doc, {
    rules: engine.rules,
    color: !toFile && format === "table" && useColor(process.stdout),
    history: opts.historyPoints,
    aws: { region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION },
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

export function exitCode(doc: FindingsDocument, threshold: Severity | "none", failOnUnknown: boolean): number {
  if (threshold !== "none") {
    const limit = SEVERITIES.indexOf(threshold);
    if (doc.findings.some((f) => f.status === "fail" && !f.baseline && SEVERITIES.indexOf(f.severity) <= limit)) return 1;
  }
  // Findings already in the baseline (--baseline) do not count.
  if (failOnUnknown && (doc.scan.incomplete || doc.findings.some((f) => f.status === "unknown" && !f.baseline))) return 3;
  return 0;
}
