import { ACMPCAClient, ListCertificateAuthoritiesCommand, ListTagsCommand } from "@aws-sdk/client-acm-pca";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acmpca } from "../../collectors/aws/acmpca.js";
import { ACCOUNT, accessDenied, testContext, legacy, mockLegacyClient } from "./fixtures.js";

const pcaMock = mockLegacyClient(ACMPCAClient);
const REGION = "eu-west-1";
const CA1 = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555`;
const CA2 = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/66666666-7777-8888-9999-000000000000`;

beforeEach(() => {
  pcaMock.reset();
  pcaMock.on(legacy(ListCertificateAuthoritiesCommand)).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken === undefined
      ? {
          CertificateAuthorities: [
            {
              Arn: CA1,
              OwnerAccount: ACCOUNT,
              CreatedAt: new Date("2024-01-10T00:00:00Z"),
              Type: "ROOT",
              Serial: "4c:2b",
              Status: "ACTIVE",
              NotBefore: new Date("2024-01-10T00:00:00Z"),
              NotAfter: new Date("2034-01-10T00:00:00Z"),
              CertificateAuthorityConfiguration: {
                KeyAlgorithm: "EC_prime256v1",
                SigningAlgorithm: "SHA256WITHECDSA",
                Subject: { CommonName: "iamra-root", Organization: "Example Corp", Country: "US" },
              },
              RevocationConfiguration: { CrlConfiguration: { Enabled: false }, OcspConfiguration: { Enabled: false } },
              KeyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER",
              UsageMode: "SHORT_LIVED_CERTIFICATE",
            },
          ],
          NextToken: "next-1",
        }
      : {
          CertificateAuthorities: [
            {
              Arn: CA2,
              Type: "SUBORDINATE",
              Status: "DELETED",
              UsageMode: "GENERAL_PURPOSE",
              CertificateAuthorityConfiguration: { KeyAlgorithm: "RSA_2048", SigningAlgorithm: "SHA256WITHRSA", Subject: { CommonName: "old-sub" } },
            },
          ],
        },
  );
  pcaMock.on(legacy(ListTagsCommand)).resolves({ Tags: [{ Key: "owner", Value: "pki-team" }] });
});
afterEach(() => pcaMock.reset());

describe("acm-pca collector", () => {
  it("follows NextToken and maps CAs to the CloudFormation shape with Status observed", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await acmpca.collect(ctx);
    expect(rs.map((r) => r.id)).toEqual([CA1, CA2]);
    expect(rs[0]).toMatchObject({
      type: "AWS::ACMPCA::CertificateAuthority",
      name: "iamra-root",
      region: REGION,
      tags: { owner: "pki-team" },
      properties: {
        Type: "ROOT",
        KeyAlgorithm: "EC_prime256v1",
        SigningAlgorithm: "SHA256WITHECDSA",
        Subject: { CommonName: "iamra-root", Organization: "Example Corp", Country: "US" },
        UsageMode: "SHORT_LIVED_CERTIFICATE",
        KeyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER",
        RevocationConfiguration: { CrlConfiguration: { Enabled: false }, OcspConfiguration: { Enabled: false } },
        Tags: [{ Key: "owner", Value: "pki-team" }],
      },
      observed: { Status: "ACTIVE", NotAfter: "2034-01-10T00:00:00.000Z", OwnerAccount: ACCOUNT },
    });
    // no ListTags on a deleted CA
    expect(pcaMock.commandCalls(legacy(ListTagsCommand)).map((c) => c.args[0].input.CertificateAuthorityArn)).toEqual([CA1]);
    expect(rs[1]).toMatchObject({ properties: { UsageMode: "GENERAL_PURPOSE", Tags: [] }, observed: { Status: "DELETED" } });
    expect(ctx.gaps).toEqual([]);
  });

  it("throws when ListCertificateAuthorities is denied", async () => {
    pcaMock.on(legacy(ListCertificateAuthoritiesCommand)).rejects(accessDenied("acm-pca:ListCertificateAuthorities"));
    await expect(acmpca.collect(testContext({ region: REGION }))).rejects.toMatchObject({ $rampartAction: "acm-pca:ListCertificateAuthorities" });
  });
});
