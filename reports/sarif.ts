import type { Log, Notification, Region, ReportingDescriptor, Result } from "sarif";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import { controlsByRule, frameworkName, summaryText } from "./compliance.js";
import type { ReportContext } from "./index.js";
import { jsonText, plainText, sarifText } from "./escape.js";
import { severityRank } from "./group.js";

/** Warnings and files not read listed as notifications (the JSON document has all of them). */
const NOTIFICATIONS_SHOWN = 100;

const HELP_BASE = "https://github.com/rampart-scanner/rampart/blob/main/docs/rules/";

/**
 * GitHub code scanning's limits on an uploaded SARIF file, from
 * https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
 * (runs per file 20; results per run 25,000, "only the top 5,000 results will be included,
 * prioritized by severity"; rules per run 25,000; locations per result 1,000, 100 shown; tags per
 * rule 20, 10 shown) and
 * https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/file-too-large
 * (10 MB, the gzip-compressed upload). rampart writes one run, one location per result and three
 * tags per rule; it keeps at most the 5,000 results code scanning stores, choosing them itself
 * (failing before unknown before suppressed, highest severity first), and keeps the file itself
 * under 10 MB uncompressed, so it holds however it is uploaded.
 */
export const SARIF_LIMITS = { resultsPerRun: 5_000, rulesPerRun: 25_000, locationsPerResult: 1_000, tagsPerRule: 20, fileBytes: 10_000_000 } as const;

const level: Record<string, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };
const securitySeverity: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };

/** Which results code scanning gets first: failing, then unknown, then suppressed; highest severity first; document order. */
function keepOrder(findings: Finding[]): number[] {
  const statusRank = { fail: 0, unknown: 1, suppressed: 2 } as const;
  return findings
    .map((_f, i) => i)
    .sort(
      (a, b) =>
        statusRank[findings[a].status] - statusRank[findings[b].status] || severityRank(findings[a].severity) - severityRank(findings[b].severity) || a - b,
    );
}

/**
 * SARIF 2.1.0: one run, every rule as a reportingDescriptor (its why and fix in the rule's help,
 * once), findings as results. Within SARIF_LIMITS: past them, the highest-severity results are
 * kept and the run's notifications and properties say how many were left out.
 */
export function formatSarif(
  doc: FindingsDocument,
  ctx: ReportContext,
  limits: { results: number; bytes: number } = { results: SARIF_LIMITS.resultsPerRun, bytes: SARIF_LIMITS.fileBytes },
): string {
  const used = new Set(doc.findings.map((f) => f.ruleId));
  const cmp = doc.compliance;
  const controls = cmp ? controlsByRule(cmp) : new Map<string, string[]>();
  const rules: ReportingDescriptor[] = ctx.rules
    .filter((r) => used.has(r.id) || doc.summary.rules.some((s) => s.ruleId === r.id))
    .map((r) => ({
      id: r.id,
      name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: r.title },
      fullDescription: { text: r.description.trim() },
      help: {
        text: `${r.rationale ?? ""}\n\nFix: ${r.remediation?.summary ?? ""}\n\nGuidance: ${r.guidance}`.trim(),
        markdown: `${r.rationale ?? ""}\n\n**Fix:** ${r.remediation?.summary ?? ""}\n\n*Guidance:* ${r.guidance}`,
      },
      helpUri: `${HELP_BASE}${r.id}.md`,
      defaultConfiguration: { level: level[r.severity] ?? "warning" },
      properties: {
        tags: ["security", "aws", r.family, ...(controls.get(r.id) ?? []).map((c) => `${cmp!.framework.id}/${c}`)].slice(0, SARIF_LIMITS.tagsPerRule),
        "security-severity": securitySeverity[r.severity],
        family: r.family,
        severity: r.severity,
      },
      // --compliance: the framework's controls this rule checks, as relationships to the run's taxonomy
      ...(controls.has(r.id)
        ? { relationships: controls.get(r.id)!.map((c) => ({ target: { id: c, toolComponent: { name: cmp!.framework.id } }, kinds: ["relevant"] })) }
        : {}),
    }));
  if (used.has("rampart-exception-expired")) {
    rules.push({
      id: "rampart-exception-expired",
      shortDescription: { text: "A policy exception has expired" },
      helpUri: `${HELP_BASE}../policy-packs.md`,
      defaultConfiguration: { level: "error" },
    });
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const all: Result[] = doc.findings.map((f) => toResult(f, index.get(f.ruleId)));
  // With --baseline: SARIF's own baseline state (new, or unchanged since the baseline).
  if (doc.scan.baseline) doc.findings.forEach((f, i) => (all[i].baselineState = f.baseline ? "unchanged" : "new"));
  // what was loaded with a warning, and what was not read: notifications of the run, never results
  const notes: Notification[] = [
    ...(doc.warnings ?? []).map((w) => notification("warning", w.message, w.file)),
    ...(doc.skipped ?? []).map((k) => notification("note", `not read: ${k.reason}`, k.file)),
  ];
  if (notes.length > NOTIFICATIONS_SHOWN)
    notes.splice(
      NOTIFICATIONS_SHOWN,
      notes.length,
      notification("note", `… and ${notes.length - NOTIFICATIONS_SHOWN} more warnings and files not read (all of them in --format json)`, undefined),
    );
  const header = (results: Result[], omitted: Finding[]): Log => ({
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: { driver: { name: "rampart", version: doc.tool.version, informationUri: "https://github.com/rampart-scanner/rampart", rules } },
        automationDetails: { id: `rampart/${doc.scan.kind}/${doc.scan.startedAt}` },
        ...(cmp
          ? {
              taxonomies: [
                {
                  name: cmp.framework.id,
                  fullName: frameworkName(cmp),
                  version: cmp.framework.version,
                  shortDescription: { text: summaryText(cmp) },
                  taxa: cmp.controls.map((c) => ({
                    id: c.id,
                    name: c.title,
                    shortDescription: { text: c.title },
                    properties: { status: c.status, ...(c.reason ? { reason: c.reason } : {}) },
                  })),
                },
              ],
            }
          : {}),
        invocations: [
          {
            executionSuccessful: !doc.scan.incomplete,
            startTimeUtc: doc.scan.startedAt,
            endTimeUtc: doc.scan.finishedAt,
            ...(omitted.length || notes.length
              ? { toolExecutionNotifications: [...(omitted.length ? [leftOutNotice(omitted, results.length, doc.findings.length)] : []), ...notes] }
              : {}),
          },
        ],
        ...(omitted.length
          ? { properties: { resultsTotal: doc.findings.length, resultsLeftOut: omitted.length, leftOutBySeverity: countBySeverity(omitted) } }
          : {}),
        results,
      },
    ],
  });
  // The results code scanning keeps: at most limits.results, and as many as fit in limits.bytes
  // (each result's own JSON length, plus a comma; the rest of the file measured with room for the notice).
  const order = keepOrder(doc.findings);
  const room = limits.bytes - Buffer.byteLength(jsonText(JSON.stringify(header([], doc.findings)))) - 1_024;
  const kept = new Set<number>();
  let bytes = 0;
  for (const i of order) {
    if (kept.size >= limits.results) break;
    const size = Buffer.byteLength(jsonText(JSON.stringify(all[i]))) + 1;
    if (bytes + size > room) break;
    bytes += size;
    kept.add(i);
  }
  const results = all.filter((_r, i) => kept.has(i));
  const omitted = doc.findings.filter((_f, i) => !kept.has(i));
  // Indented while small (a person may read it); compact at organization scale, where the sizes above are exact.
  const indent = omitted.length === 0 && doc.findings.length <= 1_000 ? 2 : undefined;
  return jsonText(JSON.stringify(header(results, omitted), null, indent)) + "\n";
}

