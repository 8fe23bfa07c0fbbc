import pc from "picocolors";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { ReportContext } from "./index.js";
import { terminalLines, terminalText as t } from "./escape.js";
import { reflow } from "./text.js";
import { bySeverity, ruleRows, topScopes } from "./group.js";
import { FAILING_SHOWN, frameworkName, resourceText, summaryText } from "./compliance.js";

type Paint = (s: string) => string;

/** The terminal lists this many files and references that were not read (the JSON document has all). */
const SKIPS_SHOWN = 20;

function palette(color: boolean) {
  const c = pc.createColors(color);
  const sev: Record<string, Paint> = {
    critical: (s) => c.bold(c.magenta(s)),
    high: (s) => c.bold(c.red(s)),
    medium: c.yellow,
    low: c.cyan,
    info: c.gray,
  };
  return { c, sev };
}

/**
 * A rule's why or fix (METADATA text with hard line breaks) as terminal lines: reflowed into
 * paragraphs, list items and code lines (reports/text.ts), the first after the label, the rest
 * under it.
 */
function block(label: string, text: string, paint: Paint, suffix = ""): string[] {
  const lines = reflow(text).filter((l) => l !== ""); // a finding's block has no blank line: one paragraph a line
  return lines.map((l, i) => (i === 0 ? `         ${label} ${paint(t(l))}` : `              ${paint(t(l))}`) + (i === lines.length - 1 ? suffix : ""));
}

function where(f: Finding): string {
  if (f.location?.file) return `${t(f.location.file)}${f.location.line ? `:${f.location.line}` : ""}`;
  return t([f.resource.account, f.resource.region].filter(Boolean).join("/"));
}

/** How the terminal report is laid out (cli/output.ts sets it from the TTY and the flags). */
export interface TerminalView {
  /** summary: counts, failing rules, top accounts/files, a screenful of details; details: every finding (today's form, and the non-TTY default). */
  mode: "summary" | "details";
  /** Lines the summary's details may take (the terminal's height). */
  rows?: number;
  /** --rule / --account: only these findings. */
  rule?: string;
  account?: string;
}

/** A summary view prints every finding in full when there are at most this many (the demo: details fit). */
export const SUMMARY_FULL_UP_TO = 40;
/** Lines the summary's details take when the terminal's height is not known. */
const DEFAULT_ROWS = 40;
const TOP_RULES = 25;
const TOP_SCOPES = 10;
/** Resources listed per rule in the summary's details (the rest: --rule ID). */
const PER_RULE = 5;
const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"] as const;

function filtered(doc: FindingsDocument, view: TerminalView | undefined): FindingsDocument {
  if (!view?.rule && !view?.account) return doc;
  const keep = (ruleId: string, r: Finding["resource"]) => (!view.rule || ruleId === view.rule) && (!view.account || r.account === view.account);
  return { ...doc, findings: doc.findings.filter((f) => keep(f.ruleId, f.resource)), passes: doc.passes?.filter((p) => keep(p.ruleId, p.resource)) };
}

function filterLine(view: TerminalView | undefined, n: number): string | undefined {
  if (!view?.rule && !view?.account) return undefined;
  const what = [view.rule ? `rule ${t(view.rule)}` : "", view.account ? `account ${t(view.account)}` : ""].filter(Boolean).join(", ");
  return `Showing ${n} finding(s) of ${what}; the counts are the whole scan's.`;
}

/**
 * The terminal report. Details (every finding, grouped by severity, then the summary line), or for
 * a person at a terminal with many findings the summary first: counts by severity, the failing
 * rules, the accounts or files with most failures, then a screenful of the most severe findings
 * with each rule's why and fix once, and how to see the rest. Every string from a resource or a
 * scanned file goes through `terminalText`.
 */
export function formatTable(doc: FindingsDocument, ctx: ReportContext): string {
  const view = ctx.terminal;
  const shown = filtered(doc, view);
  const active = shown.findings.filter((f) => f.status !== "suppressed" && !f.baseline);
  const body =
    view?.mode === "summary" && active.length > SUMMARY_FULL_UP_TO
      ? formatSummary(doc, shown, active, ctx, view)
      : formatDetails(doc, shown, active, ctx, view);
  return doc.compliance ? body + complianceMatrix(doc, ctx) : body;
}

