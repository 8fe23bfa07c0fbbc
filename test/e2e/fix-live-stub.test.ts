/**
 * The loopback AWS the fix end-to-end tests run against (test/stub/aws-stub.ts):
 *
 * - with `remediationFixtures`, one scan finds failing findings of every remediable rule
 *   in the caller's own account (exactly, for the rules whose rows are not written yet);
 * - its write operations, sent through `AwsClients` (remediations/clients.ts: the SDK
 *   clients and the serialization the modules use), change what the reads serve, with the
 *   errors AWS gives (IAM's five versions and undeletable default version, stale Network
 *   Firewall tokens, rule orders that do not match, unknown load balancers, …), and undoing
 *   them restores `state()` exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsClients } from "../../remediations/clients.js";
import { startAwsStub, type AwsStub } from "../stub/aws-stub.js";
import { A, REGIONS, clone, decodeDoc, iamState, regionState, role, startEnv } from "./fix-live-helpers.js";

const R = "us-east-1";

/** The error name the SDK gives a failed call. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  throw new Error("the call succeeded");
}

describe("the remediation fixtures", () => {
  it("make every remediable rule fail in the caller's own account (scan of us-east-1 and eu-west-1)", { timeout: 120_000 }, async () => {
    const env = await startEnv();
    try {
      const s = env.stub.state();
      const scan = await env.rampart(["scan", "--regions", REGIONS.join(","), "--format", "json", "--output", "findings.json", "--fail-on", "none"]);
      expect(scan.code, scan.stderr).toBe(0);
      const doc = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(`${env.dir}/findings.json`, "utf8")));
      expect(doc.coverage.filter((c: any) => c.status !== "ok")).toEqual([]);
      const failing = (rule: string): string[] =>
        doc.findings
          .filter((f: any) => f.ruleId === rule && f.status === "fail")
          .map((f: any) => {
            expect(f.resource.account).toBe(A);
            return f.resource.id;
          })
          .sort();
      // The rules whose modules are shipped: their rows assert the exact findings per region.
      for (const rule of [
        "iam-rolesanywhere-trust-scoped",
        "iam-pod-identity-trust-actions",
        "kms-key-policy-cross-account-scoped",
        "networkfirewall-traffic-analysis-enabled",
        "workmail-organization-mfa-enforced",
        "guardduty-detector-enabled",
        "guardduty-protection-plans-enabled",
        "wafv2-web-acl-logging-enabled",
        "firehose-direct-put-encrypted",
      ]) {
        expect(failing(rule).length, rule).toBeGreaterThan(0);
      }
      // The four of the newer modules, exactly.
      const per = <T>(f: (region: string) => T[]): T[] => REGIONS.flatMap(f);
      expect(failing("iam-secrets-access-tag-scoped")).toEqual([`arn:aws:iam::${A}:policy/pod-secrets-read`, `arn:aws:iam::${A}:role/orders-api-pod`]);
      expect(failing("secretsmanager-secret-pod-identity-tagged")).toEqual(per((r) => regionState(s, r).secrets.map((x: any) => x.entry.ARN)).sort());
      expect(failing("networkfirewall-policy-default-deny")).toEqual(
        // egress-legacy twice: its stateful default drops nothing, its stateless default passes.
        per((r) =>
          regionState(s, r)
            .fwPolicies.filter((x: any) => x.response.FirewallPolicyName !== "egress")
            .flatMap((x: any) => (x.response.FirewallPolicyName === "egress-legacy" ? [1, 2] : [1]).map(() => x.response.FirewallPolicyArn)),
        ).sort(),
      );
      expect(failing("fms-retrofit-web-acl-scope-consistent")).toEqual(
        per((r) =>
          regionState(s, r)
            .acls.filter((x: any) => x.summary.Name === "orders")
            .map((x: any) => x.summary.ARN),
        ).sort(),
      );
      // The messages say what each fix has to work with.
      const message = (rule: string, id: string): string => doc.findings.find((f: any) => f.ruleId === rule && f.resource.id === id).message;
      const payments = regionState(s, R).secrets.find((x: any) => x.entry.Name === "payments/api").entry.ARN;
      expect(message("secretsmanager-secret-pod-identity-tagged", payments)).toContain("associated only with cluster prod, namespace orders");
      const orders = regionState(s, R).acls.find((x: any) => x.summary.Name === "orders").summary.ARN;
      expect(message("fms-retrofit-web-acl-scope-consistent", orders)).toMatch(/loadbalancer\/app\/orders-internal\/.*out of its scope/);
    } finally {
      await env.close();
    }
  });

  it("are off by default (the org-scan test and the benchmark measure the base organization)", async () => {
    const stub = await startAwsStub({ accounts: [A], callerAccount: A, regions: REGIONS });
    try {
      const s = stub.state();
      expect(iamState(s).roles.map((r: any) => r.RoleName)).toEqual(["iamra-issuer", "onprem-batch", "orders-api-pod", "audit"]);
      expect(iamState(s).policies.map((p: any) => p.PolicyName)).toEqual(["pca-issuer"]);
      for (const r of REGIONS) {
        const d = regionState(s, r);
        expect([d.keys.length, d.secrets.length, d.fwPolicies.length, d.lbs.length, d.detectors.length, d.profiles.length]).toEqual([1, 1, 1, 1, 1, 1]);
        expect(d.acls.find((x: any) => x.summary.Name === "orders").albs).toHaveLength(1);
      }
    } finally {
      await stub.close();
    }
  });
});

describe("the stub's write operations through the SDK (AwsClients)", () => {
  let stub: AwsStub;
  let aws: AwsClients;
  const saved = process.env.AWS_ENDPOINT_URL;

  beforeAll(async () => {
    stub = await startAwsStub({ accounts: [A], callerAccount: A, regions: REGIONS, remediationFixtures: true });
    process.env.AWS_ENDPOINT_URL = stub.url;
    aws = new AwsClients({ credentials: { accessKeyId: stub.accessKeyId, secretAccessKey: stub.secretAccessKey }, homeRegion: R, maxAttempts: 1 });
  });

  afterAll(async () => {
    aws?.destroy();
    await stub?.close();
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
  });

  it("IAM: inline role policies and managed policy versions, with IAM's limits; undone, the state is as before", async () => {
    const initial = stub.state();
    const arn = `arn:aws:iam::${A}:policy/pod-secrets-read`;
    const iam = (action: string, input: Record<string, unknown>) => aws.send("iam", "global", action, input);
    expect((await iam("GetRole", { RoleName: "orders-api-pod" })).Role.AssumeRolePolicyDocument).toBe(role(initial, "orders-api-pod").AssumeRolePolicyDocument);
    expect((await iam("ListRolePolicies", { RoleName: "orders-api-pod" })).PolicyNames).toEqual(["read-orders-secrets"]);
    const inline = await iam("GetRolePolicy", { RoleName: "orders-api-pod", PolicyName: "read-orders-secrets" });
    expect((decodeDoc(inline.PolicyDocument) as any).Statement[0].Sid).toBe("ReadOrdersSecrets");
    expect((await iam("ListAttachedRolePolicies", { RoleName: "orders-api-pod" })).AttachedPolicies).toEqual([
      { PolicyName: "pod-secrets-read", PolicyArn: arn },
    ]);
    expect((await iam("ListEntitiesForPolicy", { PolicyArn: arn })).PolicyRoles).toEqual([
      { RoleName: "orders-api-pod", RoleId: role(initial, "orders-api-pod").RoleId },
    ]);
    expect((await iam("GetPolicy", { PolicyArn: arn })).Policy).toMatchObject({ PolicyName: "pod-secrets-read", DefaultVersionId: "v2", AttachmentCount: 1 });
    expect((await iam("ListPolicyVersions", { PolicyArn: arn })).Versions.map((v: any) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v2", true],
      ["v1", false],
    ]);
    expect((await iam("GetPolicyVersion", { PolicyArn: arn, VersionId: "v1" })).PolicyVersion).toMatchObject({ VersionId: "v1", IsDefaultVersion: false });

    // An inline policy changed and one added; both show in GetAccountAuthorizationDetails (what the collector reads).
    const scoped = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadOrdersSecrets",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { StringEquals: { "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}" } },
        },
      ],
    };
    await iam("PutRolePolicy", { RoleName: "orders-api-pod", PolicyName: "read-orders-secrets", PolicyDocument: JSON.stringify(scoped) });
    await iam("PutRolePolicy", { RoleName: "orders-api-pod", PolicyName: "extra", PolicyDocument: JSON.stringify(scoped) });
    expect(await failure(iam("PutRolePolicy", { RoleName: "orders-api-pod", PolicyName: "bad", PolicyDocument: "{not json" }))).toMatch(
      /^MalformedPolicyDocumentException/,
    );
    expect(await failure(iam("GetRolePolicy", { RoleName: "orders-api-pod", PolicyName: "nope" }))).toMatch(/^NoSuchEntityException/);

    // Versions: at most five; the default cannot be deleted; ids are never reused.
    const v3 = await iam("CreatePolicyVersion", { PolicyArn: arn, PolicyDocument: JSON.stringify(scoped), SetAsDefault: true });
    expect(v3.PolicyVersion).toMatchObject({ VersionId: "v3", IsDefaultVersion: true });
    expect((await iam("GetPolicy", { PolicyArn: arn })).Policy.UpdateDate).toEqual(v3.PolicyVersion.CreateDate);
    await iam("CreatePolicyVersion", { PolicyArn: arn, PolicyDocument: JSON.stringify(scoped) });
    await iam("CreatePolicyVersion", { PolicyArn: arn, PolicyDocument: JSON.stringify(scoped) });
    expect(await failure(iam("CreatePolicyVersion", { PolicyArn: arn, PolicyDocument: JSON.stringify(scoped) }))).toMatch(
      /^LimitExceededException: A managed policy can have up to 5 versions/,
    );
    expect(await failure(iam("DeletePolicyVersion", { PolicyArn: arn, VersionId: "v3" }))).toMatch(
      /^DeleteConflictException: Cannot delete the default version/,
    );
    const details = await iam("GetAccountAuthorizationDetails", { Filter: ["Role", "LocalManagedPolicy"] });
    const podRole = details.RoleDetailList.find((r: any) => r.RoleName === "orders-api-pod");
    expect(podRole.RolePolicyList.map((p: any) => [p.PolicyName, decodeDoc(p.PolicyDocument)])).toEqual([
      ["read-orders-secrets", scoped],
      ["extra", scoped],
    ]);
    const managed = details.Policies.find((p: any) => p.Arn === arn);
    expect(managed.DefaultVersionId).toBe("v3");
    expect(managed.PolicyVersionList.map((v: any) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v5", false],
      ["v4", false],
      ["v3", true],
      ["v2", false],
      ["v1", false],
    ]);
    expect(decodeDoc(managed.PolicyVersionList.find((v: any) => v.IsDefaultVersion).Document)).toEqual(scoped);

    // Undone the way a rollback would: the state is exactly the initial one (UpdateDate is the newest version's date again).
    await iam("SetDefaultPolicyVersion", { PolicyArn: arn, VersionId: "v2" });
    for (const v of ["v5", "v4", "v3"]) await iam("DeletePolicyVersion", { PolicyArn: arn, VersionId: v });
    await iam("DeleteRolePolicy", { RoleName: "orders-api-pod", PolicyName: "extra" });
    await iam("PutRolePolicy", {
      RoleName: "orders-api-pod",
      PolicyName: "read-orders-secrets",
      PolicyDocument: JSON.stringify(decodeDoc(inline.PolicyDocument)),
    });
    expect(stub.state()).toEqual(initial);
    expect((await iam("CreatePolicyVersion", { PolicyArn: arn, PolicyDocument: JSON.stringify(scoped) })).PolicyVersion.VersionId).toBe("v6");
    await iam("DeletePolicyVersion", { PolicyArn: arn, VersionId: "v6" });
  });

  it("Secrets Manager: tags added, overwritten and removed show in DescribeSecret and ListSecrets", async () => {
    const initial = stub.state();
    const sm = (action: string, input: Record<string, unknown>) => aws.send("secretsmanager", R, action, input);
    const arn = regionState(initial, R).secrets.find((x: any) => x.entry.Name === "payments/api").entry.ARN;
    const described = await sm("DescribeSecret", { SecretId: arn });
    expect(described).toMatchObject({ ARN: arn, Name: "payments/api" });
    expect(described.Tags).toEqual([
      { Key: "app", Value: "payments" },
      { Key: "kubernetes-namespace", Value: "payments" },
      { Key: "eks-cluster-name", Value: "prod" },
    ]);
    await sm("TagResource", {
      SecretId: arn,
      Tags: [
        { Key: "kubernetes-namespace", Value: "orders" },
        { Key: "owner", Value: "orders-team" },
      ],
    });
    const listed = (await sm("ListSecrets", {})).SecretList.find((x: any) => x.ARN === arn);
    expect(listed.Tags).toEqual([
      { Key: "app", Value: "payments" },
      { Key: "kubernetes-namespace", Value: "orders" },
      { Key: "eks-cluster-name", Value: "prod" },
      { Key: "owner", Value: "orders-team" },
    ]);
    expect(await failure(sm("TagResource", { SecretId: arn, Tags: [{ Key: "aws:reserved", Value: "x" }] }))).toMatch(/^InvalidParameterException/);
    expect(await failure(sm("DescribeSecret", { SecretId: "nope" }))).toMatch(/^ResourceNotFoundException/);
    await sm("UntagResource", { SecretId: arn, TagKeys: ["owner"] });
    await sm("TagResource", { SecretId: arn, Tags: [{ Key: "kubernetes-namespace", Value: "payments" }] });
    expect(stub.state()).toEqual(initial);
    // The Pod Identity association that gives the namespace.
    const eks = (action: string, input: Record<string, unknown>) => aws.send("eks", R, action, input);
    const assoc = (await eks("ListPodIdentityAssociations", { clusterName: "prod" })).associations[0];
    expect((await eks("DescribePodIdentityAssociation", { clusterName: "prod", associationId: assoc.associationId })).association).toMatchObject({
      clusterName: "prod",
      namespace: "orders",
      roleArn: `arn:aws:iam::${A}:role/orders-api-pod`,
    });
  });

  it("Network Firewall: update tokens (stale → InvalidTokenException, a new one after each change) and the rule-order checks", async () => {
    const initial = stub.state();
    const nfw = (action: string, input: Record<string, unknown>) => aws.send("network-firewall", R, action, input);
    const legacy = regionState(initial, R).fwPolicies.find((x: any) => x.response.FirewallPolicyName === "egress-legacy");
    const open = regionState(initial, R).fwPolicies.find((x: any) => x.response.FirewallPolicyName === "egress-open");
    const d = await nfw("DescribeFirewallPolicy", { FirewallPolicyArn: legacy.response.FirewallPolicyArn });
    expect(d.UpdateToken).toBe(legacy.token);
    expect(d.FirewallPolicy.StatefulEngineOptions).toEqual({ RuleOrder: "STRICT_ORDER" });
    const group = legacy.policy.StatefulRuleGroupReferences[0].ResourceArn;
    expect((await nfw("DescribeRuleGroup", { RuleGroupArn: group })).RuleGroup.StatefulRuleOptions).toEqual({ RuleOrder: "STRICT_ORDER" });
    const strict = { ...d.FirewallPolicy, StatelessDefaultActions: ["aws:forward_to_sfe"], StatefulDefaultActions: ["aws:drop_established"] };

    expect(
      await failure(nfw("UpdateFirewallPolicy", { UpdateToken: "stale", FirewallPolicyArn: legacy.response.FirewallPolicyArn, FirewallPolicy: strict })),
    ).toMatch(/^InvalidTokenException/);
    const noPriority = { ...strict, StatefulRuleGroupReferences: [{ ResourceArn: group }] };
    expect(
      await failure(
        nfw("UpdateFirewallPolicy", { UpdateToken: d.UpdateToken, FirewallPolicyArn: legacy.response.FirewallPolicyArn, FirewallPolicy: noPriority }),
      ),
    ).toMatch(/^InvalidRequestException: .*needs a Priority/);
    const openStrict = { ...strict, StatefulRuleGroupReferences: [{ ResourceArn: open.policy.StatefulRuleGroupReferences[0].ResourceArn, Priority: 100 }] };
    expect(
      await failure(nfw("UpdateFirewallPolicy", { UpdateToken: open.token, FirewallPolicyArn: open.response.FirewallPolicyArn, FirewallPolicy: openStrict })),
    ).toMatch(/^InvalidRequestException: .*uses DEFAULT_ACTION_ORDER, the policy STRICT_ORDER/);
    // The orders must match both ways: a STRICT_ORDER group cannot stay under a DEFAULT_ACTION_ORDER policy.
    const { StatefulDefaultActions: _drop, StatefulEngineOptions: _order, ...actionOrder } = d.FirewallPolicy;
    expect(
      await failure(
        nfw("UpdateFirewallPolicy", { UpdateToken: d.UpdateToken, FirewallPolicyArn: legacy.response.FirewallPolicyArn, FirewallPolicy: actionOrder }),
      ),
    ).toMatch(/^InvalidRequestException: .*uses STRICT_ORDER, the policy DEFAULT_ACTION_ORDER/);
    expect(stub.state()).toEqual(initial);

    // The policy has a description and a customer managed key: an update that leaves them out clears them.
    expect(d.FirewallPolicyResponse).toMatchObject({ Description: "legacy egress", EncryptionConfiguration: { Type: "CUSTOMER_KMS" } });
    const kept = { Description: d.FirewallPolicyResponse.Description, EncryptionConfiguration: d.FirewallPolicyResponse.EncryptionConfiguration };
    const u = await nfw("UpdateFirewallPolicy", { UpdateToken: d.UpdateToken, FirewallPolicyArn: legacy.response.FirewallPolicyArn, FirewallPolicy: strict });
    expect(u.UpdateToken).not.toBe(d.UpdateToken);
    const d2 = await nfw("DescribeFirewallPolicy", { FirewallPolicyArn: legacy.response.FirewallPolicyArn });
    expect([d2.UpdateToken, d2.FirewallPolicy]).toEqual([u.UpdateToken, strict]);
    expect(d2.FirewallPolicyResponse.Description).toBeUndefined();
    expect(d2.FirewallPolicyResponse.EncryptionConfiguration).toEqual({ Type: "AWS_OWNED_KMS_KEY" });
    // The old token is stale now.
    expect(
      await failure(
        nfw("UpdateFirewallPolicy", {
          UpdateToken: d.UpdateToken,
          FirewallPolicyArn: legacy.response.FirewallPolicyArn,
          FirewallPolicy: d.FirewallPolicy,
          ...kept,
        }),
      ),
    ).toMatch(/^InvalidTokenException/);
    // Back to the alerting defaults, with the description and key sent back.
    await nfw("UpdateFirewallPolicy", {
      UpdateToken: u.UpdateToken,
      FirewallPolicyArn: legacy.response.FirewallPolicyArn,
      FirewallPolicy: d.FirewallPolicy,
      ...kept,
    });
    const back = stub.state();
    const token = (s: typeof back) => regionState(s, R).fwPolicies.find((x: any) => x.response.FirewallPolicyName === "egress-legacy");
    expect(token(back).token).not.toBe(legacy.token);
    token(back).token = legacy.token;
    expect(back).toEqual(initial);

    // UpdateFirewallAnalysisSettings checks a token when one is given.
    const fw = regionState(initial, R).firewalls[0].firewall;
    expect(
      await failure(nfw("UpdateFirewallAnalysisSettings", { FirewallArn: fw.Firewall.FirewallArn, EnabledAnalysisTypes: ["TLS_SNI"], UpdateToken: "stale" })),
    ).toMatch(/^InvalidTokenException/);
  });

  it("ELBv2 tags and WAF web ACL associations: changed, read back, and undone", async () => {
    const initial = stub.state();
    const d = regionState(initial, R);
    const internal = d.lbs.find((x: any) => x.lb.LoadBalancerName === "orders-internal").lb.LoadBalancerArn;
    const alb = d.lbs.find((x: any) => x.lb.LoadBalancerName === "orders-alb").lb.LoadBalancerArn;
    const acl = d.acls.find((x: any) => x.summary.Name === "orders");
    const elb = (action: string, input: Record<string, unknown>) => aws.send("elasticloadbalancing", R, action, input);
    const waf = (action: string, input: Record<string, unknown>) => aws.send("wafv2", R, action, input);
    const tagsOf = async (arn: string) => (await elb("DescribeTags", { ResourceArns: [arn] })).TagDescriptions[0].Tags.map((t: any) => `${t.Key}=${t.Value}`);

    expect(await tagsOf(internal)).toEqual(["app=orders"]);
    await elb("AddTags", { ResourceArns: [internal], Tags: [{ Key: "waf", Value: "required" }] });
    expect(await tagsOf(internal)).toEqual(["app=orders", "waf=required"]);
    expect(await failure(elb("AddTags", { ResourceArns: [`${internal}x`], Tags: [{ Key: "waf", Value: "required" }] }))).toMatch(
      /^LoadBalancerNotFoundException/,
    );
    await elb("RemoveTags", { ResourceArns: [internal], TagKeys: ["waf"] });
    expect(stub.state()).toEqual(initial);

    expect((await waf("GetWebACLForResource", { ResourceArn: internal })).WebACL.ARN).toBe(acl.summary.ARN);
    expect((await waf("ListResourcesForWebACL", { WebACLArn: acl.summary.ARN, ResourceType: "APPLICATION_LOAD_BALANCER" })).ResourceArns).toEqual(acl.albs);
    await waf("DisassociateWebACL", { ResourceArn: internal });
    expect((await waf("GetWebACLForResource", { ResourceArn: internal })).WebACL).toBeUndefined();
    expect((await waf("ListResourcesForWebACL", { WebACLArn: acl.summary.ARN, ResourceType: "APPLICATION_LOAD_BALANCER" })).ResourceArns).toEqual([alb]);
    expect(await failure(waf("AssociateWebACL", { WebACLArn: `${acl.summary.ARN}x`, ResourceArn: internal }))).toMatch(/^WAFNonexistentItemException/);
    await waf("AssociateWebACL", { WebACLArn: acl.summary.ARN, ResourceArn: internal });
    expect(stub.state()).toEqual(initial);

    // Logging configurations: only to aws-waf-logs- destinations that exist.
    const legacy = d.acls.find((x: any) => x.summary.Name === "legacy").summary.ARN;
    expect(await failure(waf("GetLoggingConfiguration", { ResourceArn: legacy }))).toMatch(/^WAFNonexistentItemException/);
    expect(
      await failure(
        waf("PutLoggingConfiguration", {
          LoggingConfiguration: { ResourceArn: legacy, LogDestinationConfigs: [`arn:aws:firehose:${R}:${A}:deliverystream/other`] },
        }),
      ),
    ).toMatch(/^WAFInvalidParameterException/);
    expect(
      await failure(
        waf("PutLoggingConfiguration", {
          LoggingConfiguration: { ResourceArn: legacy, LogDestinationConfigs: [`arn:aws:firehose:${R}:${A}:deliverystream/aws-waf-logs-missing`] },
        }),
      ),
    ).toMatch(/^WAFNonexistentItemException/);
    expect(stub.state()).toEqual(initial);
  });

  it("KMS refuses a key policy that would lock the account out; GuardDuty one detector per region; Firehose ENABLING is seen once", async () => {
    const initial = stub.state();
    const key = regionState(initial, R).keys.find((k: any) => k.meta.Description === "shared secrets key");
    const lockout = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: "kms:Decrypt", Resource: "*" }],
    });
    expect(
      await failure(aws.send("kms", R, "PutKeyPolicy", { KeyId: key.meta.Arn, PolicyName: "default", Policy: lockout, BypassPolicyLockoutSafetyCheck: false })),
    ).toMatch(/^MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future/);
    expect(await failure(aws.send("guardduty", R, "CreateDetector", { Enable: true }))).toMatch(/^BadRequestException: .*a detector already exists/);
    const stream = { DeliveryStreamName: "aws-waf-logs-orders" };
    await aws.send("firehose", R, "StartDeliveryStreamEncryption", { ...stream, DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" } });
    const status = async () =>
      (await aws.send("firehose", R, "DescribeDeliveryStream", stream)).DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration.Status;
    expect([await status(), await status()]).toEqual(["ENABLING", "ENABLED"]);
    await aws.send("firehose", R, "StopDeliveryStreamEncryption", stream);
    expect([await status(), await status()]).toEqual(["DISABLING", "DISABLED"]);
    expect(stub.state()).toEqual(initial);
  });

  it("state() is a copy: changing it changes nothing", () => {
    const s = stub.state();
    const copy = clone(s);
    regionState(s, R).keys.length = 0;
    expect(stub.state()).toEqual(copy);
  });
});
