/**
 * End to end: `rampart scan` → `rampart fix` (plan) → `--apply` → `rampart rollback`,
 * through the CLI (in-process: test/e2e/inprocess.ts) against the stateful IAM / Roles Anywhere
 * loopback stub, so the SDK's real query/XML and REST-JSON serialization runs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { runCli, type CliRun } from "../e2e/inprocess.js";
import { ACCOUNT, OPEN_ROLESANYWHERE_TRUST, anchorArn, newState, startStub, stubEnv, type Stub } from "./stub.js";

let stub: Stub;
let dir: string;

/** Runs the CLI in-process in `dir` against the stub (the stub answers from this process). */
function rampart(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { cwd: dir, env: { ...stubEnv(stub.url, dir), ...env } });
}

beforeAll(async () => {
  stub = await startStub(newState());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-fix-e2e-"));
});

afterAll(async () => {
  await stub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const stable = (s: string, runId?: string): string =>
  (runId ? s.split(runId).join("<run-id>") : s).replace(/\.rampart\/runs\/[^/]+\/journal\.json/g, ".rampart/runs/<run-id>/journal.json");

describe("rampart fix and rampart rollback through the CLI (loopback IAM stub)", () => {
  let runId = "";

  it("scans, plans (nothing changes), applies with --yes, verifies, and rolls back", { timeout: 180_000 }, async () => {
    const scan = await rampart(["scan", "--services", "iam,rolesanywhere", "--format", "json", "--output", "findings.json", "--fail-on", "none"]);
    expect(scan.code, scan.stderr).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, "findings.json"), "utf8"));
    const ours = doc.findings.filter((f: { ruleId: string }) => f.ruleId === "iam-rolesanywhere-trust-scoped" || f.ruleId === "iam-pod-identity-trust-actions");
    expect(ours.map((f: { ruleId: string; resource: { id: string } }) => `${f.ruleId} ${f.resource.id}`).sort()).toEqual([
      `iam-pod-identity-trust-actions arn:aws:iam::${ACCOUNT}:role/pod-reader`,
      `iam-rolesanywhere-trust-scoped arn:aws:iam::${ACCOUNT}:role/workload-a`,
      `iam-rolesanywhere-trust-scoped arn:aws:iam::${ACCOUNT}:role/workload-a`,
    ]);

    // Plan: the exact calls and the diff; nothing is sent.
    const plan = await rampart(["fix", "--findings", "findings.json", "--rule", "iam-rolesanywhere-trust-scoped"]);
    expect(plan.code, plan.stderr).toBe(0);
    fs.writeFileSync(path.join(dir, "plan.txt"), plan.stdout);
    expect(plan.stdout).toContain("iam:UpdateAssumeRolePolicy  (global)");
    expect(plan.stdout).toContain(
      `+ /AssumeRolePolicyDocument/Statement/0/Condition: {"ArnEquals":{"aws:SourceArn":"${anchorArn("a1b2c3d4-0000-4000-8000-000000000001")}"}}`,
    );
    expect(plan.stdout).toContain("why: the certificate's subject CN is not known to rampart");
    expect(plan.stdout).toContain("(nothing has been changed)");
    expect(stub.state.updates).toHaveLength(0);

    // No terminal and no --yes: refused.
    const refused = await rampart(["fix", "--findings", "findings.json", "--rule", "iam-rolesanywhere-trust-scoped", "--apply"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no terminal to ask on.*--yes/);
    expect(stub.state.updates).toHaveLength(0);

    const apply = await rampart(["fix", "--findings", "findings.json", "--rule", "iam-rolesanywhere-trust-scoped", "--apply", "--yes"]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    runId = /run (\S+) \(journal/.exec(apply.stdout)?.[1] ?? "";
    expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    fs.writeFileSync(path.join(dir, "apply.txt"), stable(apply.stdout, runId));
    expect(apply.stdout).toMatch(/\[1\] fixed\s+iam-rolesanywhere-trust-scoped/);
    expect(stub.state.updates).toHaveLength(1);
    expect(JSON.parse(stub.state.updates[0].get("PolicyDocument") ?? "")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          ...JSON.parse(OPEN_ROLESANYWHERE_TRUST).Statement[0],
          Condition: { ArnEquals: { "aws:SourceArn": anchorArn("a1b2c3d4-0000-4000-8000-000000000001") } },
        },
      ],
    });
    const journal = JSON.parse(fs.readFileSync(path.join(dir, ".rampart", "runs", runId, "journal.json"), "utf8"));
    expect(journal.steps.map((s: { status: string }) => s.status)).toEqual(["verified"]);
    expect(journal.steps[0].history.map((h: { status: string }) => h.status)).toEqual(["planned", "applying", "applied", "verified"]);
    expect(journal.steps[0].change.before.AssumeRolePolicyDocument).toEqual(JSON.parse(OPEN_ROLESANYWHERE_TRUST));

    // Idempotent: a second scan and plan finds nothing left to do for this half.
    await rampart(["scan", "--services", "iam,rolesanywhere", "--format", "json", "--output", "findings2.json", "--fail-on", "none"]);
    const again = await rampart(["fix", "--findings", "findings2.json", "--rule", "iam-rolesanywhere-trust-scoped", "--format", "json"]);
    expect(JSON.parse(again.stdout).changes).toEqual([]);

    const rollback = await rampart(["rollback", runId, "--yes"]);
    expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
    fs.writeFileSync(path.join(dir, "rollback.txt"), stable(rollback.stdout, runId));
    expect(rollback.stdout).toMatch(/\[1\] rolled back\s+iam-rolesanywhere-trust-scoped/);
    expect(JSON.parse(stub.state.roles[0].doc)).toEqual(JSON.parse(OPEN_ROLESANYWHERE_TRUST));

    // Keep the transcript for the README.
    const out = path.join(repoRoot, "test-artifacts", "fix-e2e");
    fs.mkdirSync(out, { recursive: true });
    for (const f of ["plan.txt", "apply.txt", "rollback.txt"]) fs.copyFileSync(path.join(dir, f), path.join(out, f));
  });

  it("refuses a rollback when the role changed since the fix", { timeout: 60_000 }, async () => {
    const apply = await rampart(["fix", "--findings", "findings.json", "--rule", "iam-pod-identity-trust-actions", "--apply", "--yes"]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const id = /run (\S+) \(journal/.exec(apply.stdout)?.[1] ?? "";
    const pod = stub.state.roles.find((r) => r.name === "pod-reader");
    expect(JSON.parse(pod?.doc ?? "").Statement[0].Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
    // Someone edits the role after the fix.
    (pod as { doc: string }).doc = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
      ],
    });
    const before = pod?.doc;
    const rollback = await rampart(["rollback", id, "--yes"]);
    expect(rollback.code).toBe(1);
    expect(rollback.stdout).toMatch(/rollback refused \(drift\)/);
    expect(pod?.doc).toBe(before);
  });

  it("prints the remediation permissions", async () => {
    const r = await rampart(["permissions", "--remediation"]);
    expect(r.code).toBe(0);
    const actions = JSON.parse(r.stdout).Statement[0].Action as string[];
    // Reads, the verify step's collector reads, and the writes of every module.
    expect(actions).toEqual(
      expect.arrayContaining(["iam:GetRole", "iam:GetAccountAuthorizationDetails", "rolesanywhere:ListProfiles", "sts:GetCallerIdentity", "fms:GetPolicy"]),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:DeletePolicyVersion",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
        "kms:PutKeyPolicy",
        "network-firewall:UpdateFirewallAnalysisSettings",
        "network-firewall:UpdateFirewallPolicy",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
        "wafv2:DisassociateWebACL",
        "wafv2:AssociateWebACL",
        "workmail:PutIdentityProviderConfiguration",
        "guardduty:CreateDetector",
        "guardduty:UpdateDetector",
        "guardduty:DeleteDetector",
        "wafv2:PutLoggingConfiguration",
        "wafv2:DeleteLoggingConfiguration",
        "firehose:StartDeliveryStreamEncryption",
        "firehose:StopDeliveryStreamEncryption",
      ]),
    );
    // Never a secret's value.
    expect(actions).not.toContain("secretsmanager:GetSecretValue");
  });
});
