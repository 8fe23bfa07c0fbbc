/** IAM Roles Anywhere (regional): trust anchors, profiles and CRLs, with their tags. */
import {
  ListCrlsCommand,
  ListProfilesCommand,
  ListTagsForResourceCommand,
  ListTrustAnchorsCommand,
  RolesAnywhereClient,
  type CrlDetail,
  type ProfileDetail,
  type RolesAnywhereClientConfig,
  type TrustAnchorDetail,
} from "@aws-sdk/client-rolesanywhere";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, parsePolicyDocument, tryCall } from "./util.js";

export const TRUST_ANCHOR = "AWS::RolesAnywhere::TrustAnchor";
export const PROFILE = "AWS::RolesAnywhere::Profile";
export const CRL = "AWS::RolesAnywhere::CRL";

/** Follows nextToken to the end. */
async function all<T>(
  ctx: CollectContext,
  action: string,
  page: (nextToken: string | undefined) => Promise<{ items: T[] | undefined; nextToken?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await call(ctx, action, () => page(token));
    out.push(...(p.items ?? []));
    token = p.nextToken;
  } while (token);
  return out;
}

function sourceProperty(a: TrustAnchorDetail): Record<string, unknown> | undefined {
  const s = a.source;
  if (!s) return undefined;
  const d = s.sourceData;
  let SourceData: Record<string, unknown> | undefined;
  if (d?.acmPcaArn !== undefined) SourceData = { AcmPcaArn: d.acmPcaArn };
  else if (d?.x509CertificateData !== undefined) SourceData = { X509CertificateData: d.x509CertificateData };
  else if (d?.$unknown) SourceData = { [d.$unknown[0]]: d.$unknown[1] };
  return compact({ SourceType: s.sourceType, SourceData });
}

export const rolesanywhere: ServiceCollector = {
  service: "rolesanywhere",
  resourceTypes: [TRUST_ANCHOR, PROFILE, CRL],
  actions: ["rolesanywhere:ListTrustAnchors", "rolesanywhere:ListProfiles", "rolesanywhere:ListCrls", "rolesanywhere:ListTagsForResource"],
  async collect(ctx) {
    // This client predates @smithy/types; its credential types are structurally the same.
    const client = new RolesAnywhereClient(ctx.clientConfig as unknown as RolesAnywhereClientConfig);
    try {
      const anchors = await all<TrustAnchorDetail>(ctx, "rolesanywhere:ListTrustAnchors", async (nextToken) => {
        const r = await client.send(new ListTrustAnchorsCommand({ nextToken, pageSize: 50 }));
        return { items: r.trustAnchors, nextToken: r.nextToken };
      });
      const profiles = await all<ProfileDetail>(ctx, "rolesanywhere:ListProfiles", async (nextToken) => {
        const r = await client.send(new ListProfilesCommand({ nextToken, pageSize: 50 }));
        return { items: r.profiles, nextToken: r.nextToken };
      });
      const crls = await all<CrlDetail>(ctx, "rolesanywhere:ListCrls", async (nextToken) => {
        const r = await client.send(new ListCrlsCommand({ nextToken, pageSize: 50 }));
        return { items: r.crls, nextToken: r.nextToken };
      });

      // Tags: a failed lookup leaves the resource in the snapshot with its tags unknown.
      const tagsOf = async (arn: string) => {
        const r = await tryCall(ctx, "rolesanywhere:ListTagsForResource", [], () => client.send(new ListTagsForResourceCommand({ resourceArn: arn })));
        if (!r) return undefined;
        return convertTags(r.tags);
      };
      const resource = async (
        type: string,
        arn: string | undefined,
        name: string | undefined,
        properties: Record<string, unknown>,
        observed: Record<string, unknown>,
      ): Promise<Resource | undefined> => {
        if (!arn) return undefined;
        const t = await tagsOf(arn);
        const tagsUnknown = unknown("rolesanywhere:ListTagsForResource failed, so the tags were not read");
        return compact({
          type,
          id: arn,
          arn,
          name,
          account: ctx.account,
          region: ctx.region,
          tags: t ? t.tags : {},
          properties: { ...properties, Tags: t ? t.Tags : tagsUnknown },
          observed: t ? observed : { ...observed, tagsUnknown },
          source: { kind: "aws" as const, account: ctx.account, region: ctx.region },
        });
      };

      const work: (() => Promise<Resource | undefined>)[] = [
        ...anchors.map(
          (a) => () =>
            resource(
              TRUST_ANCHOR,
              a.trustAnchorArn,
              a.name,
              compact({ Name: a.name, Enabled: a.enabled, Source: sourceProperty(a) }),
              compact({ TrustAnchorId: a.trustAnchorId, CreatedAt: iso(a.createdAt), UpdatedAt: iso(a.updatedAt) }),
            ),
        ),
        ...profiles.map(
          (p) => () =>
            resource(
              PROFILE,
              p.profileArn,
              p.name,
              compact({
                Name: p.name,
                Enabled: p.enabled,
                RoleArns: p.roleArns ?? [],
                ManagedPolicyArns: p.managedPolicyArns,
                SessionPolicy:
                  p.sessionPolicy === undefined ? undefined : parsePolicyDocument(p.sessionPolicy, `session policy of profile ${p.name ?? p.profileArn}`),
                DurationSeconds: p.durationSeconds,
                RequireInstanceProperties: p.requireInstanceProperties,
              }),
              compact({ ProfileId: p.profileId, CreatedBy: p.createdBy, CreatedAt: iso(p.createdAt), UpdatedAt: iso(p.updatedAt) }),
            ),
        ),
        ...crls.map(
          (c) => () =>
            resource(
              CRL,
              c.crlArn,
              c.name,
              compact({ Name: c.name, Enabled: c.enabled, TrustAnchorArn: c.trustAnchorArn }),
              compact({ CrlId: c.crlId, CrlSizeBytes: c.crlData?.byteLength, CreatedAt: iso(c.createdAt), UpdatedAt: iso(c.updatedAt) }),
            ),
        ),
      ];
      const out = await mapPool(work, 4, (w) => w());
      return out.filter((r): r is Resource => r !== undefined);
    } finally {
      client.destroy();
    }
  },
};
