/** Loopback Amazon OpenSearch Service (REST-JSON, signing name es): a well-configured domain per copy, and one without fine-grained access control in copy 0. */

import type { StubService } from "../service.js";
import { StubError, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    domains: Record<string, unknown>[];
  }
}

export const opensearch: StubService = {
  name: "es",
  types: ["AWS::OpenSearchService::Domain"],
  pathLiterals: ["domain", "opensearch", "tags"],
  emptyRegion: () => ({ domains: [] }),
  seed(d, c) {
    const domain = (name: string, fgac: boolean): Record<string, unknown> => ({
      DomainId: `${c.account}/${name}`,
      DomainName: name,
      ARN: c.arn("es", `domain/${name}`),
      Created: true,
      Deleted: false,
      Processing: false,
      EngineVersion: fgac ? "OpenSearch_2.11" : "OpenSearch_1.3",
      AdvancedSecurityOptions: fgac ? { Enabled: true, InternalUserDatabaseEnabled: true, AnonymousAuthEnabled: false } : { Enabled: false },
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: c.arn("kms", `key/${c.id("os-key")}`) },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" },
      ClusterConfig: { InstanceType: "r6g.large.search", InstanceCount: 2 },
      TagList: [{ Key: "team", Value: "search" }],
    });
    // Fine-grained access control on a current engine: passes opensearch-domain-fine-grained-access.
    d.domains.push(domain(`orders-search${c.sfx}`, true));
    // No fine-grained access control on an old engine: fails it.
    if (c.k === 0) d.domains.push(domain("legacy-search", false));
  },
  call(route, x) {
    const { b, d } = x;
    const q = x.r.url.searchParams;
    switch (route) {
      case "GET /2021-01-01/domain": {
        const engine = q.get("engineType");
        return {
          DomainNames: d.domains.filter(() => engine === null || engine === "OpenSearch").map((y) => ({ DomainName: y.DomainName, EngineType: "OpenSearch" })),
        };
      }
      case "POST /2021-01-01/opensearch/domain-info": {
        const names = (b.DomainNames ?? []) as string[];
        if (names.length > 5)
          throw new StubError(
            400,
            "ValidationException",
            "1 validation error detected: Value at 'domainNames' failed to satisfy constraint: Member must have length less than or equal to 5",
          );
        return { DomainStatusList: d.domains.filter((y) => names.includes(String(y.DomainName))).map(({ TagList: _t, ...status }) => status) };
      }
      case "GET /2021-01-01/tags": {
        const y = d.domains.find((z) => z.ARN === q.get("arn"));
        if (!y) throw new StubError(409, "ResourceNotFoundException", `Domain not found: ${String(q.get("arn"))}`);
        return { TagList: y.TagList };
      }
      default:
        throw unsupported(x.r, route);
    }
  },
};
