/** Loopback WorkMail (JSON 1.1): an organization with one user not linked to Identity Center; PutIdentityProviderConfiguration. */

import type { StubService } from "../service.js";
import { days, epoch, page, StubError, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    orgs: { summary: Record<string, unknown>; described: Record<string, unknown>; idp: Record<string, unknown>; users: Record<string, unknown>[] }[];
  }
}

export const workmail: StubService = {
  name: "workmail",
  types: ["AWS::WorkMail::Organization"],
  emptyRegion: () => ({ orgs: [] }),
  seed(d, c) {
    const { account, now, k, id, arn } = c;
    // WorkMail with one user not linked to Identity Center.
    const orgId = `m-${id("workmail").replace(/-/g, "").slice(0, 32)}`;
    d.orgs.push({
      summary: { OrganizationId: orgId, Alias: `example${k}-${account.slice(-4)}`, DefaultMailDomain: `example${k}.awsapps.com`, State: "Active" },
      described: {
        OrganizationId: orgId,
        Alias: `example${k}-${account.slice(-4)}`,
        State: "Active",
        DirectoryId: `d-${account.slice(-10)}`,
        DirectoryType: "WorkMailDirectory",
        DefaultMailDomain: `example${k}.awsapps.com`,
        CompletedDate: epoch(days(now, 365)),
        ARN: arn("workmail", `organization/${orgId}`),
        InteroperabilityEnabled: false,
      },
      idp:
        k === 0
          ? {
              AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY",
              IdentityCenterConfiguration: { InstanceArn: "arn:aws:sso:::instance/ssoins-1", ApplicationArn: "arn:aws:sso::123:application/ssoins-1/apl-1" },
              PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 365 },
            }
          : {
              AuthenticationMode: "IDENTITY_PROVIDER_ONLY",
              IdentityCenterConfiguration: { InstanceArn: "arn:aws:sso:::instance/ssoins-1", ApplicationArn: "arn:aws:sso::123:application/ssoins-1/apl-1" },
              PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 30 },
            },
      users: [
        { Id: "u-1", Email: `alice@example${k}.com`, Name: "alice", State: "ENABLED", UserRole: "USER", IdentityProviderUserId: "idc-alice" },
        { Id: "u-2", Email: `bob@example${k}.com`, Name: "bob", State: "ENABLED", UserRole: "USER" },
      ],
    });
  },
  call(op, x) {
    const { b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListOrganizations": {
        const pg = page(d.orgs, tok(), b.MaxResults);
        return { OrganizationSummaries: pg.items.map((x) => x.summary), NextToken: pg.next };
      }
      case "DescribeOrganization":
      case "DescribeIdentityProviderConfiguration":
      case "ListUsers": {
        const x = d.orgs.find((y) => y.summary.OrganizationId === b.OrganizationId);
        if (!x) throw new StubError(400, "OrganizationNotFoundException", `organization ${String(b.OrganizationId)} not found`);
        if (op === "DescribeOrganization") return x.described;
        if (op === "DescribeIdentityProviderConfiguration") return x.idp;
        const pg = page(
          x.users.filter((u) => !b.Filters?.State || u.State === b.Filters.State),
          tok(),
          b.MaxResults,
        );
        return { Users: pg.items, NextToken: pg.next };
      }
      case "PutIdentityProviderConfiguration": {
        const x = d.orgs.find((y) => y.summary.OrganizationId === b.OrganizationId);
        if (!x) throw new StubError(400, "OrganizationNotFoundException", `organization ${String(b.OrganizationId)} not found`);
        const ic = b.IdentityCenterConfiguration as Record<string, unknown> | undefined;
        const pat = b.PersonalAccessTokenConfiguration as Record<string, unknown> | undefined;
        if (!["IDENTITY_PROVIDER_ONLY", "IDENTITY_PROVIDER_AND_DIRECTORY"].includes(String(b.AuthenticationMode)))
          throw new StubError(400, "InvalidParameterException", "AuthenticationMode is not valid");
        if (!ic?.InstanceArn || !ic.ApplicationArn)
          throw new StubError(400, "InvalidParameterException", "IdentityCenterConfiguration needs InstanceArn and ApplicationArn");
        if (!pat || !["ACTIVE", "INACTIVE"].includes(String(pat.Status)))
          throw new StubError(400, "InvalidParameterException", "PersonalAccessTokenConfiguration.Status is required");
        x.idp = JSON.parse(
          JSON.stringify({ AuthenticationMode: b.AuthenticationMode, IdentityCenterConfiguration: ic, PersonalAccessTokenConfiguration: pat }),
        ) as Record<string, unknown>;
        return {};
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
