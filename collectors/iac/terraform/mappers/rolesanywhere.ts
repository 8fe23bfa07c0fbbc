/** IAM Roles Anywhere trust anchors and profiles; AWS Private CA certificate authorities. */
import { o, oe, View } from "../view.js";
import type { Emitted, Family } from "./common.js";

function trustAnchor(v: View): Emitted {
  return {
    type: "AWS::RolesAnywhere::TrustAnchor",
    properties: o({
      Name: v.str("name"),
      Enabled: v.val("enabled"),
      Source: v.sub("source", (s) =>
        o({
          SourceType: s.str("source_type"),
          SourceData: s.sub("source_data", (d) => oe({ AcmPcaArn: d.ref("acm_pca_arn"), X509CertificateData: d.str("x509_certificate_data") })),
        }),
      ),
      Tags: v.tagList(),
    }),
  };
}

function profile(v: View): Emitted {
  return {
    type: "AWS::RolesAnywhere::Profile",
    properties: o({
      Name: v.str("name"),
      Enabled: v.val("enabled"),
      RoleArns: v.refs("role_arns") ?? [],
      ManagedPolicyArns: v.refs("managed_policy_arns"),
      SessionPolicy: v.str("session_policy"),
      DurationSeconds: v.val("duration_seconds"),
      RequireInstanceProperties: v.val("require_instance_properties"),
      Tags: v.tagList(),
    }),
  };
}

function certificateAuthority(v: View): Emitted {
  const cfg = v.block("certificate_authority_configuration");
  const c = cfg instanceof View ? cfg : undefined;
  return {
    type: "AWS::ACMPCA::CertificateAuthority",
    properties: o({
      Type: v.str("type") ?? "SUBORDINATE",
      UsageMode: v.str("usage_mode") ?? "GENERAL_PURPOSE",
      KeyAlgorithm: c ? c.str("key_algorithm") : cfg,
      SigningAlgorithm: c ? c.str("signing_algorithm") : cfg,
      Subject: c ? c.sub("subject", (s) => o({ CommonName: s.str("common_name"), Organization: s.str("organization"), Country: s.str("country") })) : undefined,
      RevocationConfiguration: v.sub("revocation_configuration", (r) =>
        oe({
          CrlConfiguration: r.sub("crl_configuration", (x) =>
            o({ Enabled: x.val("enabled"), S3BucketName: x.ref("s3_bucket_name"), ExpirationInDays: x.val("expiration_in_days") }),
          ),
          OcspConfiguration: r.sub("ocsp_configuration", (x) => o({ Enabled: x.val("enabled") })),
        }),
      ),
      Tags: v.tagList(),
    }),
  };
}

export const rolesanywhere: Family = {
  primary: {
    aws_rolesanywhere_trust_anchor: trustAnchor,
    aws_rolesanywhere_profile: profile,
    aws_acmpca_certificate_authority: certificateAuthority,
  },
};
