import type { Log, ReportingDescriptor, Result } from "sarif";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { ReportContext } from "./index.js";
import { jsonText, plainText, sarifText } from "./escape.js";

const HELP_BASE = "https://github.com/rampart-scanner/rampart/blob/main/docs/rules/";

const level: Record<string, Result.level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };
const securitySeverity: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };

/** SARIF 2.1.0: one run, every rule as a reportingDescriptor, findings as results. */
export function formatSarif(doc: FindingsDocument, ctx: ReportContext): string {
  const used = new Set(doc.findings.map((f) => f.ruleId));
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
      properties: { tags: ["security", "aws", r.family], "security-severity": securitySeverity[r.severity], family: r.family, severity: r.severity },
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
  const results: Result[] = doc.findings.map((f) => toResult(f, index.get(f.ruleId)));
  // With --baseline: SARIF's own baseline state (new, or unchanged since the baseline).
  if (doc.scan.baseline) doc.findings.forEach((f, i) => (results[i].baselineState = f.baseline ? "unchanged" : "new"));
  const log: Log = {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: { driver: { name: "rampart", version: doc.tool.version, informationUri: "https://github.com/rampart-scanner/rampart", rules } },
        automationDetails: { id: `rampart/${doc.scan.kind}/${doc.scan.startedAt}` },
        invocations: [{ executionSuccessful: !doc.scan.incomplete, startTimeUtc: doc.scan.startedAt, endTimeUtc: doc.scan.finishedAt }],
        results,
      },
    ],
  };
  return jsonText(JSON.stringify(log, null, 2)) + "\n";
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
          ...(f.location.line ? { region: { startLine: f.location.line, startColumn: 1 } } : {}),
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
