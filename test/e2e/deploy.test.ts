/**
 * deploy/: the scheduled organization scan (rampart-org-scan.yaml) and the member-account role
 * (rampart-member-role.yaml). The read-only policy both templates embed is exactly what
 * `rampart permissions` prints (so they cannot drift apart), the scan task runs a command the CLI
 * accepts, the roles grant only what is called, and rampart's own IaC gate passes on the folder.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTemplateText } from "../../collectors/iac/cloudformation/yaml.js";
import { repoRoot } from "../../model/paths.js";
import { cli, json, type CliRun } from "./helpers.js";

type Obj = Record<string, any>;

const deployDir = path.join(repoRoot, "deploy");
const load = (name: string): Obj => parseTemplateText(fs.readFileSync(path.join(deployDir, name), "utf8")).value as Obj;
const scanTemplate = load("rampart-org-scan.yaml");
const memberTemplate = load("rampart-member-role.yaml");
const res = (t: Obj, id: string): Obj => {
  expect(t.Resources[id], `resource ${id}`).toBeDefined();
  return t.Resources[id];
};
const policy = (role: Obj, name: string): Obj => {
  const p = (role.Properties.Policies as Obj[]).find((x) => x.PolicyName === name);
  expect(p, `inline policy ${name}`).toBeDefined();
  return p!.PolicyDocument;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const actionsOf = (doc: Obj): string[] => (doc.Statement as Obj[]).flatMap((s) => list(s.Action) as string[]).sort();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-deploy-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("deploy/ templates", () => {
  let permissions: CliRun;
  beforeAll(async () => {
    permissions = await cli(["permissions"]);
  });

  it("embed exactly the read-only policy `rampart permissions` prints", async () => {
    expect(permissions.code).toBe(0);
    const expected = json(permissions);
    expect(expected.Statement.length).toBeGreaterThan(0);
    expect(policy(res(scanTemplate, "ScannerTaskRole"), "rampart-read-only")).toEqual(expected);
    expect(policy(res(memberTemplate, "RampartReadOnlyRole"), "rampart-read-only")).toEqual(expected);
    // Read-only: no write, tag or secret-value action slipped in.
    for (const a of actionsOf(expected)) expect(a).toMatch(/^[a-z0-9-]+:(Get|List|Describe|Select|BatchGet)[A-Za-z0-9]*$/);
  });

  it("give the scan task only the read-only policy, the member role and its report prefix", async () => {
    const role = res(scanTemplate, "ScannerTaskRole");
    expect((role.Properties.Policies as Obj[]).map((p) => p.PolicyName).sort()).toEqual(["enter-member-accounts", "rampart-read-only", "write-reports"]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const enter = policy(role, "enter-member-accounts");
    expect(enter.Statement).toHaveLength(1);
    expect(enter.Statement[0]).toMatchObject({
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}" },
    });
    expect(enter.Statement[0].Condition).toEqual({ StringEquals: { "aws:ResourceOrgID": "${aws:PrincipalOrgID}" } });
    const reports = policy(role, "write-reports");
    expect(reports.Statement).toEqual([
      { Sid: "PutScanHistory", Effect: "Allow", Action: "s3:PutObject", Resource: { "Fn::Sub": "${ReportBucket.Arn}/${ReportPrefix}/*" } },
    ]);
    // Trusted by ECS tasks of this account only.
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
    expect(Object.keys(trust[0].Condition).sort()).toEqual(["ArnLike", "StringEquals"]);
  });

  it("limit the state machine and scheduler roles to what they call", async () => {
    const sm = policy(res(scanTemplate, "StateMachineRole"), "rampart-org-scan");
    expect(actionsOf(sm)).toEqual(
      [
        "ecs:DescribeTasks",
        "ecs:RunTask",
        "ecs:StopTask",
        "events:DescribeRule",
        "events:PutRule",
        "events:PutTargets",
        "iam:PassRole",
        "organizations:ListAccounts",
        "states:DescribeExecution",
        "states:StartExecution",
        "states:StopExecution",
      ].sort(),
    );
    const star = (sm.Statement as Obj[]).filter((s) => s.Resource === "*");
    expect(star.map((s) => s.Action)).toEqual(["organizations:ListAccounts"]); // has no resource-level permissions
    const pass = (sm.Statement as Obj[]).find((s) => s.Action === "iam:PassRole")!;
    expect(pass.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    const sched = policy(res(scanTemplate, "SchedulerRole"), "start-org-scan");
    expect(sched.Statement).toEqual([{ Sid: "StartOrgScan", Effect: "Allow", Action: "states:StartExecution", Resource: { Ref: "OrgScanStateMachine" } }]);
    for (const id of ["StateMachineRole", "SchedulerRole"]) {
      const st = res(scanTemplate, id).Properties.AssumeRolePolicyDocument.Statement;
      expect(st).toHaveLength(1);
      expect(st[0].Condition.StringEquals["aws:SourceAccount"]).toEqual({ Ref: "AWS::AccountId" });
    }
  });

  it("schedule a Distributed Map over the organization's accounts, one Fargate scan per account", async () => {
    const schedule = res(scanTemplate, "OrgScanSchedule");
    expect(schedule.Type).toBe("AWS::Scheduler::Schedule");
    expect(schedule.Properties.Target).toMatchObject({ Arn: { Ref: "OrgScanStateMachine" }, RoleArn: { "Fn::GetAtt": "SchedulerRole.Arn" } });
    const machine = res(scanTemplate, "OrgScanStateMachine");
    expect(machine.Type).toBe("AWS::StepFunctions::StateMachine");
    const states = machine.Properties.Definition.States as Obj;
    expect(states.ListAccounts.Resource).toBe("arn:aws:states:::aws-sdk:organizations:listAccounts");
    expect(states.ListMoreAccounts.Parameters).toEqual({ "NextToken.$": "$.page.NextToken" });
    expect(states.MoreAccounts.Choices[0]).toEqual({ Variable: "$.page.NextToken", IsPresent: true, Next: "ListMoreAccounts" });
    const map = states.ScanAccounts;
    expect(map.Type).toBe("Map");
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    const scan = map.ItemProcessor.States.Scan;
    expect(scan.Resource).toBe("arn:aws:states:::ecs:runTask.sync");
    expect(scan.Parameters.LaunchType).toBe("FARGATE");
    // Every ${…} of the definition has a substitution.
    const subs = machine.Properties.DefinitionSubstitutions as Obj;
    const used = new Set([...JSON.stringify(machine.Properties.Definition).matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(subs).sort());
    // Each substitution refers to a parameter or resource of the template.
    const names = [...Object.keys(scanTemplate.Parameters), ...Object.keys(scanTemplate.Resources)];
    for (const v of Object.values(subs)) {
      for (const m of JSON.stringify(v).matchAll(/"(?:Ref|Fn::GetAtt)":(?:\["|")([A-Za-z0-9]+)/g)) expect(names).toContain(m[1]);
    }
  });

  it("runs a scan command the CLI accepts: scan --accounts <id> --role-name … --format json --history s3://…", async () => {
    const machine = res(scanTemplate, "OrgScanStateMachine");
    const command: string = machine.Properties.Definition.States.ScanAccounts.ItemProcessor.States.Scan.Parameters.Overrides.ContainerOverrides[0]["Command.$"];
    expect(command.startsWith("States.Array(")).toBe(true);
    const args = [...command.matchAll(/'([^']*)'|(\$\.[A-Za-z]+)/g)].map((m) => m[1] ?? `<${m[2]}>`);
    expect(args.slice(0, 5)).toEqual(["scan", "--accounts", "<$.accountId>", "--role-name", "${MemberRoleName}"]);
    expect(command).toMatch(/'--format', 'json'/);
    expect(command).toMatch(/'--fail-on', 'none'/); // findings are data here; a failed task means the scan failed
    expect(command).toMatch(/'--history', States\.Format\('s3:\/\/\$\{ReportBucket\}\/\$\{ReportPrefix\}\/\{\}', \$\.accountId\)/);
    // Each option is one `rampart scan` knows.
    const help = await cli(["scan", "--help"]);
    for (const opt of args.filter((a) => a.startsWith("--"))) expect(help.stdout).toContain(`${opt} `);
    // The same options on a saved snapshot (no AWS): an empty --external-id means none, --history a folder.
    const history = path.join(tmp, "history", "123456789012");
    const run = await cli([
      "scan",
      "--snapshot",
      "examples/demo/account.json",
      "--external-id",
      "",
      "--regions",
      "all",
      "--format",
      "json",
      "--fail-on",
      "none",
      "--history",
      history,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run).findings.length).toBeGreaterThan(0);
    expect(fs.readdirSync(history).filter((f) => f.endsWith(".json"))).toHaveLength(1);
  });

  it("keep the reports encrypted, private and TLS-only", async () => {
    const bucket = res(scanTemplate, "ReportBucket").Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls.Rules[0].ObjectOwnership).toBe("BucketOwnerEnforced");
    const bp = res(scanTemplate, "ReportBucketPolicy").Properties;
    expect(bp.Bucket).toEqual({ Ref: "ReportBucket" });
    const deny = (bp.PolicyDocument.Statement as Obj[]).find((s) => s.Condition?.Bool?.["aws:SecureTransport"] === "false");
    expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*" });
    expect(deny!.Resource).toHaveLength(2); // the bucket and its objects
  });

  it("let only the scanner role of the organization assume the member role", async () => {
    const st = res(memberTemplate, "RampartReadOnlyRole").Properties.AssumeRolePolicyDocument.Statement;
    expect(st).toHaveLength(1);
    expect(st[0].Principal).toEqual({ AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${ScannerAccountId}:root" } });
    expect(st[0].Action).toBe("sts:AssumeRole");
    expect(st[0].Condition.ArnEquals["aws:PrincipalArn"]).toEqual({ "Fn::Sub": "arn:${AWS::Partition}:iam::${ScannerAccountId}:role/${ScannerRoleName}" });
    const [cond, withId, withoutId] = st[0].Condition.StringEquals["Fn::If"];
    expect(cond).toBe("HasExternalId");
    expect(withId).toEqual({ "aws:PrincipalOrgID": { Ref: "OrganizationId" }, "sts:ExternalId": { Ref: "ExternalId" } });
    expect(withoutId).toEqual({ "aws:PrincipalOrgID": { Ref: "OrganizationId" } });
    // The names match across the two templates.
    for (const p of ["ScannerRoleName", "MemberRoleName", "ExternalId"]) expect(memberTemplate.Parameters[p].Default).toBe(scanTemplate.Parameters[p].Default);
  });

  it("pass rampart's own IaC gate: exit 0, no failing finding at or above high, no unknown", async () => {
    const run = await cli(["iac", "deploy/", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run);
    expect(doc.errors ?? []).toEqual([]);
    expect(doc.scan.files).toMatchObject({ loaded: 2, error: 0 });
    const rank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
    const failing = doc.findings.filter((f: Obj) => f.status === "fail" && rank[f.severity] <= rank.high);
    expect(failing).toEqual([]);
    expect(doc.findings.filter((f: Obj) => f.status === "unknown")).toEqual([]);
    // Nothing at all, in fact, and the roles and the security group were judged.
    expect(doc.findings).toEqual([]);
    expect(doc.summary.pass).toBeGreaterThan(0);
    expect((await cli(["iac", "deploy/", "--fail-on-unknown", "--fail-on", "info"])).code).toBe(0);
  });

  it("guard every service trust against the confused deputy, also when the pack lists those services", async () => {
    const pack = path.join(tmp, "strict.yaml");
    fs.writeFileSync(
      pack,
      ["name: strict", "extends: default", "params:", "  confusedDeputyServices: [states.amazonaws.com, scheduler.amazonaws.com]", ""].join("\n"),
    );
    const run = await cli(["iac", "deploy/", "--policy", pack, "--format", "json", "--fail-on", "info", "--fail-on-unknown"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const judged = json(run).summary.rules.find((r: Obj) => r.ruleId === "iam-service-trust-confused-deputy");
    expect(judged).toMatchObject({ pass: 2, fail: 0, unknown: 0 });
  });
});
