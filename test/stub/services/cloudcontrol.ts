/**
 * Loopback Cloud Control API (JSON 1.0, signing name cloudcontrolapi): ListResources and
 * GetResource over resource models in the CloudFormation schema of their type. Seeded with two
 * S3 buckets per account in the first region (the other regions list none) (a locked-down one and an open one without
 * versioning); the list handler returns only the primary identifier, as S3's does, so the
 * collector reads each model with GetResource. A type it does not hold is TypeNotFoundException;
 * AWS::Lambda::Function lists page by page (two per page) with the full model in the listing.
 */

import type { Copy, StubService } from "../service.js";
import { StubError, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    cloudControl: Record<string, Array<{ Identifier: string; Properties: Record<string, unknown> }>>;
  }
}

/** The buckets of copy `c` (names carry the account, as bucket names are global). */
export const bucketsOf = (c: Pick<Copy, "account">): { locked: string; open: string } => ({ locked: `logs-${c.account}`, open: `open-${c.account}` });

/** Types the collector has no identifier-only listing for: the listing carries the whole model. */
const FULL_LISTING = new Set(["AWS::Lambda::Function"]);

export const cloudcontrol: StubService = {
  name: "cloudcontrolapi",
  // Cloud Control serves whichever types user rules read; no dedicated collector reads these.
  types: [],
  emptyRegion: () => ({ cloudControl: {} }),
  seed(d, c) {
    // every region knows the types (empty), the first region holds the resources
    d.cloudControl["AWS::S3::Bucket"] ??= [];
    d.cloudControl["AWS::Lambda::Function"] ??= [];
    if (c.regionIndex !== 0 || c.k !== 0) return;
    const { locked, open } = bucketsOf(c);
    d.cloudControl["AWS::S3::Bucket"] = [
      {
        Identifier: locked,
        Properties: {
          BucketName: locked,
          Arn: `arn:aws:s3:::${locked}`,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
          VersioningConfiguration: { Status: "Enabled" },
          Tags: [
            { Key: "owner", Value: "platform" },
            { Key: "data-class", Value: "internal" },
          ],
        },
      },
      {
        Identifier: open,
        Properties: {
          BucketName: open,
          Arn: `arn:aws:s3:::${open}`,
          VersioningConfiguration: { Status: "Suspended" },
          Tags: [{ Key: "owner", Value: "web" }],
        },
      },
    ];
    d.cloudControl["AWS::Lambda::Function"] = ["a", "b", "c"].map((n) => ({
      Identifier: `fn-${n}`,
      Properties: { FunctionName: `fn-${n}`, Arn: c.arn("lambda", `function:fn-${n}`), Runtime: "nodejs20.x" },
    }));
  },
  call(op, x) {
    const { b, d } = x;
    const type = String(b.TypeName ?? "");
    const models = d.cloudControl[type];
    switch (op) {
      case "ListResources": {
        if (!models) throw new StubError(400, "TypeNotFoundException", `The type ${type} cannot be found.`);
        const from = b.NextToken ? Number(b.NextToken) : 0;
        const n = FULL_LISTING.has(type) ? 2 : Math.min(Number(b.MaxResults) || 100, 100);
        const page = models.slice(from, from + n).map((m) => ({
          Identifier: m.Identifier,
          Properties: JSON.stringify(FULL_LISTING.has(type) ? m.Properties : { BucketName: m.Identifier }),
        }));
        return { TypeName: type, ResourceDescriptions: page, ...(from + n < models.length ? { NextToken: String(from + n) } : {}) };
      }
      case "GetResource": {
        const m = models?.find((y) => y.Identifier === b.Identifier);
        if (!models) throw new StubError(400, "TypeNotFoundException", `The type ${type} cannot be found.`);
        if (!m) throw new StubError(400, "ResourceNotFoundException", `${type} ${String(b.Identifier)} not found.`);
        return { TypeName: type, ResourceDescription: { Identifier: m.Identifier, Properties: JSON.stringify(m.Properties) } };
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
