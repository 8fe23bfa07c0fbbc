/** Loopback IAM Roles Anywhere (REST-JSON): a trust anchor on the private CA, a profile and a CRL. */

import type { StubService } from "../service.js";
import { days, page, unsupported } from "../wire.js";
import { caArnOf } from "./acmpca.js";

declare module "../service.js" {
  interface RegionData {
    anchors: Record<string, unknown>[];
    profiles: Record<string, unknown>[];
    crls: Record<string, unknown>[];
  }
}

export const rolesanywhere: StubService = {
  name: "rolesanywhere",
  types: ["AWS::RolesAnywhere::CRL", "AWS::RolesAnywhere::Profile", "AWS::RolesAnywhere::TrustAnchor"],
  emptyRegion: () => ({ anchors: [], profiles: [], crls: [] }),
  seed(d, c) {
    const { account, now, k, sfx, fix, id, arn } = c;
    const caArn = caArnOf(c);
    const anchorArn = arn("rolesanywhere", `trust-anchor/${id("anchor")}`);
    d.anchors.push({
      trustAnchorArn: anchorArn,
      trustAnchorId: id("anchor"),
      name: `onprem-pki${sfx}`,
      enabled: true,
      source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn: caArn } },
      createdAt: days(now, 150).toISOString(),
      updatedAt: days(now, 10).toISOString(),
    });
    d.profiles.push({
      profileArn: arn("rolesanywhere", `profile/${id("profile")}`),
      profileId: id("profile"),
      name: `batch${sfx}`,
      enabled: true,
      roleArns: [`arn:aws:iam::${account}:role/iamra-issuer`],
      durationSeconds: 3600,
      requireInstanceProperties: false,
      createdBy: `arn:aws:sts::${account}:assumed-role/admin/alice`,
      createdAt: days(now, 150).toISOString(),
      updatedAt: days(now, 10).toISOString(),
    });
    d.crls.push({
      crlArn: arn("rolesanywhere", `crl/${id("crl")}`),
      crlId: id("crl"),
      name: `onprem-crl${sfx}`,
      enabled: true,
      trustAnchorArn: anchorArn,
      crlData: Buffer.from(`crl-${k}`).toString("base64"),
      createdAt: days(now, 100).toISOString(),
      updatedAt: days(now, 10).toISOString(),
    });
    if (fix) {
      // A profile for onprem-batch (the role whose trust is not scoped), and a disabled anchor beside the enabled one.
      d.profiles.push({
        profileArn: arn("rolesanywhere", `profile/${id("profile-batch")}`),
        profileId: id("profile-batch"),
        name: "onprem-batch",
        enabled: true,
        roleArns: [`arn:aws:iam::${account}:role/onprem-batch`],
        durationSeconds: 3600,
        requireInstanceProperties: false,
        createdBy: `arn:aws:sts::${account}:assumed-role/admin/alice`,
        createdAt: days(now, 120).toISOString(),
        updatedAt: days(now, 5).toISOString(),
      });
      d.anchors.push({
        trustAnchorArn: arn("rolesanywhere", `trust-anchor/${id("anchor-retired")}`),
        trustAnchorId: id("anchor-retired"),
        name: "retired-pki",
        enabled: false,
        source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn: caArn } },
        createdAt: days(now, 700).toISOString(),
        updatedAt: days(now, 300).toISOString(),
      });
    }
  },
  call(route, x) {
    const { d, r } = x;
    const q = r.url.searchParams;
    switch (route) {
      case "GET /trustanchors": {
        const pg = page(d.anchors, q.get("nextToken"), Number(q.get("pageSize")));
        return { trustAnchors: pg.items, nextToken: pg.next };
      }
      case "GET /profiles": {
        const pg = page(d.profiles, q.get("nextToken"), Number(q.get("pageSize")));
        return { profiles: pg.items, nextToken: pg.next };
      }
      case "GET /crls": {
        const pg = page(d.crls, q.get("nextToken"), Number(q.get("pageSize")));
        return { crls: pg.items, nextToken: pg.next };
      }
      case "GET /ListTagsForResource":
        return { tags: [{ key: "team", value: "pki" }] };
      default:
        throw unsupported(x.r, route);
    }
  },
};
