/**
 * The GuardDuty, KMS, WAF and WorkMail fixes against aws-sdk-client-mock with stateful
 * fakes: the real collectors scan, the engine evaluates, the runner plans (exact calls
 * and diff), applies (journal), verifies (re-collect, re-evaluate), reads back, rolls
 * back; plus drift refusal and idempotence (a second plan plans nothing).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CreateDetectorCommand,
  DeleteDetectorCommand,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
  UpdateDetectorCommand,
} from "@aws-sdk/client-guardduty";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
} from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DeleteLoggingConfigurationCommand,
  GetLoggingConfigurationCommand,
  GetWebACLCommand,
  ListLoggingConfigurationsCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  PutLoggingConfigurationCommand,
  WAFV2Client,
} from "@aws-sdk/client-wafv2";
import {
  DescribeIdentityProviderConfigurationCommand,
  DescribeOrganizationCommand,
  ListOrganizationsCommand,
  ListUsersCommand,
  PutIdentityProviderConfigurationCommand,
  WorkMailClient,
} from "@aws-sdk/client-workmail";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { guardduty } from "../../collectors/aws/guardduty.js";
import { kms } from "../../collectors/aws/kms.js";
import { collect } from "../../collectors/aws/runner.js";
import type { ServiceCollector } from "../../collectors/aws/types.js";
import { wafv2 } from "../../collectors/aws/wafv2.js";
import { workmail } from "../../collectors/aws/workmail.js";
import { Engine } from "../../engine/engine.js";
import type { Finding } from "../../engine/findings.js";
import { loadPack, type PolicyPack } from "../../engine/pack.js";
import { AwsClients } from "../../remediations/clients.js";
import { readJournal } from "../../remediations/journal.js";
import { remediationFor } from "../../remediations/registry.js";
import { applyRun, newJournal, planFixes, rollbackRun, type Plan, type RunDeps } from "../../remediations/runner.js";
import type { RiskFlag } from "../../remediations/types.js";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const CREDS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

const sts = mockClient(STSClient);
const gd = mockClient(GuardDutyClient);
const kmsMock = mockClient(KMSClient);
const waf = mockClient(WAFV2Client);
const wm = mockClient(WorkMailClient);

let engine: Engine;
let pack: PolicyPack;
let runsDir: string;

const notFound = (name: string, message = "not found"): Error => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 404 } });

beforeAll(async () => {
  engine = await Engine.load();
  pack = loadPack();
});

beforeEach(() => {
  for (const m of [sts, gd, kmsMock, waf, wm]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/fixer` });
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-runs-"));
});

afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

const aws = (): AwsClients => new AwsClients({ credentials: CREDS, homeRegion: REGION, maxAttempts: 1 });

function collector(c: ServiceCollector): RunDeps["collect"] {
  return async (req) => collect({ services: req.services, collectors: [c], regions: req.regions, homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
}

async function scan(c: ServiceCollector, ruleId: string, p: PolicyPack = pack): Promise<Finding[]> {
  const snap = await collect({ services: [c.service], collectors: [c], regions: [REGION], homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
  return engine.evaluate(snap, p, { kind: "live" }).findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
}

/** Apply (with verify) and return the journal. */
async function apply(plan: Plan, c: ServiceCollector, allow: RiskFlag[] = [], p: PolicyPack = pack) {
  const a = aws();
  const j = newJournal(plan, { input: {}, allow, params: {}, account: ACCOUNT });
  await applyRun(j, { aws: a, runsDir, engine, pack: p, collect: collector(c) });
  return j;
}