/** `--compliance`: the framework's controls, one a line, with the failing resources or the reason under each. */
function complianceMatrix(doc: FindingsDocument, ctx: ReportContext): string {
  const section = doc.compliance!;
  const { c } = palette(ctx.color);
  const paint = { pass: c.green, fail: (s: string) => c.bold(c.red(s)), unknown: c.yellow, manual: c.dim } as const;
  const w = Math.max(7, ...section.controls.map((x) => x.id.length));
  const lines = ["", c.bold(`Compliance: ${t(frameworkName(section))} — ${summaryText(section)}`)];
  lines.push(c.dim(`  ${"status".padEnd(8)}${"control".padEnd(w + 2)}title`));
  for (const x of section.controls) {
    const row = `  ${paint[x.status](x.status.toUpperCase().padEnd(8))}${x.id.padEnd(w + 2)}${t(x.title)}`;
    lines.push(x.status === "manual" ? c.dim(row) : row);
    const pad = " ".repeat(w + 12);
    if (x.status === "fail") {
      const rules = x.rules.filter((r) => r.status === "fail").map((r) => r.ruleId);
      lines.push(
        `${pad}${c.dim("failing:")} ${x.failing
          .slice(0, FAILING_SHOWN)
          .map((r) => t(resourceText(r)))
          .join(", ")}${x.failing.length > FAILING_SHOWN ? c.dim(` … and ${x.failing.length - FAILING_SHOWN} more`) : ""} ${c.dim(`(${rules.join(", ")})`)}`,
      );
    } else if (x.status === "unknown" && x.reason) lines.push(`${pad}${c.dim(t(x.reason))}`);
  }
  lines.push(c.dim(`  Manual controls: rampart compliance show ${section.framework.id} says what to verify.`));
  return terminalLines(lines.join("\n")) + "\n";
}

/** Coverage gaps of the accounts; IaC gaps (a nested stack or an AWS::Include not read) are listed under "Not read". */
function accountGaps(doc: FindingsDocument) {
  return doc.coverage.filter((g) => (g.status === "denied" || g.status === "error") && !g.resource && g.service !== "cloudformation");
}

function totalsLine(doc: FindingsDocument, ctx: ReportContext): string {
  const { c, sev } = palette(ctx.color);
  const s = doc.summary;
  const bySev = SEVERITY_ORDER.filter((k) => s.bySeverity[k])
    .map((k) => sev[k](`${s.bySeverity[k]} ${k}`))
    .join(", ");
  const files = doc.scan.files ? ` in ${doc.scan.files.loaded} file(s)${doc.scan.files.skipped ? `, ${doc.scan.files.skipped} skipped` : ""}` : "";
  return (
    `${c.bold("rampart")} ${doc.scan.kind} scan${files}: ` +
    `${s.fail ? c.red(c.bold(`${s.fail} failing`)) : c.green("0 failing")}${bySev ? ` (${bySev})` : ""}, ` +
    `${s.unknown ? c.yellow(`${s.unknown} unknown`) : "0 unknown"}, ${c.green(`${s.pass} passing`)}, ${s.suppressed} suppressed` +
    `${doc.scan.incomplete ? c.yellow(`  — INCOMPLETE: see ${accountGaps(doc).length ? "coverage gaps" : "Not read"}`) : ""}` +
    `${doc.scan.baseline ? ` — baseline: ${doc.scan.baseline.new} new, ${doc.scan.baseline.matched} known, ${doc.scan.baseline.fixed} fixed` : ""}`
  );
}

