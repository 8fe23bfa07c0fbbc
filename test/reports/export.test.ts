import { ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { Snapshot } from "../../model/types.js";
import { toAsff } from "../../reports/asff.js";
import { createHandler } from "../../entry/config-rule.js";
import { exportToConfig, toEvaluations } from "../../reports/export/config.js";
import { exportToSecurityHub } from "../../reports/export/securityhub.js";
import { ACCOUNT, RULES, sampleDoc } from "./fixtures.js";

const REGION = "eu-west-1";
const ARN = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;

describe("--to securityhub (aws-sdk-client-mock)", () => {
  const sh = mockClient(SecurityHubClient);
  beforeEach(() => sh.reset());

  it("imports in batches of 100 with stable ids, filtering GetFindings by product, generator prefix and ACTIVE", async () => {
    const doc = sampleDoc({ extraFails: 240 });
    sh.on(GetFindingsCommand).resolves({ Findings: [] });
    sh.on(BatchImportFindingsCommand).callsFake((input) => ({ SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] }));
    const r = await exportToSecurityHub(doc, { rules: RULES }, { client: new SecurityHubClient({ region: REGION }), region: REGION, account: ACCOUNT });
    const total = doc.findings.length + doc.passes!.length;
    expect(r).toMatchObject({ imported: total, archived: 0, failed: [] });
    const batches = sh.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings!.length);
    expect(batches).toEqual([100, 100, Math.min(100, total - 200)].concat(total > 300 ? [total - 300] : []));
    const get = sh.commandCalls(GetFindingsCommand)[0].args[0].input;
    expect(get.Filters).toEqual({
      ProductArn: [{ Value: ARN, Comparison: "EQUALS" }],
      GeneratorId: [{ Value: "rampart/", Comparison: "PREFIX" }],
      RecordState: [{ Value: "ACTIVE", Comparison: "EQUALS" }],
    });
    const ids = sh.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings!.map((f) => f.Id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of doc.findings) expect(ids).toContain(f.id);
  });

  it("archives (RESOLVED) findings that are active in Security Hub and no longer found, keeping CreatedAt of the rest", async () => {
    const doc = sampleDoc();
    const before = toAsff(doc, { rules: RULES }, { account: ACCOUNT, region: REGION, now: new Date("2025-05-01T00:00:00Z") });
    const gone: AwsSecurityFinding = {
      ...(before[0] as AwsSecurityFinding),
      Id: "0".repeat(31) + "f",
      ProcessedAt: "2025-05-01T00:00:01Z",
      CreatedAt: "2025-04-01T00:00:00.000Z",
    };
    const kept = { ...(before[1] as AwsSecurityFinding), CreatedAt: "2025-03-01T00:00:00.000Z", FirstObservedAt: "2025-03-01T00:00:00.000Z" };
    sh.on(GetFindingsCommand)
      .resolvesOnce({ Findings: [kept], NextToken: "page2" })
      .resolvesOnce({ Findings: [gone] });
    sh.on(BatchImportFindingsCommand).callsFake((input) => ({ SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] }));
    const r = await exportToSecurityHub(doc, { rules: RULES }, { client: new SecurityHubClient({ region: REGION }), region: REGION, account: ACCOUNT });
    expect(r.archived).toBe(1);
    expect(sh.commandCalls(GetFindingsCommand)[1].args[0].input.NextToken).toBe("page2");
    const sent = sh.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings!);
    const archived = sent.find((f) => f.Id === gone.Id)!;
    expect(archived).toMatchObject({ RecordState: "ARCHIVED", Workflow: { Status: "RESOLVED" }, CreatedAt: "2025-04-01T00:00:00.000Z" });
    expect(archived.ProcessedAt).toBeUndefined();
    expect(sent.find((f) => f.Id === kept.Id)).toMatchObject({ CreatedAt: "2025-03-01T00:00:00.000Z", RecordState: "ACTIVE" });
  });

  it("archives nothing after an incomplete scan, and reports failed imports", async () => {
    const doc = { ...sampleDoc(), scan: { ...sampleDoc().scan, incomplete: true } };
    const other = { ...(toAsff(sampleDoc(), { rules: RULES }, { region: REGION })[0] as AwsSecurityFinding), Id: "gone" };
    sh.on(GetFindingsCommand).resolves({ Findings: [other] });
    sh.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 8,
      FailedCount: 1,
      FailedFindings: [{ Id: doc.findings[0].id, ErrorCode: "InvalidInput", ErrorMessage: "bad" }],
    });
    const r = await exportToSecurityHub(doc, { rules: RULES }, { client: new SecurityHubClient({ region: REGION }), region: REGION, account: ACCOUNT });
    expect(r.archived).toBe(0);
    expect(r.archiveSkipped).toMatch(/incomplete/);
    expect(r.failed).toHaveLength(1);
    expect(r.imported).toBe(doc.findings.length + doc.passes!.length - 1);
  });
});

