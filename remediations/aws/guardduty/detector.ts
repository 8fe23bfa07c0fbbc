/**
 * GuardDuty detectors: the targets and states the two GuardDuty fixes read and write.
 *
 * - A region's detector (`{Region, Status}`, Status `NO_DETECTOR` | `ENABLED` |
 *   `DISABLED`): read with guardduty:ListDetectors (an account has at most one detector
 *   per region) and guardduty:GetDetector.
 * - One detector (`{DetectorId, Status}`, or `{DetectorId, Features: {<name>: status}}`
 *   for the features a fix touches): read with guardduty:GetDetector.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { Target } from "../../types.js";

export const NO_DETECTOR = "NO_DETECTOR";

/** The protection plans the rule's default requiredFeatures names (rules/aws/guardduty/protection_plans_enabled.rego). */
export const DEFAULT_FEATURES = ["S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "EBS_MALWARE_PROTECTION"];

/** Every detector-level feature name of the GuardDuty API (DetectorFeature). */
export const KNOWN_FEATURES = [...DEFAULT_FEATURES, "RDS_LOGIN_EVENTS", "EKS_RUNTIME_MONITORING", "LAMBDA_NETWORK_LOGS"];

export function regionOf(f: Finding): string {
  const region = f.resource.region ?? (f.resource.id.startsWith("arn:") ? f.resource.id.split(":")[3] : undefined);
  if (!region) throw new Error(`cannot tell the region of ${f.resource.id}`);
  return region;
}

/** The detector id of a finding on a collected detector (undefined for a region without one). */
export function detectorIdOf(f: Finding): string | undefined {
  const m = /:detector\/([^/]+)$/.exec(f.resource.arn ?? f.resource.id);
  if (m) return m[1];
  return f.resource.id.startsWith("arn:") ? f.resource.name : undefined;
}

export function regionTarget(f: Finding, key: Record<string, string>): Target {
  return { service: "guardduty", region: regionOf(f), ...(f.resource.account ? { account: f.resource.account } : {}), key };
}

/** Every detector id in the region (at most one for an account). */
export async function listDetectors(aws: AwsClients, region: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const r = await aws.send("guardduty", region, "ListDetectors", { MaxResults: 50, ...(token ? { NextToken: token } : {}) });
    ids.push(...((r.DetectorIds as string[] | undefined) ?? []));
    token = (r.NextToken as string | undefined) || undefined;
  } while (token);
  return ids;
}

export async function getDetector(aws: AwsClients, region: string, id: string): Promise<Record<string, any>> {
  return aws.send("guardduty", region, "GetDetector", { DetectorId: id });
}

/** Feature statuses by name, for `names`; a feature the detector does not list reads as DISABLED. */
export function featureStatuses(features: unknown, names: string[]): Record<string, string> {
  const list = Array.isArray(features) ? (features as Array<{ Name?: unknown; Status?: unknown }>) : [];
  const out: Record<string, string> = {};
  for (const n of [...names].sort()) {
    const e = list.find((x) => x && x.Name === n);
    out[n] = e?.Status === "ENABLED" ? "ENABLED" : "DISABLED";
  }
  return out;
}
