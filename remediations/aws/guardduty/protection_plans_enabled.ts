/**
 * guardduty-protection-plans-enabled: turn on the protection plans the findings name
 * (guardduty:UpdateDetector with Features [{Name, Status: ENABLED}]), GUIDANCE.md §8.
 * Only the features of the findings are sent; the detector's other features and their
 * AdditionalConfiguration are left as they are. Rollback sends the previous statuses.
 *
 * State: `{DetectorId, Features: {<name>: ENABLED | DISABLED}}` for the features the fix
 * touches (the target names them); a feature the detector does not list reads as DISABLED.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, ManualItem, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { findingKey, known, manual, snapshotResource } from "../common.js";
import { DEFAULT_FEATURES, KNOWN_FEATURES, detectorIdOf, featureStatuses, getDetector, regionTarget } from "./detector.js";

function names(t: Target): string[] {
  return t.key.Features.split(",").filter(Boolean);
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  const d = await getDetector(aws, t.region, t.key.DetectorId);
  return { DetectorId: t.key.DetectorId, Features: featureStatuses(d.Features, names(t)) };
}

function update(t: Target, features: Record<string, string>): ApiCall {
  return {
    service: "guardduty",
    region: t.region,
    action: "UpdateDetector",
    input: { DetectorId: t.key.DetectorId, Features: Object.entries(features).map(([Name, Status]) => ({ Name, Status })) },
  };
}

const NOTES: Record<string, string> = {
  RUNTIME_MONITORING:
    "Runtime Monitoring needs the GuardDuty security agent on the workloads: turn on automated agent management (AdditionalConfiguration EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT, EC2_AGENT_MANAGEMENT) or deploy the agent yourself.",
  EBS_MALWARE_PROTECTION: "Malware Protection for EC2 uses the AWSServiceRoleForAmazonGuardDutyMalwareProtection service-linked role (created on first use).",
};

export const remediation: Remediation = {
  ruleId: "guardduty-protection-plans-enabled",
  permissions: ["guardduty:GetDetector", "guardduty:UpdateDetector", "iam:CreateServiceLinkedRole"],
  paramsSchema: { type: "object", additionalProperties: false, properties: {} },
  verifyServices: ["guardduty"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f0 = findings[0];
    const id = detectorIdOf(f0);
    const out: ManualItem[] = [];
    if (!id) return { manual: findings.map((f) => manual(f, "the finding is not about a collected detector", "Scan again and re-run `rampart fix`.")) };
    const required = Array.isArray(ctx.packParams.requiredFeatures)
      ? (ctx.packParams.requiredFeatures as unknown[]).filter((x): x is string => typeof x === "string")
      : DEFAULT_FEATURES;
    const candidates = [...new Set([...required, ...KNOWN_FEATURES])];
    const wanted: string[] = [];
    const byFeature = new Map<string, string[]>();
    for (const f of findings) {
      const key = findingKey(
        f,
        candidates.map((n) => `feature:${n}`),
      );
      if (!key) {
        out.push(manual(f, "the finding does not name a protection plan rampart knows", "Enable the feature by hand (UpdateDetector Features)."));
        continue;
      }
      const name = key.slice("feature:".length);
      wanted.push(name);
      byFeature.set(name, [...(byFeature.get(name) ?? []), f.id]);
    }
    if (wanted.length === 0) return { manual: out };
    const t = regionTarget(f0, { DetectorId: id, Features: [...new Set(wanted)].sort().join(",") });
    let before: Json;
    if (ctx.snapshot) {
      const r = snapshotResource(ctx.snapshot, f0);
      before = { DetectorId: id, Features: featureStatuses(known(r.properties.Features ?? [], "Features"), names(t)) };
    } else if (ctx.aws) before = await read(t, ctx.aws);
    else throw new Error("no snapshot and no AWS access to read the detector");
    const had = (before as { Features: Record<string, string> }).Features;
    const missing = Object.keys(had).filter((n) => had[n] !== "ENABLED");
    if (missing.length === 0) return { manual: out };
    const after = { ...had };
    for (const n of missing) after[n] = "ENABLED";
    const previous: Record<string, string> = {};
    for (const n of missing) previous[n] = had[n];
    return {
      manual: out,
      change: {
        target: t,
        before,
        after: { DetectorId: id, Features: after },
        calls: [update(t, Object.fromEntries(missing.map((n) => [n, "ENABLED"])))],
        rollbackCalls: [update(t, previous)],
        findingIds: missing.flatMap((n) => byFeature.get(n) ?? []),
        summary: `enable GuardDuty protection plans ${missing.join(", ")} on detector ${id} in ${t.region}`,
        notes: ["Each protection plan is billed by usage (30-day free trial per plan).", ...missing.flatMap((n) => (NOTES[n] ? [NOTES[n]] : []))],
      },
    };
  },

  read,
};