function countBySeverity(list: Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of list) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

function leftOutNotice(omitted: Finding[], kept: number, total: number): Notification {
  const by = Object.entries(countBySeverity(omitted))
    .sort(([a], [b]) => severityRank(a) - severityRank(b))
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
  return {
    level: "warning",
    descriptor: { id: "rampart/results-left-out" },
    message: {
      text: `${omitted.length} of ${total} results left out (${by}) to stay within GitHub code scanning's limits (${SARIF_LIMITS.resultsPerRun} results per run, ${SARIF_LIMITS.fileBytes / 1_000_000} MB per file); the ${kept} kept are the failing findings of highest severity. The full report: --format json or --format html.`,
    },
  };
}

/** The resource as plain text (SARIF viewers print these properties). */
function plainResource(r: Finding["resource"]): Finding["resource"] {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" ? plainText(v) : v])) as Finding["resource"];
}

/** A relative URI reference for a scanned file's path: forward slashes, controls removed, the characters a URI cannot hold percent-encoded. */
function artifactUri(file: string): string {
  return plainText(file.split("\\").join("/"))
    .split("/")
    .map((seg) => encodeURIComponent(seg).replace(/%3A/gi, ":"))
    .join("/");
}

function notification(level: "warning" | "note", text: string, file: string | undefined): Notification {
  const n: Notification = { level, message: { text: sarifText(text) } };
  if (file && !/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) n.locations = [{ physicalLocation: { artifactLocation: { uri: artifactUri(file) } } }];
  return n;
}

/** The region of a location: its line, and the exact range where the loader knows it (Terraform source). */
function region(l: NonNullable<Finding["location"]>): Region {
  if (l.column === undefined || l.endLine === undefined || l.endColumn === undefined) return { startLine: l.line, startColumn: 1 };
  return { startLine: l.line, startColumn: l.column, endLine: l.endLine, endColumn: l.endColumn };
}

function toResult(f: Finding, ruleIndex: number | undefined): Result {
  const r: Result = {
    ruleId: f.ruleId,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: f.status === "unknown" ? "note" : (level[f.severity] ?? "warning"),
    message: { text: `${f.status === "unknown" ? "Unknown: " : ""}${sarifText(f.message)}` },
    partialFingerprints: { "rampart/v1": f.id },
    properties: { status: f.status, severity: f.severity, resource: plainResource(f.resource) },
  };
  if (f.location?.file) {
    r.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(f.location.file) },
          ...(f.location.line ? { region: region(f.location) } : {}),
        },
        logicalLocations: [
          { name: plainText(f.resource.id), kind: "resource", fullyQualifiedName: plainText(f.location.pointer ?? f.location.address ?? f.resource.id) },
        ],
      },
    ];
  } else {
    r.locations = [
      { logicalLocations: [{ name: plainText(f.resource.id), kind: "resource", fullyQualifiedName: plainText(f.resource.arn ?? f.resource.id) }] },
    ];
  }
  if (f.status === "suppressed") {
    r.suppressions = [
      {
        kind: "external",
        status: "accepted",
        justification: plainText(`${f.exception?.reason ?? ""} (owner ${f.exception?.owner ?? "?"}, expires ${f.exception?.expires ?? "?"})`),
      },
    ];
  }
  return r;
}
