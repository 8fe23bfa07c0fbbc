/**
 * Amazon OpenSearch Service (regional): domains with their fine-grained access control
 * and engine version, in the CloudFormation shape of AWS::OpenSearchService::Domain
 * (read by opensearch-domain-fine-grained-access). Master user credentials are never read.
 */
import { DescribeDomainsCommand, ListDomainNamesCommand, ListTagsCommand, OpenSearchClient, type DomainStatus } from "@aws-sdk/client-opensearch";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import type { ServiceCollector } from "./types.js";
import { call, compact, convertTags, tryCall } from "./util.js";

export const OPENSEARCH_DOMAIN = "AWS::OpenSearchService::Domain";

/** DescribeDomains takes at most 5 names per call. */
const DESCRIBE_BATCH = 5;

/** A domain's status as an AWS::OpenSearchService::Domain resource. */
export function domainResource(
  d: DomainStatus & { ARN: string },
  account: string,
  region: string,
  tagList: { Key?: string; Value?: string }[] | undefined,
): Resource {
  const t = tagList ? convertTags(tagList.filter((x): x is { Key: string; Value?: string } => x.Key !== undefined)) : undefined;
  const notRead = unknown("es:ListTags failed, so the tags were not read");
  const aso = d.AdvancedSecurityOptions;
  return {
    type: OPENSEARCH_DOMAIN,
    id: d.ARN,
    arn: d.ARN,
    name: d.DomainName,
    account,
    region,
    tags: t ? t.tags : {},
    properties: compact({
      DomainName: d.DomainName,
      EngineVersion: d.EngineVersion,
      // Absent from the answer means off (the service's default).
      AdvancedSecurityOptions: compact({
        Enabled: aso?.Enabled ?? false,
        InternalUserDatabaseEnabled: aso?.InternalUserDatabaseEnabled,
        AnonymousAuthEnabled: aso?.AnonymousAuthEnabled,
      }),
      EncryptionAtRestOptions: d.EncryptionAtRestOptions
        ? compact({ Enabled: d.EncryptionAtRestOptions.Enabled, KmsKeyId: d.EncryptionAtRestOptions.KmsKeyId })
        : undefined,
      NodeToNodeEncryptionOptions: d.NodeToNodeEncryptionOptions ? compact({ Enabled: d.NodeToNodeEncryptionOptions.Enabled }) : undefined,
      DomainEndpointOptions: d.DomainEndpointOptions
        ? compact({ EnforceHTTPS: d.DomainEndpointOptions.EnforceHTTPS, TLSSecurityPolicy: d.DomainEndpointOptions.TLSSecurityPolicy })
        : undefined,
      Tags: t ? t.Tags : notRead,
    }),
    observed: compact({
      Processing: d.Processing,
      Deleted: d.Deleted,
      AnonymousAuthDisableDate: aso?.AnonymousAuthDisableDate?.toISOString(),
      tagsUnknown: t ? undefined : notRead,
    }),
    source: { kind: "aws", account, region },
  };
}

export const opensearch: ServiceCollector = {
  service: "es",
  resourceTypes: [OPENSEARCH_DOMAIN],
  actions: ["es:ListDomainNames", "es:DescribeDomains", "es:ListTags"],
  async collect(ctx) {
    const client = new OpenSearchClient(ctx.clientConfig);
    try {
      const listed = await call(ctx, "es:ListDomainNames", () => client.send(new ListDomainNamesCommand({ EngineType: "OpenSearch" })));
      const names = (listed.DomainNames ?? []).map((x) => x.DomainName).filter((n): n is string => typeof n === "string");
      const out: Resource[] = [];
      for (let i = 0; i < names.length; i += DESCRIBE_BATCH) {
        const got = await call(ctx, "es:DescribeDomains", () => client.send(new DescribeDomainsCommand({ DomainNames: names.slice(i, i + DESCRIBE_BATCH) })));
        for (const d of got.DomainStatusList ?? []) {
          const arn = d.ARN;
          if (d.Deleted || !arn) continue;
          const tags = await tryCall(ctx, "es:ListTags", [OPENSEARCH_DOMAIN], () => client.send(new ListTagsCommand({ ARN: arn })));
          out.push(domainResource({ ...d, ARN: arn }, ctx.account, ctx.region, tags?.TagList));
        }
      }
      return out;
    } finally {
      client.destroy();
    }
  },
};
