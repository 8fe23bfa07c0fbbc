/**
 * `rampart fix` → `--apply` → `rampart rollback` end to end for the Pod Identity secrets
 * remediations (the ABAC conditions, the secret tags), Network Firewall default deny and
 * the Firewall Manager retrofit scope, against the stateful loopback AWS
 * (test/e2e/fix-live-helpers.ts has the flow and the row format).
 *
 */
import { describe, expect, it } from "vitest";
import type { StubState } from "../stub/aws-stub.js";
import { A, call, decodeDoc, encodeDoc, iamState, logTimings, regionState, role, runRow, type FixRow, type RowContext } from "./fix-live-helpers.js";

const SECRETS = "iam-secrets-access-tag-scoped";
const TAGGED = "secretsmanager-secret-pod-identity-tagged";
const DENY = "networkfirewall-policy-default-deny";
const FMS = "fms-retrofit-web-acl-scope-consistent";
const R = "us-east-1";

/** The two conditions of the article (lines 2628–2648), as the fix adds them. */
const ABAC = {
  StringEquals: {
    "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
    "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
  },
};

const managed = (s: StubState): Record<string, any> => iamState(s).policies.find((p: any) => p.PolicyName === "pod-secrets-read");
const inline = (s: StubState): Record<string, any> => role(s, "orders-api-pod").RolePolicyList.find((p: any) => p.PolicyName === "read-orders-secrets");
const defaultDoc = (p: Record<string, any>): Record<string, any> =>
  decodeDoc(p.PolicyVersionList.find((v: any) => v.VersionId === p.DefaultVersionId).Document) as Record<string, any>;
/** A policy document with the conditions on its first statement. */
const scoped = (doc: Record<string, any>): Record<string, any> => ({
  ...doc,
  Statement: [{ ...doc.Statement[0], Condition: ABAC }, ...doc.Statement.slice(1)],
});

const secret = (c: RowContext, name: string): Record<string, any> => c.d.secrets.find((x: any) => x.entry.Name === name).entry;
const policy = (c: RowContext, name: string): Record<string, any> => c.d.fwPolicies.find((x: any) => x.response.FirewallPolicyName === name);
const group = (c: RowContext, name: string): string => c.d.ruleGroups.find((x: any) => x.response.RuleGroupName === name).response.RuleGroupArn;
const lb = (c: RowContext, name: string): string => c.d.lbs.find((x: any) => x.lb.LoadBalancerName === name).lb.LoadBalancerArn;
const ordersAcl = (c: RowContext): string => c.d.acls.find((x: any) => x.summary.Name === "orders").summary.ARN;

/** What the Network Firewall fix sends for the values it reads right before the update. */
const AT_APPLY = {
  UpdateToken: "<UpdateToken read at apply>",
  Description: "<Description read at apply>",
  EncryptionConfiguration: "<EncryptionConfiguration read at apply>",
};

/** egress-legacy made default deny: stateless traffic goes to the stateful engine, and what no rule passes is dropped (the alert is kept). */
const legacyDenied = (c: RowContext): Record<string, any> => ({
  ...policy(c, "egress-legacy").policy,
  StatelessDefaultActions: ["aws:forward_to_sfe"],
  StatefulDefaultActions: ["aws:drop_established", "aws:alert_established"],
});

/** egress-open switched to STRICT_ORDER over the strict copy of its DENYLIST group (priority 100). */
const openDenied = (c: RowContext): Record<string, any> => ({
  ...policy(c, "egress-open").policy,
  StatefulRuleGroupReferences: [{ ResourceArn: group(c, "blocked-domains-strict"), Priority: 100 }],
  StatefulDefaultActions: ["aws:drop_established"],
  StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
});

const updateCall = (c: RowContext, name: string, doc: Record<string, any>) =>
  call("network-firewall", R, "UpdateFirewallPolicy", {
    FirewallPolicyArn: policy(c, name).response.FirewallPolicyArn,
    UpdateToken: AT_APPLY.UpdateToken,
    FirewallPolicy: doc,
    Description: AT_APPLY.Description,
    EncryptionConfiguration: AT_APPLY.EncryptionConfiguration,
  });

/** Network Firewall hands out a new update token after every change: AWS cannot restore it. */
function withoutPolicyTokens(s: StubState): void {
  for (const d of Object.values(s.regions) as any[]) for (const p of d.fwPolicies) delete p.token;
}

