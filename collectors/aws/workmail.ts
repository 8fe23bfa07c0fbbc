/**
 * Amazon WorkMail (regional): organizations with their identity-provider configuration
 * and the enabled users not yet linked to an IAM Identity Center user
 * (docs/model/workmail-mfa.md).
 *
 * The link is `User.IdentityProviderUserId`, which ListUsers returns: WorkMail fills it
 * when the user is mapped to Identity Center, or at the user's first Identity Center
 * sign-in to the mailbox. An empty id therefore means "not linked yet", which is what
 * the rule reports. When ListUsers cannot be read, `observed.usersWithoutIdentityCenter`
 * is left out (the rules treat the list as informational), never guessed as `[]`.
 */
import {
  DescribeIdentityProviderConfigurationCommand,
  DescribeOrganizationCommand,
  ListOrganizationsCommand,
  ListUsersCommand,
  WorkMailClient,
  type DescribeIdentityProviderConfigurationCommandOutput,
  type OrganizationSummary,
  type User,
} from "@aws-sdk/client-workmail";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, classifyError, compact, tryCall } from "./util.js";

export const WORKMAIL_ORGANIZATION = "AWS::WorkMail::Organization";

/** States the rules do not judge; nothing more is read for them. */
const INACTIVE = new Set(["DELETED", "DELETING", "FAILED"]);

/** `DescribeIdentityProviderConfiguration` → the model's `IdentityProviderConfiguration` (null: never configured). */
export function identityProviderConfiguration(r: DescribeIdentityProviderConfigurationCommandOutput): Record<string, unknown> | null {
  if (!r.AuthenticationMode) return null;
  const ic = r.IdentityCenterConfiguration;
  const pat = r.PersonalAccessTokenConfiguration;
  return compact({
    AuthenticationMode: r.AuthenticationMode,
    IdentityCenterConfiguration: ic ? compact({ InstanceArn: ic.InstanceArn, ApplicationArn: ic.ApplicationArn }) : undefined,
    // A missing LifetimeInDays stays missing: the rule reports it as unknown.
    PersonalAccessTokenConfiguration: pat ? compact({ Status: pat.Status, LifetimeInDays: pat.LifetimeInDays }) : undefined,
  });
}

async function readConfiguration(ctx: CollectContext, client: WorkMailClient, orgId: string): Promise<unknown> {
  try {
    const r = await call(ctx, "workmail:DescribeIdentityProviderConfiguration", () =>
      client.send(new DescribeIdentityProviderConfigurationCommand({ OrganizationId: orgId })),
    );
    return identityProviderConfiguration(r);
  } catch (err) {
    if ((err as { name?: string }).name === "ResourceNotFoundException") return null; // never configured
    const f = classifyError(err);
    ctx.gap({ action: "workmail:DescribeIdentityProviderConfiguration", status: f.status, detail: f.detail, resourceTypes: [WORKMAIL_ORGANIZATION] });
    return unknown(`workmail:DescribeIdentityProviderConfiguration ${f.status === "denied" ? "was denied" : "failed"}: ${f.detail}`);
  }
}

/** Names of the enabled users (role USER) without an Identity Center user id; undefined when ListUsers failed (a gap is recorded). */
async function unlinkedUsers(ctx: CollectContext, client: WorkMailClient, orgId: string): Promise<string[] | undefined> {
  const users: User[] = [];
  let token: string | undefined;
  do {
    const page = await tryCall(ctx, "workmail:ListUsers", [], () =>
      client.send(new ListUsersCommand({ OrganizationId: orgId, NextToken: token, MaxResults: 100, Filters: { State: "ENABLED" } })),
    );
    if (!page) return undefined;
    users.push(...(page.Users ?? []));
    token = page.NextToken;
  } while (token);
  return users
    .filter((u) => u.State === "ENABLED" && (u.UserRole ?? "USER") === "USER" && !u.IdentityProviderUserId)
    .map((u) => u.Name ?? u.Email ?? u.Id ?? "")
    .filter((n) => n !== "")
    .sort();
}

async function organization(ctx: CollectContext, client: WorkMailClient, s: OrganizationSummary): Promise<Resource | undefined> {
  const orgId = s.OrganizationId;
  if (!orgId) return undefined;
  const arnOf = `arn:${ctx.partition}:workmail:${ctx.region}:${ctx.account}:organization/${orgId}`;
  const state = s.State ?? "";
  let described;
  let configuration: unknown;
  let unlinked: string[] | undefined;
  if (INACTIVE.has(state.toUpperCase())) {
    configuration = unknown(`the organization is ${state}, so its configuration was not read`);
  } else {
    described = await tryCall(ctx, "workmail:DescribeOrganization", [], () => client.send(new DescribeOrganizationCommand({ OrganizationId: orgId })));
    configuration = await readConfiguration(ctx, client, orgId);
    unlinked = await unlinkedUsers(ctx, client, orgId);
  }
  const arn = described?.ARN ?? arnOf;
  const alias = described?.Alias ?? s.Alias;
  return compact({
    type: WORKMAIL_ORGANIZATION,
    id: arn,
    arn,
    name: alias,
    account: ctx.account,
    region: ctx.region,
    tags: {},
    properties: compact({
      OrganizationId: orgId,
      Alias: alias,
      State: described?.State ?? s.State,
      DefaultMailDomain: described?.DefaultMailDomain ?? s.DefaultMailDomain,
      DirectoryType: described?.DirectoryType,
      IdentityProviderConfiguration: configuration,
    }),
    observed: compact({
      usersWithoutIdentityCenter: unlinked,
      DirectoryId: described?.DirectoryId,
      InteroperabilityEnabled: described?.InteroperabilityEnabled,
      ErrorMessage: described?.ErrorMessage ?? s.ErrorMessage,
    }),
    source: { kind: "aws" as const, account: ctx.account, region: ctx.region },
  });
}

export const workmail: ServiceCollector = {
  service: "workmail",
  resourceTypes: [WORKMAIL_ORGANIZATION],
  actions: ["workmail:ListOrganizations", "workmail:DescribeOrganization", "workmail:DescribeIdentityProviderConfiguration", "workmail:ListUsers"],
  async collect(ctx) {
    const client = new WorkMailClient(ctx.clientConfig);
    try {
      const orgs: OrganizationSummary[] = [];
      let token: string | undefined;
      do {
        const page = await call(ctx, "workmail:ListOrganizations", () => client.send(new ListOrganizationsCommand({ NextToken: token, MaxResults: 100 })));
        orgs.push(...(page.OrganizationSummaries ?? []));
        token = page.NextToken;
      } while (token);
      const out = await mapPool(orgs, 2, (s) => organization(ctx, client, s));
      return out.filter((r): r is Resource => r !== undefined);
    } finally {
      client.destroy();
    }
  },
};
