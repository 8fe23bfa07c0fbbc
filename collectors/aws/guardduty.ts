/**
 * Amazon GuardDuty (regional): detectors with their protection plans (Features) and
 * their unarchived high-severity findings under `observed.findings`
 * (docs/model/guardduty.md).
 *
 * A region without a detector yields nothing (the rule reports it absent); a region
 * whose detectors cannot be listed fails the whole service, so its coverage is not `ok`
 * and the rule does not report a missing detector there.
 */
import {
  GetDetectorCommand,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
  type Finding,
  type FindingCriteria,
  type GetDetectorCommandOutput,
} from "@aws-sdk/client-guardduty";
import type { Resource, Unknown } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, classifyError, compact, convertTags, iso } from "./util.js";

export const GUARDDUTY_DETECTOR = "AWS::GuardDuty::Detector";

export const MIN_SEVERITY = 7;

/** The findings the rule judges: severity ≥ 7, not archived (docs/model/guardduty.md). */
export const FINDING_CRITERIA: FindingCriteria = {
  Criterion: {
    severity: { Gte: MIN_SEVERITY },
    "service.archived": { Eq: ["false"] },
  },
};

/** GetFindings and ListFindings take at most 50 ids a call. */
const FINDINGS_BATCH = 50;

/** Dates and other class instances inside the finding's Resource → plain JSON. */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

export interface ReducedFinding {
  Id?: string;
  Type?: string;
  Severity?: number;
  Title?: string;
  Resource?: unknown;
  Archived: boolean;
}

export function reduceFinding(f: Finding): ReducedFinding {
  return compact({
    Id: f.Id,
    Type: f.Type,
    Severity: f.Severity,
    Title: f.Title,
    Resource: plain(f.Resource),
    Archived: f.Service?.Archived ?? false,
  });
}

/** The detector's findings, or an unknown marker when they could not be read (a gap is recorded). */
async function findings(ctx: CollectContext, client: GuardDutyClient, detectorId: string): Promise<ReducedFinding[] | Unknown> {
  let action = "guardduty:ListFindings";
  try {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(ctx, action, () =>
        client.send(new ListFindingsCommand({ DetectorId: detectorId, FindingCriteria: FINDING_CRITERIA, MaxResults: FINDINGS_BATCH, NextToken: token })),
      );
      ids.push(...(page.FindingIds ?? []));
      token = page.NextToken || undefined;
    } while (token);
    action = "guardduty:GetFindings";
    const out: ReducedFinding[] = [];
    for (let i = 0; i < ids.length; i += FINDINGS_BATCH) {
      const batch = ids.slice(i, i + FINDINGS_BATCH);
      const got = await call(ctx, action, () => client.send(new GetFindingsCommand({ DetectorId: detectorId, FindingIds: batch })));
      out.push(...(got.Findings ?? []).map(reduceFinding));
    }
    // The query already filters; this keeps a finding archived or downgraded in between out.
    return out
      .filter((f) => !f.Archived && typeof f.Severity === "number" && f.Severity >= MIN_SEVERITY)
      .sort((a, b) => (b.Severity ?? 0) - (a.Severity ?? 0) || (a.Id ?? "").localeCompare(b.Id ?? ""));
  } catch (err) {
    const f = classifyError(err);
    ctx.gap({ action, status: f.status, detail: f.detail, resourceTypes: [GUARDDUTY_DETECTOR] });
    return unknown(`${action} ${f.status === "denied" ? "was denied" : "failed"}: ${f.detail}`);
  }
}

function detectorResource(ctx: CollectContext, id: string, d: GetDetectorCommandOutput, found: ReducedFinding[] | Unknown): Resource {
  const arn = `arn:${ctx.partition}:guardduty:${ctx.region}:${ctx.account}:detector/${id}`;
  const { tags, Tags } = convertTags(Object.entries(d.Tags ?? {}).map(([Key, Value]) => ({ Key, Value })));
  return {
    type: GUARDDUTY_DETECTOR,
    id: arn,
    arn,
    name: id,
    account: ctx.account,
    region: ctx.region,
    tags,
    properties: compact({
      Enable: d.Status === "ENABLED",
      FindingPublishingFrequency: d.FindingPublishingFrequency,
      Features: d.Features?.map((f) =>
        compact({
          Name: f.Name,
          Status: f.Status,
          AdditionalConfiguration: f.AdditionalConfiguration?.map((a) => compact({ Name: a.Name, Status: a.Status })),
        }),
      ),
      Tags,
    }),
    observed: compact({
      DetectorId: id,
      Status: d.Status,
      ServiceRole: d.ServiceRole,
      CreatedAt: iso(d.CreatedAt),
      UpdatedAt: iso(d.UpdatedAt),
      findings: found,
    }),
    source: { kind: "aws", account: ctx.account, region: ctx.region },
  };
}

export const guardduty: ServiceCollector = {
  service: "guardduty",
  resourceTypes: [GUARDDUTY_DETECTOR],
  actions: ["guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:ListFindings", "guardduty:GetFindings"],
  async collect(ctx) {
    const client = new GuardDutyClient(ctx.clientConfig);
    try {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await call(ctx, "guardduty:ListDetectors", () => client.send(new ListDetectorsCommand({ NextToken: token, MaxResults: 50 })));
        ids.push(...(page.DetectorIds ?? []));
        token = page.NextToken || undefined;
      } while (token);
      return await mapPool(ids, 2, async (id) => {
        const d = await call(ctx, "guardduty:GetDetector", () => client.send(new GetDetectorCommand({ DetectorId: id })));
        return detectorResource(ctx, id, d, await findings(ctx, client, id));
      });
    } finally {
      client.destroy();
    }
  },
};
