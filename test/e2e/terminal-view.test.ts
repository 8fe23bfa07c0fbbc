// The terminal report's layouts through the CLI: summary first (--summary, the TTY default), every
// finding (--details, the piped default), --rule / --account; bad flags are one line and exit 2.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticSnapshot } from "../../bench/synthetic.js";
import { repoRoot } from "../../model/paths.js";
import { cli, json } from "./helpers.js";

/** script(1) runs a command on a pseudo-terminal: what a person at a terminal gets. */
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

const FINDING = /^(CRITICAL|HIGH|MEDIUM|LOW|INFO|UNKNOWN) /;
let dir: string;
let snap: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-view-"));
  snap = path.join(dir, "org.json");
  fs.writeFileSync(snap, JSON.stringify(syntheticSnapshot(2_000, 20)));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("terminal report layouts", () => {
  it("rampart demo shows its findings in full, with --summary too (few findings: details fit)", async () => {
    const plain = await cli(["demo"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("why:");
    expect(plain.stdout).not.toContain("To see all:");
    expect((await cli(["demo", "--summary"])).stdout).toBe(plain.stdout);
  });

  it("piped output is every finding; --summary puts the counts first and a screenful of details", async () => {
    const doc = json(await cli(["scan", "--snapshot", snap, "--format", "json", "--fail-on", "none"]));
    const active = doc.findings.filter((f: any) => f.status !== "suppressed");
    expect(active.length).toBeGreaterThan(100);
    const details = await cli(["scan", "--snapshot", snap, "--fail-on", "none"]);
    expect(details.stdout.split("\n").filter((l) => FINDING.test(l))).toHaveLength(active.length);
    expect((await cli(["scan", "--snapshot", snap, "--fail-on", "none", "--details"])).stdout).toBe(details.stdout);
    const summary = await cli(["scan", "--snapshot", snap, "--fail-on", "none", "--summary"]);
    expect(summary.code).toBe(details.code);
    const lines = summary.stdout.split("\n");
    expect(lines[0]).toBe(details.stdout.trimEnd().split("\n").at(-1));
    expect(lines[2]).toMatch(/^Failing rules \(\d+\):$/);
    expect(lines.some((l) => /^Top accounts \(10 of 20\):$/.test(l))).toBe(true);
    expect(lines.length).toBeLessThan(120);
    expect(summary.stdout).toContain("To see all: --details (every finding), --rule ID, --account ID, or --format html -o report.html.");
  });

  it.skipIf(!hasScript)("on a terminal (a pseudo-terminal through script(1)) the summary comes first by default", () => {
    const cmd = [process.execPath, path.join(repoRoot, "bin", "rampart.js"), "scan", "--snapshot", snap, "--fail-on", "none"].map((a) => `'${a}'`).join(" ");
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    const lines = r.stdout.replace(/\r/g, "").split("\n");
    expect(lines[0]).toMatch(/^rampart live scan: \d+ failing \(/);
    expect(lines[2]).toMatch(/^Failing rules \(\d+\):$/);
    expect(lines.length).toBeLessThan(120);
    expect(r.stdout).toContain("To see all: --details (every finding)");
  });

  it("--rule and --account keep only those findings", async () => {
    const doc = json(await cli(["scan", "--snapshot", snap, "--format", "json", "--fail-on", "none"]));
    const f = doc.findings.find((x: any) => x.status === "fail");
    const r = await cli(["scan", "--snapshot", snap, "--fail-on", "none", "--details", "--rule", f.ruleId, "--account", f.resource.account]);
    const expected = doc.findings.filter((x: any) => x.status !== "suppressed" && x.ruleId === f.ruleId && x.resource.account === f.resource.account);
    const heads = r.stdout.split("\n").filter((l) => FINDING.test(l));
    expect(heads.map((l) => l.split(/\s+/)[1])).toEqual(expected.map(() => f.ruleId));
  });

  it.each([
    [["demo", "--summary", "--details"], "--summary and --details: give one of them"],
    [["demo", "--format", "json", "--summary"], "--summary: only the terminal report (--format table) has it (this is --format json)."],
    [["scan", "--snapshot", "examples/demo/account.json", "--rule", "no-such-rule"], "--rule no-such-rule: no such rule (see rampart rules list)."],
    [["scan", "--snapshot", "examples/demo/account.json", "--account", "12"], "--account 12: an AWS account id is 12 digits."],
  ])("bad flags %j: one line naming the flag, exit 2", async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`rampart: ${message}`);
  });
});
