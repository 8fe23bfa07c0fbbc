import type { Finding, FindingsDocument } from "../engine/findings.js";
import { SEVERITIES } from "../engine/pack.js";
import { markdownText as cell } from "./escape.js";
import { bySeverity, ruleRows } from "./group.js";
import { FAILING_SHOWN, frameworkName, resourceText, summaryText } from "./compliance.js";

const icon: Record<string, string> = { critical: "🟣", high: "🔴", medium: "🟠", low: "🔵", info: "⚪" };

function loc(f: Finding): string {
  if (f.location?.file) return `${cell(f.location.file)}${f.location.line ? `:${f.location.line}` : ""}`;
  return cell([f.resource.account, f.resource.region].filter(Boolean).join("/"));
}

/** GitHub rejects a pull-request comment over 65,536 characters (a job summary over 1 MiB): the report stays under it. */
export const MARKDOWN_MAX_CHARS = 65_536;
/** The smallest --max-chars: room for the title, the counts line and the truncation line. */
export const MARKDOWN_MIN_CHARS = 2_000;
/** Kept free for what closes the report: the truncation line, a closing </details>, the ✅ line. */
const RESERVE = 512;

/**
 * A pull-request comment or job summary: the counts by severity, a table of the failing rules,
 * then the findings, highest severity first (unknown, baseline and suppressed ones after), so a
 * report cut at `maxChars` drops the lowest. Every line counts towards the limit; once a row does
 * not fit, it and every later row are left out and a closing line says how many and where the
 * full report is. Every string from a resource or a scanned file goes through `markdownText`
 * (no image, link, mention or reference; tables intact).
 */
