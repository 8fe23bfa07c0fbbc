/**
 * workmail-organization-mfa-enforced: switch an organization that already has an IAM
 * Identity Center configuration to AuthenticationMode IDENTITY_PROVIDER_ONLY
 * (workmail:PutIdentityProviderConfiguration). The call takes every field, so the
 * current IdentityCenterConfiguration and PersonalAccessTokenConfiguration are sent
 * back unchanged (GUIDANCE.md §6). Rollback sends the previous configuration.
 *
 * Switching locks out enabled users without an Identity Center user (GUIDANCE.md §6,
 * lines 1880–1885, 1958–1967): the plan lists them and the change needs
 * --allow-user-impact while any remain (or when they cannot be listed), and also when
 * personal access tokens are off (desktop and mobile clients could no longer sign in).
 * An organization without an Identity Center configuration is left to a person: which
 * instance and application to use cannot be known.
 *
 * State: `{OrganizationId, AuthenticationMode, IdentityCenterConfiguration, PersonalAccessTokenConfiguration}`.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, PlanContext, PlanResult, Remediation, Risk, Target } from "../../types.js";
import { known, manual, snapshotResource } from "../common.js";

const MODE = "IDENTITY_PROVIDER_ONLY";

interface Config {
  OrganizationId: string;
  AuthenticationMode: string | null;
  IdentityCenterConfiguration: { InstanceArn?: string; ApplicationArn?: string } | null;
  PersonalAccessTokenConfiguration: { Status?: string; LifetimeInDays?: number } | null;
}

function orgId(f: Finding): string {
  const m = /:organization\/([^/]+)$/.exec(f.resource.arn ?? f.resource.id);
  if (!m) throw new Error(`cannot tell the organization id of ${f.resource.id}`);
  return m[1];
}

function state(id: string, c: Record<string, any> | null | undefined): Config {
  const ic = c?.IdentityCenterConfiguration;
  const pat = c?.PersonalAccessTokenConfiguration;
  return {
    OrganizationId: id,
    AuthenticationMode: c?.AuthenticationMode ?? null,
    IdentityCenterConfiguration: ic
      ? { ...(ic.InstanceArn ? { InstanceArn: ic.InstanceArn } : {}), ...(ic.ApplicationArn ? { ApplicationArn: ic.ApplicationArn } : {}) }
      : null,
    PersonalAccessTokenConfiguration: pat
      ? { ...(pat.Status ? { Status: pat.Status } : {}), ...(pat.LifetimeInDays !== undefined ? { LifetimeInDays: pat.LifetimeInDays } : {}) }
      : null,
  };
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  try {
    const r = await aws.send("workmail", t.region, "DescribeIdentityProviderConfiguration", { OrganizationId: t.key.OrganizationId });
    return state(t.key.OrganizationId, r) as unknown as Json;
  } catch (e) {
    if ((e as { name?: string }).name === "ResourceNotFoundException") return state(t.key.OrganizationId, null) as unknown as Json;
    throw e;
  }
}

/** Enabled users (role USER) without an Identity Center user id, as the collector lists them. */
async function unlinkedUsers(aws: AwsClients, region: string, id: string): Promise<string[]> {
  const users: Array<Record<string, any>> = [];
  let token: string | undefined;
  do {
    const r = await aws.send("workmail", region, "ListUsers", {
      OrganizationId: id,
      MaxResults: 100,
      Filters: { State: "ENABLED" },
      ...(token ? { NextToken: token } : {}),
    });
    users.push(...((r.Users as Array<Record<string, any>> | undefined) ?? []));
    token = r.NextToken as string | undefined;
  } while (token);
  return users
    .filter((u) => u.State === "ENABLED" && (u.UserRole ?? "USER") === "USER" && !u.IdentityProviderUserId)
    .map((u) => String(u.Name ?? u.Email ?? u.Id ?? ""))
    .filter((n) => n !== "")
    .sort();
}

function put(region: string, c: Config, mode: string): ApiCall {
  return {
    service: "workmail",
    region,
    action: "PutIdentityProviderConfiguration",
    input: {
      OrganizationId: c.OrganizationId,
      AuthenticationMode: mode,
      IdentityCenterConfiguration: c.IdentityCenterConfiguration as Json,
      PersonalAccessTokenConfiguration: c.PersonalAccessTokenConfiguration as Json,
    },
  };
}

