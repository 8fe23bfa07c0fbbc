/**
 * AWS Firewall Manager (regional, administrator account only): security policies in the
 * CloudFormation shape with Firewall Manager's own compliance verdicts under
 * `observed.compliance` (docs/model/fms-retrofit.md).
 *
 * Only the Firewall Manager administrator account can read policies. In any other
 * account ListPolicies answers "only available to Administration account" / "not
 * currently delegated": that is recorded as `skipped` coverage, not as a fault.
 */
import {
  FMSClient,
  GetComplianceDetailCommand,
  GetPolicyCommand,
  ListComplianceStatusCommand,
  ListPoliciesCommand,
  ListTagsForResourceCommand,
  type ComplianceViolator,
  type Policy,
  type PolicyComplianceStatus,
  type PolicySummary,
} from "@aws-sdk/client-fms";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, classifyError, compact, convertTags, iso, tryCall } from "./util.js";

export const FMS_POLICY = "AWS::FMS::Policy";

const INNER_CONCURRENCY = 4;

/** The error messages Firewall Manager gives an account that is not its administrator. */
const NOT_ADMIN =
  /only available to (the )?Administrat(ion|or) account|not currently delegated|is not the (Firewall Manager |AWS FM |FMS )?administrator|not (an|the) FMS admin/i;

/** True when `err` says this account is not the Firewall Manager administrator. */
export function isNotAdministrator(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return /AccessDenied|InvalidOperationException/.test(e?.name ?? "") && NOT_ADMIN.test(e?.message ?? "");
}

