import fs from "node:fs";
import { UserError } from "../model/errors.js";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import { jsonText, markdownText, terminalLines, terminalText } from "../reports/escape.js";

/**
 * `rampart diff OLD NEW`: what changed between two findings documents, by the findings'
 * stable fingerprint ids. Active = fail or unknown (suppressed findings count as gone).
 */

export interface FindingsDiff {
  old: { startedAt: string; file: string };
  new: { startedAt: string; file: string };
  /** Active in NEW, not active in OLD. */
  new_: Finding[];
  /** Active in OLD, not active in NEW. */
  resolved: Finding[];
  /** Active in both with the same status. */
  unchanged: Finding[];
  /** Active in both, status changed (unknown ↔ fail): the NEW finding, with its old status. */
  changed: Array<{ finding: Finding; was: Finding["status"] }>;
}

export function readFindings(file: string): FindingsDocument {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(`${file}: cannot read the findings document (${(e as NodeJS.ErrnoException).code ?? e}).`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: not JSON. Give a findings document written by \`rampart … --format json\` or kept by --history.`);
  }
  const d = doc as FindingsDocument;
  if (!d || typeof d !== "object" || !Array.isArray(d.findings) || !d.scan) {
    throw new UserError(`${file}: not a rampart findings document (no "scan" and "findings"). Give one written by --format json or kept by --history.`);
  }
  return d;
}

export function diffFindings(
  oldDoc: FindingsDocument,
  newDoc: FindingsDocument,
  files: { old: string; new: string } = { old: "OLD", new: "NEW" },
): FindingsDiff {
  const active = (d: FindingsDocument) => new Map(d.findings.filter((f) => f.status !== "suppressed").map((f) => [f.id, f]));
  const before = active(oldDoc);
  const after = active(newDoc);
  const out: FindingsDiff = {
    old: { startedAt: oldDoc.scan.startedAt, file: files.old },
    new: { startedAt: newDoc.scan.startedAt, file: files.new },
    new_: [],
    resolved: [],
    unchanged: [],
    changed: [],
  };
  for (const [id, f] of after) {
    const was = before.get(id);
    if (!was) out.new_.push(f);
    else if (was.status !== f.status) out.changed.push({ finding: f, was: was.status });
    else out.unchanged.push(f);
  }
  for (const [id, f] of before) if (!after.has(id)) out.resolved.push(f);
  return out;
}

/** New failing findings: new and failing, or undecided before and failing now. */
export function newFailures(d: FindingsDiff): Finding[] {
  return [...d.new_.filter((f) => f.status === "fail"), ...d.changed.filter((c) => c.finding.status === "fail").map((c) => c.finding)];
}

const where = (f: Finding) =>
  f.location?.file ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ""}` : [f.resource.account, f.resource.region].filter(Boolean).join("/");

function line(f: Finding, mark: string): string {
  return `${mark} ${f.status === "unknown" ? "UNKNOWN " : f.severity.toUpperCase().padEnd(8)} ${f.ruleId}  ${terminalText(f.resource.id)}${where(f) ? `  (${terminalText(where(f))})` : ""}\n      ${terminalText(f.message)}`;
}

export function formatDiff(d: FindingsDiff, format: "table" | "json" | "markdown"): string {
  if (format === "json") {
    return (
      jsonText(
        JSON.stringify(
          {
            old: d.old,
            new: d.new,
            summary: {
              new: d.new_.length,
              resolved: d.resolved.length,
              unchanged: d.unchanged.length,
              changed: d.changed.length,
              newFailing: newFailures(d).length,
            },
            new_findings: d.new_,
            resolved: d.resolved,
            changed: d.changed.map((c) => ({ ...c.finding, previousStatus: c.was })),
            unchanged: d.unchanged.map((f) => f.id),
          },
          null,
          2,
        ),
      ) + "\n"
    );
  }
  const head = `${d.new_.length} new, ${d.resolved.length} resolved, ${d.changed.length} changed status, ${d.unchanged.length} unchanged (${d.old.startedAt} → ${d.new.startedAt})`;
  if (format === "markdown") {
    const out = [`## rampart: changes since ${d.old.startedAt}`, "", `**${head}**`, ""];
    const table = (title: string, list: Array<[Finding, string]>) => {
      if (!list.length) return;
      out.push(`### ${title} (${list.length})`, "", "| Severity | Status | Rule | Resource | Where | Finding |", "|---|---|---|---|---|---|");
      for (const [f, st] of list) {
        out.push(`| ${f.severity} | ${st} | \`${f.ruleId}\` | ${markdownText(f.resource.id)} | ${markdownText(where(f))} | ${markdownText(f.message)} |`);
      }
      out.push("");
    };
    table(
      "New",
      d.new_.map((f) => [f, f.status]),
    );
    table(
      "Changed status",
      d.changed.map((c) => [c.finding, `${c.was} → ${c.finding.status}`]),
    );
    table(
      "Resolved",
      d.resolved.map((f) => [f, f.status]),
    );
    if (!d.new_.length && !d.resolved.length && !d.changed.length) out.push("No change.", "");
    return out.join("\n");
  }
  const out = [`rampart diff: ${head}`, ""];
  if (d.new_.length) out.push(`New (${d.new_.length}):`, ...d.new_.map((f) => line(f, "  +")), "");
  if (d.changed.length) out.push(`Changed status (${d.changed.length}):`, ...d.changed.map((c) => `${line(c.finding, "  ~")}  [was ${c.was}]`), "");
  if (d.resolved.length) out.push(`Resolved (${d.resolved.length}):`, ...d.resolved.map((f) => line(f, "  -")), "");
  return terminalLines(out.join("\n")) + "\n";
}

/** `rampart diff OLD NEW`: prints the comparison; exit 1 with --fail-on-new when NEW fails where OLD did not. */
export function diffCommand(oldFile: string, newFile: string, opts: { format?: string; output?: string; failOnNew?: boolean }): number {
  const format = (opts.format ?? "table") as "table" | "json" | "markdown";
  const d = diffFindings(readFindings(oldFile), readFindings(newFile), { old: oldFile, new: newFile });
  const text = formatDiff(d, format);
  if (opts.output) {
    try {
      fs.writeFileSync(opts.output, text);
    } catch (e) {
      throw new UserError(`--output ${opts.output}: cannot write the comparison (${(e as NodeJS.ErrnoException).code ?? e}).`);
    }
  } else {
    process.stdout.write(text);
  }
  return opts.failOnNew && newFailures(d).length > 0 ? 1 : 0;
}
