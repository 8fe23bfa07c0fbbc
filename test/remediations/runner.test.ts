/**
 * The remediation runner against aws-sdk-client-mock with a stateful fake IAM: plan
 * (exact calls and diff), risk flags, drift refusal, the journal, verify (re-collect with
 * the real IAM collector, re-evaluate with the engine), rollback, an interrupted run
 * resumed and rolled back, and idempotence.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetAccountAuthorizationDetailsCommand, GetRoleCommand, IAMClient, ListRolesCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { ListProfilesCommand, ListTrustAnchorsCommand, RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { legacy, mockLegacyClient } from "../collectors/fixtures.js";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { iam } from "../../collectors/aws/iam.js";
import { collect } from "../../collectors/aws/runner.js";
import { Engine } from "../../engine/engine.js";
import type { Finding } from "../../engine/findings.js";
import { loadPack, type PolicyPack } from "../../engine/pack.js";
import { AwsClients } from "../../remediations/clients.js";
import { readJournal } from "../../remediations/journal.js";
import { applyRun, newJournal, planFixes, rollbackRun, type RunDeps } from "../../remediations/runner.js";
import { ACCOUNT, BROAD_POD_TRUST, OPEN_ROLESANYWHERE_TRUST, anchorArn, roleArn } from "./stub.js";

const CREDS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };
const ANCHOR = anchorArn("a1b2c3d4-0000-4000-8000-000000000001");
const CN = "workload-a.example.com";

const iamMock = mockClient(IAMClient);
const stsMock = mockClient(STSClient);
const raMock = mockLegacyClient(RolesAnywhereClient);

let roles: Map<string, string>;
let updates: Array<{ RoleName?: string; PolicyDocument?: string }>;
/** Called on each UpdateAssumeRolePolicy before it is answered; may return a promise to hold the answer. */
let onUpdate: ((name: string) => Promise<void> | void) | undefined;
let engine: Engine;
let pack: PolicyPack;
let runsDir: string;

const original = (): Map<string, string> =>
  new Map([
    ["workload-a", OPEN_ROLESANYWHERE_TRUST],
    ["pod-reader", BROAD_POD_TRUST],
    ["pod-writer", BROAD_POD_TRUST],
  ]);

function roleDetail(name: string) {
  return {
    RoleName: name,
    Path: "/",
    Arn: roleArn(name),
    RoleId: `AROA${name}`,
    AssumeRolePolicyDocument: encodeURIComponent(roles.get(name) ?? ""),
    CreateDate: new Date("2024-01-15T08:30:00Z"),
  };
}