async function listPolicies(ctx: CollectContext, client: FMSClient): Promise<PolicySummary[]> {
  const out: PolicySummary[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, "fms:ListPolicies", () => client.send(new ListPoliciesCommand({ NextToken: token, MaxResults: 100 })));
    out.push(...(page.PolicyList ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

export interface ComplianceEntry {
  account: string;
  status: string;
  lastUpdated?: string;
  issues?: Record<string, string>;
  violators?: { resourceId?: string; resourceType?: string; violationReason?: string; resourceDescription?: string }[];
}

/** One member account's verdict: COMPLIANT only when every evaluation says so, NON_COMPLIANT when any does, else UNKNOWN with issues. */
export function complianceStatus(s: PolicyComplianceStatus): { status: string; issues?: Record<string, string> } {
  const results = (s.EvaluationResults ?? []).map((r) => r.ComplianceStatus);
  const issues = Object.fromEntries(Object.entries(s.IssueInfoMap ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
  const hasIssues = Object.keys(issues).length > 0;
  if (results.includes("NON_COMPLIANT")) return compact({ status: "NON_COMPLIANT", issues: hasIssues ? issues : undefined });
  if (results.length > 0 && results.every((r) => r === "COMPLIANT") && !hasIssues) return { status: "COMPLIANT" };
  if (!hasIssues)
    issues.EvaluationResults = results.length === 0 ? "Firewall Manager has not evaluated this account yet" : `evaluation results ${results.join(", ")}`;
  return { status: "UNKNOWN", issues };
}

function violator(v: ComplianceViolator): NonNullable<ComplianceEntry["violators"]>[number] {
  return compact({
    resourceId: v.ResourceId,
    resourceType: v.ResourceType,
    violationReason: v.ViolationReason,
    resourceDescription: v.Metadata
      ? Object.entries(v.Metadata)
          .map(([k, val]) => `${k}: ${val}`)
          .join("; ") || undefined
      : undefined,
  });
}

/** observed.compliance for one policy; an unknown marker when ListComplianceStatus failed (a gap is recorded). */
async function compliance(ctx: CollectContext, client: FMSClient, policyId: string): Promise<ComplianceEntry[] | ReturnType<typeof unknown>> {
  const statuses: PolicyComplianceStatus[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await call(ctx, "fms:ListComplianceStatus", () =>
        client.send(new ListComplianceStatusCommand({ PolicyId: policyId, NextToken: token, MaxResults: 100 })),
      );
    } catch (err) {
      const f = classifyError(err);
      ctx.gap({ action: "fms:ListComplianceStatus", status: f.status, detail: f.detail, resourceTypes: [FMS_POLICY] });
      return unknown(`fms:ListComplianceStatus ${f.status === "denied" ? "was denied" : "failed"}: ${f.detail}`);
    }
    statuses.push(...(page.PolicyComplianceStatusList ?? []));
    token = page.NextToken;
  } while (token);

  return mapPool(statuses, INNER_CONCURRENCY, async (s): Promise<ComplianceEntry> => {
    const account = s.MemberAccount ?? "";
    const verdict = complianceStatus(s);
    const entry: ComplianceEntry = compact({ account, status: verdict.status, lastUpdated: iso(s.LastUpdated), issues: verdict.issues });
    if (verdict.status !== "NON_COMPLIANT") return verdict.status === "COMPLIANT" ? { ...entry, violators: [] } : entry;
    // A failed detail leaves `violators` out: the account is still reported non-compliant, without the list.
    const detail = await tryCall(ctx, "fms:GetComplianceDetail", [], () =>
      client.send(new GetComplianceDetailCommand({ PolicyId: policyId, MemberAccount: account })),
    );
    return detail ? { ...entry, violators: (detail.PolicyComplianceDetail?.Violators ?? []).map(violator) } : entry;
  });
}

/** The API's scope map (`ACCOUNT`, `ORG_UNIT`) → CloudFormation's (`ACCOUNT`, `ORGUNIT`). */
export function scopeMap(m: Policy["IncludeMap"]): Record<string, string[]> | undefined {
  if (!m) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(m)) if (v) out[k === "ORG_UNIT" ? "ORGUNIT" : k] = v;
  return out;
}

/** A Firewall Manager policy (fms:GetPolicy) as AWS::FMS::Policy properties (also read live by the remediation). */
export function fmsPolicyProperties(p: Policy, Tags: unknown): Record<string, unknown> {
  const data = p.SecurityServicePolicyData;
  return compact({
    PolicyName: p.PolicyName,
    PolicyDescription: p.PolicyDescription,
    SecurityServicePolicyData: data
      ? compact({
          Type: data.Type,
          // Kept as the JSON string the API returns (the rules parse it).
          ManagedServiceData: data.ManagedServiceData,
          PolicyOption: data.PolicyOption,
        })
      : undefined,
    ResourceType: p.ResourceType,
    ResourceTypeList: p.ResourceTypeList,
    ResourceTags: p.ResourceTags?.map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
    ResourceTagLogicalOperator: p.ResourceTagLogicalOperator,
    ExcludeResourceTags: p.ExcludeResourceTags,
    IncludeMap: scopeMap(p.IncludeMap),
    ExcludeMap: scopeMap(p.ExcludeMap),
    RemediationEnabled: p.RemediationEnabled,
    DeleteAllPolicyResources: p.DeleteUnusedFMManagedResources,
    ResourceSetIds: p.ResourceSetIds,
    Tags,
  });
}

export const fms: ServiceCollector = {
  service: "fms",
  resourceTypes: [FMS_POLICY],
  actions: ["fms:ListPolicies", "fms:GetPolicy", "fms:ListTagsForResource", "fms:ListComplianceStatus", "fms:GetComplianceDetail"],
  async collect(ctx) {
    const client = new FMSClient(ctx.clientConfig);
    try {
      let summaries: PolicySummary[];
      try {
        summaries = await listPolicies(ctx, client);
      } catch (err) {
        if (!isNotAdministrator(err)) throw err;
        const f = classifyError(err);
        ctx.gap({
          action: "fms:ListPolicies",
          status: "skipped",
          detail: `account ${ctx.account} is not the Firewall Manager administrator, so it has no policies to read (${f.detail})`,
          resourceTypes: [FMS_POLICY],
        });
        return [];
      }

      const out = await mapPool(summaries, INNER_CONCURRENCY, async (s): Promise<Resource | undefined> => {
        const id = s.PolicyId;
        if (!id) return undefined;
        const got = await call(ctx, "fms:GetPolicy", () => client.send(new GetPolicyCommand({ PolicyId: id })));
        const policy = got.Policy;
        const arn = got.PolicyArn ?? s.PolicyArn;
        if (!policy || !arn) return undefined;
        const tagged = await tryCall(ctx, "fms:ListTagsForResource", [], () => client.send(new ListTagsForResourceCommand({ ResourceArn: arn })));
        const t = tagged ? convertTags(tagged.TagList) : undefined;
        const notRead = unknown("fms:ListTagsForResource failed, so the policy's tags were not read");
        return compact({
          type: FMS_POLICY,
          id: arn,
          arn,
          name: policy.PolicyName ?? s.PolicyName,
          account: ctx.account,
          region: ctx.region,
          tags: t ? t.tags : {},
          properties: fmsPolicyProperties(policy, t ? t.Tags : notRead),
          observed: compact({
            PolicyId: id,
            PolicyStatus: policy.PolicyStatus,
            compliance: await compliance(ctx, client, id),
            tagsUnknown: t ? undefined : notRead,
          }),
          source: { kind: "aws" as const, account: ctx.account, region: ctx.region },
        });
      });
      return out.filter((r): r is Resource => r !== undefined);
    } finally {
      client.destroy();
    }
  },
};
