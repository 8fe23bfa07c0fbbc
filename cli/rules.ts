import fs from "node:fs";
import path from "node:path";
import pc from "picocolors";
import type { Engine } from "../engine/engine.js";
import { UserError } from "../model/errors.js";
import { repoRoot } from "../model/paths.js";
import { remediationFor } from "../remediations/registry.js";
import { terminalText } from "../reports/escape.js";

const order = ["critical", "high", "medium", "low", "info"];

/** `rampart rules list`: one line per rule, grouped by family. */
export function rulesList(engine: Engine, format: string, color: boolean): string {
  const rules = [...engine.rules].sort((a, b) => a.family.localeCompare(b.family) || a.id.localeCompare(b.id));
  if (format === "json") {
    return (
      JSON.stringify(
        rules.map((r) => ({
          id: r.id,
          severity: r.severity,
          family: r.family,
          inputs: r.inputs,
          resourceTypes: r.resourceTypes,
          title: r.title,
          guidance: r.guidance,
          ...(r.origin !== undefined ? { origin: r.origin, file: r.file } : {}),
        })),
        null,
        2,
      ) + "\n"
    );
  }
  const c = pc.createColors(color);
  const w = Math.max(...rules.map((r) => r.id.length), 2);
  const user = rules.filter((r) => r.origin !== undefined);
  const lines = [c.bold(`${"ID".padEnd(w)}  SEVERITY  FAMILY             INPUTS${user.length ? "                        ORIGIN" : ""}`)];
  for (const r of rules) {
    const inputs = ["live", "cloudformation", "terraform"].map((i) => (r.inputs.includes(i as never) ? i : "-".padEnd(i.length))).join(" ");
    const origin = user.length ? `  ${r.origin !== undefined ? `user: ${terminalText(r.file)}` : "built-in"}` : "";
    lines.push(`${r.id.padEnd(w)}  ${r.severity.padEnd(8)}  ${r.family.padEnd(17)}  ${inputs}${origin}`);
  }
  const bySev = order
    .map((s) => [s, rules.filter((r) => r.severity === s).length] as const)
    .filter(([, n]) => n)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
  const from = user.length
    ? ` ${rules.length - user.length} built-in, ${user.length} user rule(s) from ${[...new Set(user.map((r) => r.origin!))].map(terminalText).join(", ")}.`
    : "";
  lines.push("", `${rules.length} rules (${bySev}).${from} \`rampart rules show <id>\` for details.`);
  return lines.join("\n") + "\n";
}

/** The `rampart fix` usage of a rule with a remediation module: its parameters and the IAM actions it needs. */
function automaticFix(id: string, c: ReturnType<typeof pc.createColors>): string[] {
  const m = remediationFor(id);
  if (!m) return [];
  const props = Object.entries((m.paramsSchema.properties ?? {}) as Record<string, { description?: string }>);
  return [
    `${c.bold("Automatic fix:")} rampart fix --findings <scan.json> --rule ${id}`,
    ...(props.length ? props.map(([name, p]) => `  --param ${id}.${name}=…  ${p.description ?? ""}`.trimEnd()) : ["  (no parameters)"]),
    `  IAM actions: ${m.permissions.join(", ")}`,
  ];
}

/** `rampart rules show ID`. */
export function rulesShow(engine: Engine, id: string, color: boolean): string {
  const r = engine.rule(id);
  if (!r) {
    const near = engine.rules
      .filter((x) => x.id.includes(id) || id.includes(x.id.split("-")[0]))
      .map((x) => x.id)
      .slice(0, 5);
    throw new UserError(`rules show ${id}: no such rule.${near.length ? ` Did you mean: ${near.join(", ")}?` : ""} See \`rampart rules list\`.`);
  }
  const c = pc.createColors(color);
  const doc = path.join("docs", "rules", `${r.id}.md`);
  const out = [
    `${c.bold(r.id)} — ${r.title}`,
    `severity: ${r.severity}   family: ${r.family}   inputs: ${r.inputs.join(", ")}`,
    `reads: ${r.resourceTypes.join(", ")}`,
    "",
    r.description.trim(),
    "",
    ...(r.rationale ? [`${c.bold("Why:")} ${r.rationale}`] : []),
    ...(r.remediation?.summary ? [`${c.bold("Fix:")} ${r.remediation.summary.trim()}${r.remediation.automatic ? " (automatic with `rampart fix`)" : ""}`] : []),
    ...automaticFix(r.id, c),
    ...(r.guidance ? [`${c.bold("Guidance:")} ${r.guidance}`] : []),
    `${c.bold("Rule:")} ${r.origin !== undefined ? `${terminalText(r.file)} (user rule from ${terminalText(r.origin)})` : r.file}`,
    ...(r.parameters ? Object.entries(r.parameters).map(([k, v]) => `  param ${k}: ${v}`) : []),
    ...(fs.existsSync(path.join(repoRoot, doc)) ? [`${c.bold("Docs:")} ${doc}`] : []),
  ];
  return out.join("\n") + "\n";
}
