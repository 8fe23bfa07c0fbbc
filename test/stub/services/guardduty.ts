/** Loopback GuardDuty (REST-JSON): one detector per region with a high-severity finding; create, update and delete. */

import type { StubService } from "../service.js";
import { days, epoch, page, StubError, unsupported, uuid } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    detectors: { id: string; detector: Record<string, unknown>; findings: Record<string, unknown>[] }[];
  }
}

/** The features a detector created through the API starts with. */
const NEW_DETECTOR_FEATURES: [string, string][] = [
  ["CLOUD_TRAIL", "ENABLED"],
  ["DNS_LOGS", "ENABLED"],
  ["FLOW_LOGS", "ENABLED"],
  ["S3_DATA_EVENTS", "ENABLED"],
  ["EKS_AUDIT_LOGS", "ENABLED"],
  ["EBS_MALWARE_PROTECTION", "ENABLED"],
  ["RDS_LOGIN_EVENTS", "ENABLED"],
  ["LAMBDA_NETWORK_LOGS", "ENABLED"],
  ["RUNTIME_MONITORING", "DISABLED"],
];

const FEATURE_NAMES = new Set([...NEW_DETECTOR_FEATURES.map(([n]) => n), "EKS_RUNTIME_MONITORING"]);

/** UpdateDetector / CreateDetector `features`: set the named features' statuses (and additional configurations); others stay. */
function updateFeatures(det: Record<string, unknown>, given: unknown, when: Date): void {
  if (given === undefined) return;
  if (!Array.isArray(given)) throw new StubError(400, "BadRequestException", "features must be a list");
  const list = ((det.features ?? []) as Record<string, unknown>[]).map((f) => ({ ...f }));
  for (const g of given as Record<string, any>[]) {
    if (!FEATURE_NAMES.has(g.name) || (g.status !== undefined && g.status !== "ENABLED" && g.status !== "DISABLED")) {
      throw new StubError(
        400,
        "BadRequestException",
        `The request is rejected because an invalid or out-of-range value is specified as an input parameter: features ${JSON.stringify(g)}.`,
      );
    }
    let f = list.find((x) => x.name === g.name);
    if (!f) list.push((f = { name: g.name, status: "DISABLED" }));
    if (g.status) f.status = g.status;
    f.updatedAt = epoch(when);
    for (const a of (g.additionalConfiguration ?? []) as Record<string, any>[]) {
      const extra = ((f.additionalConfiguration ?? []) as Record<string, unknown>[]).map((x) => ({ ...x }));
      const had = extra.find((x) => x.name === a.name);
      if (had) Object.assign(had, { status: a.status, updatedAt: epoch(when) });
      else extra.push({ name: a.name, status: a.status, updatedAt: epoch(when) });
      f.additionalConfiguration = extra;
    }
  }
  det.features = list;
}