function formatSummary(doc: FindingsDocument, shown: FindingsDocument, active: Finding[], ctx: ReportContext, view: TerminalView): string {
  const { c, sev } = palette(ctx.color);
  const lines: string[] = [totalsLine(doc, ctx)];
  const only = filterLine(view, active.length);
  if (only) lines.push(c.dim(only));
  lines.push("");
  const iac = doc.scan.kind === "iac";
  const rules = ruleRows(active);
  if (rules.length) {
    const w = Math.max(4, ...rules.slice(0, TOP_RULES).map((r) => r.ruleId.length));
    lines.push(c.bold(`Failing rules (${rules.filter((r) => r.failing).length}):`));
    lines.push(
      c.dim(`  ${"severity".padEnd(9)}${"rule".padEnd(w + 2)}${"failing".padStart(8)}${"unknown".padStart(9)}${(iac ? "files" : "accounts").padStart(10)}`),
    );
    for (const r of rules.slice(0, TOP_RULES)) {
      const tag = r.failing ? sev[r.severity](r.severity.padEnd(9)) : c.gray("unknown".padEnd(9));
      lines.push(`  ${tag}${r.ruleId.padEnd(w + 2)}${String(r.failing).padStart(8)}${String(r.unknown).padStart(9)}${String(r.scopes).padStart(10)}`);
    }
    if (rules.length > TOP_RULES) lines.push(c.dim(`  … and ${rules.length - TOP_RULES} more rules`));
    lines.push("");
  }
  const top = topScopes(active, TOP_SCOPES);
  if (top.rows.length) {
    lines.push(c.bold(`Top ${iac ? "files" : "accounts"} (${top.rows.length} of ${top.total}):`));
    const w = Math.max(...top.rows.map((r) => t(r.scope || "(none)").length));
    for (const r of top.rows) {
      const parts = SEVERITY_ORDER.filter((k) => r.bySeverity[k]).map((k) => sev[k](`${r.bySeverity[k]} ${k}`));
      lines.push(`  ${t(r.scope || "(none)").padEnd(w + 2)}${String(r.failing).padStart(7)} failing  ${parts.join(", ")}`);
    }
    lines.push("");
  }
  // A screenful of the most severe findings, grouped by rule (a rule's why and fix once), a few
  // resources per rule so that the screen reaches more than one rule.
  const budget = Math.max(10, view.rows ?? DEFAULT_ROWS);
  const ordered = [...bySeverity(active.filter((f) => f.status === "fail")), ...bySeverity(active.filter((f) => f.status === "unknown"))];
  const groups = new Map<string, Finding[]>();
  for (const f of ordered) {
    const key = `${f.status} ${f.ruleId}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const out: string[] = [];
  let listed = 0;
  for (const g of groups.values()) {
    const f = g[0];
    const head: string[] = [
      `${f.status === "unknown" ? c.gray("UNKNOWN ") : sev[f.severity](f.severity.toUpperCase().padEnd(8))} ${c.bold(f.ruleId)}  ${t(f.title)}`,
    ];
    if (f.status === "fail" && f.rationale) head.push(...block(c.dim("why:"), f.rationale, c.dim));
    if (f.status === "fail" && f.fix)
      head.push(...block(c.dim("fix:"), f.fix, (s) => s, f.remediation?.automatic ? c.green("  (rampart fix can apply this)") : ""));
    const room = budget - out.length - head.length;
    if (room < 1) break;
    const n = Math.min(g.length, PER_RULE, g.length > room ? room - 1 : room);
    if (n < 1) break;
    out.push(...head);
    for (const x of g.slice(0, n)) {
      const loc = where(x);
      const tagX = x.severity === f.severity ? "" : `${sev[x.severity](x.severity)} `;
      out.push(`  ${tagX}${t(x.resource.id)}${loc ? c.dim(`  ${loc}`) : ""}  ${t(x.message)}`);
    }
    if (g.length > n) out.push(c.dim(`  … and ${g.length - n} more (--rule ${f.ruleId})`));
    listed += n;
  }
  if (listed) lines.push(c.bold(`Highest-severity findings (${listed} of ${active.length}):`), ...out, "");
  const gaps = accountGaps(doc);
  if (gaps.length)
    lines.push(c.yellow(`Coverage gaps: ${gaps.length} part(s) of the accounts were not read, so rules reading them say unknown (--details lists them).`));
  if (doc.errors?.length) {
    lines.push(c.red(`Input errors (${doc.errors.length}):`));
    for (const e of doc.errors.slice(0, SKIPS_SHOWN)) lines.push(`  ${t(e.file)}: ${t(e.reason)}`);
    if (doc.errors.length > SKIPS_SHOWN) lines.push(c.dim(`  … and ${doc.errors.length - SKIPS_SHOWN} more (--details or --format json)`));
  }
  if (doc.skipped?.length) lines.push(c.dim(`Not read: ${doc.skipped.length} file(s) or reference(s) (--details lists them).`));
  if (doc.warnings?.length) lines.push(c.yellow(`Warnings: ${doc.warnings.length} about files that were loaded (--details lists them).`));
  const known = shown.findings.filter((f) => f.status !== "suppressed" && f.baseline).length;
  const suppressed = shown.findings.filter((f) => f.status === "suppressed").length;
  if (known || suppressed) lines.push(c.dim(`Not listed: ${known} in the baseline, ${suppressed} suppressed by exceptions (--details lists them).`));
  lines.push(
    `${listed < active.length ? `${active.length - listed} more finding(s) not shown. ` : ""}To see all: ${c.bold("--details")} (every finding), ${c.bold("--rule ID")}${iac ? "" : `, ${c.bold("--account ID")}`}, or ${c.bold("--format html -o report.html")}.`,
  );
  return terminalLines(lines.join("\n")) + "\n";
}

function formatDetails(doc: FindingsDocument, shown: FindingsDocument, active: Finding[], ctx: ReportContext, view: TerminalView | undefined): string {
  const { c, sev } = palette(ctx.color);
  const lines: string[] = [];
  // Unknowns of several rules with one cause (one resource, place and message: a nested stack not
  // read) print once, naming the rules.
  const sameCause = new Map<string, string[]>();
  const causeOf = (f: Finding) =>
    f.status === "unknown" ? [f.resource.type, f.resource.id, f.location?.file, f.location?.line, f.location?.pointer, f.message].join("\u0000") : "";
  for (const f of active) if (f.status === "unknown") sameCause.set(causeOf(f), [...(sameCause.get(causeOf(f)) ?? []), f.ruleId]);
  for (const f of active) {
    const tag = f.status === "unknown" ? c.gray("UNKNOWN ") : sev[f.severity](f.severity.toUpperCase().padEnd(8));
    const rules = f.status === "unknown" ? (sameCause.get(causeOf(f)) ?? []) : [];
    if (rules.length > 1 && rules[0] !== f.ruleId) continue; // printed with the first of its group
    const what = rules.length > 1 ? `${rules.length} rules` : f.ruleId;
    lines.push(`${tag} ${c.bold(what)}  ${t(f.resource.id)} ${c.dim(`(${t(f.resource.type)})`)}`);
    const loc = where(f);
    if (loc) lines.push(`         ${c.dim("at")} ${c.underline(loc)}${f.location?.pointer ? c.dim(`  ${t(f.location.pointer)}`) : ""}`);
    lines.push(`         ${t(f.message)}`);
    if (rules.length > 1) lines.push(`         ${c.dim("rules:")} ${c.dim(rules.join(", "))}`);
    if (f.status === "fail" && f.rationale) lines.push(...block(c.dim("why:"), f.rationale, c.dim));
    if (f.status === "fail" && f.fix)
      lines.push(...block(c.dim("fix:"), f.fix, (s) => s, f.remediation?.automatic ? c.green("  (rampart fix can apply this)") : ""));
    lines.push("");
  }
  const known = shown.findings.filter((f) => f.status !== "suppressed" && f.baseline);
  if (known.length) {
    lines.push(c.dim(`In the baseline ${t(doc.scan.baseline?.file ?? "")} (${known.length}), not counted for the exit code:`));
    for (const f of known) lines.push(c.dim(`  ${f.status === "unknown" ? "unknown " : f.severity.padEnd(8)} ${f.ruleId}  ${t(f.resource.id)}  ${where(f)}`));
    lines.push("");
  }
  const suppressed = shown.findings.filter((f) => f.status === "suppressed");
  if (suppressed.length) {
    lines.push(c.dim(`Suppressed by exceptions (${suppressed.length}):`));
    for (const f of suppressed)
      lines.push(c.dim(`  ${f.ruleId}  ${t(f.resource.id)}  — ${t(f.exception?.reason)} (owner ${t(f.exception?.owner)}, expires ${t(f.exception?.expires)})`));
    lines.push("");
  }
  const gaps = accountGaps(doc);
  if (gaps.length) {
    lines.push(c.yellow(`Coverage gaps (${gaps.length}): these parts of the account were not read, so rules reading them say unknown.`));
    for (const g of gaps)
      lines.push(
        `  ${g.status.padEnd(6)} ${t(g.service)} ${t([g.account, g.region].filter(Boolean).join("/"))} ${t(g.action ?? "")} ${c.dim(t(g.detail ?? ""))}`,
      );
    lines.push("");
  }
  if (doc.errors?.length) {
    lines.push(c.red(`Input errors (${doc.errors.length}):`));
    for (const e of doc.errors) lines.push(`  ${t(e.file)}: ${t(e.reason)}`);
    lines.push("");
  }
  if (doc.skipped?.length) {
    const shown = doc.skipped.slice(0, SKIPS_SHOWN);
    lines.push(c.dim(`Not read (${doc.skipped.length}):`));
    for (const k of shown) lines.push(c.dim(`  ${t(k.file)}: ${t(k.reason)}`));
    if (doc.skipped.length > shown.length) lines.push(c.dim(`  … and ${doc.skipped.length - shown.length} more (all of them in --format json)`));
    lines.push("");
  }
  if (doc.warnings?.length) {
    const shown = doc.warnings.slice(0, SKIPS_SHOWN);
    lines.push(c.yellow(`Warnings (${doc.warnings.length}):`));
    for (const w of shown) lines.push(`  ${w.file ? `${t(w.file)}: ` : ""}${t(w.message)}`);
    if (doc.warnings.length > shown.length) lines.push(c.dim(`  … and ${doc.warnings.length - shown.length} more (all of them in --format json)`));
    lines.push("");
  }
  const only = filterLine(view, active.length);
  if (only) lines.push(c.dim(only));
  lines.push(totalsLine(doc, ctx));
  return terminalLines(lines.join("\n")) + "\n";
}
