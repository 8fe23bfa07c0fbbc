/**
 * The permission contract: every collector calls only the actions it declares (so
 * `rampart permissions` is complete), every declared action is read-only, secret values are
 * never read, and nothing is declared that is never called.
 */
import { ACMPCAClient, ListCertificateAuthoritiesCommand, ListTagsCommand } from "@aws-sdk/client-acm-pca";
import {
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { ListCrlsCommand, ListProfilesCommand, ListTagsForResourceCommand, ListTrustAnchorsCommand, RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeClusterCommand as EksDescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListClustersCommand as EksListClustersCommand,
  ListPodIdentityAssociationsCommand,
} from "@aws-sdk/client-eks";
import {
  DescribeClusterCommand as EmrDescribeClusterCommand,
  EMRClient,
  GetManagedScalingPolicyCommand,
  ListClustersCommand as EmrListClustersCommand,
  ListInstanceFleetsCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-emr";
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, ListKeysCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import { GetResourcePolicyCommand, ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DescribeLoadBalancersCommand, DescribeTagsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { DescribeDeliveryStreamCommand, FirehoseClient, ListDeliveryStreamsCommand, ListTagsForDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { KafkaClient, ListClustersV2Command } from "@aws-sdk/client-kafka";
import { DescribeDomainsCommand, ListDomainNamesCommand, ListTagsCommand as OpenSearchListTagsCommand, OpenSearchClient } from "@aws-sdk/client-opensearch";
import {
  FMSClient,
  GetComplianceDetailCommand,
  GetPolicyCommand as FmsGetPolicyCommand,
  ListComplianceStatusCommand,
  ListPoliciesCommand as FmsListPoliciesCommand,
  ListTagsForResourceCommand as FmsListTagsForResourceCommand,
} from "@aws-sdk/client-fms";
import { GetDetectorCommand, GetFindingsCommand, GuardDutyClient, ListDetectorsCommand, ListFindingsCommand } from "@aws-sdk/client-guardduty";
import {
  DescribeFirewallCommand,
  DescribeFirewallPolicyCommand,
  DescribeLoggingConfigurationCommand,
  DescribeRuleGroupCommand,
  ListFirewallPoliciesCommand,
  ListFirewallsCommand,
  ListRuleGroupsCommand,
  NetworkFirewallClient,
} from "@aws-sdk/client-network-firewall";
import {
  GetWebACLCommand,
  ListLoggingConfigurationsCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand as WafListTagsForResourceCommand,
  ListWebACLsCommand,
  WAFV2Client,
} from "@aws-sdk/client-wafv2";
import {
  DescribeIdentityProviderConfigurationCommand,
  DescribeOrganizationCommand,
  ListOrganizationsCommand,
  ListUsersCommand,
  WorkMailClient,
} from "@aws-sdk/client-workmail";

import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectors, permissionsPolicy, RUNNER_ACTIONS } from "../../collectors/aws/index.js";
import { ACCOUNT, testContext, legacy, mockLegacyClient } from "./fixtures.js";

/** Each mocked client class, with the IAM action prefix of its service. */
const mocks = {
  iam: mockClient(IAMClient),
  rolesanywhere: mockLegacyClient(RolesAnywhereClient),
  "acm-pca": mockLegacyClient(ACMPCAClient),
  kms: mockClient(KMSClient),
  secretsmanager: mockClient(SecretsManagerClient),
  eks: mockClient(EKSClient),
  ec2: mockClient(EC2Client),
  elasticmapreduce: mockClient(EMRClient),
  "network-firewall": mockClient(NetworkFirewallClient),
  wafv2: mockClient(WAFV2Client),
  fms: mockClient(FMSClient),
  elasticloadbalancing: mockClient(ElasticLoadBalancingV2Client),
  workmail: mockClient(WorkMailClient),
  guardduty: mockClient(GuardDutyClient),
  events: mockClient(EventBridgeClient),
  firehose: mockClient(FirehoseClient),
  kafka: mockClient(KafkaClient),
  es: mockClient(OpenSearchClient),
};

const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|BatchGet|Select)[A-Za-z0-9]*$/;
const doc = encodeURIComponent('{"Version":"2012-10-17","Statement":[]}');

beforeAll(() => {
  // Enough data that every code path (and so every action) is exercised.
  mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    IsTruncated: false,
    RoleDetailList: [
      {
        RoleName: "r",
        Arn: `arn:aws:iam::${ACCOUNT}:role/r`,
        AssumeRolePolicyDocument: doc,
        AttachedManagedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      },
    ],
    UserDetailList: [{ UserName: "u", Arn: `arn:aws:iam::${ACCOUNT}:user/u` }],
  });
  mocks.iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
  mocks.iam.on(GetPolicyCommand).resolves({ Policy: { Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", DefaultVersionId: "v1" } });
  mocks.iam.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: doc } });
  mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: "AKIAEXAMPLE", Status: "Active" }], IsTruncated: false });
  mocks.iam.on(GetAccessKeyLastUsedCommand).resolves({ AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } });
  mocks.rolesanywhere
    .on(legacy(ListTrustAnchorsCommand))
    .resolves({ trustAnchors: [{ trustAnchorArn: "arn:aws:rolesanywhere:eu-west-1:012345678912:trust-anchor/a" }] });
  mocks.rolesanywhere.on(legacy(ListProfilesCommand)).resolves({ profiles: [] });
  mocks.rolesanywhere.on(legacy(ListCrlsCommand)).resolves({ crls: [] });
  mocks.rolesanywhere.on(legacy(ListTagsForResourceCommand)).resolves({ tags: [] });
  mocks["acm-pca"]
    .on(legacy(ListCertificateAuthoritiesCommand))
    .resolves({ CertificateAuthorities: [{ Arn: "arn:aws:acm-pca:eu-west-1:012345678912:certificate-authority/x", Status: "ACTIVE" }] });
  mocks["acm-pca"].on(legacy(ListTagsCommand)).resolves({ Tags: [] });
});
beforeAll(() => {
  // kms, secretsmanager, eks, ec2, elasticmapreduce: one of everything, so every declared action is called.
  const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k1`;
  mocks.kms.on(ListKeysCommand).resolves({ Keys: [{ KeyId: "k1", KeyArn: key }], Truncated: false });
  mocks.kms
    .on(DescribeKeyCommand)
    .resolves({ KeyMetadata: { KeyId: "k1", Arn: key, KeyManager: "CUSTOMER", KeySpec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", KeyState: "Enabled" } });
  mocks.kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Version":"2012-10-17","Statement":[]}' });
  mocks.kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
  mocks.kms.on(ListResourceTagsCommand).resolves({ Tags: [], Truncated: false });
  mocks.secretsmanager.on(ListSecretsCommand).resolves({ SecretList: [{ ARN: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:s-AbCdEf`, Name: "s" }] });
  mocks.secretsmanager.on(GetResourcePolicyCommand).resolves({});
  mocks.eks.on(EksListClustersCommand).resolves({ clusters: ["c"] });
  mocks.eks.on(EksDescribeClusterCommand).resolves({ cluster: { name: "c", arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c` } });
  mocks.eks.on(ListPodIdentityAssociationsCommand).resolves({ associations: [{ associationId: "a-1", clusterName: "c" }] });
  mocks.eks
    .on(DescribePodIdentityAssociationCommand)
    .resolves({ association: { associationId: "a-1", clusterName: "c", namespace: "n", serviceAccount: "sa", roleArn: `arn:aws:iam::${ACCOUNT}:role/r` } });
  mocks.ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  mocks.elasticmapreduce.on(EmrListClustersCommand).resolves({ Clusters: [{ Id: "j-1" }] });
  mocks.elasticmapreduce.on(EmrDescribeClusterCommand).resolves({ Cluster: { Id: "j-1", InstanceCollectionType: "INSTANCE_FLEET" } });
  mocks.elasticmapreduce.on(ListInstanceFleetsCommand).resolves({ InstanceFleets: [] });
  mocks.elasticmapreduce.on(GetManagedScalingPolicyCommand).resolves({});
  mocks.elasticmapreduce.on(ListInstancesCommand).resolves({ Instances: [] });
});
beforeAll(() => {
  // network-firewall, wafv2, fms, elasticloadbalancing, workmail, guardduty, events, firehose: one of everything.
  const nfw = `arn:aws:network-firewall:eu-west-1:${ACCOUNT}`;
  mocks["network-firewall"].on(ListFirewallsCommand).resolves({ Firewalls: [{ FirewallName: "f", FirewallArn: `${nfw}:firewall/f` }] });
  mocks["network-firewall"].on(DescribeFirewallCommand).resolves({
    Firewall: {
      FirewallName: "f",
      FirewallArn: `${nfw}:firewall/f`,
      FirewallPolicyArn: `${nfw}:firewall-policy/p`,
      VpcId: "vpc-1",
      SubnetMappings: [],
      FirewallId: "1",
    },
  });
  mocks["network-firewall"].on(DescribeLoggingConfigurationCommand).resolves({ FirewallArn: `${nfw}:firewall/f` });
  mocks["network-firewall"].on(ListFirewallPoliciesCommand).resolves({ FirewallPolicies: [{ Name: "p", Arn: `${nfw}:firewall-policy/p` }] });
  mocks["network-firewall"].on(DescribeFirewallPolicyCommand).resolves({
    UpdateToken: "t",
    FirewallPolicyResponse: { FirewallPolicyName: "p", FirewallPolicyArn: `${nfw}:firewall-policy/p`, FirewallPolicyId: "p" },
    FirewallPolicy: { StatelessDefaultActions: ["aws:forward_to_sfe"], StatelessFragmentDefaultActions: ["aws:forward_to_sfe"] },
  });
  mocks["network-firewall"].on(ListRuleGroupsCommand).resolves({ RuleGroups: [{ Name: "g", Arn: `${nfw}:stateful-rulegroup/g` }] });
  mocks["network-firewall"]
    .on(DescribeRuleGroupCommand)
    .resolves({ UpdateToken: "t", RuleGroupResponse: { RuleGroupArn: `${nfw}:stateful-rulegroup/g`, RuleGroupName: "g", RuleGroupId: "g" } });
  const acl = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/w/1`;
  mocks.wafv2.on(ListWebACLsCommand).resolves({ WebACLs: [{ Name: "w", Id: "1", ARN: acl }] });
  mocks.wafv2.on(GetWebACLCommand).resolves({
    WebACL: {
      Name: "w",
      Id: "1",
      ARN: acl,
      DefaultAction: { Allow: {} },
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "w" },
    },
  });
  mocks.wafv2.on(WafListTagsForResourceCommand).resolves({ TagInfoForResource: { ResourceARN: acl, TagList: [] } });
  mocks.wafv2.on(ListResourcesForWebACLCommand).resolves({ ResourceArns: [] });
  mocks.wafv2.on(ListLoggingConfigurationsCommand).resolves({ LoggingConfigurations: [] });
  const policy = `arn:aws:fms:eu-west-1:${ACCOUNT}:policy/p1`;
  mocks.fms.on(FmsListPoliciesCommand).resolves({ PolicyList: [{ PolicyArn: policy, PolicyId: "p1", PolicyName: "p" }] });
  mocks.fms.on(FmsGetPolicyCommand).resolves({
    PolicyArn: policy,
    Policy: {
      PolicyName: "p",
      SecurityServicePolicyData: { Type: "WAFV2" },
      ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
      ExcludeResourceTags: false,
      RemediationEnabled: false,
    },
  });
  mocks.fms.on(FmsListTagsForResourceCommand).resolves({ TagList: [] });
  mocks.fms
    .on(ListComplianceStatusCommand)
    .resolves({ PolicyComplianceStatusList: [{ MemberAccount: "222233334444", EvaluationResults: [{ ComplianceStatus: "NON_COMPLIANT" }] }] });
  mocks.fms.on(GetComplianceDetailCommand).resolves({ PolicyComplianceDetail: { Violators: [] } });
  mocks.elasticloadbalancing
    .on(DescribeLoadBalancersCommand)
    .resolves({ LoadBalancers: [{ LoadBalancerArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/a/1`, LoadBalancerName: "a" }] });
  mocks.elasticloadbalancing.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
  mocks.workmail.on(ListOrganizationsCommand).resolves({ OrganizationSummaries: [{ OrganizationId: "m-1", Alias: "a", State: "Active" }] });
  mocks.workmail.on(DescribeOrganizationCommand).resolves({ OrganizationId: "m-1", Alias: "a", State: "Active" });
  mocks.workmail.on(DescribeIdentityProviderConfigurationCommand).resolves({});
  mocks.workmail.on(ListUsersCommand).resolves({ Users: [] });
  mocks.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ["d1"] });
  mocks.guardduty.on(GetDetectorCommand).resolves({ Status: "ENABLED", ServiceRole: "r" });
  mocks.guardduty.on(ListFindingsCommand).resolves({ FindingIds: ["f1"] });
  mocks.guardduty.on(GetFindingsCommand).resolves({ Findings: [] });
  mocks.events.on(ListRulesCommand).resolves({ Rules: [{ Name: "r", Arn: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/r` }] });
  mocks.events.on(ListTargetsByRuleCommand).resolves({ Targets: [] });
  mocks.firehose.on(ListDeliveryStreamsCommand).resolves({ DeliveryStreamNames: ["s"], HasMoreDeliveryStreams: false });
  mocks.firehose.on(DescribeDeliveryStreamCommand).resolves({
    DeliveryStreamDescription: {
      DeliveryStreamName: "s",
      DeliveryStreamARN: `arn:aws:firehose:eu-west-1:${ACCOUNT}:deliverystream/s`,
      DeliveryStreamStatus: "ACTIVE",
      DeliveryStreamType: "DirectPut",
      VersionId: "1",
      Destinations: [],
      HasMoreDestinations: false,
    },
  });
  mocks.firehose.on(ListTagsForDeliveryStreamCommand).resolves({ Tags: [], HasMoreTags: false });
  mocks.kafka.on(ListClustersV2Command).resolves({
    ClusterInfoList: [{ ClusterArn: `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/c/1`, ClusterName: "c", ClusterType: "PROVISIONED", Provisioned: {} as never }],
  });
  mocks.es.on(ListDomainNamesCommand).resolves({ DomainNames: [{ DomainName: "d", EngineType: "OpenSearch" }] });
  mocks.es.on(DescribeDomainsCommand).resolves({
    DomainStatusList: [{ DomainId: "d", DomainName: "d", ARN: `arn:aws:es:eu-west-1:${ACCOUNT}:domain/d`, ClusterConfig: {} }],
  });
  mocks.es.on(OpenSearchListTagsCommand).resolves({ TagList: [] });
});
afterAll(() => Object.values(mocks).forEach((m) => m.restore()));