describe("--to config (aws-sdk-client-mock)", () => {
  const cfg = mockClient(ConfigServiceClient);
  beforeEach(() => cfg.reset());

  it("maps each judged resource to one evaluation", () => {
    const { evaluations, skipped } = toEvaluations(sampleDoc(), { orderingTimestamp: new Date("2025-06-01T10:00:00Z") });
    const by = (type: string, id: string) => evaluations.find((e) => e.ComplianceResourceType === type && e.ComplianceResourceId === id);
    expect(by("AWS::KMS::Key", "1234abcd-12ab-34cd-56ef-1234567890ab")?.ComplianceType).toBe("NON_COMPLIANT");
    expect(by("AWS::KMS::Key", "good")?.ComplianceType).toBe("COMPLIANT");
    expect(by("AWS::IAM::Role", "good-role")?.ComplianceType).toBe("COMPLIANT");
    expect(by("AWS::EC2::SecurityGroup", "sg-0abc")?.ComplianceType).toBe("NOT_APPLICABLE");
    expect(by("AWS::::Account", ACCOUNT)?.ComplianceType).toBe("NON_COMPLIANT"); // the missing detector, and the denied service
    expect(skipped).toBe(1); // the IaC finding without an account
    for (const e of evaluations) expect(e.Annotation!.length).toBeLessThanOrEqual(256);
    const d = sampleDoc();
    d.findings = d.findings.filter((f) => f.status === "unknown");
    expect(toEvaluations(d, { unknownAs: "INSUFFICIENT_DATA" }).evaluations[0].ComplianceType).toBe("INSUFFICIENT_DATA");
    expect(() => toEvaluations({ ...d, scan: { ...d.scan, kind: "iac" } })).toThrow(/live/);
  });

  it("sends PutEvaluations in batches of 100 with the result token", async () => {
    const doc = sampleDoc({ extraFails: 230 });
    cfg.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const r = await exportToConfig(doc, { client: new ConfigServiceClient({ region: REGION }), resultToken: "token-1" });
    const calls = cfg.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Evaluations!.length)).toEqual([100, 100, r.sent - 200]);
    expect(calls.every((c) => c.ResultToken === "token-1" && c.TestMode === undefined)).toBe(true);
    await expect(exportToConfig(doc, { client: new ConfigServiceClient({ region: REGION }), resultToken: "" })).rejects.toThrow(/result token/);
  });

  it("the Lambda handler runs rampart on the account and reports with the invocation's token", async () => {
    cfg.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const snapshot: Snapshot = {
      schemaVersion: "1",
      source: { kind: "aws", accounts: [ACCOUNT], regions: [REGION] },
      resources: [],
      coverage: [],
    } as unknown as Snapshot;
    let asked: unknown;
    const handler = createHandler({
      configClient: new ConfigServiceClient({ region: REGION }),
      collect: async (o) => {
        asked = o;
        return snapshot;
      },
    });
    const event = {
      invokingEvent: JSON.stringify({ messageType: "ScheduledNotification", awsAccountId: ACCOUNT, notificationCreationTime: "2025-06-01T10:00:00.000Z" }),
      ruleParameters: JSON.stringify({ regions: "eu-west-1", services: "iam" }),
      resultToken: "TESTMODE",
      eventLeftScope: false,
      accountId: ACCOUNT,
    };
    const r = await handler(event);
    expect(asked).toEqual({ regions: ["eu-west-1"], services: ["iam"] });
    expect(r.failed).toEqual([]);
    for (const c of cfg.commandCalls(PutEvaluationsCommand)) expect(c.args[0].input).toMatchObject({ ResultToken: "TESTMODE", TestMode: true });
    cfg.resetHistory();
    await handler({
      ...event,
      eventLeftScope: true,
      resultToken: "tok",
      invokingEvent: JSON.stringify({
        messageType: "ConfigurationItemChangeNotification",
        configurationItem: { resourceType: "AWS::IAM::Role", resourceId: "AROA1", configurationItemCaptureTime: "2025-06-01T10:00:00.000Z" },
      }),
    });
    expect(cfg.commandCalls(PutEvaluationsCommand)[0].args[0].input.Evaluations).toEqual([
      {
        ComplianceResourceType: "AWS::IAM::Role",
        ComplianceResourceId: "AROA1",
        ComplianceType: "NOT_APPLICABLE",
        OrderingTimestamp: new Date("2025-06-01T10:00:00.000Z"),
      },
    ]);
  });
});
