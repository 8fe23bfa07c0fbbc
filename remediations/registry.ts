/** Every remediation module, by rule id, and the IAM permissions they need together. */
import { remediation as firehoseDirectPutEncrypted } from "./aws/firehose/direct_put_encrypted.js";
import { remediation as fmsRetrofitWebAclScopeConsistent } from "./aws/fms/retrofit_web_acl_scope_consistent.js";
import { remediation as guardDutyDetectorEnabled } from "./aws/guardduty/detector_enabled.js";
import { remediation as guardDutyProtectionPlansEnabled } from "./aws/guardduty/protection_plans_enabled.js";
import { remediation as podIdentityTrustActions } from "./aws/iam/pod_identity_trust_actions.js";
import { remediation as rolesAnywhereTrustScoped } from "./aws/iam/rolesanywhere_trust_scoped.js";
import { remediation as secretsAccessTagScoped } from "./aws/iam/secrets_access_tag_scoped.js";
import { remediation as kmsKeyPolicyCrossAccountScoped } from "./aws/kms/key_policy_cross_account_scoped.js";
import { remediation as policyDefaultDeny } from "./aws/networkfirewall/policy_default_deny.js";
import { remediation as trafficAnalysisEnabled } from "./aws/networkfirewall/traffic_analysis_enabled.js";
import { remediation as secretPodIdentityTagged } from "./aws/secretsmanager/secret_pod_identity_tagged.js";
import { remediation as wafWebAclLoggingEnabled } from "./aws/wafv2/web_acl_logging_enabled.js";
import { remediation as workMailOrganizationMfaEnforced } from "./aws/workmail/organization_mfa_enforced.js";
import type { Remediation } from "./types.js";

/** In the order of GUIDANCE.md's priorities. Add new modules here. */
export const remediations: readonly Remediation[] = [
  rolesAnywhereTrustScoped,
  podIdentityTrustActions,
  secretsAccessTagScoped,
  secretPodIdentityTagged,
  kmsKeyPolicyCrossAccountScoped,
  fmsRetrofitWebAclScopeConsistent,
  policyDefaultDeny,
  trafficAnalysisEnabled,
  workMailOrganizationMfaEnforced,
  guardDutyDetectorEnabled,
  guardDutyProtectionPlansEnabled,
  wafWebAclLoggingEnabled,
  firehoseDirectPutEncrypted,
];

export function remediationFor(ruleId: string): Remediation | undefined {
  return remediations.find((r) => r.ruleId === ruleId);
}

/** The IAM policy `rampart fix` / `rampart rollback` need: every module's actions, plus identity and the reads of the collectors the verify step runs. */
export async function remediationPermissions(
  from: readonly Remediation[] = remediations,
): Promise<{ Version: "2012-10-17"; Statement: Array<{ Sid: string; Effect: "Allow"; Action: string[]; Resource: "*" }> }> {
  const { collectorFor } = await import("../collectors/aws/index.js");
  const verifyReads = from.flatMap((r) => r.verifyServices.flatMap((s) => collectorFor(s)?.actions ?? []));
  const actions = [...new Set(["sts:GetCallerIdentity", ...from.flatMap((r) => r.permissions), ...verifyReads])].sort();
  return { Version: "2012-10-17", Statement: [{ Sid: "RampartRemediation", Effect: "Allow", Action: actions, Resource: "*" }] };
}
