/** AWS Private CA (regional): certificate authorities owned by the account, with their tags. */
import {
  ACMPCAClient,
  ListCertificateAuthoritiesCommand,
  ListTagsCommand,
  type ACMPCAClientConfig,
  type CertificateAuthority,
  type Tag,
} from "@aws-sdk/client-acm-pca";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, convertTags, iso, tryCall } from "./util.js";

export const CERTIFICATE_AUTHORITY = "AWS::ACMPCA::CertificateAuthority";

async function listTags(ctx: CollectContext, client: ACMPCAClient, arn: string): Promise<Tag[] | undefined> {
  const out: Tag[] = [];
  let token: string | undefined;
  do {
    const page = await tryCall(ctx, "acm-pca:ListTags", [], () => client.send(new ListTagsCommand({ CertificateAuthorityArn: arn, NextToken: token })));
    if (!page) return undefined;
    out.push(...(page.Tags ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

function properties(ca: CertificateAuthority): Record<string, unknown> {
  const cfg = ca.CertificateAuthorityConfiguration;
  const rev = ca.RevocationConfiguration;
  return compact({
    Type: ca.Type,
    KeyAlgorithm: cfg?.KeyAlgorithm,
    SigningAlgorithm: cfg?.SigningAlgorithm,
    Subject: cfg?.Subject ? compact({ ...cfg.Subject }) : undefined,
    CsrExtensions: cfg?.CsrExtensions,
    KeyStorageSecurityStandard: ca.KeyStorageSecurityStandard,
    UsageMode: ca.UsageMode,
    RevocationConfiguration: rev
      ? compact({
          CrlConfiguration: rev.CrlConfiguration ? compact({ ...rev.CrlConfiguration }) : undefined,
          OcspConfiguration: rev.OcspConfiguration ? compact({ ...rev.OcspConfiguration }) : undefined,
        })
      : undefined,
  });
}

export const acmpca: ServiceCollector = {
  service: "acm-pca",
  resourceTypes: [CERTIFICATE_AUTHORITY],
  actions: ["acm-pca:ListCertificateAuthorities", "acm-pca:ListTags"],
  async collect(ctx) {
    const client = new ACMPCAClient(ctx.clientConfig as ACMPCAClientConfig);
    try {
      const cas: CertificateAuthority[] = [];
      let token: string | undefined;
      do {
        const page = await call(ctx, "acm-pca:ListCertificateAuthorities", () =>
          client.send(new ListCertificateAuthoritiesCommand({ NextToken: token, MaxResults: 100 })),
        );
        cas.push(...(page.CertificateAuthorities ?? []));
        token = page.NextToken;
      } while (token);

      const out = await mapPool(cas, 4, async (ca): Promise<Resource | undefined> => {
        const arn = ca.Arn;
        if (!arn) return undefined;
        // A deleted CA (restorable for a while) has no tags to read.
        const tagList = ca.Status === "DELETED" ? [] : await listTags(ctx, client, arn);
        const t = tagList ? convertTags(tagList) : undefined;
        const tagsUnknown = unknown("acm-pca:ListTags failed, so the tags were not read");
        return compact({
          type: CERTIFICATE_AUTHORITY,
          id: arn,
          arn,
          name: ca.CertificateAuthorityConfiguration?.Subject?.CommonName,
          account: ctx.account,
          region: ctx.region,
          tags: t ? t.tags : {},
          properties: { ...properties(ca), Tags: t ? t.Tags : tagsUnknown },
          observed: compact({
            Status: ca.Status,
            FailureReason: ca.FailureReason,
            OwnerAccount: ca.OwnerAccount,
            Serial: ca.Serial,
            CreatedAt: iso(ca.CreatedAt),
            NotBefore: iso(ca.NotBefore),
            NotAfter: iso(ca.NotAfter),
            daysUntilExpiry: ca.NotAfter ? Math.floor((ca.NotAfter.getTime() - ctx.collectedAt.getTime()) / 86_400_000) : undefined,
            tagsUnknown: t ? undefined : tagsUnknown,
          }),
          source: { kind: "aws" as const, account: ctx.account, region: ctx.region },
        });
      });
      return out.filter((r): r is Resource => r !== undefined);
    } finally {
      client.destroy();
    }
  },
};
