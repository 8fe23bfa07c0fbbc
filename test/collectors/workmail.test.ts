import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DescribeIdentityProviderConfigurationCommand,
  DescribeOrganizationCommand,
  ListOrganizationsCommand,
  ListUsersCommand,
  WorkMailClient,
} from "@aws-sdk/client-workmail";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collect } from "../../collectors/aws/runner.js";
import { WORKMAIL_ORGANIZATION, workmail } from "../../collectors/aws/workmail.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const ORG = "m-0123456789abcdef0123456789abcdef";
const ORG2 = "m-fedcba9876543210fedcba9876543210";
const GONE = "m-00000000000000000000000000000000";
const orgArn = (id: string): string => `arn:aws:workmail:${REGION}:${ACCOUNT}:organization/${id}`;
const IC = {
  InstanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
  ApplicationArn: `arn:aws:sso::${ACCOUNT}:application/ssoins-1234567890abcdef/apl-1234567890abcdef`,
};

let wm: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function mockAccount(): void {
  wm.on(ListOrganizationsCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken
      ? { OrganizationSummaries: [{ OrganizationId: GONE, Alias: "old-corp", State: "Deleted" }] }
      : {
          OrganizationSummaries: [
            { OrganizationId: ORG, Alias: "example-corp", DefaultMailDomain: "example.com", State: "Active" },
            { OrganizationId: ORG2, Alias: "lab-corp", State: "Active" },
          ],
          NextToken: "o2",
        },
  );
  wm.on(DescribeOrganizationCommand).callsFake(({ OrganizationId }: { OrganizationId: string }) => ({
    OrganizationId,
    Alias: OrganizationId === ORG ? "example-corp" : "lab-corp",
    State: "Active",
    DirectoryId: "d-1234567890",
    DirectoryType: "WorkMailDirectory",
    DefaultMailDomain: OrganizationId === ORG ? "example.com" : "lab.example.com",
    ARN: orgArn(OrganizationId),
    InteroperabilityEnabled: false,
  }));
  wm.on(DescribeIdentityProviderConfigurationCommand).callsFake(
    ({ OrganizationId }: { OrganizationId: string }) =>
      OrganizationId === ORG
        ? {
            AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY",
            IdentityCenterConfiguration: IC,
            PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 365 },
          }
        : {}, // lab-corp: never configured
  );
  wm.on(ListUsersCommand).callsFake(({ OrganizationId, NextToken }: { OrganizationId: string; NextToken?: string }) => {
    if (OrganizationId !== ORG) return { Users: [] };
    return NextToken
      ? { Users: [{ Id: "u-3", Name: "carol", Email: "carol@example.com", State: "ENABLED", UserRole: "USER" }] }
      : {
          Users: [
            {
              Id: "u-1",
              Name: "alice",
              Email: "alice@example.com",
              State: "ENABLED",
              UserRole: "USER",
              IdentityProviderUserId: "94482488-3041-7026-18f3-be45837cd0e4",
              IdentityProviderIdentityStoreId: "d-9067c0b4d2",
            },
            { Id: "u-2", Name: "postmaster", State: "ENABLED", UserRole: "SYSTEM_USER" },
            { Id: "u-4", Name: "meeting-room", State: "ENABLED", UserRole: "RESOURCE" },
          ],
          NextToken: "u2",
        };
  });
}

