import type { Finding, FindingsDocument } from "../engine/findings.js";
import { markdownText as cell } from "./escape.js";

const icon: Record<string, string> = { critical: "🟣", high: "🔴", medium: "🟠", low: "🔵", info: "⚪" };

function loc(f: Finding): string {
  if (f.location?.file) return `${cell(f.location.file)}${f.location.line ? `:${f.location.line}` : ""}`;
  return cell([f.resource.account, f.resource.region].filter(Boolean).join("/"));
}

/**
 * A pull-request comment: summary, then failing, unknown and suppressed findings. Every string
 * from a resource or a scanned file goes through `markdownText` (no image, link, mention or
 * reference; tables intact).
 */
/** GitHub rejects a pull-request comment over 65,536 characters; the report stays under it. */
export const MARKDOWN_MAX_CHARS = 65_536;

export function formatMarkdown(doc: FindingsDocument, maxChars: number = MARKDOWN_MAX_CHARS): string {
  const s = doc.summary;
  const out: string[] = [];
  // Rows stop once the next would leave less than this room for the closing lines.
  const budget = maxChars - 2_000;
  let used = 0;
  let omitted = 0;
  const row = (line: string): boolean => {
    if (omitted || used + line.length + 1 > budget) {
      omitted++;
      return false;
    }
    used += line.length + 1;
    out.push(line);
    return true;
  };
  out.push(`## rampart ${doc.scan.kind === "iac" ? "infrastructure-code" : "account"} scan`);
  out.push("");
  const sev = (["critical", "high", "medium", "low", "info"] as const)
    .filter((k) => s.bySeverity[k])
    .map((k) => `${icon[k]} ${s.bySeverity[k]} ${k}`)
    .join(" · ");
  out.push(
    `**${s.fail} failing**${sev ? ` (${sev})` : ""} · ${s.unknown} unknown · ${s.pass} passing · ${s.suppressed} suppressed${doc.scan.incomplete ? " · ⚠️ **incomplete scan**" : ""}`,
  );
  out.push("");
  const section = (title: string, list: Finding[]) => {
    if (!list.length) return;
    out.push(`### ${title} (${list.length})`, "", "| Severity | Rule | Resource | Where | Finding |", "|---|---|---|---|---|");
    for (const f of list) row(`| ${icon[f.severity]} ${f.severity} | \`${f.ruleId}\` | ${cell(f.resource.id)} | ${loc(f)} | ${cell(f.message)} |`);
    out.push("");
  };
  const b = doc.scan.baseline;
  if (b) out.push(`Baseline ${cell(b.file)}: **${b.new} new** · ${b.matched} already known (not counted) · ${b.fixed} fixed since`, "");
  section(
    b ? "New failing" : "Failing",
    doc.findings.filter((f) => f.status === "fail" && !f.baseline),
  );
  section(
    "Unknown (rampart could not decide)",
    doc.findings.filter((f) => f.status === "unknown" && !f.baseline),
  );
  const known = doc.findings.filter((f) => f.status !== "suppressed" && f.baseline);
  if (known.length) {
    out.push(
      `<details><summary>Already in the baseline (${known.length}, not counted)</summary>`,
      "",
      "| Severity | Rule | Resource | Where | Finding |",
      "|---|---|---|---|---|",
    );
    for (const f of known)
      row(
        `| ${f.status === "unknown" ? "unknown" : `${icon[f.severity]} ${f.severity}`} | \`${f.ruleId}\` | ${cell(f.resource.id)} | ${loc(f)} | ${cell(f.message)} |`,
      );
    out.push("", "</details>", "");
  }
  const sup = doc.findings.filter((f) => f.status === "suppressed");
  if (sup.length) {
    out.push(
      `<details><summary>Suppressed by exceptions (${sup.length})</summary>`,
      "",
      "| Rule | Resource | Reason | Owner | Expires |",
      "|---|---|---|---|---|",
    );
    for (const f of sup)
      row(
        `| \`${f.ruleId}\` | ${cell(f.resource.id)} | ${cell(f.exception?.reason ?? "")} | ${cell(f.exception?.owner ?? "")} | ${cell(f.exception?.expires ?? "")} |`,
      );
    out.push("", "</details>", "");
  }
  if (omitted)
    out.push(
      `⚠️ ${omitted} more rows left out to stay under ${maxChars} characters; the full report is in the JSON or HTML output (\`--format json\`, \`--format html\`).`,
      "",
    );
  if (!s.fail && !s.unknown) out.push("✅ No findings.", "");
  else if (b && b.new === 0) out.push("✅ No new findings since the baseline.", "");
  return out.join("\n");
}
