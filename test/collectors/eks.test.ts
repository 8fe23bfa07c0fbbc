import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  EKSServiceException,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
} from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eks } from "../../collectors/aws/eks.js";
import { classifyError } from "../../collectors/aws/util.js";
import { ACCOUNT, testContext } from "./fixtures.js";

const REGION = "eu-west-1";
const m = mockClient(EKSClient);
const err = (name: string, status: number, message: string, attempts = 1): Error =>
  new EKSServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, attempts }, message });
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`;
const ASSOC_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/prod/a-abcdefghijklmnop1`;

beforeEach(() => {
  m.reset();
  m.on(ListClustersCommand).callsFake(({ nextToken }: { nextToken?: string }) =>
    nextToken === undefined ? { clusters: ["prod"], nextToken: "c2" } : { clusters: [] },
  );
  m.on(DescribeClusterCommand).resolves({
    cluster: {
      name: "prod",
      arn: CLUSTER_ARN,
      version: "1.31",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/eks-cluster`,
      status: "ACTIVE",
      endpoint: "https://EXAMPLE.gr7.eu-west-1.eks.amazonaws.com",
      identity: { oidc: { issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" } },
      resourcesVpcConfig: {
        subnetIds: ["subnet-1", "subnet-2"],
        securityGroupIds: ["sg-1"],
        endpointPublicAccess: true,
        endpointPrivateAccess: false,
        publicAccessCidrs: ["0.0.0.0/0"],
        vpcId: "vpc-1",
      },
      accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
      logging: {
        clusterLogging: [
          { types: ["api", "audit"], enabled: true },
          { types: ["scheduler"], enabled: false },
        ],
      },
      tags: { env: "prod" },
    },
  });
  m.on(ListPodIdentityAssociationsCommand).resolves({
    associations: [{ clusterName: "prod", namespace: "payments", serviceAccount: "api", associationArn: ASSOC_ARN, associationId: "a-abcdefghijklmnop1" }],
  });
  m.on(DescribePodIdentityAssociationCommand).resolves({
    association: {
      clusterName: "prod",
      namespace: "payments",
      serviceAccount: "api",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/payments-api`,
      associationArn: ASSOC_ARN,
      associationId: "a-abcdefghijklmnop1",
      tags: {},
    },
  });
});
afterEach(() => m.reset());

describe("eks collector", () => {
  it("translates clusters and pod identity associations (with the role from Describe)", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await eks.collect(ctx);
    expect(m.commandCalls(ListClustersCommand).map((c) => c.args[0].input.nextToken)).toEqual([undefined, "c2"]);
    const c = rs.find((r) => r.type === "AWS::EKS::Cluster");
    expect(c).toMatchObject({
      id: CLUSTER_ARN,
      tags: { env: "prod" },
      properties: {
        Name: "prod",
        Version: "1.31",
        ResourcesVpcConfig: { SubnetIds: ["subnet-1", "subnet-2"], EndpointPublicAccess: true, PublicAccessCidrs: ["0.0.0.0/0"] },
        AccessConfig: { AuthenticationMode: "API_AND_CONFIG_MAP" },
        Logging: { ClusterLogging: { EnabledTypes: [{ Type: "api" }, { Type: "audit" }] } },
        Tags: [{ Key: "env", Value: "prod" }],
      },
      observed: { OidcIssuer: expect.stringContaining("oidc.eks"), Status: "ACTIVE" },
    });
    const a = rs.find((r) => r.type === "AWS::EKS::PodIdentityAssociation");
    expect(a).toMatchObject({
      id: ASSOC_ARN,
      properties: { ClusterName: "prod", Namespace: "payments", ServiceAccount: "api", RoleArn: `arn:aws:iam::${ACCOUNT}:role/payments-api` },
    });
    expect(ctx.gaps).toEqual([]);
  });

  it("a denied ListPodIdentityAssociations is a denied gap for the association type; the cluster is still emitted", async () => {
    m.on(ListPodIdentityAssociationsCommand).rejects(err("AccessDeniedException", 403, "not authorized to perform: eks:ListPodIdentityAssociations"));
    const ctx = testContext({ region: REGION });
    const rs = await eks.collect(ctx);
    expect(rs.map((r) => r.type)).toEqual(["AWS::EKS::Cluster"]);
    expect(ctx.gaps).toEqual([
      { action: "eks:ListPodIdentityAssociations", status: "denied", detail: expect.any(String), resourceTypes: ["AWS::EKS::PodIdentityAssociation"] },
    ]);
  });

  it("throttled ListClusters is an error", async () => {
    m.on(ListClustersCommand).rejects(err("ThrottlingException", 429, "Rate exceeded", 6));
    expect(classifyError(await eks.collect(testContext({ region: REGION })).catch((e: unknown) => e)).status).toBe("error");
  });
});