export const guardduty: StubService = {
  name: "guardduty",
  pathLiterals: ["findings", "get"],
  types: ["AWS::GuardDuty::Detector"],
  emptyRegion: () => ({ detectors: [] }),
  seed(d, c) {
    const { account, region, now, k, fix, regionIndex, id, arn } = c;
    // GuardDuty (one detector per region) and the EventBridge rule that alerts on its findings.
    // With the remediation fixtures the second region has none and the third a disabled one.
    if (k === 0 && !(fix && regionIndex === 1)) {
      const detectorId = id("gd").replace(/-/g, "").slice(0, 32);
      d.detectors.push({
        id: detectorId,
        detector: {
          createdAt: days(now, 600).toISOString(),
          findingPublishingFrequency: "FIFTEEN_MINUTES",
          status: fix && regionIndex === 2 ? "DISABLED" : "ENABLED",
          updatedAt: days(now, 30).toISOString(),
          serviceRole: `arn:aws:iam::${account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
          tags: { team: "secops" },
          features: [
            { name: "S3_DATA_EVENTS", status: "ENABLED", updatedAt: epoch(days(now, 30)) },
            { name: "EKS_AUDIT_LOGS", status: "ENABLED", updatedAt: epoch(days(now, 30)) },
            {
              name: "RUNTIME_MONITORING",
              status: "DISABLED",
              updatedAt: epoch(days(now, 30)),
              additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "DISABLED", updatedAt: epoch(days(now, 30)) }],
            },
          ],
        },
        findings: [
          {
            accountId: account,
            arn: arn("guardduty", `detector/${detectorId}/finding/f-${account}-${region}`),
            id: `f-${account}-${region}`,
            type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
            severity: 8,
            title: "EC2 instance is querying a domain name associated with Bitcoin.",
            region,
            partition: "aws",
            schemaVersion: "2.0",
            createdAt: days(now, 2).toISOString(),
            updatedAt: days(now, 1).toISOString(),
            resource: { resourceType: "Instance", instanceDetails: { instanceId: "i-0123456789abcdef0" } },
            service: { archived: false, count: 3, serviceName: "guardduty", detectorId },
          },
        ],
      });
    }
  },
  call(route, x) {
    const { s, r, b, d } = x;
    const q = r.url.searchParams;
    const parts = r.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    switch (route) {
      case "GET /detector": {
        const pg = page(d.detectors, q.get("nextToken"), Number(q.get("maxResults")));
        return { detectorIds: pg.items.map((x) => x.id), nextToken: pg.next };
      }
      case "POST /detector": {
        if (d.detectors.length > 0)
          throw new StubError(400, "BadRequestException", "The request is rejected because a detector already exists for the current account.");
        if (typeof b.enable !== "boolean")
          throw new StubError(
            400,
            "BadRequestException",
            "The request is rejected because an invalid or out-of-range value is specified as an input parameter: enable.",
          );
        s.seq++;
        const id = uuid(r.account, r.region, "gd-created", s.seq).replace(/-/g, "").slice(0, 32);
        const when = new Date();
        const features = NEW_DETECTOR_FEATURES.map(([name, status]) => ({ name, status, updatedAt: epoch(when) }));
        d.detectors.push({
          id,
          detector: {
            createdAt: when.toISOString(),
            findingPublishingFrequency: b.findingPublishingFrequency ?? "SIX_HOURS",
            status: b.enable ? "ENABLED" : "DISABLED",
            updatedAt: when.toISOString(),
            serviceRole: `arn:aws:iam::${r.account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
            tags: b.tags ?? {},
            features,
          },
          findings: [],
        });
        updateFeatures(d.detectors[d.detectors.length - 1].detector, b.features, when);
        return { detectorId: id };
      }
      case "POST /detector/{}":
      case "DELETE /detector/{}": {
        const i = d.detectors.findIndex((y) => y.id === parts[1]);
        if (i < 0) throw new StubError(400, "BadRequestException", `The request is rejected because the input detectorId is not owned by the current account.`);
        if (r.method === "DELETE") {
          d.detectors.splice(i, 1);
          return {};
        }
        const det = d.detectors[i].detector;
        const when = new Date();
        if (typeof b.enable === "boolean") det.status = b.enable ? "ENABLED" : "DISABLED";
        if (typeof b.findingPublishingFrequency === "string") det.findingPublishingFrequency = b.findingPublishingFrequency;
        updateFeatures(det, b.features, when);
        det.updatedAt = when.toISOString();
        return {};
      }
      case "GET /detector/{}":
      case "POST /detector/{}/findings":
      case "POST /detector/{}/findings/get": {
        const x = d.detectors.find((y) => y.id === parts[1]);
        if (!x) throw new StubError(400, "BadRequestException", `The request is rejected because the input detectorId is not owned by the current account.`);
        if (r.method === "GET") return x.detector;
        if (parts.length === 3) {
          const pg = page(x.findings, b.nextToken, b.maxResults);
          return { findingIds: pg.items.map((f) => f.id), nextToken: pg.next ?? "" };
        }
        const ids = new Set<string>(b.findingIds ?? []);
        return { findings: x.findings.filter((f) => ids.has(String(f.id))) };
      }
      default:
        throw unsupported(x.r, route);
    }
  },
};
