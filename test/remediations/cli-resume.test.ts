/**
 * `rampart fix --resume <run-id>` after a killed run, through the built CLI against the
 * loopback IAM / Roles Anywhere stub: the process is killed (SIGKILL) while its second
 * fix is in flight — IAM has made the change, the answer never arrives — then the run
 * is resumed (the change is not sent twice), verified, and rolled back with nothing lost.
 * Build first: `npx tsc -p tsconfig.build.json`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { BROAD_POD_TRUST, OPEN_ROLESANYWHERE_TRUST, newState, startStub, stubEnv, type Stub } from "./stub.js";

let stub: Stub;
let dir: string;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function rampart(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "rampart.js"), ...args], {
    cwd: dir,
    env: {
      ...process.env,
      ...stubEnv(stub.url, dir),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(repoRoot, "dist", "cli", "fix.js"))) throw new Error("build first: npx tsc -p tsconfig.build.json");
  stub = await startStub(newState());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-fix-resume-"));
});

afterAll(async () => {
  await stub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const journalOf = (runId: string) => JSON.parse(fs.readFileSync(path.join(dir, ".rampart", "runs", runId, "journal.json"), "utf8"));
const docOf = (name: string): unknown => JSON.parse(stub.state.roles.find((r) => r.name === name)?.doc ?? "null");

describe("rampart fix --resume after a killed run", () => {
  it("finishes the interrupted run without repeating a call, then rolls everything back", { timeout: 180_000 }, async () => {
    const scan = await rampart(["scan", "--services", "iam,rolesanywhere", "--format", "json", "--output", "findings.json", "--fail-on", "none"]).done;
    expect(scan.code, scan.stderr).toBe(0);

    // The second UpdateAssumeRolePolicy is made by "IAM" but never answered; the CLI is killed then.
    let seen = 0;
    let reached!: (role: string) => void;
    const atKill = new Promise<string>((resolve) => (reached = resolve));
    stub.state.hold = (action, p) => {
      if (action !== "UpdateAssumeRolePolicy" || ++seen !== 2) return;
      reached(p.get("RoleName") ?? "");
      return new Promise<void>(() => undefined);
    };
    const first = rampart(["fix", "--findings", "findings.json", "--apply", "--yes", "--concurrency", "1"]);
    const second = await atKill;
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    stub.state.hold = undefined;

    const runs = fs.readdirSync(path.join(dir, ".rampart", "runs"));
    expect(runs).toHaveLength(1);
    const runId = runs[0];
    const left = journalOf(runId);
    const ours = left.steps.filter(
      (s: { change: { ruleId: string } }) => s.change.ruleId === "iam-rolesanywhere-trust-scoped" || s.change.ruleId === "iam-pod-identity-trust-actions",
    );
    expect(ours.map((s: { status: string }) => s.status)).toEqual(["applied", "applying"]);
    expect(ours[1].change.target.key.RoleName).toBe(second);
    expect(fs.existsSync(path.join(dir, ".rampart", "runs", runId, "lock"))).toBe(true); // left by the dead process
    const updatesBefore = stub.state.updates.length;
    expect(updatesBefore).toBe(2);

    // Resume: the lock of the dead process is taken over; the in-flight change is recognised, not sent again.
    const resumed = await rampart(["fix", "--resume", runId, "--yes"]).done;
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`resuming run ${runId}: 2 steps to finish`);
    expect(stub.state.updates).toHaveLength(updatesBefore);
    const after = journalOf(runId);
    expect(after.steps.map((s: { status: string }) => s.status)).toEqual(["verified", "verified"]);
    expect(after.steps[1].history.map((h: { status: string }) => h.status)).toEqual(["planned", "applying", "applied", "verified"]);
    expect(after.steps[1].history[2].detail).toBe("the interrupted run had already made the change");
    expect(fs.existsSync(path.join(dir, ".rampart", "runs", runId, "lock"))).toBe(false);

    // Nothing left to resume.
    const again = await rampart(["fix", "--resume", runId, "--yes"]).done;
    expect(again.stderr).toContain("has nothing left to apply");

    // Roll back: both roles get their exact before-state.
    const rollback = await rampart(["rollback", runId, "--yes"]).done;
    expect(rollback.code, rollback.stdout + rollback.stderr).toBe(0);
    expect(journalOf(runId).steps.map((s: { status: string }) => s.status)).toEqual(["rolled-back", "rolled-back"]);
    expect(docOf("workload-a")).toEqual(JSON.parse(OPEN_ROLESANYWHERE_TRUST));
    expect(docOf("pod-reader")).toEqual(JSON.parse(BROAD_POD_TRUST));
  });
});