export const remediation: Remediation = {
  ruleId: "workmail-organization-mfa-enforced",
  permissions: ["workmail:DescribeIdentityProviderConfiguration", "workmail:ListUsers", "workmail:PutIdentityProviderConfiguration"],
  paramsSchema: { type: "object", additionalProperties: false, properties: {} },
  verifyServices: ["workmail"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f = findings[0];
    const id = orgId(f);
    const region = f.resource.region ?? (f.resource.arn ?? f.resource.id).split(":")[3];
    const t: Target = { service: "workmail", region, ...(f.resource.account ? { account: f.resource.account } : {}), key: { OrganizationId: id } };
    let before: Config;
    let unlinked: string[] | undefined;
    if (ctx.snapshot) {
      const r = snapshotResource(ctx.snapshot, f);
      before = state(id, known(r.properties.IdentityProviderConfiguration, "the identity-provider configuration") as Record<string, any> | null);
      const u = r.observed?.usersWithoutIdentityCenter;
      unlinked = Array.isArray(u) ? u.filter((x): x is string => typeof x === "string") : undefined;
    } else if (ctx.aws) {
      before = (await read(t, ctx.aws)) as unknown as Config;
      unlinked = await unlinkedUsers(ctx.aws, region, id);
    } else throw new Error("no snapshot and no AWS access to read the organization");
    const name = f.resource.name ?? id;
    const ic = before.IdentityCenterConfiguration;
    if (!before.AuthenticationMode || !ic?.InstanceArn || !ic.ApplicationArn) {
      return {
        manual: findings.map((x) =>
          manual(
            x,
            "the organization has no complete IAM Identity Center configuration (instance and application)",
            "Integrate IAM Identity Center with the organization (WorkMail console → Identity Center), link every user, then run `rampart fix` again to switch to IDENTITY_PROVIDER_ONLY.",
          ),
        ),
      };
    }
    if (!before.PersonalAccessTokenConfiguration?.Status) {
      return {
        manual: findings.map((x) =>
          manual(
            x,
            "the personal access token configuration is not set, and the call needs it",
            "Decide whether desktop and mobile clients need tokens (PersonalAccessTokenConfiguration), then switch the mode by hand.",
          ),
        ),
      };
    }
    if (before.AuthenticationMode === MODE) return { manual: [] };
    const after: Config = { ...before, AuthenticationMode: MODE };
    const reasons: string[] = [];
    if (unlinked === undefined)
      reasons.push("the enabled users without an Identity Center user could not be listed (workmail:ListUsers), so some may be locked out");
    else if (unlinked.length > 0)
      reasons.push(`${unlinked.length} enabled user(s) have no Identity Center user and will be locked out: ${unlinked.join(", ")}`);
    if (before.PersonalAccessTokenConfiguration.Status !== "ACTIVE")
      reasons.push("personal access tokens are not ACTIVE, so desktop and mobile clients (which cannot use Identity Center) can no longer sign in");
    const risk: Risk | undefined = reasons.length
      ? { flag: "allow-user-impact", reason: `Switching ${name} to IDENTITY_PROVIDER_ONLY: ${reasons.join("; ")}.` }
      : undefined;
    return {
      manual: [],
      change: {
        target: t,
        before: before as unknown as Json,
        after: after as unknown as Json,
        calls: [put(region, after, MODE)],
        rollbackCalls: [put(region, before, before.AuthenticationMode)],
        findingIds: findings.map((x) => x.id),
        summary: `require IAM Identity Center sign-in (AuthenticationMode ${MODE}) for WorkMail organization ${name}`,
        ...(risk ? { risk } : {}),
        notes: [
          unlinked && unlinked.length > 0 ? `Users without an Identity Center user: ${unlinked.join(", ")}. Link them first (test, notify, then switch).` : "",
          "Tell users before the switch: web sign-in moves to IAM Identity Center (with its MFA); desktop and mobile clients need personal access tokens.",
        ].filter(Boolean),
      },
    };
  },

  read,
};
