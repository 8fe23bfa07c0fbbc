import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { diffFindings, formatDiff, newFailures, readFindings } from "../../cli/diff.js";
import { historyName, historyPoints, parseS3, readHistory, recordHistory } from "../../cli/history.js";
import { runCli } from "../e2e/inprocess.js";
import { sampleDoc } from "./fixtures.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-history-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("--history", () => {
  it("keeps each scan as <dir>/<timestamp>.json and reads them back oldest first", async () => {
    const dir = path.join(tmp, "h1");
    const a = sampleDoc({ startedAt: "2025-06-02T10:00:00.000Z" });
    const b = sampleDoc({ startedAt: "2025-06-01T10:00:00.000Z" });
    const fa = await recordHistory(dir, a);
    await recordHistory(dir, b);
    const again = await recordHistory(dir, b); // same timestamp: kept beside, not overwritten
    expect(path.basename(fa)).toBe("2025-06-02T10-00-00.000Z.json");
    expect(path.basename(again)).toBe("2025-06-01T10-00-00.000Z-1.json");
    fs.writeFileSync(path.join(dir, "junk.json"), "{not json");
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
    const docs = await readHistory(dir).finally(() => spy.mockRestore());
    expect(err.join("")).toMatch(/junk\.json: not a findings document/);
    expect(docs.map((d) => d.scan.startedAt)).toEqual(["2025-06-01T10:00:00.000Z", "2025-06-01T10:00:00.000Z", "2025-06-02T10:00:00.000Z"]);
    const points = await historyPoints(dir);
    expect(points[2]).toMatchObject({ at: "2025-06-02T10:00:00.000Z", fail: a.summary.fail, unknown: 1, suppressed: 1 });
    expect(await readHistory(path.join(tmp, "none"))).toEqual([]);
    expect(historyName(a)).toMatch(/^[0-9TZ.-]+\.json$/);
    expect(parseS3("s3://bucket/scans/prod/")).toEqual({ bucket: "bucket", prefix: "scans/prod/" });
    expect(parseS3("s3://bucket")).toEqual({ bucket: "bucket", prefix: "" });
    expect(parseS3("./dir")).toBeUndefined();
  });
});

describe("rampart diff", () => {
  const oldDoc = sampleDoc({ startedAt: "2025-06-01T10:00:00.000Z" });
  const newDoc = sampleDoc({ startedAt: "2025-06-02T10:00:00.000Z", extraFails: 2 });
  newDoc.findings = newDoc.findings.filter((f) => f.ruleId !== "kms-key-policy-cross-account"); // resolved
  newDoc.findings.find((f) => f.status === "unknown")!.status = "fail"; // was undecided, fails now
  const oldFile = path.join(tmp, "old.json"),
    newFile = path.join(tmp, "new.json");
  fs.writeFileSync(oldFile, JSON.stringify(oldDoc));
  fs.writeFileSync(newFile, JSON.stringify(newDoc));

  it("sorts findings into new, resolved, changed and unchanged by fingerprint", () => {
    const d = diffFindings(readFindings(oldFile), readFindings(newFile));
    expect(d.new_.map((f) => f.resource.name)).toEqual(["bulk-0", "bulk-1"]);
    expect(d.resolved.map((f) => f.ruleId)).toEqual(["kms-key-policy-cross-account"]);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0].was).toBe("unknown");
    expect(d.unchanged).toHaveLength(4); // suppressed ones are not active
    expect(newFailures(d)).toHaveLength(3);
    const json = JSON.parse(formatDiff(d, "json"));
    expect(json.summary).toEqual({ new: 2, resolved: 1, unchanged: 4, changed: 1, newFailing: 3 });
    const md = formatDiff(d, "markdown");
    expect(md).toContain("### New (2)");
    expect(md).not.toContain("<img");
    expect(formatDiff(d, "table")).toMatch(/2 new, 1 resolved, 1 changed status, 4 unchanged/);
  });

  it("--fail-on-new exits 1 only when there are new failing findings", async () => {
    const code = async (...args: string[]) => (await runCli(["diff", ...args])).code;
    expect(await code(oldFile, newFile, "--fail-on-new")).toBe(1);
    expect(await code(oldFile, newFile)).toBe(0);
    expect(await code(oldFile, oldFile, "--fail-on-new")).toBe(0);
    const onlyResolved = path.join(tmp, "resolved.json");
    fs.writeFileSync(onlyResolved, JSON.stringify({ ...oldDoc, findings: oldDoc.findings.slice(1) }));
    expect(await code(oldFile, onlyResolved, "--fail-on-new")).toBe(0); // only a resolution
  });

  it("runs from the command line, with a clear error for a bad input", async () => {
    const r = await runCli(["diff", oldFile, newFile, "--format", "json", "--fail-on-new"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary.newFailing).toBe(3);
    fs.writeFileSync(path.join(tmp, "bad.json"), "[]");
    const bad = await runCli(["diff", oldFile, path.join(tmp, "bad.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: not a rampart findings document/);
  });
});

describe("CLI wiring", () => {
  const template = path.join(tmp, "t.yaml");
  fs.writeFileSync(
    template,
    `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: open
      SecurityGroupEgress:
        - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}
  ClosedSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: closed
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}
`,
  );

  it("--format junit includes passing test cases (evaluate with includePasses)", async () => {
    const out = path.join(tmp, "junit.xml");
    expect((await runCli(["iac", template, "--format", "junit", "--output", out, "--fail-on", "none"])).code).toBe(0);
    const xml = fs.readFileSync(out, "utf8");
    expect(xml).toMatch(/<testsuites /);
    expect(xml).toMatch(/<testcase [^>]*\/>/); // a pass
  });

  it("--history with --format html writes the scan and draws the trend", async () => {
    const dir = path.join(tmp, "iac-history");
    const out = path.join(tmp, "report.html");
    expect((await runCli(["iac", template, "--history", dir, "--fail-on", "none", "--format", "json", "--output", path.join(tmp, "r.json")])).code).toBe(0);
    expect((await runCli(["iac", template, "--history", dir, "--fail-on", "none", "--format", "html", "--output", out])).code).toBe(0);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(".json"))).toHaveLength(2);
    const html = fs.readFileSync(out, "utf8");
    expect(html).toContain("(2 scans)");
  });
});
