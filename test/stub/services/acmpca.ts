/** Loopback ACM Private CA (JSON 1.1): a short-lived-certificate subordinate CA per copy. */

import type { Copy, StubService } from "../service.js";
import { days, epoch, page, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    cas: Record<string, unknown>[];
  }
}

/** The ARN of copy `c`'s private CA (Roles Anywhere anchors on it). */
export const caArnOf = (c: Copy): string => c.arn("acm-pca", `certificate-authority/${c.id("ca")}`);

export const acmpca: StubService = {
  name: "acm-pca",
  types: ["AWS::ACMPCA::CertificateAuthority"],
  emptyRegion: () => ({ cas: [] }),
  seed(d, c) {
    const { account, now, k, sfx } = c;
    const caArn = caArnOf(c);
    d.cas.push({
      Arn: caArn,
      OwnerAccount: account,
      CreatedAt: epoch(days(now, 200)),
      Status: "ACTIVE",
      Type: "SUBORDINATE",
      Serial: `7f:${k.toString(16).padStart(2, "0")}`,
      NotBefore: epoch(days(now, 200)),
      NotAfter: epoch(days(now, -900)),
      KeyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER",
      UsageMode: "SHORT_LIVED_CERTIFICATE",
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: "EC_prime256v1",
        SigningAlgorithm: "SHA256WITHECDSA",
        Subject: { CommonName: `iamra-ca${sfx}.example.com`, Organization: "Example" },
      },
      RevocationConfiguration: { CrlConfiguration: { Enabled: false }, OcspConfiguration: { Enabled: false } },
    });
  },
  call(op, x) {
    const { b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListCertificateAuthorities": {
        const pg = page(d.cas, tok(), b.MaxResults);
        return { CertificateAuthorities: pg.items, NextToken: pg.next };
      }
      case "ListTags":
        return { Tags: [{ Key: "team", Value: "pki" }] };
      default:
        throw unsupported(x.r, op);
    }
  },
};