function installMocks(): void {
  iamMock.reset();
  stsMock.reset();
  raMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/fixer` });
  iamMock
    .on(GetAccountAuthorizationDetailsCommand)
    .callsFake(() => ({ IsTruncated: false, RoleDetailList: [...roles.keys()].map(roleDetail), UserDetailList: [], GroupDetailList: [], Policies: [] }));
  iamMock.on(ListRolesCommand).callsFake(() => ({ IsTruncated: false, Roles: [...roles.keys()].map((n) => ({ ...roleDetail(n), MaxSessionDuration: 3600 })) }));
  iamMock.on(GetRoleCommand).callsFake((input: { RoleName: string }) => {
    if (!roles.has(input.RoleName)) throw Object.assign(new Error("no such role"), { name: "NoSuchEntityException" });
    return { Role: roleDetail(input.RoleName) };
  });
  iamMock.on(UpdateAssumeRolePolicyCommand).callsFake(async (input: { RoleName: string; PolicyDocument: string }) => {
    updates.push(input);
    roles.set(input.RoleName, input.PolicyDocument);
    await onUpdate?.(input.RoleName);
    return {};
  });
  raMock.on(legacy(ListProfilesCommand)).resolves({
    profiles: [{ name: "workloads", profileArn: `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:profile/p1`, roleArns: [roleArn("workload-a")], enabled: true }],
  });
  raMock.on(legacy(ListTrustAnchorsCommand)).resolves({
    trustAnchors: [
      { name: "corp-ca", trustAnchorArn: ANCHOR, trustAnchorId: "a1", enabled: true },
      { name: "old-ca", trustAnchorArn: anchorArn("a1b2c3d4-0000-4000-8000-000000000002"), trustAnchorId: "a2", enabled: false },
    ],
  });
}

const aws = (): AwsClients => new AwsClients({ credentials: CREDS, homeRegion: "us-east-1", maxAttempts: 1 });
const recollect =
  (a: AwsClients): RunDeps["collect"] =>
  async (req) =>
    collect({ services: req.services, collectors: [iam], homeRegion: a.homeRegion, credentials: CREDS, maxAttempts: 1 });

async function scan(): Promise<Finding[]> {
  const snap = await collect({ services: ["iam"], collectors: [iam], homeRegion: "us-east-1", credentials: CREDS, maxAttempts: 1 });
  return engine
    .evaluate(snap, pack, { kind: "live" })
    .findings.filter((f) => f.ruleId === "iam-rolesanywhere-trust-scoped" || f.ruleId === "iam-pod-identity-trust-actions");
}

const PARAMS = { "iam-rolesanywhere-trust-scoped": { certificateCN: CN } };

beforeAll(async () => {
  engine = await Engine.load();
  pack = loadPack();
});

beforeEach(() => {
  roles = original();
  updates = [];
  onUpdate = undefined;
  installMocks();
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-runs-"));
});

afterEach(() => {
  fs.rmSync(runsDir, { recursive: true, force: true });
});

const doc = (name: string): unknown => JSON.parse(roles.get(name) ?? "");

describe("plan", () => {
  it("plans the exact calls and a structural diff, and changes nothing", async () => {
    const a = aws();
    const plan = await planFixes(await scan(), { aws: a, params: PARAMS });
    expect(plan.manual).toEqual([]);
    expect(plan.changes.map((c) => [c.ruleId, c.resource.id])).toEqual([
      ["iam-rolesanywhere-trust-scoped", roleArn("workload-a")],
      ["iam-pod-identity-trust-actions", roleArn("pod-reader")],
      ["iam-pod-identity-trust-actions", roleArn("pod-writer")],
    ]);
    const [ra, pod] = plan.changes;
    const statement = JSON.parse(OPEN_ROLESANYWHERE_TRUST).Statement[0];
    const after = {
      Version: "2012-10-17",
      Statement: [{ ...statement, Condition: { StringEquals: { "aws:PrincipalTag/x509Subject/CN": CN }, ArnEquals: { "aws:SourceArn": ANCHOR } } }],
    };
    expect(ra.calls).toEqual([
      { service: "iam", region: "global", action: "UpdateAssumeRolePolicy", input: { RoleName: "workload-a", PolicyDocument: expect.any(String) } },
    ]);
    expect(JSON.parse(ra.calls[0].input.PolicyDocument as string)).toEqual(after);
    expect(ra.rollbackCalls).toEqual([
      { service: "iam", region: "global", action: "UpdateAssumeRolePolicy", input: { RoleName: "workload-a", PolicyDocument: OPEN_ROLESANYWHERE_TRUST } },
    ]);
    expect(ra.diff).toEqual([{ op: "add", path: "/AssumeRolePolicyDocument/Statement/0/Condition", value: after.Statement[0].Condition }]);
    expect(ra.findingIds).toHaveLength(2);
    expect(ra.risk).toEqual({ flag: "allow-user-impact", reason: expect.stringContaining(`CN "${CN}"`) });
    expect(ra.notes).toEqual([expect.stringContaining("Disabled trust anchors left out"), expect.stringContaining("profile/p1")]);
    expect(pod.diff).toEqual([
      { op: "replace", path: "/AssumeRolePolicyDocument/Statement/0/Action", from: "sts:*", value: ["sts:AssumeRole", "sts:TagSession"] },
    ]);
    expect(pod.risk).toBeUndefined();
    expect(updates).toEqual([]);
    expect(iamMock.commandCalls(UpdateAssumeRolePolicyCommand)).toHaveLength(0);
  });

  it("says why and what to do for the findings it cannot fix safely", async () => {
    roles.set(
      "workload-a",
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "rolesanywhere.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { ArnLike: { "aws:SourceArn": `arn:aws:rolesanywhere:us-east-1:${ACCOUNT}:trust-anchor/*` } },
          },
        ],
      }),
    );
    roles.set(
      "pod-reader",
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: ["pods.eks.amazonaws.com", "ec2.amazonaws.com"] }, Action: "sts:*" }],
      }),
    );
    roles.delete("pod-writer");
    const plan = await planFixes(await scan(), { aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual.map((m) => [m.resourceId, m.reason.split(";")[0]]).sort()).toEqual([
      [roleArn("pod-reader"), 'the statement also trusts Service:"ec2.amazonaws.com"'],
      [roleArn("workload-a"), "the certificate's subject CN is not known to rampart"],
      [roleArn("workload-a"), "the statement already conditions aws:SourceArn with values that are not single trust anchors"],
    ]);
    expect(plan.manual.every((m) => m.advice.length > 10)).toBe(true);
  });
});

describe("apply, verify, journal", () => {
  it("applies, journals every transition atomically, verifies with the engine, and skips a risky fix without its flag", async () => {
    const a = aws();
    const plan = await planFixes(await scan(), { aws: a, params: PARAMS });
    const j = newJournal(plan, { input: {}, allow: [], params: PARAMS, account: ACCOUNT });
    await applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a) });
    expect(j.steps.map((s) => s.status)).toEqual(["skipped", "verified", "verified"]);
    expect(j.steps[0].history.at(-1)?.detail).toMatch(/--allow-user-impact/);
    expect(updates.map((u) => u.RoleName)).toEqual(["pod-reader", "pod-writer"]);
    expect(doc("workload-a")).toEqual(JSON.parse(OPEN_ROLESANYWHERE_TRUST));

    const onDisk = readJournal(runsDir, j.runId);
    expect(onDisk.steps.map((s) => s.status)).toEqual(["skipped", "verified", "verified"]);
    expect(onDisk.steps[1].history.map((h) => h.status)).toEqual(["planned", "applying", "applied", "verified"]);
    expect(onDisk.steps[1].change.before).toEqual({ RoleName: "pod-reader", AssumeRolePolicyDocument: JSON.parse(BROAD_POD_TRUST) });
    expect(onDisk.steps[1].observedAfter).toEqual(onDisk.steps[1].change.after);
    expect(onDisk.steps[1].verify).toEqual([{ findingId: plan.changes[1].findingIds[0], outcome: "fixed" }]);
    expect(fs.readdirSync(path.join(runsDir, j.runId))).toEqual(["journal.json"]); // no temp file left
  });

  it("refuses a change whose resource drifted since the plan, and goes on with the others", async () => {
    const a = aws();
    const plan = await planFixes(await scan(), { aws: a, params: PARAMS });
    roles.set(
      "pod-reader",
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:*"] }] }),
    );
    const j = newJournal(plan, { input: {}, allow: ["allow-user-impact"], params: PARAMS });
    await applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a) });
    expect(j.steps.map((s) => s.status)).toEqual(["verified", "refused-drift", "verified"]);
    expect(j.steps[1].history.at(-1)?.detail).toContain('~ /AssumeRolePolicyDocument/Statement/0/Action: "sts:*" → ["sts:*"]');
    expect(updates.map((u) => u.RoleName)).toEqual(["workload-a", "pod-writer"]);
  });

  it("records a failed call and goes on with the other changes", async () => {
    const a = aws();
    const plan = await planFixes(await scan(), { aws: a, params: PARAMS });
    onUpdate = (name) => {
      if (name === "pod-reader") {
        roles.set(name, BROAD_POD_TRUST);
        throw Object.assign(new Error("Cannot exceed quota for ACLSizePerRole: 2048"), { name: "LimitExceededException" });
      }
    };
    const j = newJournal(plan, { input: {}, allow: ["allow-user-impact"], params: PARAMS });
    await applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a) });
    expect(j.steps.map((s) => s.status)).toEqual(["verified", "failed", "verified"]);
    expect(j.steps[1].error).toMatch(/LimitExceededException: Cannot exceed quota/);
    expect(j.steps[1].callsDone).toBe(0);
  });

  it("is idempotent: after the fix, a second plan plans nothing", async () => {
    const a = aws();
    const j = newJournal(await planFixes(await scan(), { aws: a, params: PARAMS }), { input: {}, allow: ["allow-user-impact"], params: PARAMS });
    await applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a) });
    expect(j.steps.map((s) => s.status)).toEqual(["verified", "verified", "verified"]);
    const findings = await scan();
    expect(findings).toEqual([]);
    expect(await planFixes(findings, { aws: a, params: PARAMS })).toEqual({ changes: [], manual: [] });
  });
});

describe("rollback", () => {
  it("restores every before-state, and refuses a resource changed since the fix", async () => {
    const a = aws();
    const j = newJournal(await planFixes(await scan(), { aws: a, params: PARAMS }), { input: {}, allow: ["allow-user-impact"], params: PARAMS });
    await applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a) });
    const edited = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
    });
    roles.set("pod-writer", edited);
    await rollbackRun(j, { aws: a, runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back", "rolled-back", "rollback-refused-drift"]);
    expect(doc("workload-a")).toEqual(JSON.parse(OPEN_ROLESANYWHERE_TRUST));
    expect(doc("pod-reader")).toEqual(JSON.parse(BROAD_POD_TRUST));
    expect(roles.get("pod-writer")).toBe(edited);
    expect(readJournal(runsDir, j.runId).steps.map((s) => s.status)).toEqual(["rolled-back", "rolled-back", "rollback-refused-drift"]);
  });
});

describe("an interrupted run", () => {
  it("is resumed from its journal without repeating a call that went through, then rolled back with nothing lost", async () => {
    const a = aws();
    const plan = await planFixes(await scan(), { aws: a, params: PARAMS });
    const j = newJournal(plan, { input: {}, allow: ["allow-user-impact"], params: PARAMS });
    // The process "dies" while pod-reader's call is in flight: IAM has made the change, the answer never arrives.
    let reached!: () => void;
    const atCrash = new Promise<void>((resolve) => (reached = resolve));
    onUpdate = (name) => {
      if (name !== "pod-reader") return;
      reached();
      return new Promise<void>(() => undefined);
    };
    void applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a), concurrency: 1 });
    await atCrash;

    // What a killed process leaves on disk.
    const left = readJournal(runsDir, j.runId);
    expect(left.steps.map((s) => s.status)).toEqual(["applied", "applying", "planned"]);
    expect(left.steps[1].callsDone).toBe(0);

    // A new process resumes from the journal.
    onUpdate = undefined;
    const b = aws();
    await applyRun(left, { aws: b, runsDir, engine, pack, collect: recollect(b) });
    expect(left.steps.map((s) => s.status)).toEqual(["verified", "verified", "verified"]);
    expect(left.steps[1].history.map((h) => h.status)).toEqual(["planned", "applying", "applied", "verified"]);
    expect(left.steps[1].history[2].detail).toBe("the interrupted run had already made the change");
    expect(updates.map((u) => u.RoleName)).toEqual(["workload-a", "pod-reader", "pod-writer"]); // pod-reader sent once

    await rollbackRun(left, { aws: b, runsDir });
    expect(left.steps.map((s) => s.status)).toEqual(["rolled-back", "rolled-back", "rolled-back"]);
    expect(roles).toEqual(original());
  });

  it("redoes a step whose call never reached AWS", async () => {
    const a = aws();
    const plan = await planFixes(await scan(), { aws: a, params: PARAMS, rule: "iam-pod-identity-trust-actions", resource: roleArn("pod-reader") });
    const j = newJournal(plan, { input: {}, allow: [], params: {} });
    // Journal as a crash right after "applying" was written leaves it.
    j.steps[0].status = "applying";
    j.steps[0].history.push({ at: new Date().toISOString(), status: "applying" });
    await applyRun(j, { aws: a, runsDir, engine, pack, collect: recollect(a) });
    expect(j.steps[0].status).toBe("verified");
    expect(updates.map((u) => u.RoleName)).toEqual(["pod-reader"]);
  });
});