/** "iam:ListRoles" for every command any mocked client was sent since the last reset. */
function calledActions(): string[] {
  const out: string[] = [];
  for (const [prefix, m] of Object.entries(mocks)) {
    for (const c of m.calls()) {
      const name = (c.args[0] as object).constructor.name;
      expect(name).toMatch(/Command$/);
      out.push(`${prefix}:${name.replace(/Command$/, "")}`);
    }
  }
  return [...new Set(out)].sort();
}

describe("collector permissions", () => {
  it("the registry has unique service ids, and every collector has types and actions", () => {
    const ids = collectors.map((c) => c.service);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of collectors) {
      expect(c.resourceTypes.length).toBeGreaterThan(0);
      expect(c.actions.length).toBeGreaterThan(0);
      for (const t of c.resourceTypes) expect(t).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
    }
  });

  for (const c of collectors) {
    it(`${c.service} calls exactly the actions it declares`, async () => {
      Object.values(mocks).forEach((m) => m.resetHistory());
      const ctx = testContext({ region: c.global ? "global" : "eu-west-1" });
      await c.collect(ctx);
      expect(ctx.gaps).toEqual([]);
      const called = calledActions();
      for (const a of called) expect(c.actions, `${c.service} called undeclared ${a}`).toContain(a);
      expect([...c.actions].sort()).toEqual(called);
    });
  }

  it("declares only read-only actions and never reads secret values", () => {
    const all = [...RUNNER_ACTIONS, ...collectors.flatMap((c) => c.actions)];
    for (const a of all) expect(a, `${a} is not read-only`).toMatch(READ_ONLY);
    const lower = all.map((a) => a.toLowerCase());
    expect(lower).not.toContain("secretsmanager:getsecretvalue");
    expect(permissionsPolicy().Statement[0].Action.map((a) => a.toLowerCase())).not.toContain("secretsmanager:getsecretvalue");
    expect(all.every((a) => !a.includes("*"))).toBe(true);
  });
});