describe("workmail collector", () => {
  beforeAll(() => {
    wm = mockClient(WorkMailClient);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    wm.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    wm.restore();
    sts.restore();
  });

  it("emits each organization with its identity-provider configuration and the enabled users without Identity Center", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await workmail.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(wm.commandCalls(ListOrganizationsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "o2"]);
    const lu = wm.commandCalls(ListUsersCommand).filter((c) => c.args[0].input.OrganizationId === ORG);
    expect(lu.map((c) => c.args[0].input)).toEqual([
      { OrganizationId: ORG, NextToken: undefined, MaxResults: 100, Filters: { State: "ENABLED" } },
      { OrganizationId: ORG, NextToken: "u2", MaxResults: 100, Filters: { State: "ENABLED" } },
    ]);

    expect(rs[0]).toEqual({
      type: WORKMAIL_ORGANIZATION,
      id: orgArn(ORG),
      arn: orgArn(ORG),
      name: "example-corp",
      account: ACCOUNT,
      region: REGION,
      tags: {},
      properties: {
        OrganizationId: ORG,
        Alias: "example-corp",
        State: "Active",
        DefaultMailDomain: "example.com",
        DirectoryType: "WorkMailDirectory",
        IdentityProviderConfiguration: {
          AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY",
          IdentityCenterConfiguration: IC,
          PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 365 },
        },
      },
      observed: { usersWithoutIdentityCenter: ["carol"], DirectoryId: "d-1234567890", InteroperabilityEnabled: false },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    // Never configured → null (the rules read the default mode); no unlinked users → [].
    expect(rs[1]).toMatchObject({ id: orgArn(ORG2), properties: { IdentityProviderConfiguration: null }, observed: { usersWithoutIdentityCenter: [] } });
    // A deleted organization is listed but nothing more is read for it.
    expect(rs[2]).toMatchObject({
      id: orgArn(GONE),
      properties: { State: "Deleted", IdentityProviderConfiguration: { $unknown: expect.stringContaining("Deleted") } },
    });
    expect(rs[2].observed?.usersWithoutIdentityCenter).toBeUndefined();
    expect(
      wm
        .commandCalls(DescribeIdentityProviderConfigurationCommand)
        .map((c) => c.args[0].input.OrganizationId)
        .sort(),
    ).toEqual([ORG, ORG2].sort());
  });

  it("keeps a missing LifetimeInDays missing, and ResourceNotFoundException reads as never configured", async () => {
    wm.on(DescribeIdentityProviderConfigurationCommand, { OrganizationId: ORG }).resolves({
      AuthenticationMode: "IDENTITY_PROVIDER_ONLY",
      IdentityCenterConfiguration: IC,
      PersonalAccessTokenConfiguration: { Status: "ACTIVE" },
    });
    wm.on(DescribeIdentityProviderConfigurationCommand, { OrganizationId: ORG2 }).rejects(
      serviceError("ResourceNotFoundException", 400, "Identity provider configuration not found"),
    );
    const ctx = testContext({ region: REGION });
    const rs = await workmail.collect(ctx);
    expect(rs[0].properties.IdentityProviderConfiguration).toEqual({
      AuthenticationMode: "IDENTITY_PROVIDER_ONLY",
      IdentityCenterConfiguration: IC,
      PersonalAccessTokenConfiguration: { Status: "ACTIVE" },
    });
    expect(rs[1].properties.IdentityProviderConfiguration).toBeNull();
    expect(ctx.gaps).toEqual([]);
  });

  it("calls exactly the actions it declares", async () => {
    await workmail.collect(testContext({ region: REGION }));
    const called = [...new Set(wm.calls().map((c) => `workmail:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...workmail.actions].sort());
  });

  it("a denied configuration read is an unknown marker (never null) with a denied gap; a denied ListUsers omits the user list", async () => {
    wm.on(DescribeIdentityProviderConfigurationCommand).rejects(accessDenied("workmail:DescribeIdentityProviderConfiguration"));
    wm.on(ListUsersCommand).rejects(accessDenied("workmail:ListUsers"));
    const ctx = testContext({ region: REGION });
    const rs = await workmail.collect(ctx);
    expect(rs[0].properties.IdentityProviderConfiguration).toEqual({
      $unknown: expect.stringMatching(/^workmail:DescribeIdentityProviderConfiguration was denied/),
    });
    expect(rs[0].observed?.usersWithoutIdentityCenter).toBeUndefined();
    expect(ctx.gaps).toContainEqual({
      action: "workmail:DescribeIdentityProviderConfiguration",
      status: "denied",
      detail: expect.any(String),
      resourceTypes: [WORKMAIL_ORGANIZATION],
    });
    expect(ctx.gaps).toContainEqual({ action: "workmail:ListUsers", status: "denied", detail: expect.any(String), resourceTypes: [] });
  });

  it("through the runner: denied ListOrganizations is denied coverage; throttling is error", async () => {
    const opts = {
      collectors: [workmail],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    wm.on(ListOrganizationsCommand).rejects(accessDenied("workmail:ListOrganizations"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "workmail",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "workmail:ListOrganizations",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: [WORKMAIL_ORGANIZATION],
      },
    ]);
    wm.on(ListOrganizationsCommand).rejects(serviceError("ThrottlingException", 400, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      expect.objectContaining({
        status: "error",
        action: "workmail:ListOrganizations",
        detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded",
      }),
    ]);
  });
});
