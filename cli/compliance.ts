// `rampart compliance list|show <id>`: the shipped frameworks, and one framework's controls with
// the rules that check them (or, for a manual control, what a person verifies).
import pc from "picocolors";
import { frameworkIds, loadFramework, rulesByControl } from "../engine/compliance.js";
import type { RuleMeta } from "../engine/engine.js";
import { terminalText as t } from "../reports/escape.js";

function counts(id: string, rules: RuleMeta[]) {
  const fw = loadFramework(id);
  const by = rulesByControl(fw, rules);
  const automated = fw.controls.filter((c) => !c.manual && (by.get(c.id)?.length ?? 0) > 0).length;
  return { fw, by, automated, manual: fw.controls.length - automated };
}

export function complianceList(rules: RuleMeta[], format: string, color: boolean): string {
  const rows = frameworkIds().map((id) => counts(id, rules));
  if (format === "json")
    return (
      JSON.stringify(
        rows.map(({ fw, automated, manual }) => ({ id: fw.id, title: fw.title, version: fw.version, controls: fw.controls.length, automated, manual })),
        null,
        2,
      ) + "\n"
    );
  const c = pc.createColors(color);
  const w = Math.max(2, ...rows.map((r) => r.fw.id.length));
  const lines = [c.bold(`${"ID".padEnd(w)}  CONTROLS  AUTOMATED  MANUAL  FRAMEWORK`)];
  for (const { fw, automated, manual } of rows)
    lines.push(
      `${fw.id.padEnd(w)}  ${String(fw.controls.length).padStart(8)}  ${String(automated).padStart(9)}  ${String(manual).padStart(6)}  ${fw.title} (${fw.version})`,
    );
  lines.push("", c.dim("rampart compliance show <id> lists the controls; --compliance <id> on scan, iac and demo adds the per-control view to the report."));
  return lines.join("\n") + "\n";
}

export function complianceShow(rules: RuleMeta[], id: string, format: string, color: boolean): string {
  const { fw, by, automated, manual } = counts(id, rules);
  const controls = fw.controls.map((x) => {
    const rs = (by.get(x.id) ?? []).map((r) => r.id);
    return { ...x, automated: !x.manual && rs.length > 0, rules: rs };
  });
  if (format === "json")
    return JSON.stringify({ id: fw.id, title: fw.title, version: fw.version, source: fw.source, scope: fw.scope, controls }, null, 2) + "\n";
  const c = pc.createColors(color);
  const lines = [c.bold(`${fw.title} (${fw.version})`), c.dim(fw.source), ...(fw.scope ? [c.dim(fw.scope)] : []), ""];
  lines.push(`${fw.controls.length} controls: ${automated} automated, ${manual} manual.`, "");
  let section: string | undefined;
  for (const x of controls) {
    if (x.section && x.section !== section) {
      section = x.section;
      lines.push(c.bold(section));
    }
    lines.push(`  ${x.automated ? c.green("automated") : c.dim("manual   ")}  ${c.bold(x.id)}  ${t(x.title)}${x.level ? c.dim(`  (level ${x.level})`) : ""}`);
    if (x.automated) lines.push(`             rules: ${x.rules.join(", ")}`);
    else {
      if (x.verify) lines.push(`             verify: ${t(x.verify)}`);
      if (x.why) lines.push(c.dim(`             why manual: ${t(x.why)}`));
    }
  }
  return lines.join("\n") + "\n";
}
