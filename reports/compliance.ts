// The per-control view (`--compliance <framework>`) as each report draws it, from the findings
// document's `compliance` section (engine/compliance.ts computes it; reports never re-derive it).
import type { ComplianceSection, ControlResult } from "../engine/compliance.js";

/** Failing resources a terminal or Markdown row lists (the rest: the JSON and HTML reports). */
export const FAILING_SHOWN = 5;

/** rule id → the control ids of the section's framework it checks. */
export function controlsByRule(section: ComplianceSection): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of section.controls) for (const r of c.rules) out.set(r.ruleId, [...(out.get(r.ruleId) ?? []), c.id]);
  return out;
}

/** "CIS Amazon Web Services Foundations Benchmark v5.0.0" / "NIST SP 800-53 Rev. 5 … Revision 5". */
export function frameworkName(section: ComplianceSection): string {
  const v = section.framework.version;
  return `${section.framework.title} ${/^[0-9]/.test(v) ? `v${v}` : v}`;
}

export function summaryText(section: ComplianceSection): string {
  const s = section.summary;
  return `${s.pass} pass, ${s.fail} fail, ${s.unknown} unknown, ${s.manual} manual (of ${section.controls.length} controls)`;
}

/** A failing resource in one line: its id, and where (file:line, or account/region). */
export function resourceText(r: ControlResult["failing"][number]): string {
  const where = r.file ? `${r.file}${r.line ? `:${r.line}` : ""}` : [r.account, r.region].filter(Boolean).join("/");
  return `${r.id}${where ? ` (${where})` : ""}`;
}
