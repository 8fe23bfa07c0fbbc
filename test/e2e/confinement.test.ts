// Issue 19's probes: a template from an untrusted pull request must not make rampart read (and
// print) files outside what was scanned, and a reference it does not read is never dropped in silence.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, rampart } from "./helpers.js";

let top: string; // holds the repository and, beside it, a file outside it
let repo: string;

const OUTSIDE = `Resources:
  Leak:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: SECRET-OUTSIDE
      SecurityGroupEgress:
        - CidrIp: 0.0.0.0/0
          IpProtocol: "-1"
`;
const nested = (url: string) => `Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ${url}
`;

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-confine-"));
  repo = path.join(top, "repo");
  fs.mkdirSync(path.join(repo, "infra"), { recursive: true });
  spawnSync("git", ["init", "-q", repo]);
  fs.writeFileSync(path.join(top, "outside.yaml"), OUTSIDE);
  fs.writeFileSync(path.join(repo, "infra", "notes.txt"), "just text\n");
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

function scan(name: string, template: string, extra: string[] = []) {
  const dir = path.join(repo, "infra", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "main.yaml"), template);
  return rampart(["iac", `infra/${name}`, "--format", "json", ...extra], { cwd: repo });
}

describe("nested stacks are read only inside the scan roots (the scanned paths and their git repository)", () => {
  it("a TemplateURL outside the repository is not read: a counted skip naming why, nothing of it in any output", () => {
    const run = scan("out", nested("../../../outside.yaml"));
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.findings).toEqual([]);
    expect(run.stdout).not.toContain("SECRET-OUTSIDE");
    expect(run.stdout).not.toContain("Leak");
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped).toHaveLength(1);
    expect(doc.skipped[0].reason).toMatch(
      /^nested stack Child in infra\/out\/main\.yaml: TemplateURL \.\.\/\.\.\/\.\.\/outside\.yaml is outside the scan roots .* --allow-read PATH/,
    );
    for (const format of ["table", "markdown", "sarif", "html", "csv", "junit"]) {
      const out = rampart(["iac", "infra/out", "--format", format], { cwd: repo });
      expect(out.stdout, format).not.toContain("SECRET-OUTSIDE");
    }
  });

  it("--allow-read widens the roots on purpose: the outside template is read and judged", () => {
    const run = scan("out", nested("../../../outside.yaml"), ["--allow-read", top]);
    const doc = json(run);
    expect(doc.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`)).toEqual(["fail ec2-security-group-egress-restricted Child/Leak"]);
    expect(doc.scan.files.skipped).toBe(0);
  });

  it("an absolute TemplateURL (/etc/passwd) is outside: not read, counted, and whether it exists is not told", () => {
    const doc = json(scan("abs", nested("/etc/passwd")));
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped[0].reason).toContain("TemplateURL /etc/passwd is outside the scan roots");
    const missing = json(scan("abs2", nested("/etc/no-such-file-here")));
    expect(missing.skipped[0].reason).toContain("TemplateURL /etc/no-such-file-here is outside the scan roots");
  });

  it("a TemplateURL that is a text file inside the repository: a counted skip saying it is not a template", () => {
    const doc = json(scan("txt", nested("../notes.txt")));
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped[0].reason).toMatch(/^nested stack Child in infra\/txt\/main\.yaml: TemplateURL \.\.\/notes\.txt was not loaded: /);
  });

  it("a missing TemplateURL and a remote one: counted skips with their reasons", () => {
    const gone = json(scan("gone", nested("./child.yaml")));
    expect(gone.skipped[0].reason).toContain("TemplateURL ./child.yaml does not exist");
    const remote = json(scan("remote", nested("https://s3.amazonaws.com/bucket/child.yaml")));
    expect(remote.skipped[0].reason).toContain("is a remote URL; rampart reads local files only");
  });

  it("a symbolic link inside the repository that points outside it is not followed", () => {
    fs.mkdirSync(path.join(repo, "infra", "link"), { recursive: true });
    fs.symlinkSync(path.join(top, "outside.yaml"), path.join(repo, "infra", "link", "child.yaml"));
    const run = scan("link", nested("./child.yaml"));
    expect(run.stdout).not.toContain("SECRET-OUTSIDE");
    expect(json(run).skipped[0].reason).toContain("is a symbolic link to a path that is outside the scan roots");
  });
});