export function formatMarkdown(doc: FindingsDocument, maxChars: number = MARKDOWN_MAX_CHARS): string {
  const s = doc.summary;
  const out: string[] = [];
  const budget = maxChars - RESERVE;
  let used = 0;
  let omitted = 0;
  const push = (...lines: string[]) => {
    for (const l of lines) used += l.length + 1;
    out.push(...lines);
  };
  const fits = (lines: string[]) => !omitted && used + lines.reduce((n, l) => n + l.length + 1, 0) <= budget;
  const row = (line: string): void => {
    if (fits([line])) push(line);
    else omitted++;
  };
  /** A titled table: its heading only if it fits with its first row; otherwise every row counts as left out. */
  const table = (head: string[], rows: string[], tail: string[] = [""]) => {
    if (!rows.length) return;
    if (!fits([...head, rows[0], ...tail])) {
      omitted += rows.length;
      return;
    }
    push(...head);
    for (const r of rows) row(r);
    push(...tail);
  };
  push(`## rampart ${doc.scan.kind === "iac" ? "infrastructure-code" : "account"} scan`, "");
  const sev = SEVERITIES.filter((k) => s.bySeverity[k])
    .map((k) => `${icon[k]} ${s.bySeverity[k]} ${k}`)
    .join(" · ");
  push(
    `**${s.fail} failing**${sev ? ` (${sev})` : ""} · ${s.unknown} unknown · ${s.pass} passing · ${s.suppressed} suppressed${doc.scan.incomplete ? " · ⚠️ **incomplete scan**" : ""}`,
    "",
  );
  const b = doc.scan.baseline;
  if (b) push(`Baseline ${cell(b.file)}: **${b.new} new** · ${b.matched} already known (not counted) · ${b.fixed} fixed since`, "");

  const counted = doc.findings.filter((f) => f.status !== "suppressed" && !f.baseline);
  const rules = ruleRows(counted);
  const where = doc.scan.kind === "iac" ? "Files" : "Accounts";
  table(
    [
      `### ${b ? "New failing" : "Failing"} rules (${rules.filter((r) => r.failing).length})`,
      "",
      `| Severity | Rule | Resources failing | Unknown | ${where} |`,
      "|---|---|---|---|---|",
    ],
    rules.map((r) => `| ${r.failing ? `${icon[r.severity]} ${r.severity}` : "unknown"} | \`${r.ruleId}\` | ${r.failing} | ${r.unknown} | ${r.scopes} |`),
  );
  const cmp = doc.compliance;
  if (cmp) {
    const statusCell = { pass: "✅ pass", fail: "❌ fail", unknown: "❔ unknown", manual: "📋 manual" } as const;
    const detail = (x: (typeof cmp.controls)[number]) =>
      x.status === "fail"
        ? x.failing
            .slice(0, FAILING_SHOWN)
            .map((r) => cell(resourceText(r)))
            .join(", ") + (x.failing.length > FAILING_SHOWN ? ` … and ${x.failing.length - FAILING_SHOWN} more` : "")
        : x.status === "unknown"
          ? cell(x.reason ?? "")
          : "";
    table(
      [
        `### Compliance: ${cell(frameworkName(cmp))}`,
        "",
        summaryText(cmp),
        "",
        "| Control | Status | Title | Failing resources / why unknown |",
        "|---|---|---|---|",
      ],
      cmp.controls.map((x) => `| ${cell(x.id)} | ${statusCell[x.status]} | ${cell(x.title)} | ${detail(x)} |`),
    );
  }
  const findingRows = (list: Finding[]) =>
    list.map((f) => `| ${icon[f.severity]} ${f.severity} | \`${f.ruleId}\` | ${cell(f.resource.id)} | ${loc(f)} | ${cell(f.message)} |`);
  const head = (title: string) => [`### ${title}`, "", "| Severity | Rule | Resource | Where | Finding |", "|---|---|---|---|---|"];
  const failing = bySeverity(counted.filter((f) => f.status === "fail"));
  table(head(`${b ? "New failing" : "Failing"} (${failing.length})`), findingRows(failing));
  const unknown = bySeverity(counted.filter((f) => f.status === "unknown"));
  table(head(`Unknown (rampart could not decide) (${unknown.length})`), findingRows(unknown));
  const known = bySeverity(doc.findings.filter((f) => f.status !== "suppressed" && f.baseline));
  table(
    [
      `<details><summary>Already in the baseline (${known.length}, not counted)</summary>`,
      "",
      "| Severity | Rule | Resource | Where | Finding |",
      "|---|---|---|---|---|",
    ],
    known.map(
      (f) =>
        `| ${f.status === "unknown" ? "unknown" : `${icon[f.severity]} ${f.severity}`} | \`${f.ruleId}\` | ${cell(f.resource.id)} | ${loc(f)} | ${cell(f.message)} |`,
    ),
    ["", "</details>", ""],
  );
  const sup = doc.findings.filter((f) => f.status === "suppressed");
  table(
    [`<details><summary>Suppressed by exceptions (${sup.length})</summary>`, "", "| Rule | Resource | Reason | Owner | Expires |", "|---|---|---|---|---|"],
    sup.map(
      (f) =>
        `| \`${f.ruleId}\` | ${cell(f.resource.id)} | ${cell(f.exception?.reason ?? "")} | ${cell(f.exception?.owner ?? "")} | ${cell(f.exception?.expires ?? "")} |`,
    ),
    ["", "</details>", ""],
  );
  const notes = [
    ...(doc.warnings ?? []).map((w) => `${w.file ? `${cell(w.file)}: ` : ""}${cell(w.message)}`),
    ...(doc.skipped ?? []).map((k) => `not read: ${cell(k.file)}: ${cell(k.reason)}`),
  ];
  table(
    [`<details><summary>Warnings and files not read (${notes.length})</summary>`, ""],
    notes.map((n) => `- ${n}`),
    ["", "</details>", ""],
  );
  if (omitted)
    out.push(
      `⚠️ ${omitted} more rows left out to stay under ${maxChars} characters; the full report is in the JSON or HTML output (\`--format json\`, \`--format html\`).`,
      "",
    );
  if (!s.fail && !s.unknown) out.push("✅ No findings.", "");
  else if (b && b.new === 0) out.push("✅ No new findings since the baseline.", "");
  return out.join("\n");
}
