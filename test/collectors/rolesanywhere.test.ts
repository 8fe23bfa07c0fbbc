import { ListCrlsCommand, ListProfilesCommand, ListTagsForResourceCommand, ListTrustAnchorsCommand, RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rolesanywhere } from "../../collectors/aws/rolesanywhere.js";
import type { Resource } from "../../model/types.js";
import { ACCOUNT, accessDenied, testContext, legacy, mockLegacyClient } from "./fixtures.js";

const raMock = mockLegacyClient(RolesAnywhereClient);
const REGION = "eu-west-1";
const PCA_ARN = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555`;
const TA1 = `arn:aws:rolesanywhere:${REGION}:${ACCOUNT}:trust-anchor/2f6b9b0c-3e6d-4e3f-9c3a-0d5c0f5b1a11`;
const TA2 = `arn:aws:rolesanywhere:${REGION}:${ACCOUNT}:trust-anchor/8d0e1f2a-9b8c-4d7e-a6f5-112233445566`;
const PROFILE_ARN = `arn:aws:rolesanywhere:${REGION}:${ACCOUNT}:profile/6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d`;
const CRL_ARN = `arn:aws:rolesanywhere:${REGION}:${ACCOUNT}:crl/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;

function mockRegion(): void {
  raMock.on(legacy(ListTrustAnchorsCommand)).callsFake(({ nextToken }: { nextToken?: string }) =>
    nextToken === undefined
      ? {
          trustAnchors: [
            {
              trustAnchorId: "2f6b9b0c-3e6d-4e3f-9c3a-0d5c0f5b1a11",
              trustAnchorArn: TA1,
              name: "iamra-pca",
              source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn: PCA_ARN } },
              enabled: true,
              createdAt: new Date("2024-01-15T08:00:00Z"),
              updatedAt: new Date("2024-01-15T08:00:00Z"),
            },
          ],
          nextToken: "page-2-token",
        }
      : {
          trustAnchors: [
            {
              trustAnchorId: "8d0e1f2a-9b8c-4d7e-a6f5-112233445566",
              trustAnchorArn: TA2,
              name: "bundle",
              source: {
                sourceType: "CERTIFICATE_BUNDLE",
                sourceData: { x509CertificateData: "-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n" },
              },
              enabled: false,
            },
          ],
        },
  );
  raMock.on(legacy(ListProfilesCommand)).resolves({
    profiles: [
      {
        profileId: "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
        profileArn: PROFILE_ARN,
        name: "iamra-issuer",
        enabled: true,
        requireInstanceProperties: false,
        roleArns: [`arn:aws:iam::${ACCOUNT}:role/iamra-issuer`],
        managedPolicyArns: [],
        sessionPolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:IssueCertificate","Resource":"*"}]}',
        durationSeconds: 3600,
        createdBy: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/alice`,
      },
    ],
  });
  raMock.on(legacy(ListCrlsCommand)).resolves({
    crls: [
      { crlId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", crlArn: CRL_ARN, name: "bundle-crl", enabled: true, trustAnchorArn: TA2, crlData: new Uint8Array(128) },
    ],
  });
  raMock.on(legacy(ListTagsForResourceCommand)).callsFake(({ resourceArn }: { resourceArn: string }) => ({
    tags: resourceArn === TA1 ? [{ key: "env", value: "prod" }] : [],
  }));
}

const byId = (rs: Resource[], id: string): Resource => rs.find((r) => r.id === id) as Resource;

beforeEach(() => {
  raMock.reset();
  mockRegion();
});
afterEach(() => raMock.reset());

describe("rolesanywhere collector", () => {
  it("follows nextToken and maps both trust anchor sources to the CloudFormation shape", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await rolesanywhere.collect(ctx);
    expect(raMock.commandCalls(legacy(ListTrustAnchorsCommand)).map((c) => c.args[0].input.nextToken)).toEqual([undefined, "page-2-token"]);
    expect(byId(rs, TA1)).toEqual({
      type: "AWS::RolesAnywhere::TrustAnchor",
      id: TA1,
      arn: TA1,
      name: "iamra-pca",
      account: ACCOUNT,
      region: REGION,
      tags: { env: "prod" },
      properties: {
        Name: "iamra-pca",
        Enabled: true,
        Source: { SourceType: "AWS_ACM_PCA", SourceData: { AcmPcaArn: PCA_ARN } },
        Tags: [{ Key: "env", Value: "prod" }],
      },
      observed: { TrustAnchorId: "2f6b9b0c-3e6d-4e3f-9c3a-0d5c0f5b1a11", CreatedAt: "2024-01-15T08:00:00.000Z", UpdatedAt: "2024-01-15T08:00:00.000Z" },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(byId(rs, TA2).properties).toMatchObject({
      Enabled: false,
      Source: { SourceType: "CERTIFICATE_BUNDLE", SourceData: { X509CertificateData: expect.stringContaining("BEGIN CERTIFICATE") } },
    });
    expect(ctx.gaps).toEqual([]);
  });

  it("maps profiles (session policy parsed) and CRLs", async () => {
    const rs = await rolesanywhere.collect(testContext({ region: REGION }));
    expect(byId(rs, PROFILE_ARN).properties).toEqual({
      Name: "iamra-issuer",
      Enabled: true,
      RoleArns: [`arn:aws:iam::${ACCOUNT}:role/iamra-issuer`],
      ManagedPolicyArns: [],
      SessionPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "acm-pca:IssueCertificate", Resource: "*" }] },
      DurationSeconds: 3600,
      RequireInstanceProperties: false,
      Tags: [],
    });
    const crl = byId(rs, CRL_ARN);
    expect(crl.properties).toEqual({ Name: "bundle-crl", Enabled: true, TrustAnchorArn: TA2, Tags: [] });
    expect(crl.observed).toMatchObject({ CrlSizeBytes: 128 });
    expect(rs).toHaveLength(4);
  });

  it("keeps resources whose tags cannot be read, with the tags marked unknown", async () => {
    raMock.on(legacy(ListTagsForResourceCommand)).rejects(accessDenied("rolesanywhere:ListTagsForResource"));
    const ctx = testContext({ region: REGION });
    const rs = await rolesanywhere.collect(ctx);
    expect(rs).toHaveLength(4);
    expect(byId(rs, TA1).properties.Tags).toEqual({ $unknown: expect.stringContaining("ListTagsForResource") });
    expect(new Set(ctx.gaps.map((g) => `${g.action}:${g.status}`))).toEqual(new Set(["rolesanywhere:ListTagsForResource:denied"]));
  });

  it("throws (for the runner) when a list call is denied", async () => {
    raMock.on(legacy(ListProfilesCommand)).rejects(accessDenied("rolesanywhere:ListProfiles"));
    await expect(rolesanywhere.collect(testContext({ region: REGION }))).rejects.toMatchObject({
      name: "AccessDeniedException",
      $rampartAction: "rolesanywhere:ListProfiles",
    });
  });
});