const rows: FixRow[] = [
  {
    rule: SECRETS,
    services: "iam,secretsmanager,eks",
    region: R,
    // The customer managed policy (its default version) and the role's inline policy read secrets without the conditions.
    failing: () => [`arn:aws:iam::${A}:policy/pod-secrets-read`, `arn:aws:iam::${A}:role/orders-api-pod`],
    changes: (c) => {
      const p = managed(c.initial);
      const doc = defaultDoc(p);
      const role = decodeDoc(inline(c.initial).PolicyDocument) as Record<string, any>;
      return [
        {
          resource: p.Arn,
          calls: [call("iam", "global", "CreatePolicyVersion", { PolicyArn: p.Arn, PolicyDocument: JSON.stringify(scoped(doc)), SetAsDefault: true })],
          rollbackCalls: [
            call("iam", "global", "SetDefaultPolicyVersion", { PolicyArn: p.Arn, VersionId: p.DefaultVersionId }),
            call("iam", "global", "DeletePolicyVersion", { PolicyArn: p.Arn, VersionId: "(the version CreatePolicyVersion returns)" }),
          ],
          diff: ["add /Document/Statement/0/Condition"],
          // orders/db carries no kubernetes-namespace tag: the pods lose it.
          risk: "allow-user-impact",
        },
        {
          resource: `arn:aws:iam::${A}:role/orders-api-pod`,
          calls: [
            call("iam", "global", "PutRolePolicy", {
              RoleName: "orders-api-pod",
              PolicyName: "read-orders-secrets",
              PolicyDocument: JSON.stringify(scoped(role)),
            }),
          ],
          rollbackCalls: [
            call("iam", "global", "PutRolePolicy", { RoleName: "orders-api-pod", PolicyName: "read-orders-secrets", PolicyDocument: JSON.stringify(role) }),
          ],
          diff: ["add /Policies/read-orders-secrets/Statement/0/Condition"],
          risk: "allow-user-impact",
        },
      ];
    },
    applied: (s, c) => {
      // A new default version (its id and date are AWS's), and the inline policy rewritten.
      const before = managed(c.initial);
      const now = managed(c.actual);
      const created = now.PolicyVersionList.find((v: any) => !before.PolicyVersionList.some((w: any) => w.VersionId === v.VersionId));
      expect(created.Document).toBe(encodeDoc(scoped(defaultDoc(before))));
      expect(c.steps.find((x: any) => x.change.target.key.PolicyArn === before.Arn).result).toEqual({ VersionId: created.VersionId });
      const p = managed(s);
      p.PolicyVersionList = [{ ...created }, ...p.PolicyVersionList.map((v: any) => ({ ...v, IsDefaultVersion: false }))];
      p.DefaultVersionId = created.VersionId;
      p.UpdateDate = now.UpdateDate;
      inline(s).PolicyDocument = encodeDoc(scoped(decodeDoc(inline(c.initial).PolicyDocument) as Record<string, any>));
    },
  },
  {
    rule: TAGGED,
    services: "iam,secretsmanager,eks",
    region: R,
    // orders/db lacks kubernetes-namespace; payments/api is tagged for a namespace no association of its reader has.
    failing: (c) => [secret(c, "orders/db").ARN, secret(c, "payments/api").ARN],
    changes: (c) => [
      {
        resource: secret(c, "orders/db").ARN,
        calls: [call("secretsmanager", R, "TagResource", { SecretId: secret(c, "orders/db").ARN, Tags: [{ Key: "kubernetes-namespace", Value: "orders" }] })],
        rollbackCalls: [call("secretsmanager", R, "UntagResource", { SecretId: secret(c, "orders/db").ARN, TagKeys: ["kubernetes-namespace"] })],
        diff: ["replace /Tags/kubernetes-namespace"],
      },
      {
        resource: secret(c, "payments/api").ARN,
        calls: [
          call("secretsmanager", R, "TagResource", { SecretId: secret(c, "payments/api").ARN, Tags: [{ Key: "kubernetes-namespace", Value: "orders" }] }),
        ],
        rollbackCalls: [
          call("secretsmanager", R, "TagResource", { SecretId: secret(c, "payments/api").ARN, Tags: [{ Key: "kubernetes-namespace", Value: "payments" }] }),
        ],
        diff: ["replace /Tags/kubernetes-namespace"],
        // Changing a value can deny pods that rely on the current one.
        risk: "allow-user-impact",
      },
    ],
    applied: (s) => {
      const d = regionState(s, R);
      const tags = (name: string): Array<{ Key: string; Value: string }> => d.secrets.find((x: any) => x.entry.Name === name).entry.Tags;
      tags("orders/db").push({ Key: "kubernetes-namespace", Value: "orders" });
      tags("payments/api").find((t) => t.Key === "kubernetes-namespace")!.Value = "orders";
    },
  },
  {
    rule: DENY,
    services: "network-firewall",
    region: R,
    // egress-legacy: its stateful default only alerts, its stateless default passes; egress-open: DEFAULT_ACTION_ORDER.
    failing: (c) => [
      policy(c, "egress-legacy").response.FirewallPolicyArn,
      policy(c, "egress-legacy").response.FirewallPolicyArn,
      policy(c, "egress-open").response.FirewallPolicyArn,
    ],
    // egress-open's group is in DEFAULT_ACTION_ORDER, which a group cannot leave: the plan's advice names this parameter.
    params: [
      `${DENY}.strictOrderCopies={"${"arn:aws:network-firewall:us-east-1:" + A + ":stateful-rulegroup/blocked-domains"}":"${"arn:aws:network-firewall:us-east-1:" + A + ":stateful-rulegroup/blocked-domains-strict"}"}`,
    ],
    changes: (c) => [
      {
        resource: policy(c, "egress-legacy").response.FirewallPolicyArn,
        calls: [updateCall(c, "egress-legacy", legacyDenied(c))],
        rollbackCalls: [updateCall(c, "egress-legacy", policy(c, "egress-legacy").policy)],
        diff: ["replace /StatelessDefaultActions/0", "add /StatefulDefaultActions/0"],
        risk: "allow-traffic-impact",
      },
      {
        resource: policy(c, "egress-open").response.FirewallPolicyArn,
        calls: [updateCall(c, "egress-open", openDenied(c))],
        rollbackCalls: [updateCall(c, "egress-open", policy(c, "egress-open").policy)],
        diff: [
          "replace /StatefulRuleGroupReferences/0/ResourceArn",
          "add /StatefulRuleGroupReferences/0/Priority",
          "add /StatefulEngineOptions",
          "add /StatefulDefaultActions",
        ],
        risk: "allow-traffic-impact",
      },
    ],
    applied: (s, c) => {
      const d = regionState(s, R);
      const p = (name: string): Record<string, any> => d.fwPolicies.find((x: any) => x.response.FirewallPolicyName === name);
      p("egress-legacy").policy = legacyDenied(c);
      p("egress-open").policy = openDenied(c);
      // The description and the customer managed key were sent back with the update.
      expect(regionState(c.actual, R).fwPolicies.find((x: any) => x.response.FirewallPolicyName === "egress-legacy").response).toMatchObject({
        Description: "legacy egress",
        EncryptionConfiguration: { Type: "CUSTOMER_KMS" },
      });
    },
    normalise: withoutPolicyTokens,
  },
  {
    rule: FMS,
    services: "fms,wafv2,elasticloadbalancing",
    region: R,
    // The orders web ACL serves orders-alb (tagged waf=required) and orders-internal (untagged).
    failing: (c) => [ordersAcl(c)],
    changes: (c) => [
      {
        resource: ordersAcl(c),
        calls: [call("elasticloadbalancing", R, "AddTags", { ResourceArns: [lb(c, "orders-internal")], Tags: [{ Key: "waf", Value: "required" }] })],
        rollbackCalls: [call("elasticloadbalancing", R, "RemoveTags", { ResourceArns: [lb(c, "orders-internal")], TagKeys: ["waf"] })],
        diff: ["replace /Resources/0/Tags/waf"],
      },
    ],
    applied: (s) => {
      regionState(s, R)
        .lbs.find((x: any) => x.lb.LoadBalancerName === "orders-internal")
        .tags.push({ Key: "waf", Value: "required" });
    },
  },
];

describe("rampart fix / rollback of the Pod Identity secrets, Network Firewall default-deny and Firewall Manager scope remediations against the loopback AWS", () => {
  for (const row of rows) {
    it(`${row.rule}: scan, plan, apply, verify, idempotent, roll back`, { timeout: 240_000 }, async () => {
      logTimings(row.rule, await runRow(row));
    });
  }
});
