/**
 * guardduty-detector-enabled: a region without a detector gets one
 * (guardduty:CreateDetector with Enable true); a disabled detector is enabled again
 * (guardduty:UpdateDetector Enable true). GUIDANCE.md §8.
 *
 * Rollback: a created detector is deleted (DeleteDetector), an enabled one is disabled
 * again. The id of a created detector is only known after the call: `apply` returns it,
 * the runner journals it as the step's `result`, and `restore` deletes exactly that
 * detector. A run killed between the call and the journal write has no result; the
 * detector is then found with ListDetectors (an account has one per region).
 *
 * States: `{Region, Status: NO_DETECTOR | ENABLED | DISABLED}` for a region without a
 * detector when planned, `{DetectorId, Status}` for an existing detector.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { known, snapshotResource } from "../common.js";
import { NO_DETECTOR, detectorIdOf, getDetector, listDetectors, regionOf, regionTarget } from "./detector.js";

/** What the rollback call names until CreateDetector has answered. */
export const CREATED_DETECTOR = "(the detector CreateDetector returns)";

async function read(t: Target, aws: AwsClients): Promise<Json> {
  if (t.key.DetectorId) {
    const d = await getDetector(aws, t.region, t.key.DetectorId);
    return { DetectorId: t.key.DetectorId, Status: d.Status === "ENABLED" ? "ENABLED" : "DISABLED" };
  }
  const ids = await listDetectors(aws, t.region);
  if (ids.length === 0) return { Region: t.region, Status: NO_DETECTOR };
  const d = await getDetector(aws, t.region, ids[0]);
  return { Region: t.region, Status: d.Status === "ENABLED" ? "ENABLED" : "DISABLED" };
}

function update(region: string, id: string, enable: boolean): ApiCall {
  return { service: "guardduty", region, action: "UpdateDetector", input: { DetectorId: id, Enable: enable } };
}

export const remediation: Remediation = {
  ruleId: "guardduty-detector-enabled",
  permissions: [
    "guardduty:ListDetectors",
    "guardduty:GetDetector",
    "guardduty:CreateDetector",
    "guardduty:UpdateDetector",
    "guardduty:DeleteDetector",
    // CreateDetector creates the AWSServiceRoleForAmazonGuardDuty service-linked role the first time.
    "iam:CreateServiceLinkedRole",
  ],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      findingPublishingFrequency: {
        description: "How often a created detector publishes updated findings (default: GuardDuty's SIX_HOURS).",
        enum: ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"],
      },
    },
  },
  verifyServices: ["guardduty"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f = findings[0];
    const region = regionOf(f);
    const id = detectorIdOf(f);
    const ids = findings.map((x) => x.id);
    if (id) {
      const t = regionTarget(f, { DetectorId: id });
      let before: Json;
      if (ctx.snapshot)
        before = { DetectorId: id, Status: known(snapshotResource(ctx.snapshot, f).properties.Enable, "Enable") === true ? "ENABLED" : "DISABLED" };
      else if (ctx.aws) before = await read(t, ctx.aws);
      else throw new Error("no snapshot and no AWS access to read the detector");
      if ((before as { Status: string }).Status === "ENABLED") return { manual: [] };
      return {
        manual: [],
        change: {
          target: t,
          before,
          after: { DetectorId: id, Status: "ENABLED" },
          calls: [update(region, id, true)],
          rollbackCalls: [update(region, id, false)],
          findingIds: ids,
          summary: `enable GuardDuty detector ${id} in ${region}`,
        },
      };
    }
    // A region without a detector.
    const t = regionTarget(f, { Region: region });
    let before: Json;
    if (ctx.snapshot)
      before = { Region: region, Status: NO_DETECTOR }; // the rule only reports a region whose detectors were listed
    else if (ctx.aws) before = await read(t, ctx.aws);
    else throw new Error("no snapshot and no AWS access to list the detectors");
    const status = (before as { Status: string }).Status;
    if (status === "ENABLED") return { manual: [] };
    if (status !== NO_DETECTOR) {
      return {
        manual: findings.map((x) => ({
          findingId: x.id,
          ruleId: x.ruleId,
          resourceId: x.resource.id,
          reason: `a detector was created in ${region} since the scan, and it is disabled`,
          advice: "Scan again and re-run `rampart fix` to enable that detector.",
        })),
      };
    }
    const freq = ctx.params.findingPublishingFrequency as string | undefined;
    return {
      manual: [],
      change: {
        target: t,
        before,
        after: { Region: region, Status: "ENABLED" },
        calls: [{ service: "guardduty", region, action: "CreateDetector", input: { Enable: true, ...(freq ? { FindingPublishingFrequency: freq } : {}) } }],
        rollbackCalls: [{ service: "guardduty", region, action: "DeleteDetector", input: { DetectorId: CREATED_DETECTOR } }],
        findingIds: ids,
        summary: `create an enabled GuardDuty detector in ${region}`,
        notes: [
          "GuardDuty is billed by the volume of events it analyses; the 30-day free trial applies to an account's first detector.",
          "The rollback deletes the created detector, with the findings it produced.",
          "In an organization, prefer auto-enable by the GuardDuty delegated administrator.",
        ],
      },
    };
  },

  read,

  /** Sends the calls; returns `{DetectorId}` of a created detector, for the journal. */
  async apply(change: { calls: ApiCall[] }, aws: AwsClients): Promise<Json | void> {
    let result: Json | undefined;
    for (const c of change.calls) {
      const out = await aws.call(c);
      if (c.action === "CreateDetector") {
        if (typeof out.DetectorId !== "string") throw new Error("guardduty:CreateDetector returned no DetectorId");
        result = { DetectorId: out.DetectorId };
      }
    }
    return result;
  },

  /** Deletes the detector the fix created (the journaled id), or sends the rollback calls as planned. */
  async restore(change, aws: AwsClients): Promise<void> {
    for (const c of change.rollbackCalls) {
      if (c.action !== "DeleteDetector" || c.input.DetectorId !== CREATED_DETECTOR) {
        await aws.call(c);
        continue;
      }
      const present = await listDetectors(aws, c.region);
      const recorded = (change.result as { DetectorId?: unknown } | undefined)?.DetectorId;
      let id: string;
      if (typeof recorded === "string") {
        if (!present.includes(recorded))
          throw new Error(`the detector the fix created (${recorded}) is no longer in ${c.region} (now: ${present.join(", ") || "none"}); nothing was deleted`);
        id = recorded;
      } else {
        // The run was interrupted before the journal had the id: the region's only detector is the one the fix created.
        if (present.length !== 1)
          throw new Error(`cannot tell which detector in ${c.region} the fix created (${present.join(", ") || "none"}); nothing was deleted`);
        id = present[0];
      }
      await aws.call({ ...c, input: { DetectorId: id } });
    }
  },
};
