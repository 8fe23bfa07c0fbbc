import pc from "picocolors";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { ReportContext } from "./index.js";
import { terminalLines, terminalText as t } from "./escape.js";

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

function where(f: Finding): string {
  if (f.location?.file) return `${t(f.location.file)}${f.location.line ? `:${f.location.line}` : ""}`;
  return t([f.resource.account, f.resource.region].filter(Boolean).join("/"));
}

/**
 * The terminal report: findings grouped by severity, then a summary a person can act on.
 * Every string from a resource or a scanned file goes through `terminalText`.
 */
export function formatTable(doc: FindingsDocument, ctx: ReportContext): string {
  const { c, sev } = palette(ctx.color);
  const lines: string[] = [];
  const active = doc.findings.filter((f) => f.status !== "suppressed" && !f.baseline);
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
    if (f.status === "fail" && f.rationale) lines.push(`         ${c.dim("why:")} ${c.dim(f.rationale)}`);
    if (f.status === "fail" && f.fix)
      lines.push(`         ${c.dim("fix:")} ${f.fix}${f.remediation?.automatic ? c.green("  (rampart fix can apply this)") : ""}`);
    lines.push("");
  }
  const known = doc.findings.filter((f) => f.status !== "suppressed" && f.baseline);
  if (known.length) {
    lines.push(c.dim(`In the baseline ${t(doc.scan.baseline?.file ?? "")} (${known.length}), not counted for the exit code:`));
    for (const f of known) lines.push(c.dim(`  ${f.status === "unknown" ? "unknown " : f.severity.padEnd(8)} ${f.ruleId}  ${t(f.resource.id)}  ${where(f)}`));
    lines.push("");
  }
  const suppressed = doc.findings.filter((f) => f.status === "suppressed");
  if (suppressed.length) {
    lines.push(c.dim(`Suppressed by exceptions (${suppressed.length}):`));
    for (const f of suppressed)
      lines.push(c.dim(`  ${f.ruleId}  ${t(f.resource.id)}  — ${t(f.exception?.reason)} (owner ${t(f.exception?.owner)}, expires ${t(f.exception?.expires)})`));
    lines.push("");
  }
  // gaps of one IaC resource (a nested stack not read) are listed under "Not read"
  const gaps = doc.coverage.filter((g) => (g.status === "denied" || g.status === "error") && !g.resource);
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
  const s = doc.summary;
  const bySev = (["critical", "high", "medium", "low", "info"] as const)
    .filter((k) => s.bySeverity[k])
    .map((k) => sev[k](`${s.bySeverity[k]} ${k}`))
    .join(", ");
  const files = doc.scan.files ? ` in ${doc.scan.files.loaded} file(s)${doc.scan.files.skipped ? `, ${doc.scan.files.skipped} skipped` : ""}` : "";
  lines.push(
    `${c.bold("rampart")} ${doc.scan.kind} scan${files}: ` +
      `${s.fail ? c.red(c.bold(`${s.fail} failing`)) : c.green("0 failing")}${bySev ? ` (${bySev})` : ""}, ` +
      `${s.unknown ? c.yellow(`${s.unknown} unknown`) : "0 unknown"}, ${c.green(`${s.pass} passing`)}, ${s.suppressed} suppressed` +
      `${doc.scan.incomplete ? c.yellow(`  — INCOMPLETE: see ${gaps.length ? "coverage gaps" : "Not read"}`) : ""}` +
      `${doc.scan.baseline ? ` — baseline: ${doc.scan.baseline.new} new, ${doc.scan.baseline.matched} known, ${doc.scan.baseline.fixed} fixed` : ""}`,
  );
  return terminalLines(lines.join("\n")) + "\n";
}