/** A plan made offline against a saved snapshot has the same before/after and calls as a live one (else every offline plan would be refused as drift). */
async function offlineEqualsLive(c: ServiceCollector, ruleId: string, p: PolicyPack, params: Record<string, Record<string, unknown>> = {}): Promise<void> {
  const snap = await collect({ services: [c.service], collectors: [c], regions: [REGION], homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
  const findings = engine.evaluate(snap, p, { kind: "live" }).findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
  expect(findings.length).toBeGreaterThan(0);
  const offline = await planFixes(findings, { snapshot: snap, params, packParams: p.params });
  const live = await planFixes(findings, { aws: aws(), params, packParams: p.params });
  const pick = (x: Plan) => x.changes.map((ch) => ({ target: ch.target, before: ch.before, after: ch.after, calls: ch.calls, findingIds: ch.findingIds }));
  expect(offline.changes.length).toBeGreaterThan(0);
  expect(pick(offline)).toEqual(pick(live));
}

// ---------------------------------------------------------------------------------------

describe("guardduty-detector-enabled", () => {
  const RULE = "guardduty-detector-enabled";
  let detectors: Map<string, { status: string; features: Array<{ Name: string; Status: string }> }>;
  let created = 0;

  beforeEach(() => {
    detectors = new Map();
    created = 0;
    gd.on(ListDetectorsCommand).callsFake(() => ({ DetectorIds: [...detectors.keys()] }));
    gd.on(GetDetectorCommand).callsFake((i: { DetectorId: string }) => {
      const d = detectors.get(i.DetectorId);
      if (!d) throw notFound("BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.");
      return { Status: d.status, ServiceRole: "role", Features: d.features, Tags: {} };
    });
    gd.on(ListFindingsCommand).resolves({ FindingIds: [] });
    gd.on(CreateDetectorCommand).callsFake((i: { Enable: boolean }) => {
      const id = `c0ffee${String(++created).padStart(26, "0")}`;
      detectors.set(id, { status: i.Enable ? "ENABLED" : "DISABLED", features: [] });
      return { DetectorId: id };
    });
    gd.on(UpdateDetectorCommand).callsFake((i: { DetectorId: string; Enable?: boolean; Features?: Array<{ Name: string; Status: string }> }) => {
      const d = detectors.get(i.DetectorId);
      if (!d) throw notFound("BadRequestException");
      if (i.Enable !== undefined) d.status = i.Enable ? "ENABLED" : "DISABLED";
      for (const f of i.Features ?? []) {
        const e = d.features.find((x) => x.Name === f.Name);
        if (e) e.Status = f.Status;
        else d.features.push({ Name: f.Name, Status: f.Status });
      }
      return {};
    });
    gd.on(DeleteDetectorCommand).callsFake((i: { DetectorId: string }) => {
      if (!detectors.delete(i.DetectorId)) throw notFound("BadRequestException");
      return {};
    });
  });

  it("creates a detector in a region without one, journals its id, verifies, and rollback deletes exactly that detector", async () => {
    const findings = await scan(guardduty, RULE);
    expect(findings.map((f) => f.resource.id)).toEqual([`(no AWS::GuardDuty::Detector in ${ACCOUNT}/${REGION})`]);
    const plan = await planFixes(findings, { aws: aws() });
    expect(plan.manual).toEqual([]);
    const c = plan.changes[0];
    expect(c.calls).toEqual([{ service: "guardduty", region: REGION, action: "CreateDetector", input: { Enable: true } }]);
    expect(c.rollbackCalls).toEqual([
      { service: "guardduty", region: REGION, action: "DeleteDetector", input: { DetectorId: "(the detector CreateDetector returns)" } },
    ]);
    expect(c.diff).toEqual([{ op: "replace", path: "/Status", from: "NO_DETECTOR", value: "ENABLED" }]);
    expect(gd.commandCalls(CreateDetectorCommand)).toHaveLength(0);

    const j = await apply(plan, guardduty);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    const id = [...detectors.keys()][0];
    expect(j.steps[0].result).toEqual({ DetectorId: id });
    expect(readJournal(runsDir, j.runId).steps[0].result).toEqual({ DetectorId: id });
    expect(await remediationFor(RULE)?.read(c.target, aws())).toEqual(c.after);

    // Idempotent: nothing left to plan.
    expect(await scan(guardduty, RULE)).toEqual([]);

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(gd.commandCalls(DeleteDetectorCommand).map((x) => x.args[0].input)).toEqual([{ DetectorId: id }]);
    expect(detectors.size).toBe(0);
  });

  it("rollback without a journaled id (run killed after the call) finds the region's detector; refuses to delete another detector than the one created", async () => {
    const plan = await planFixes(await scan(guardduty, RULE), { aws: aws() });
    const j = await apply(plan, guardduty);
    const id = [...detectors.keys()][0];
    // Someone replaced the created detector by another one.
    detectors.delete(id);
    detectors.set("feedface000000000000000000000001", { status: "ENABLED", features: [] });
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rollback-failed");
    expect(j.steps[0].error).toMatch(/no longer in us-east-1.*nothing was deleted/);
    expect(detectors.has("feedface000000000000000000000001")).toBe(true);

    // Journal without a result: the only detector of the region is deleted.
    detectors.clear();
    detectors.set(id, { status: "ENABLED", features: [] });
    delete j.steps[0].result;
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rolled-back");
    expect(detectors.size).toBe(0);
  });

  it("enables a disabled detector (UpdateDetector), rolls back by disabling it, and refuses drift", async () => {
    const D = "12abc34d567e8fa901bc2d34e56789f0";
    detectors.set(D, { status: "DISABLED", features: [] });
    const plan = await planFixes(await scan(guardduty, RULE), { aws: aws() });
    const c = plan.changes[0];
    expect(c.calls).toEqual([{ service: "guardduty", region: REGION, action: "UpdateDetector", input: { DetectorId: D, Enable: true } }]);
    expect(c.rollbackCalls).toEqual([{ service: "guardduty", region: REGION, action: "UpdateDetector", input: { DetectorId: D, Enable: false } }]);
    expect(c.before).toEqual({ DetectorId: D, Status: "DISABLED" });

    // Drift: enabled by someone else between plan and apply → refused, nothing sent.
    detectors.get(D)!.status = "ENABLED";
    const drifted = await apply(plan, guardduty);
    expect(drifted.steps[0].status).toBe("refused-drift");
    expect(gd.commandCalls(UpdateDetectorCommand)).toHaveLength(0);

    detectors.get(D)!.status = "DISABLED";
    const j = await apply(plan, guardduty);
    expect(j.steps[0].status).toBe("verified");
    expect(j.steps[0].result).toBeUndefined();
    expect(await planFixes(await scan(guardduty, RULE), { aws: aws() })).toEqual({ changes: [], manual: [] });
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rolled-back");
    expect(detectors.get(D)?.status).toBe("DISABLED");
  });

  it("plans the same offline (--snapshot) as live", async () => {
    await offlineEqualsLive(guardduty, RULE, pack);
    detectors.set("12abc34d567e8fa901bc2d34e56789f0", { status: "DISABLED", features: [] });
    await offlineEqualsLive(guardduty, RULE, pack);
    detectors.get("12abc34d567e8fa901bc2d34e56789f0")!.status = "ENABLED";
    detectors.get("12abc34d567e8fa901bc2d34e56789f0")!.features.push({ Name: "EKS_AUDIT_LOGS", Status: "DISABLED" });
    await offlineEqualsLive(guardduty, "guardduty-protection-plans-enabled", pack);
  });

  describe("guardduty-protection-plans-enabled", () => {
    const PLANS = "guardduty-protection-plans-enabled";
    const D = "12abc34d567e8fa901bc2d34e56789f0";

    it("enables only the missing features, keeps the others, and rolls back to the previous statuses", async () => {
      detectors.set(D, {
        status: "ENABLED",
        features: [
          { Name: "CLOUD_TRAIL", Status: "ENABLED" },
          { Name: "S3_DATA_EVENTS", Status: "ENABLED" },
          { Name: "EKS_AUDIT_LOGS", Status: "DISABLED" },
          { Name: "RDS_LOGIN_EVENTS", Status: "DISABLED" },
        ],
      });
      const findings = await scan(guardduty, PLANS);
      expect(findings).toHaveLength(3);
      const plan = await planFixes(findings, { aws: aws(), packParams: pack.params });
      const c = plan.changes[0];
      expect(c.calls).toEqual([
        {
          service: "guardduty",
          region: REGION,
          action: "UpdateDetector",
          input: {
            DetectorId: D,
            Features: [
              { Name: "EBS_MALWARE_PROTECTION", Status: "ENABLED" },
              { Name: "EKS_AUDIT_LOGS", Status: "ENABLED" },
              { Name: "RUNTIME_MONITORING", Status: "ENABLED" },
            ],
          },
        },
      ]);
      expect(c.rollbackCalls[0].input.Features).toEqual([
        { Name: "EBS_MALWARE_PROTECTION", Status: "DISABLED" },
        { Name: "EKS_AUDIT_LOGS", Status: "DISABLED" },
        { Name: "RUNTIME_MONITORING", Status: "DISABLED" },
      ]);
      expect(c.diff.map((d) => d.path)).toEqual(["/Features/EBS_MALWARE_PROTECTION", "/Features/EKS_AUDIT_LOGS", "/Features/RUNTIME_MONITORING"]);
      expect(c.findingIds.sort()).toEqual(findings.map((f) => f.id).sort());
      expect(c.notes?.some((n) => n.includes("agent"))).toBe(true);

      const j = await apply(plan, guardduty);
      expect(j.steps[0].status).toBe("verified");
      expect(await remediationFor(PLANS)?.read(c.target, aws())).toEqual(c.after);
      expect(await planFixes(await scan(guardduty, PLANS), { aws: aws(), packParams: pack.params })).toEqual({ changes: [], manual: [] });

      await rollbackRun(j, { aws: aws(), runsDir });
      expect(j.steps[0].status).toBe("rolled-back");
      const feats = detectors.get(D)!.features;
      expect(feats.find((f) => f.Name === "EKS_AUDIT_LOGS")?.Status).toBe("DISABLED");
      expect(feats.find((f) => f.Name === "RDS_LOGIN_EVENTS")?.Status).toBe("DISABLED");
      expect(feats.find((f) => f.Name === "S3_DATA_EVENTS")?.Status).toBe("ENABLED");
    });

    it("refuses a detector whose features changed since the plan", async () => {
      detectors.set(D, {
        status: "ENABLED",
        features: [
          { Name: "S3_DATA_EVENTS", Status: "ENABLED" },
          { Name: "EKS_AUDIT_LOGS", Status: "ENABLED" },
          { Name: "RUNTIME_MONITORING", Status: "ENABLED" },
        ],
      });
      const plan = await planFixes(await scan(guardduty, PLANS), { aws: aws(), packParams: pack.params });
      expect(plan.changes[0].calls[0].input.Features).toEqual([{ Name: "EBS_MALWARE_PROTECTION", Status: "ENABLED" }]);
      detectors.get(D)!.features.push({ Name: "EBS_MALWARE_PROTECTION", Status: "ENABLED" });
      const j = await apply(plan, guardduty);
      expect(j.steps[0].status).toBe("refused-drift");
      expect(gd.commandCalls(UpdateDetectorCommand)).toHaveLength(0);
    });
  });
});

// ---------------------------------------------------------------------------------------

describe("kms-key-policy-cross-account-scoped", () => {
  const RULE = "kms-key-policy-cross-account-scoped";
  const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
  const TRUSTED = "444455556666";
  const ADMIN = { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" };
  const OPEN = {
    Sid: "AllowUseViaSecretsManager",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
    Condition: { Bool: { "aws:SecureTransport": "true" } },
  };
  const ORIGINAL = JSON.stringify({ Version: "2012-10-17", Id: "key-policy", Statement: [ADMIN, OPEN] }, null, 2);
  let policy: string;
  let trustedPack: PolicyPack;

  beforeEach(() => {
    policy = ORIGINAL;
    trustedPack = { ...pack, params: { ...pack.params, trustedAccounts: [TRUSTED] } };
    kmsMock.on(ListKeysCommand).resolves({ Keys: [{ KeyId: KEY_ID, KeyArn: KEY }], Truncated: false });
    kmsMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: KEY_ID,
        Arn: KEY,
        KeyManager: "CUSTOMER",
        KeySpec: "SYMMETRIC_DEFAULT",
        KeyUsage: "ENCRYPT_DECRYPT",
        Enabled: true,
        KeyState: "Enabled",
        Origin: "AWS_KMS",
      },
    });
    kmsMock.on(GetKeyPolicyCommand).callsFake(() => ({ Policy: policy, PolicyName: "default" }));
    kmsMock.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true });
    kmsMock.on(ListResourceTagsCommand).resolves({ Tags: [], Truncated: false });
    kmsMock.on(PutKeyPolicyCommand).callsFake((i: { Policy: string }) => {
      JSON.parse(i.Policy);
      policy = i.Policy;
      return {};
    });
  });

  const PARAMS = { [RULE]: { viaServices: [`secretsmanager.${REGION}.amazonaws.com`] } };

  it("adds kms:CallerAccount (trustedAccounts ∪ the key's account) and kms:ViaService, keeps every condition, needs --allow-user-impact, and rolls back to the exact old text", async () => {
    const findings = await scan(kms, RULE, trustedPack);
    expect(findings).toHaveLength(2);
    const plan = await planFixes(findings, { aws: aws(), params: PARAMS, packParams: trustedPack.params });
    expect(plan.manual).toEqual([]);
    const c = plan.changes[0];
    const fixedStatement = {
      ...OPEN,
      Condition: {
        Bool: { "aws:SecureTransport": "true" },
        StringEquals: { "kms:CallerAccount": [ACCOUNT, TRUSTED], "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` },
      },
    };
    expect(c.calls).toEqual([
      {
        service: "kms",
        region: REGION,
        action: "PutKeyPolicy",
        input: { KeyId: KEY, PolicyName: "default", Policy: expect.any(String), BypassPolicyLockoutSafetyCheck: false },
      },
    ]);
    expect(JSON.parse(c.calls[0].input.Policy as string)).toEqual({ Version: "2012-10-17", Id: "key-policy", Statement: [ADMIN, fixedStatement] });
    expect(c.rollbackCalls[0].input.Policy).toBe(ORIGINAL);
    expect(c.diff).toEqual([{ op: "add", path: "/Policy/Statement/1/Condition/StringEquals", value: fixedStatement.Condition.StringEquals }]);
    expect(c.risk?.flag).toBe("allow-user-impact");
    expect(c.risk?.reason).toContain(`accounts other than ${ACCOUNT}, ${TRUSTED}`);

    // Without the flag: skipped, nothing sent.
    const skipped = await apply(plan, kms, [], trustedPack);
    expect(skipped.steps[0].status).toBe("skipped");
    expect(kmsMock.commandCalls(PutKeyPolicyCommand)).toHaveLength(0);

    const j = await apply(plan, kms, ["allow-user-impact"], trustedPack);
    expect(j.steps[0].status).toBe("verified");
    expect(await remediationFor(RULE)?.read(c.target, aws())).toEqual(c.after);
    expect(await scan(kms, RULE, trustedPack)).toEqual([]);

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rolled-back");
    expect(policy).toBe(ORIGINAL);
  });

  it("plans the same offline (--snapshot) as live", async () => {
    await offlineEqualsLive(kms, RULE, trustedPack, PARAMS);
  });

  it("leaves a missing ViaService to a person without the parameter, never changes an existing condition, and refuses drift", async () => {
    policy = JSON.stringify({ Version: "2012-10-17", Statement: [ADMIN, { ...OPEN, Condition: { StringLike: { "kms:ViaService": "*" } } }] });
    const plan = await planFixes(await scan(kms, RULE, trustedPack), { aws: aws(), packParams: trustedPack.params });
    expect(plan.manual.map((m) => m.reason)).toEqual([expect.stringContaining("already conditions kms:ViaService")]);
    expect(plan.changes).toHaveLength(1);
    expect(JSON.parse(plan.changes[0].calls[0].input.Policy as string).Statement[1].Condition).toEqual({
      StringLike: { "kms:ViaService": "*" },
      StringEquals: { "kms:CallerAccount": [ACCOUNT, TRUSTED] },
    });

    policy = JSON.stringify({ Version: "2012-10-17", Statement: [ADMIN, { ...OPEN, Condition: { StringEquals: { "kms:CallerAccount": ["999988887777"] } } }] });
    const plan2 = await planFixes(await scan(kms, RULE, trustedPack), { aws: aws(), packParams: trustedPack.params });
    expect(plan2.changes).toEqual([]);
    expect(plan2.manual.map((m) => m.reason.split(";")[0]).sort()).toEqual([
      'statement "AllowUseViaSecretsManager" already conditions kms:CallerAccount with values that are not trusted',
      "which services use the key is not known to rampart",
    ]);

    policy = ORIGINAL;
    const plan3 = await planFixes(await scan(kms, RULE, trustedPack), { aws: aws(), params: PARAMS, packParams: trustedPack.params });
    policy = JSON.stringify({ Version: "2012-10-17", Statement: [ADMIN] });
    const j = await apply(plan3, kms, ["allow-user-impact"], trustedPack);
    expect(j.steps[0].status).toBe("refused-drift");
    expect(kmsMock.commandCalls(PutKeyPolicyCommand)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------

describe("wafv2-web-acl-logging-enabled", () => {
  const RULE = "wafv2-web-acl-logging-enabled";
  const ACL = `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/shop/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;
  const DEST = `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/aws-waf-logs-shop`;
  let logging: Map<string, Record<string, unknown>>;

  beforeEach(() => {
    logging = new Map();
    waf.on(ListWebACLsCommand).callsFake((i: { Scope: string }) => ({
      WebACLs: i.Scope === "REGIONAL" ? [{ Name: "shop", Id: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", ARN: ACL }] : [],
    }));
    waf.on(GetWebACLCommand).resolves({
      WebACL: {
        Name: "shop",
        Id: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        ARN: ACL,
        DefaultAction: { Allow: {} },
        Rules: [],
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "shop" },
        ManagedByFirewallManager: false,
      },
    });
    waf.on(ListTagsForResourceCommand).resolves({ TagInfoForResource: { ResourceARN: ACL, TagList: [] } });
    waf.on(ListResourcesForWebACLCommand).resolves({ ResourceArns: [] });
    waf.on(ListLoggingConfigurationsCommand).callsFake(() => ({ LoggingConfigurations: [...logging.values()] }));
    waf.on(GetLoggingConfigurationCommand).callsFake((i: { ResourceArn: string }) => {
      const lc = logging.get(i.ResourceArn);
      if (!lc) throw notFound("WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.");
      return { LoggingConfiguration: lc };
    });
    waf.on(PutLoggingConfigurationCommand).callsFake((i: { LoggingConfiguration: Record<string, unknown> }) => {
      const lc = { ...i.LoggingConfiguration, LogType: "WAF_LOGS", LogScope: "CUSTOMER", ManagedByFirewallManager: false };
      logging.set(i.LoggingConfiguration.ResourceArn as string, lc);
      return { LoggingConfiguration: lc };
    });
    waf.on(DeleteLoggingConfigurationCommand).callsFake((i: { ResourceArn: string }) => {
      if (!logging.delete(i.ResourceArn)) throw notFound("WAFNonexistentItemException");
      return {};
    });
  });

  it("logs to the destination parameter with sensitive headers redacted, verifies, rolls back with DeleteLoggingConfiguration", async () => {
    const findings = await scan(wafv2, RULE);
    expect(findings.map((f) => f.resource.id)).toEqual([ACL]);
    const plan = await planFixes(findings, { aws: aws(), params: { [RULE]: { destination: DEST } } });
    const c = plan.changes[0];
    const lc = {
      ResourceArn: ACL,
      LogDestinationConfigs: [DEST],
      RedactedFields: [{ SingleHeader: { Name: "authorization" } }, { SingleHeader: { Name: "cookie" } }],
    };
    expect(c.calls).toEqual([{ service: "wafv2", region: REGION, action: "PutLoggingConfiguration", input: { LoggingConfiguration: lc } }]);
    expect(c.rollbackCalls).toEqual([{ service: "wafv2", region: REGION, action: "DeleteLoggingConfiguration", input: { ResourceArn: ACL } }]);
    expect(c.diff).toEqual([
      { op: "replace", path: "/LoggingConfiguration", from: null, value: { LogDestinationConfigs: [DEST], RedactedFields: lc.RedactedFields } },
    ]);

    const j = await apply(plan, wafv2);
    expect(j.steps[0].status).toBe("verified");
    expect(await remediationFor(RULE)?.read(c.target, aws())).toEqual(c.after);
    expect(await scan(wafv2, RULE)).toEqual([]);
    // The redaction rule passes too.
    const snap = await collect({ services: ["wafv2"], collectors: [wafv2], regions: [REGION], homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
    expect(engine.evaluate(snap, pack, { kind: "live" }).findings.filter((f) => f.ruleId === "wafv2-logging-redacts-sensitive-fields")).toEqual([]);

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rolled-back");
    expect(logging.size).toBe(0);
  });

  it("plans the same offline (--snapshot) as live", async () => {
    await offlineEqualsLive(wafv2, RULE, pack, { [RULE]: { destination: DEST } });
  });

  it("refuses a destination not named aws-waf-logs-*, asks for one when none is given, and refuses drift", async () => {
    const findings = await scan(wafv2, RULE);
    await expect(
      planFixes(findings, { aws: aws(), params: { [RULE]: { destination: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/shop-logs` } } }),
    ).rejects.toThrow(/parameters of wafv2-web-acl-logging-enabled/);
    const none = await planFixes(findings, { aws: aws() });
    expect(none.changes).toEqual([]);
    expect(none.manual[0].reason).toBe("no log destination is known to rampart");
    const elsewhere = await planFixes(findings, {
      aws: aws(),
      params: { [RULE]: { destination: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:aws-waf-logs-shop` } },
    });
    expect(elsewhere.manual[0].reason).toBe("the destination is in eu-west-1, the web ACL in us-east-1");

    const plan = await planFixes(findings, { aws: aws(), params: { [RULE]: { destination: DEST } } });
    logging.set(ACL, { ResourceArn: ACL, LogDestinationConfigs: [`arn:aws:s3:::aws-waf-logs-other`] });
    const j = await apply(plan, wafv2);
    expect(j.steps[0].status).toBe("refused-drift");
    expect(waf.commandCalls(PutLoggingConfigurationCommand)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------

describe("workmail-organization-mfa-enforced", () => {
  const RULE = "workmail-organization-mfa-enforced";
  const ORG = "m-d281d0a2fd824be5b6cd3d3ce909fd27";
  const ORG_ARN = `arn:aws:workmail:${REGION}:${ACCOUNT}:organization/${ORG}`;
  const IC = {
    InstanceArn: "arn:aws:sso:::instance/ssoins-1234567890abcdef",
    ApplicationArn: "arn:aws:sso::111122223333:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
  };
  let config: Record<string, unknown> | undefined;
  let users: Array<Record<string, unknown>>;

  beforeEach(() => {
    config = {
      AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY",
      IdentityCenterConfiguration: IC,
      PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 90 },
    };
    users = [
      { Id: "u1", Name: "alice", Email: "alice@example.com", State: "ENABLED", UserRole: "USER", IdentityProviderUserId: "idc-alice" },
      { Id: "u2", Name: "bob", Email: "bob@example.com", State: "ENABLED", UserRole: "USER" },
    ];
    wm.on(ListOrganizationsCommand).resolves({ OrganizationSummaries: [{ OrganizationId: ORG, Alias: "example", State: "Active" }] });
    wm.on(DescribeOrganizationCommand).resolves({
      OrganizationId: ORG,
      Alias: "example",
      State: "Active",
      ARN: ORG_ARN,
      DirectoryType: "WorkMailDirectory",
      DefaultMailDomain: "example.awsapps.com",
    });
    wm.on(DescribeIdentityProviderConfigurationCommand).callsFake(() => {
      if (!config) throw notFound("ResourceNotFoundException");
      return config;
    });
    wm.on(ListUsersCommand).callsFake(() => ({ Users: users }));
    wm.on(PutIdentityProviderConfigurationCommand).callsFake((i: Record<string, unknown>) => {
      const { OrganizationId: _, ...rest } = i;
      config = rest;
      return {};
    });
  });

  it("lists the users without Identity Center and refuses without --allow-user-impact; applies with it, keeping every field; rolls back the mode", async () => {
    const findings = await scan(workmail, RULE);
    expect(findings).toHaveLength(1);
    const plan = await planFixes(findings, { aws: aws() });
    const c = plan.changes[0];
    expect(c.calls).toEqual([
      {
        service: "workmail",
        region: REGION,
        action: "PutIdentityProviderConfiguration",
        input: {
          OrganizationId: ORG,
          AuthenticationMode: "IDENTITY_PROVIDER_ONLY",
          IdentityCenterConfiguration: IC,
          PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 90 },
        },
      },
    ]);
    expect(c.rollbackCalls[0].input.AuthenticationMode).toBe("IDENTITY_PROVIDER_AND_DIRECTORY");
    expect(c.diff).toEqual([{ op: "replace", path: "/AuthenticationMode", from: "IDENTITY_PROVIDER_AND_DIRECTORY", value: "IDENTITY_PROVIDER_ONLY" }]);
    expect(c.risk).toEqual({
      flag: "allow-user-impact",
      reason: expect.stringContaining("1 enabled user(s) have no Identity Center user and will be locked out: bob"),
    });
    expect(c.notes?.[0]).toContain("bob");

    const skipped = await apply(plan, workmail);
    expect(skipped.steps[0].status).toBe("skipped");
    expect(wm.commandCalls(PutIdentityProviderConfigurationCommand)).toHaveLength(0);

    const j = await apply(plan, workmail, ["allow-user-impact"]);
    expect(j.steps[0].status).toBe("verified");
    expect(config).toEqual({
      AuthenticationMode: "IDENTITY_PROVIDER_ONLY",
      IdentityCenterConfiguration: IC,
      PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 90 },
    });
    expect(await remediationFor(RULE)?.read(c.target, aws())).toEqual(c.after);
    expect(await scan(workmail, RULE)).toEqual([]);

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rolled-back");
    expect(config?.AuthenticationMode).toBe("IDENTITY_PROVIDER_AND_DIRECTORY");
  });

  it("needs no flag once every user is linked; leaves an organization without Identity Center to a person; refuses drift", async () => {
    users[1].IdentityProviderUserId = "idc-bob";
    const plan = await planFixes(await scan(workmail, RULE), { aws: aws() });
    expect(plan.changes[0].risk).toBeUndefined();

    // Offline against a snapshot: the snapshot's list of users decides.
    const snap = await collect({ services: ["workmail"], collectors: [workmail], regions: [REGION], homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
    const offline = await planFixes(
      engine.evaluate(snap, pack, { kind: "live" }).findings.filter((f) => f.ruleId === RULE),
      { snapshot: snap },
    );
    expect(offline.changes[0].calls).toEqual(plan.changes[0].calls);

    config = { AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY", PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 90 } };
    const noIc = await planFixes(await scan(workmail, RULE), { aws: aws() });
    expect(noIc.changes).toEqual([]);
    expect(noIc.manual[0].reason).toContain("no complete IAM Identity Center configuration");

    config = {
      AuthenticationMode: "IDENTITY_PROVIDER_AND_DIRECTORY",
      IdentityCenterConfiguration: IC,
      PersonalAccessTokenConfiguration: { Status: "ACTIVE", LifetimeInDays: 90 },
    };
    const again = await planFixes(await scan(workmail, RULE), { aws: aws() });
    config = { ...config, PersonalAccessTokenConfiguration: { Status: "INACTIVE" } };
    const j = await apply(again, workmail, ["allow-user-impact"]);
    expect(j.steps[0].status).toBe("refused-drift");
    expect(wm.commandCalls(PutIdentityProviderConfigurationCommand)).toHaveLength(0);
  });
});
