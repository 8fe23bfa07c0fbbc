/**
 * networkfirewall-traffic-analysis-enabled: add TLS_SNI and HTTP_HOST to the firewall's
 * EnabledAnalysisTypes (network-firewall:UpdateFirewallAnalysisSettings). Safe to do
 * automatically: it has no effect on the firewall's performance (GUIDANCE.md §5, line 843).
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { asArray, known, snapshotResource } from "../common.js";

const REQUIRED = ["HTTP_HOST", "TLS_SNI"];

function target(f: Finding): Target {
  const region = f.resource.region ?? f.resource.id.split(":")[3];
  if (!region) throw new Error(`cannot tell the region of ${f.resource.id}`);
  return {
    service: "network-firewall",
    region,
    ...(f.resource.account ? { account: f.resource.account } : {}),
    key: { FirewallArn: f.resource.arn ?? f.resource.id },
  };
}

function state(arn: string, types: unknown): Json {
  return { FirewallArn: arn, EnabledAnalysisTypes: [...new Set(asArray(types as string[]))].sort() };
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  const r = await aws.send("network-firewall", t.region, "DescribeFirewall", { FirewallArn: t.key.FirewallArn });
  if (!r.Firewall) throw new Error(`network-firewall:DescribeFirewall returned no firewall for ${t.key.FirewallArn}`);
  return state(t.key.FirewallArn, r.Firewall.EnabledAnalysisTypes ?? []);
}

function call(t: Target, types: string[]): ApiCall {
  return {
    service: "network-firewall",
    region: t.region,
    action: "UpdateFirewallAnalysisSettings",
    input: { FirewallArn: t.key.FirewallArn, EnabledAnalysisTypes: types },
  };
}

export const remediation: Remediation = {
  ruleId: "networkfirewall-traffic-analysis-enabled",
  permissions: ["network-firewall:DescribeFirewall", "network-firewall:UpdateFirewallAnalysisSettings"],
  paramsSchema: { type: "object", additionalProperties: false, properties: {} },
  verifyServices: ["network-firewall"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f = findings[0];
    const t = target(f);
    let before: Json;
    if (ctx.snapshot) before = state(t.key.FirewallArn, known(snapshotResource(ctx.snapshot, f).properties.EnabledAnalysisTypes ?? [], "EnabledAnalysisTypes"));
    else if (ctx.aws) before = await read(t, ctx.aws);
    else throw new Error("no snapshot and no AWS access to read the firewall");
    const had = (before as { EnabledAnalysisTypes: string[] }).EnabledAnalysisTypes;
    const types = [...new Set([...had, ...REQUIRED])].sort();
    if (types.length === had.length) return { manual: [] };
    return {
      manual: [],
      change: {
        target: t,
        before,
        after: state(t.key.FirewallArn, types),
        calls: [call(t, types)],
        rollbackCalls: [call(t, had)],
        findingIds: findings.map((x) => x.id),
        summary: `turn on traffic analysis (${REQUIRED.filter((x) => !had.includes(x)).join(", ")}) on firewall ${f.resource.name ?? t.key.FirewallArn}`,
      },
    };
  },

  read,
};
