import {
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolesCommand,
  type GetAccountAuthorizationDetailsCommandInput,
  type GetAccountAuthorizationDetailsCommandOutput,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { iam } from "../../collectors/aws/iam.js";
import type { Resource } from "../../model/types.js";
import { ACCOUNT, ARTICLE_INLINE_POLICY, ARTICLE_TRUST_POLICY, accessDenied, iamEncode, testContext } from "./fixtures.js";

const iamMock = mockClient(IAMClient);
const meta = { $metadata: {} };

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iamra-issuer`;
const LOCAL_POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/pca-issuer`;
const BOUNDARY_ARN = "arn:aws:iam::aws:policy/PowerUserAccess";
const AWS_READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** Page 1: the role; page 2: a user, a group and the local managed policy (IAM splits wherever it likes). */
const PAGES: Record<string, Omit<GetAccountAuthorizationDetailsCommandOutput, "$metadata">> = {
  first: {
    IsTruncated: true,
    Marker: "AAEAAZzKjq0mPage2Marker==",
    RoleDetailList: [
      {
        Path: "/",
        RoleName: "iamra-issuer",
        RoleId: "AROAEXAMPLEROLEID0001",
        Arn: ROLE_ARN,
        CreateDate: new Date("2024-01-15T08:30:00Z"),
        AssumeRolePolicyDocument: iamEncode(ARTICLE_TRUST_POLICY),
        InstanceProfileList: [],
        RolePolicyList: [{ PolicyName: "pca-issue", PolicyDocument: iamEncode(ARTICLE_INLINE_POLICY) }],
        AttachedManagedPolicies: [
          { PolicyName: "pca-issuer", PolicyArn: LOCAL_POLICY_ARN },
          { PolicyName: "ReadOnlyAccess", PolicyArn: AWS_READONLY },
        ],
        PermissionsBoundary: { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: BOUNDARY_ARN },
        Tags: [{ Key: "team", Value: "pki" }],
        RoleLastUsed: { LastUsedDate: new Date("2025-06-20T10:00:00Z"), Region: "eu-west-1" },
      },
    ],
  },
  second: {
    IsTruncated: false,
    UserDetailList: [
      {
        Path: "/ci/",
        UserName: "deploy-bot",
        UserId: "AIDAEXAMPLEUSERID0001",
        Arn: `arn:aws:iam::${ACCOUNT}:user/ci/deploy-bot`,
        CreateDate: new Date("2022-03-01T00:00:00Z"),
        UserPolicyList: [
          {
            PolicyName: "s3-artifacts",
            PolicyDocument: iamEncode(
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::artifacts/*"}]}',
            ),
          },
        ],
        GroupList: ["deployers"],
        AttachedManagedPolicies: [],
        Tags: [],
      },
    ],
    GroupDetailList: [
      {
        Path: "/",
        GroupName: "deployers",
        GroupId: "AGPAEXAMPLEGROUPID001",
        Arn: `arn:aws:iam::${ACCOUNT}:group/deployers`,
        CreateDate: new Date("2022-03-01T00:00:00Z"),
        GroupPolicyList: [],
        AttachedManagedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: AWS_READONLY }],
      },
    ],
    Policies: [
      {
        PolicyName: "pca-issuer",
        PolicyId: "ANPAEXAMPLEPOLICY0001",
        Arn: LOCAL_POLICY_ARN,
        Path: "/",
        DefaultVersionId: "v2",
        AttachmentCount: 1,
        PermissionsBoundaryUsageCount: 0,
        IsAttachable: true,
        CreateDate: new Date("2024-01-15T08:31:00Z"),
        UpdateDate: new Date("2024-02-01T00:00:00Z"),
        PolicyVersionList: [
          {
            Document: iamEncode('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}]}'),
            VersionId: "v1",
            IsDefaultVersion: false,
          },
          { Document: iamEncode(ARTICLE_INLINE_POLICY), VersionId: "v2", IsDefaultVersion: true, CreateDate: new Date("2024-02-01T00:00:00Z") },
        ],
      },
    ],
  },
};

function mockAccount(): void {
  iamMock.on(GetAccountAuthorizationDetailsCommand).callsFake((input: GetAccountAuthorizationDetailsCommandInput) => ({
    ...meta,
    ...(input.Marker === undefined
      ? PAGES.first
      : input.Marker === PAGES.first.Marker
        ? PAGES.second
        : (() => {
            throw new Error(`bad marker ${input.Marker}`);
          })()),
  }));
  iamMock.on(ListRolesCommand).resolves({
    Roles: [
      {
        Path: "/",
        RoleName: "iamra-issuer",
        RoleId: "AROAEXAMPLEROLEID0001",
        Arn: ROLE_ARN,
        CreateDate: new Date("2024-01-15T08:30:00Z"),
        MaxSessionDuration: 3600,
        Description: "issues certificates",
      },
    ],
    IsTruncated: false,
  });
  iamMock.on(GetPolicyCommand).callsFake(({ PolicyArn }: { PolicyArn: string }) => ({
    Policy: { PolicyName: PolicyArn.split("/").pop(), Arn: PolicyArn, Path: "/", DefaultVersionId: "v7", AttachmentCount: 42, IsAttachable: true },
  }));
  iamMock.on(GetPolicyVersionCommand).callsFake(({ PolicyArn }: { PolicyArn: string }) => ({
    PolicyVersion: {
      VersionId: "v7",
      IsDefaultVersion: true,
      Document: iamEncode(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: PolicyArn.endsWith("ReadOnlyAccess") ? ["iam:Get*", "iam:List*"] : "*", Resource: "*" }],
        }),
      ),
    },
  }));
  iamMock.on(ListAccessKeysCommand).callsFake(({ Marker }: { Marker?: string }) =>
    Marker === undefined
      ? {
          AccessKeyMetadata: [{ UserName: "deploy-bot", AccessKeyId: "AKIAEXAMPLEKEY000001", Status: "Active", CreateDate: new Date("2025-01-01T00:00:00Z") }],
          IsTruncated: true,
          Marker: "k2",
        }
      : {
          AccessKeyMetadata: [
            { UserName: "deploy-bot", AccessKeyId: "AKIAEXAMPLEKEY000002", Status: "Inactive", CreateDate: new Date("2025-06-29T13:00:00Z") },
          ],
          IsTruncated: false,
        },
  );
  iamMock
    .on(GetAccessKeyLastUsedCommand)
    .callsFake(({ AccessKeyId }: { AccessKeyId: string }) =>
      AccessKeyId === "AKIAEXAMPLEKEY000001"
        ? { UserName: "deploy-bot", AccessKeyLastUsed: { LastUsedDate: new Date("2025-06-01T09:00:00Z"), ServiceName: "s3", Region: "eu-west-1" } }
        : { UserName: "deploy-bot", AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } },
    );
}

const byId = (rs: Resource[], id: string): Resource => {
  const r = rs.find((x) => x.id === id);
  if (!r) throw new Error(`no resource ${id} in ${rs.map((x) => x.id).join(", ")}`);
  return r;
};

beforeEach(() => {
  iamMock.reset();
  mockAccount();
});
afterEach(() => iamMock.reset());

describe("iam collector", () => {
  it("follows the Marker through both pages of GetAccountAuthorizationDetails, without AWS managed policies", async () => {
    const ctx = testContext();
    await iam.collect(ctx);
    const calls = iamMock.commandCalls(GetAccountAuthorizationDetailsCommand);
    expect(calls.map((c) => c.args[0].input.Marker)).toEqual([undefined, "AAEAAZzKjq0mPage2Marker=="]);
    for (const c of calls) expect(c.args[0].input.Filter).toEqual(["Role", "User", "Group", "LocalManagedPolicy"]);
    expect(ctx.gaps).toEqual([]);
    // every call went through the rate limiter
    expect(ctx.calls).toBe(iamMock.calls().length);
  });

  it("translates a role into the CloudFormation shape with decoded, parsed policy documents", async () => {
    const rs = await iam.collect(testContext());
    const role = byId(rs, ROLE_ARN);
    expect(role).toMatchObject({
      type: "AWS::IAM::Role",
      arn: ROLE_ARN,
      name: "iamra-issuer",
      account: ACCOUNT,
      region: "global",
      tags: { team: "pki" },
      source: { kind: "aws", account: ACCOUNT, region: "global" },
    });
    expect(role.properties).toEqual({
      RoleName: "iamra-issuer",
      Path: "/",
      Description: "issues certificates",
      AssumeRolePolicyDocument: JSON.parse(ARTICLE_TRUST_POLICY),
      Policies: [{ PolicyName: "pca-issue", PolicyDocument: JSON.parse(ARTICLE_INLINE_POLICY) }],
      ManagedPolicyArns: [LOCAL_POLICY_ARN, AWS_READONLY],
      MaxSessionDuration: 3600,
      PermissionsBoundary: BOUNDARY_ARN,
      Tags: [{ Key: "team", Value: "pki" }],
    });
    expect(role.observed).toMatchObject({
      RoleId: "AROAEXAMPLEROLEID0001",
      CreateDate: "2024-01-15T08:30:00.000Z",
      daysSinceLastUse: 10,
      LastUsedRegion: "eu-west-1",
    });
  });

  it("keeps customer managed policies (default version) and only the AWS managed policies in use", async () => {
    const rs = await iam.collect(testContext());
    const local = byId(rs, LOCAL_POLICY_ARN);
    expect(local.type).toBe("AWS::IAM::ManagedPolicy");
    expect(local.properties).toEqual({
      ManagedPolicyName: "pca-issuer",
      Path: "/",
      PolicyDocument: JSON.parse(ARTICLE_INLINE_POLICY),
      Roles: ["iamra-issuer"],
      Users: [],
      Groups: [],
    });
    expect(local.observed).toMatchObject({ attachmentCount: 1, awsManaged: false, DefaultVersionId: "v2" });

    // attached to the role and the group, and one used as a permissions boundary
    const fetched = iamMock
      .commandCalls(GetPolicyCommand)
      .map((c) => c.args[0].input.PolicyArn)
      .sort();
    expect(fetched).toEqual([BOUNDARY_ARN, AWS_READONLY]);
    const ro = byId(rs, AWS_READONLY);
    expect(ro.properties).toMatchObject({
      ManagedPolicyName: "ReadOnlyAccess",
      Roles: ["iamra-issuer"],
      Groups: ["deployers"],
      PolicyDocument: { Statement: [{ Action: ["iam:Get*", "iam:List*"] }] },
    });
    expect(ro.observed).toMatchObject({ awsManaged: true, attachmentCount: 42 });
    expect(byId(rs, BOUNDARY_ARN).observed).toMatchObject({ usedAsPermissionsBoundary: true });
    expect(iamMock.commandCalls(GetPolicyVersionCommand).map((c) => c.args[0].input.VersionId)).toEqual(["v7", "v7"]);
  });

  it("produces users, groups and one access key per key with ages computed against the collection time", async () => {
    const rs = await iam.collect(testContext());
    const user = byId(rs, `arn:aws:iam::${ACCOUNT}:user/ci/deploy-bot`);
    expect(user.properties).toMatchObject({
      UserName: "deploy-bot",
      Path: "/ci/",
      Groups: ["deployers"],
      ManagedPolicyArns: [],
      Policies: [{ PolicyName: "s3-artifacts", PolicyDocument: { Statement: [{ Action: "s3:PutObject" }] } }],
      Tags: [],
    });
    expect(byId(rs, `arn:aws:iam::${ACCOUNT}:group/deployers`).properties).toMatchObject({ GroupName: "deployers", ManagedPolicyArns: [AWS_READONLY] });

    expect(iamMock.commandCalls(ListAccessKeysCommand).map((c) => c.args[0].input)).toEqual([
      { UserName: "deploy-bot", Marker: undefined },
      { UserName: "deploy-bot", Marker: "k2" },
    ]);
    const active = byId(rs, "AKIAEXAMPLEKEY000001");
    expect(active).toMatchObject({ type: "AWS::IAM::AccessKey", properties: { UserName: "deploy-bot", Status: "Active" }, region: "global" });
    expect(active.observed).toEqual({
      AccessKeyId: "AKIAEXAMPLEKEY000001",
      UserArn: `arn:aws:iam::${ACCOUNT}:user/ci/deploy-bot`,
      CreateDate: "2025-01-01T00:00:00.000Z",
      ageDays: 180,
      LastUsedDate: "2025-06-01T09:00:00.000Z",
      LastUsedService: "s3",
      LastUsedRegion: "eu-west-1",
      daysSinceLastUse: 29,
      neverUsed: false,
    });
    expect(byId(rs, "AKIAEXAMPLEKEY000002").observed).toMatchObject({
      ageDays: 0,
      LastUsedDate: null,
      LastUsedService: null,
      daysSinceLastUse: null,
      neverUsed: true,
    });
  });

  it("records a denied ListAccessKeys as a gap on AWS::IAM::AccessKey and keeps everything else", async () => {
    iamMock.on(ListAccessKeysCommand).rejects(accessDenied("iam:ListAccessKeys"));
    const ctx = testContext();
    const rs = await iam.collect(ctx);
    expect(rs.some((r) => r.type === "AWS::IAM::AccessKey")).toBe(false);
    expect(rs.some((r) => r.type === "AWS::IAM::Role")).toBe(true);
    expect(ctx.gaps).toEqual([
      { action: "iam:ListAccessKeys", status: "denied", detail: expect.stringContaining("AccessDenied"), resourceTypes: ["AWS::IAM::AccessKey"] },
    ]);
  });

  it("marks last use unknown (not never-used) when GetAccessKeyLastUsed is denied", async () => {
    iamMock.on(GetAccessKeyLastUsedCommand).rejects(accessDenied("iam:GetAccessKeyLastUsed"));
    const ctx = testContext();
    const key = byId(await iam.collect(ctx), "AKIAEXAMPLEKEY000001");
    expect(key.properties).toEqual({ UserName: "deploy-bot", Status: "Active" });
    expect(key.observed?.ageDays).toBe(180);
    expect(key.observed?.daysSinceLastUse).toEqual({ $unknown: expect.stringContaining("iam:GetAccessKeyLastUsed") });
    expect(key.observed?.neverUsed).toEqual({ $unknown: expect.any(String) });
    expect(ctx.gaps.map((g) => [g.action, g.status, g.resourceTypes])).toEqual([
      ["iam:GetAccessKeyLastUsed", "denied", []],
      ["iam:GetAccessKeyLastUsed", "denied", []],
    ]);
  });

  it("marks MaxSessionDuration unknown when ListRoles is denied", async () => {
    iamMock.on(ListRolesCommand).rejects(accessDenied("iam:ListRoles"));
    const ctx = testContext();
    const role = byId(await iam.collect(ctx), ROLE_ARN);
    expect(role.properties.MaxSessionDuration).toEqual({ $unknown: expect.stringContaining("iam:ListRoles") });
    expect(role.properties.AssumeRolePolicyDocument).toEqual(JSON.parse(ARTICLE_TRUST_POLICY));
  });

  it("drops AWS managed policies it cannot read and says so for AWS::IAM::ManagedPolicy", async () => {
    iamMock.on(GetPolicyCommand).rejects(accessDenied("iam:GetPolicy"));
    const ctx = testContext();
    const rs = await iam.collect(ctx);
    expect(rs.filter((r) => r.type === "AWS::IAM::ManagedPolicy").map((r) => r.id)).toEqual([LOCAL_POLICY_ARN]);
    expect(ctx.gaps).toEqual([
      expect.objectContaining({ action: "iam:GetPolicy", status: "denied", resourceTypes: ["AWS::IAM::ManagedPolicy"] }),
      expect.objectContaining({ action: "iam:GetPolicy", status: "denied", resourceTypes: ["AWS::IAM::ManagedPolicy"] }),
    ]);
  });

  it("throws when GetAccountAuthorizationDetails is denied, tagged with the action", async () => {
    iamMock.on(GetAccountAuthorizationDetailsCommand).rejects(accessDenied("iam:GetAccountAuthorizationDetails"));
    await expect(iam.collect(testContext())).rejects.toMatchObject({ name: "AccessDenied", $rampartAction: "iam:GetAccountAuthorizationDetails" });
  });

  it("turns a document that is not JSON into an unknown marker", async () => {
    iamMock.on(GetAccountAuthorizationDetailsCommand).resolves({
      IsTruncated: false,
      RoleDetailList: [{ RoleName: "broken", Arn: `arn:aws:iam::${ACCOUNT}:role/broken`, Path: "/", AssumeRolePolicyDocument: "%7Bnot-json" }],
    });
    const role = byId(await iam.collect(testContext()), `arn:aws:iam::${ACCOUNT}:role/broken`);
    expect(role.properties.AssumeRolePolicyDocument).toEqual({ $unknown: expect.stringContaining("not valid JSON") });
  });
});
