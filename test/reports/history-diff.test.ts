import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { diffCommand, diffFindings, formatDiff, newFailures, readFindings } from "../../cli/diff.js";
import { historyName, historyPoints, parseS3, readHistory, recordHistory } from "../../cli/history.js";
import { run } from "../../cli/main.js";
import { sampleDoc } from "./fixtures.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-history-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function capture() {
  const out: string[] = [],
    err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  return { out, err, restore: () => (o.mockRestore(), e.mockRestore()) };
}

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
    const c = capture();
    const docs = await readHistory(dir);
    c.restore();
    expect(c.err.join("")).toMatch(/junk\.json: not a findings document/);
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

  it("--fail-on-new exits 1 only when there are new failing findings", () => {
    const c = capture();
    try {
      expect(diffCommand(oldFile, newFile, { failOnNew: true })).toBe(1);
      expect(diffCommand(oldFile, newFile, {})).toBe(0);
      expect(diffCommand(oldFile, oldFile, { failOnNew: true })).toBe(0);
      const onlyResolved = path.join(tmp, "resolved.json");
      fs.writeFileSync(onlyResolved, JSON.stringify({ ...oldDoc, findings: oldDoc.findings.slice(1) }));
      expect(diffCommand(oldFile, onlyResolved, { failOnNew: true })).toBe(0); // only a resolution
    } finally {
      c.restore();
    }
  });

  it("runs from the command line, with a clear error for a bad input", async () => {
    let c = capture();
    const code = await run(["diff", oldFile, newFile, "--format", "json", "--fail-on-new"]);
    c.restore();
    expect(code).toBe(1);
    expect(JSON.parse(c.out.join("")).summary.newFailing).toBe(3);
    fs.writeFileSync(path.join(tmp, "bad.json"), "[]");
    c = capture();
    const bad = await run(["diff", oldFile, path.join(tmp, "bad.json")]);
    c.restore();
    expect(bad).toBe(2);
    expect(c.err.join("")).toMatch(/bad\.json: not a rampart findings document/);
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
    const c = capture();
    await run(["iac", template, "--format", "junit", "--output", out, "--fail-on", "none"]);
    c.restore();
    const xml = fs.readFileSync(out, "utf8");
    expect(xml).toMatch(/<testsuites /);
    expect(xml).toMatch(/<testcase [^>]*\/>/); // a pass
  });

  it("--history with --format html writes the scan and draws the trend", async () => {
    const dir = path.join(tmp, "iac-history");
    const out = path.join(tmp, "report.html");
    const c = capture();
    await run(["iac", template, "--history", dir, "--fail-on", "none", "--format", "json", "--output", path.join(tmp, "r.json")]);
    await run(["iac", template, "--history", dir, "--fail-on", "none", "--format", "html", "--output", out]);
    c.restore();
    expect(fs.readdirSync(dir).filter((n) => n.endsWith(".json"))).toHaveLength(2);
    const html = fs.readFileSync(out, "utf8");
    expect(html).toContain("(2 scans)");
  });
});
