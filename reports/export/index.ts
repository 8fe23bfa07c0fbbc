import { UserError } from "../../model/errors.js";
import type { FindingsDocument } from "../../engine/findings.js";
import type { ReportContext } from "../index.js";

/** `--to securityhub|config` for the CLI: sends the document and prints one line on stderr. */
export const EXPORT_TARGETS = ["securityhub", "config"] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export function parseTarget(value: string | undefined): ExportTarget | undefined {
  if (value === undefined) return undefined;
  if (!(EXPORT_TARGETS as readonly string[]).includes(value)) throw new UserError(`--to ${value}: unknown target. Use one of: ${EXPORT_TARGETS.join(", ")}.`);
  return value as ExportTarget;
}

async function callerAccount(region: string): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const id = await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
  if (!id.Account) throw new UserError("--to securityhub: cannot tell which account the credentials belong to (sts:GetCallerIdentity).");
  return id.Account;
}

export async function exportFindings(
  target: ExportTarget,
  doc: FindingsDocument,
  ctx: Pick<ReportContext, "rules">,
  opts: { region?: string; resultToken?: string; profile?: string } = {},
): Promise<number> {
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  if (target === "securityhub") {
    const { SecurityHubClient } = await import("@aws-sdk/client-securityhub");
    const { exportToSecurityHub } = await import("./securityhub.js");
    const account = await callerAccount(region);
    const r = await exportToSecurityHub(doc, ctx, { client: new SecurityHubClient({ region }), region, account });
    process.stderr.write(
      `Security Hub (${region}): ${r.imported} finding(s) imported or updated, ${r.archived} archived as resolved${r.failed.length ? `, ${r.failed.length} FAILED (${r.failed[0].ErrorCode}: ${r.failed[0].ErrorMessage})` : ""}${r.archiveSkipped ? ` — nothing archived: ${r.archiveSkipped}` : ""}.\n`,
    );
    return r.failed.length ? 2 : 0;
  }
  const { ConfigServiceClient } = await import("@aws-sdk/client-config-service");
  const { exportToConfig } = await import("./config.js");
  const r = await exportToConfig(doc, {
    client: new ConfigServiceClient({ region }),
    resultToken: opts.resultToken ?? process.env.RAMPART_CONFIG_RESULT_TOKEN ?? "",
  });
  const counts = Object.entries(r.byCompliance)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  process.stderr.write(
    `AWS Config (${region}): ${r.sent} evaluation(s) sent${counts ? ` (${counts})` : ""}${r.failed.length ? `, ${r.failed.length} FAILED` : ""}.\n`,
  );
  return r.failed.length ? 2 : 0;
}
