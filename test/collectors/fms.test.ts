import {
  FMSClient,
  GetComplianceDetailCommand,
  GetPolicyCommand,
  ListComplianceStatusCommand,
  ListPoliciesCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-fms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FMS_POLICY, complianceStatus, fms, isNotAdministrator } from "../../collectors/aws/fms.js";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const POLICY_ID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
const POLICY_ARN = `arn:aws:fms:${REGION}:${ACCOUNT}:policy/${POLICY_ID}`;
const MEMBER_BAD = "222233334444";
const MEMBER_OK = "444455556666";
const MEMBER_NEW = "555566667777";
const MSD =
  '{"type":"WAFV2","preProcessRuleGroups":[],"postProcessRuleGroups":[],"defaultAction":{"type":"ALLOW"},"overrideCustomerWebACLAssociation":false,"webACLSource":"RETROFIT_EXISTING"}';
const VIOLATING_ACL = `arn:aws:wafv2:${REGION}:${MEMBER_BAD}:regional/webacl/AppTeamNewWebACL/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

let fmsM: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function mockAdmin(): void {
  fmsM
    .on(ListPoliciesCommand)
    .callsFake(({ NextToken }: { NextToken?: string }) =>
      NextToken
        ? { PolicyList: [] }
        : { PolicyList: [{ PolicyArn: POLICY_ARN, PolicyId: POLICY_ID, PolicyName: "AlbWafPolicy", SecurityServiceType: "WAFV2" }], NextToken: "p2" },
    );
  fmsM.on(GetPolicyCommand).resolves({
    PolicyArn: POLICY_ARN,
    Policy: {
      PolicyId: POLICY_ID,
      PolicyName: "AlbWafPolicy",
      PolicyUpdateToken: "1",
      SecurityServicePolicyData: { Type: "WAFV2", ManagedServiceData: MSD },
      ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
      ResourceTags: [{ Key: "Tier", Value: "Production" }, { Key: "Managed" }],
      ResourceTagLogicalOperator: "AND",
      ExcludeResourceTags: false,
      RemediationEnabled: true,
      IncludeMap: { ORG_UNIT: ["ou-abcd-11111111"] },
      ExcludeMap: { ACCOUNT: ["999999999999"] },
      PolicyStatus: "ACTIVE",
    },
  });
  fmsM.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: "owner", Value: "secops" }] });
  fmsM.on(ListComplianceStatusCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken
      ? {
          PolicyComplianceStatusList: [
            { PolicyId: POLICY_ID, MemberAccount: MEMBER_NEW, EvaluationResults: [], IssueInfoMap: { AWSCONFIG: "AWS Config is not enabled in this account" } },
          ],
        }
      : {
          PolicyComplianceStatusList: [
            {
              PolicyId: POLICY_ID,
              MemberAccount: MEMBER_BAD,
              LastUpdated: new Date("2025-03-01T10:00:00Z"),
              EvaluationResults: [{ ComplianceStatus: "NON_COMPLIANT", ViolatorCount: 1 }],
            },
            { PolicyId: POLICY_ID, MemberAccount: MEMBER_OK, EvaluationResults: [{ ComplianceStatus: "COMPLIANT", ViolatorCount: 0 }] },
          ],
          NextToken: "c2",
        },
  );
  fmsM.on(GetComplianceDetailCommand).resolves({
    PolicyComplianceDetail: {
      PolicyId: POLICY_ID,
      MemberAccount: MEMBER_BAD,
      Violators: [{ ResourceId: VIOLATING_ACL, ResourceType: "AWS::WAFv2::WebACL", ViolationReason: "WEB_ACL_CONFIGURATION_OR_SCOPE_OF_USE" }],
    },
  });
}

describe("fms collector", () => {
  beforeAll(() => {
    fmsM = mockClient(FMSClient);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    fmsM.reset();
    sts.reset();
    mockAdmin();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    fmsM.restore();
    sts.restore();
  });

  it("emits the policy in the CloudFormation shape, ManagedServiceData as a string, and the compliance list with violators", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await fms.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(fmsM.commandCalls(ListPoliciesCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "p2"]);
    expect(fmsM.commandCalls(ListComplianceStatusCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "c2"]);
    // Only the non-compliant account's detail is read.
    expect(fmsM.commandCalls(GetComplianceDetailCommand).map((c) => c.args[0].input)).toEqual([{ PolicyId: POLICY_ID, MemberAccount: MEMBER_BAD }]);

    expect(rs).toEqual([
      {
        type: FMS_POLICY,
        id: POLICY_ARN,
        arn: POLICY_ARN,
        name: "AlbWafPolicy",
        account: ACCOUNT,
        region: REGION,
        tags: { owner: "secops" },
        properties: {
          PolicyName: "AlbWafPolicy",
          SecurityServicePolicyData: { Type: "WAFV2", ManagedServiceData: MSD },
          ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
          ResourceTags: [
            { Key: "Tier", Value: "Production" },
            { Key: "Managed", Value: "" },
          ],
          ResourceTagLogicalOperator: "AND",
          ExcludeResourceTags: false,
          // The API's ORG_UNIT key is CloudFormation's ORGUNIT (what the scope rules read).
          IncludeMap: { ORGUNIT: ["ou-abcd-11111111"] },
          ExcludeMap: { ACCOUNT: ["999999999999"] },
          RemediationEnabled: true,
          Tags: [{ Key: "owner", Value: "secops" }],
        },
        observed: {
          PolicyId: POLICY_ID,
          PolicyStatus: "ACTIVE",
          compliance: [
            {
              account: MEMBER_BAD,
              status: "NON_COMPLIANT",
              lastUpdated: "2025-03-01T10:00:00.000Z",
              violators: [{ resourceId: VIOLATING_ACL, resourceType: "AWS::WAFv2::WebACL", violationReason: "WEB_ACL_CONFIGURATION_OR_SCOPE_OF_USE" }],
            },
            { account: MEMBER_OK, status: "COMPLIANT", violators: [] },
            { account: MEMBER_NEW, status: "UNKNOWN", issues: { AWSCONFIG: "AWS Config is not enabled in this account" } },
          ],
        },
        source: { kind: "aws", account: ACCOUNT, region: REGION },
      },
    ]);
  });

  it("calls exactly the actions it declares", async () => {
    await fms.collect(testContext({ region: REGION }));
    const called = [...new Set(fmsM.calls().map((c) => `fms:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...fms.actions].sort());
  });

  it("derives each account's status from every evaluation result", () => {
    expect(complianceStatus({ EvaluationResults: [{ ComplianceStatus: "COMPLIANT" }, { ComplianceStatus: "NON_COMPLIANT" }] })).toEqual({
      status: "NON_COMPLIANT",
    });
    expect(complianceStatus({ EvaluationResults: [{ ComplianceStatus: "COMPLIANT" }] })).toEqual({ status: "COMPLIANT" });
    expect(complianceStatus({ EvaluationResults: [] })).toEqual({
      status: "UNKNOWN",
      issues: { EvaluationResults: "Firewall Manager has not evaluated this account yet" },
    });
    expect(complianceStatus({ EvaluationResults: [{ ComplianceStatus: "COMPLIANT" }], IssueInfoMap: { AWSCONFIG: "disabled" } })).toEqual({
      status: "UNKNOWN",
      issues: { AWSCONFIG: "disabled" },
    });
  });

  it("a denied ListComplianceStatus makes observed.compliance an unknown marker with a denied gap on the policy type", async () => {
    fmsM.on(ListComplianceStatusCommand).rejects(accessDenied("fms:ListComplianceStatus"));
    const ctx = testContext({ region: REGION });
    const [p] = await fms.collect(ctx);
    expect(p.observed?.compliance).toEqual({ $unknown: expect.stringMatching(/^fms:ListComplianceStatus was denied/) });
    expect(ctx.gaps).toEqual([{ action: "fms:ListComplianceStatus", status: "denied", detail: expect.any(String), resourceTypes: [FMS_POLICY] }]);
  });

  it("a failed GetComplianceDetail keeps the account non-compliant without a violator list", async () => {
    fmsM.on(GetComplianceDetailCommand).rejects(accessDenied("fms:GetComplianceDetail"));
    const ctx = testContext({ region: REGION });
    const [p] = await fms.collect(ctx);
    expect((p.observed?.compliance as object[])[0]).toEqual({ account: MEMBER_BAD, status: "NON_COMPLIANT", lastUpdated: "2025-03-01T10:00:00.000Z" });
    expect(ctx.gaps).toEqual([expect.objectContaining({ action: "fms:GetComplianceDetail", status: "denied", resourceTypes: [] })]);
  });

  it("recognises Firewall Manager's 'not the administrator' answers, and nothing else", () => {
    expect(
      isNotAdministrator(
        serviceError("AccessDeniedException", 400, "Operation: ListPolicies is only available to Administration account in AWS Firewall Manager."),
      ),
    ).toBe(true);
    expect(isNotAdministrator(serviceError("AccessDeniedException", 400, `Account: ${ACCOUNT} is not currently delegated by AWS FM.`))).toBe(true);
    expect(isNotAdministrator(serviceError("InvalidOperationException", 400, `${ACCOUNT} is not the Firewall Manager administrator`))).toBe(true);
    expect(isNotAdministrator(accessDenied("fms:ListPolicies"))).toBe(false);
  });

  it("through the runner: a member account is skipped (not an error); a denied ListPolicies is denied; throttling is error", async () => {
    const opts = {
      collectors: [fms],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    fmsM
      .on(ListPoliciesCommand)
      .rejects(serviceError("AccessDeniedException", 400, "Operation: ListPolicies is only available to Administration account in AWS Firewall Manager."));
    const member = await collect(opts);
    expect(member.resources).toEqual([]);
    expect(member.coverage).toEqual([
      { service: "fms", account: ACCOUNT, region: REGION, status: "ok", resourceTypes: [] },
      {
        service: "fms",
        account: ACCOUNT,
        region: REGION,
        status: "skipped",
        action: "fms:ListPolicies",
        detail: `account ${ACCOUNT} is not the Firewall Manager administrator, so it has no policies to read (AccessDeniedException: Operation: ListPolicies is only available to Administration account in AWS Firewall Manager.)`,
        resourceTypes: [FMS_POLICY],
      },
    ]);

    fmsM.on(ListPoliciesCommand).rejects(accessDenied("fms:ListPolicies"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "fms",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "fms:ListPolicies",
        detail: expect.stringContaining("not authorized to perform: fms:ListPolicies"),
        resourceTypes: [FMS_POLICY],
      },
    ]);

    fmsM.on(ListPoliciesCommand).rejects(serviceError("ThrottlingException", 400, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      expect.objectContaining({ status: "error", action: "fms:ListPolicies", detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded" }),
    ]);
  });
});
