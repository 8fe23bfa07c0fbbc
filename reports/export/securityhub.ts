import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import type { FindingsDocument } from "../../engine/findings.js";
import { GENERATOR_PREFIX, productArn, toAsff, type AsffFinding } from "../asff.js";
import type { ReportContext } from "../index.js";

/**
 * `--to securityhub`: imports the findings into Security Hub (BatchImportFindings, 100 per
 * call). Ids are the stable fingerprints, so a re-scan updates findings instead of duplicating
 * them; rampart's findings that are still ACTIVE in Security Hub but no longer found are sent
 * again as ARCHIVED / RESOLVED. An incomplete scan archives nothing (a finding missing because
 * a service could not be read is not resolved).
 */

export const BATCH_SIZE = 100;

export interface SecurityHubExportOptions {
  client: SecurityHubClient;
  /** The Security Hub region (the product ARN's region). */
  region: string;
  /** The account importing (the product ARN's account). */
  account: string;
  now?: Date;
  batchSize?: number;
}

export interface SecurityHubExportResult {
  imported: number;
  archived: number;
  failed: Array<{ Id?: string; ErrorCode?: string; ErrorMessage?: string }>;
  /** Why archiving was skipped, when it was. */
  archiveSkipped?: string;
}

/** rampart's ACTIVE findings in Security Hub for this product ARN. */
export async function activeRampartFindings(client: SecurityHubClient, arn: string): Promise<AwsSecurityFinding[]> {
  const Filters: AwsSecurityFindingFilters = {
    ProductArn: [{ Value: arn, Comparison: "EQUALS" }],
    GeneratorId: [{ Value: GENERATOR_PREFIX, Comparison: "PREFIX" }],
    RecordState: [{ Value: "ACTIVE", Comparison: "EQUALS" }],
  };
  const out: AwsSecurityFinding[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetFindingsCommand({ Filters, MaxResults: 100, ...(NextToken ? { NextToken } : {}) }));
    out.push(...(page.Findings ?? []));
    NextToken = page.NextToken || undefined;
  } while (NextToken);
  return out;
}

/** Fields Security Hub sets itself; they are not sent back. */
const SERVICE_FIELDS = ["ProcessedAt", "WorkflowState", "CompanyName", "ProductName", "Region"] as const;

function archived(f: AwsSecurityFinding, now: string): AwsSecurityFinding {
  const copy: Record<string, unknown> = { ...f };
  for (const k of SERVICE_FIELDS) delete copy[k];
  if (f.ProductFields) {
    copy.ProductFields = Object.fromEntries(Object.entries(f.ProductFields).filter(([k]) => !k.startsWith("aws/securityhub/")));
  }
  return { ...(copy as unknown as AwsSecurityFinding), RecordState: "ARCHIVED", Workflow: { Status: "RESOLVED" }, UpdatedAt: now };
}

export async function exportToSecurityHub(
  doc: FindingsDocument,
  ctx: Pick<ReportContext, "rules">,
  opts: SecurityHubExportOptions,
): Promise<SecurityHubExportResult> {
  const now = opts.now ?? new Date();
  const arn = productArn(opts.region, opts.account);
  const existing = await activeRampartFindings(opts.client, arn);
  const firstSeen = new Map(existing.filter((f) => f.Id && f.CreatedAt).map((f) => [f.Id!, f.FirstObservedAt ?? f.CreatedAt!]));
  const current = toAsff(doc, ctx, { account: opts.account, region: opts.region, firstSeen, now });
  const currentIds = new Set(current.map((f) => f.Id));

  // Only findings of the accounts this scan covered are candidates for archiving.
  const scanned = new Set([...doc.findings, ...(doc.passes ?? [])].map((f) => f.resource.account).filter((a): a is string => Boolean(a)));
  if (scanned.size === 0) scanned.add(opts.account);
  let archiveSkipped: string | undefined;
  let gone: AwsSecurityFinding[] = [];
  if (doc.scan.incomplete) {
    archiveSkipped = "the scan was incomplete, so findings missing from it are not taken as resolved";
  } else {
    gone = existing.filter((f) => f.Id && !currentIds.has(f.Id) && (!f.AwsAccountId || scanned.has(f.AwsAccountId)));
  }
  const toSend: Array<AsffFinding | AwsSecurityFinding> = [...current, ...gone.map((f) => archived(f, now.toISOString()))];

  const size = opts.batchSize ?? BATCH_SIZE;
  const failed: SecurityHubExportResult["failed"] = [];
  for (let i = 0; i < toSend.length; i += size) {
    const batch = toSend.slice(i, i + size) as AwsSecurityFinding[];
    const res = await opts.client.send(new BatchImportFindingsCommand({ Findings: batch }));
    failed.push(...(res.FailedFindings ?? []));
  }
  const failedIds = new Set(failed.map((f) => f.Id));
  return {
    imported: current.filter((f) => !failedIds.has(f.Id)).length,
    archived: gone.filter((f) => !failedIds.has(f.Id)).length,
    failed,
    ...(archiveSkipped ? { archiveSkipped } : {}),
  };
}
