/**
 * `rampart fix` → `--apply` → `rampart rollback` end to end for the GuardDuty and WorkMail
 * remediations against the stateful loopback AWS (test/e2e/fix-live-helpers.ts has the
 * flow and the row format).
 */
import { describe, expect, it } from "vitest";
import type { StubState } from "../stub/aws-stub.js";
import { A, REGIONS, call, logTimings, regionState, runRow, type FixRow, type RowContext } from "./fix-live-helpers.js";

const WORKMAIL = "workmail-organization-mfa-enforced";
const DETECTOR = "guardduty-detector-enabled";
const PLANS = "guardduty-protection-plans-enabled";

/** With the remediation fixtures the second region has no detector and the third a disabled one. */
const THREE_REGIONS = [...REGIONS, "ap-southeast-2"];

const org = (c: RowContext): Record<string, any> => c.d.orgs[0];
const detector = (c: RowContext): Record<string, any> => c.d.detectors[0];
const detectorArn = (c: RowContext): string => `arn:aws:guardduty:${c.region}:${A}:detector/${detector(c).id}`;

/**
 * GuardDuty stamps updatedAt on every change, and a feature once set stays listed (a
 * feature the detector does not list reads as DISABLED): AWS cannot restore either.
 */
function normaliseDetectors(s: StubState): void {
  for (const d of Object.values(s.regions) as any[]) {
    for (const x of d.detectors) {
      delete x.detector.updatedAt;
      const features: Record<string, unknown> = {};
      for (const f of x.detector.features ?? []) {
        const extra = (f.additionalConfiguration ?? []).map((a: any) => ({ name: a.name, status: a.status }));
        if (f.status === "DISABLED" && extra.length === 0) continue;
        features[f.name] = { status: f.status, additionalConfiguration: extra };
      }
      x.detector.features = features;
    }
  }
}

const rows: FixRow[] = [
  {
    rule: WORKMAIL,
    services: "workmail",
    region: "us-east-1",
    failing: (c) => [org(c).described.ARN],
    changes: (c) => {
      const put = (mode: string) =>
        call("workmail", "us-east-1", "PutIdentityProviderConfiguration", {
          OrganizationId: org(c).summary.OrganizationId,
          AuthenticationMode: mode,
          IdentityCenterConfiguration: org(c).idp.IdentityCenterConfiguration,
          PersonalAccessTokenConfiguration: org(c).idp.PersonalAccessTokenConfiguration,
        });
      // bob is enabled and has no Identity Center user: the switch locks him out.
      return [
        {
          resource: org(c).described.ARN,
          calls: [put("IDENTITY_PROVIDER_ONLY")],
          rollbackCalls: [put("IDENTITY_PROVIDER_AND_DIRECTORY")],
          diff: ["replace /AuthenticationMode"],
          risk: "allow-user-impact",
        },
      ];
    },
    applied: (s) => {
      regionState(s, "us-east-1").orgs[0].idp.AuthenticationMode = "IDENTITY_PROVIDER_ONLY";
    },
  },
  {
    rule: DETECTOR,
    services: "guardduty",
    region: "eu-west-1",
    failing: () => [`(no AWS::GuardDuty::Detector in ${A}/eu-west-1)`],
    params: [`${DETECTOR}.findingPublishingFrequency=FIFTEEN_MINUTES`],
    changes: () => [
      {
        resource: `(no AWS::GuardDuty::Detector in ${A}/eu-west-1)`,
        calls: [call("guardduty", "eu-west-1", "CreateDetector", { Enable: true, FindingPublishingFrequency: "FIFTEEN_MINUTES" })],
        rollbackCalls: [call("guardduty", "eu-west-1", "DeleteDetector", { DetectorId: "(the detector CreateDetector returns)" })],
        diff: ["replace /Status"],
      },
    ],
    applied: (s, c) => {
      // One detector, the one whose id the journal kept for the rollback.
      const created = regionState(c.actual, "eu-west-1").detectors;
      expect(created).toHaveLength(1);
      expect(c.steps[0].result).toEqual({ DetectorId: created[0].id });
      expect(created[0].id).toMatch(/^[0-9a-f]{32}$/);
      expect(created[0].detector).toMatchObject({ status: "ENABLED", findingPublishingFrequency: "FIFTEEN_MINUTES", tags: {} });
      regionState(s, "eu-west-1").detectors = created;
    },
  },
  {
    rule: DETECTOR,
    services: "guardduty",
    region: "ap-southeast-2",
    stubRegions: THREE_REGIONS,
    failing: (c) => [detectorArn(c)],
    changes: (c) => [
      {
        resource: detectorArn(c),
        calls: [call("guardduty", "ap-southeast-2", "UpdateDetector", { DetectorId: detector(c).id, Enable: true })],
        rollbackCalls: [call("guardduty", "ap-southeast-2", "UpdateDetector", { DetectorId: detector(c).id, Enable: false })],
        diff: ["replace /Status"],
      },
    ],
    applied: (s) => {
      regionState(s, "ap-southeast-2").detectors[0].detector.status = "ENABLED";
    },
    normalise: normaliseDetectors,
  },
  {
    rule: PLANS,
    services: "guardduty",
    region: "us-east-1",
    // RUNTIME_MONITORING is DISABLED, EBS_MALWARE_PROTECTION not listed.
    failing: (c) => [detectorArn(c), detectorArn(c)],
    changes: (c) => {
      const update = (status: string) =>
        call("guardduty", "us-east-1", "UpdateDetector", {
          DetectorId: detector(c).id,
          Features: [
            { Name: "EBS_MALWARE_PROTECTION", Status: status },
            { Name: "RUNTIME_MONITORING", Status: status },
          ],
        });
      return [
        {
          resource: detectorArn(c),
          calls: [update("ENABLED")],
          rollbackCalls: [update("DISABLED")],
          diff: ["replace /Features/EBS_MALWARE_PROTECTION", "replace /Features/RUNTIME_MONITORING"],
        },
      ];
    },
    applied: (s) => {
      const features = regionState(s, "us-east-1").detectors[0].detector.features;
      features.find((f: any) => f.name === "RUNTIME_MONITORING").status = "ENABLED";
      features.push({ name: "EBS_MALWARE_PROTECTION", status: "ENABLED" });
    },
    normalise: normaliseDetectors,
  },
];

describe("rampart fix / rollback of the GuardDuty and WorkMail remediations against the loopback AWS", () => {
  for (const row of rows) {
    it(`${row.rule} (${row.region}): scan, plan, apply, verify, idempotent, roll back`, { timeout: 240_000 }, async () => {
      logTimings(`${row.rule} (${row.region})`, await runRow(row));
    });
  }
});
