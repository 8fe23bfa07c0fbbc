import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { ReportContext } from "./index.js";
import { csvCell } from "./escape.js";
import { resourceText } from "./compliance.js";

/**
 * CSV (RFC 4180: CRLF records, a header row, fields with a quote, comma, CR or LF quoted and
 * quotes doubled). Cells that a spreadsheet would run as a formula (starting with = + - @, tab
 * or CR) get a leading apostrophe, so a resource named `=HYPERLINK(…)` stays text.
 */

export const CSV_COLUMNS = [
  "id",
  "status",
  "severity",
  "ruleId",
  "title",
  "resourceType",
  "resourceId",
  "resourceName",
  "resourceArn",
  "account",
  "region",
  "file",
  "line",
  "pointer",
  "message",
  "fix",
  "suppressedStatus",
  "exceptionReason",
  "exceptionOwner",
  "exceptionExpires",
] as const;

export { csvCell };

function row(f: Finding): unknown[] {
  return [
    f.id,
    f.status,
    f.severity,
    f.ruleId,
    f.title,
    f.resource.type,
    f.resource.id,
    f.resource.name,
    f.resource.arn,
    f.resource.account,
    f.resource.region,
    f.location?.file,
    f.location?.line,
    f.location?.pointer ?? f.location?.address,
    f.message,
    f.fix,
    f.suppressedStatus,
    f.exception?.reason,
    f.exception?.owner,
    f.exception?.expires,
  ];
}

/** With --compliance, the CSV is the control matrix: one record per control. */
export const CSV_COMPLIANCE_COLUMNS = [
  "framework",
  "version",
  "control",
  "section",
  "title",
  "status",
  "rules",
  "failingResources",
  "findings",
  "reason",
] as const;

export function formatCsv(doc: FindingsDocument, _ctx?: ReportContext): string {
  const cmp = doc.compliance;
  const lines = cmp
    ? [
        CSV_COMPLIANCE_COLUMNS.join(","),
        ...cmp.controls.map((c) =>
          [
            cmp.framework.id,
            cmp.framework.version,
            c.id,
            c.section,
            c.title,
            c.status,
            c.rules.map((r) => r.ruleId).join(" "),
            c.failing.map(resourceText).join("; "),
            c.findings.length,
            c.reason,
          ]
            .map(csvCell)
            .join(","),
        ),
      ]
    : [CSV_COLUMNS.join(","), ...doc.findings.map((f) => row(f).map(csvCell).join(","))];
  return lines.join("\r\n") + "\r\n";
}
