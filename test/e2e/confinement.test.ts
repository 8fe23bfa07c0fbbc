// Issue 19's probes: a template from an untrusted pull request must not make rampart read (and
// print) files outside what was scanned, and a reference it does not read is never dropped in silence.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, json } from "./helpers.js";
import { policyDir } from "../../model/paths.js";

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

async function scan(name: string, template: string, extra: string[] = []) {
  const dir = path.join(repo, "infra", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "main.yaml"), template);
  return await cli(["iac", `infra/${name}`, "--format", "json", ...extra], { cwd: repo });
}

describe("nested stacks are read only inside the scan roots (the scanned paths and their git repository)", () => {
  it("a TemplateURL outside the repository is not read: a counted skip naming why, nothing of it in any output", async () => {
    const run = await scan("out", nested("../../../outside.yaml"));
    expect(run.code).toBe(0);
    const doc = json(run);
    // what the child would have held is not judged: unknowns for the stack (see the describe below), nothing else
    expect(doc.findings.filter((f: any) => f.resource.id !== "Child")).toEqual([]);
    expect(run.stdout).not.toContain("SECRET-OUTSIDE");
    expect(run.stdout).not.toContain("Leak");
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped).toHaveLength(1);
    expect(doc.skipped[0].reason).toMatch(
      /^nested stack Child in infra\/out\/main\.yaml: TemplateURL \.\.\/\.\.\/\.\.\/outside\.yaml is outside the scan roots .* --allow-read PATH/,
    );
    for (const format of ["table", "markdown", "sarif", "html", "csv", "junit"]) {
      const out = await cli(["iac", "infra/out", "--format", format], { cwd: repo });
      expect(out.stdout, format).not.toContain("SECRET-OUTSIDE");
    }
  });

  it("--allow-read widens the roots on purpose: the outside template is read and judged", async () => {
    const run = await scan("out", nested("../../../outside.yaml"), ["--allow-read", top]);
    const doc = json(run);
    expect(doc.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`)).toEqual(["fail ec2-security-group-egress-restricted Child/Leak"]);
    expect(doc.scan.files.skipped).toBe(0);
  });

  it("an absolute TemplateURL (/etc/passwd) is outside: not read, counted, and whether it exists is not told", async () => {
    const doc = json(await scan("abs", nested("/etc/passwd")));
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped[0].reason).toContain("TemplateURL /etc/passwd is outside the scan roots");
    const missing = json(await scan("abs2", nested("/etc/no-such-file-here")));
    expect(missing.skipped[0].reason).toContain("TemplateURL /etc/no-such-file-here is outside the scan roots");
  });

  it("a TemplateURL that is a text file inside the repository: a counted skip saying it is not a template", async () => {
    const doc = json(await scan("txt", nested("../notes.txt")));
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped[0].reason).toMatch(/^nested stack Child in infra\/txt\/main\.yaml: TemplateURL \.\.\/notes\.txt was not loaded: /);
  });

  it("a missing TemplateURL and a remote one: counted skips with their reasons", async () => {
    const gone = json(await scan("gone", nested("./child.yaml")));
    expect(gone.skipped[0].reason).toContain("TemplateURL ./child.yaml does not exist");
    const remote = json(await scan("remote", nested("https://s3.amazonaws.com/bucket/child.yaml")));
    expect(remote.skipped[0].reason).toContain("is a remote URL; rampart reads local files only");
  });

  it("a symbolic link inside the repository that points outside it is not followed", async () => {
    fs.mkdirSync(path.join(repo, "infra", "link"), { recursive: true });
    fs.symlinkSync(path.join(top, "outside.yaml"), path.join(repo, "infra", "link", "child.yaml"));
    const run = await scan("link", nested("./child.yaml"));
    expect(run.stdout).not.toContain("SECRET-OUTSIDE");
    expect(json(run).skipped[0].reason).toContain("is a symbolic link to a path that is outside the scan roots");
  });
});

describe("a nested stack that was not read makes the rules that read templates say unknown for the stack", () => {
  // every rule that reads CloudFormation could have judged what the child holds
  const templateRules = (JSON.parse(fs.readFileSync(path.join(policyDir, "manifest.json"), "utf8")).metadata.rampart.rules as any[])
    .filter((r) => r.inputs.includes("cloudformation"))
    .map((r) => r.id)
    .sort();
  const cases: Array<[string, string, RegExp]> = [
    ["outside", "../../../outside.yaml", /TemplateURL \.\.\/\.\.\/\.\.\/outside\.yaml is outside the scan roots/],
    ["missing", "./child.yaml", /TemplateURL \.\/child\.yaml does not exist/],
    ["not a template", "../notes.txt", /TemplateURL \.\.\/notes\.txt was not loaded: not a CloudFormation template/],
    ["remote", "https://s3.amazonaws.com/bucket/child.yaml", /is a remote URL; rampart reads local files only/],
    ["unresolved", "!Ref ChildUrl", /TemplateURL is not resolved \(Ref to parameter ChildUrl, which has no default/],
  ];
  for (const [what, url, reason] of cases) {
    it(`${what}: one unknown per rule for AWS::CloudFormation::Stack Child, at its TemplateURL, with the reason`, async () => {
      const name = `u-${what.replace(/ /g, "-")}`;
      const template = url.startsWith("!Ref") ? `Parameters:\n  ChildUrl:\n    Type: String\n${nested(url)}` : nested(url);
      const run = await scan(name, template);
      expect(run.code).toBe(0);
      const doc = json(run);
      const file = `infra/${name}/main.yaml`;
      expect(doc.findings.map((f: any) => f.ruleId).sort()).toEqual(templateRules);
      expect(templateRules.length).toBeGreaterThan(20);
      for (const f of doc.findings) {
        expect(f).toMatchObject({
          status: "unknown",
          resource: { type: "AWS::CloudFormation::Stack", id: "Child" },
          location: { file, line: url.startsWith("!Ref") ? 8 : 5, pointer: "/Resources/Child/Properties/TemplateURL" },
        });
        expect(f.message).toMatch(/^The resources inside Child cannot be judged: nested stack Child in infra\/u-[a-z-]+\/main\.yaml: /);
        expect(f.message).toMatch(reason);
      }
      expect(doc.scan.incomplete).toBe(true);
      expect(doc.summary.unknown).toBe(templateRules.length);
      // --fail-on-unknown: the scan did not read everything it was asked to judge
      expect((await cli(["iac", `infra/${name}`, "--fail-on-unknown"], { cwd: repo })).code).toBe(3);
    });
  }

  it("the terminal lists the reference under 'Not read' (not as an account coverage gap) and says the scan is incomplete", async () => {
    const run = await cli(["iac", "infra/u-outside"], { cwd: repo });
    // one block for the unknowns of one cause, naming the rules
    expect(run.stdout).toContain(
      `UNKNOWN  ${templateRules.length} rules  Child (AWS::CloudFormation::Stack)\n         at infra/u-outside/main.yaml:5  /Resources/Child/Properties/TemplateURL\n` +
        "         The resources inside Child cannot be judged: nested stack Child in infra/u-outside/main.yaml: TemplateURL ../../../outside.yaml is outside",
    );
    const names = run.stdout.match(/^ {9}rules: (.*)$/m)?.[1].split(", ");
    expect(names?.slice().sort()).toEqual(templateRules);
    expect(run.stdout.match(/^UNKNOWN/gm)).toHaveLength(1);
    expect(run.stdout).not.toContain("Coverage gaps");
    expect(run.stdout).toContain(
      "Not read (1):\n  ../outside.yaml: nested stack Child in infra/u-outside/main.yaml: TemplateURL ../../../outside.yaml is outside",
    );
    expect(run.stdout).toMatch(new RegExp(`0 failing, ${templateRules.length} unknown, 0 passing, 0 suppressed  — INCOMPLETE: see Not read\n$`));
  });

  it("a policy pack that disables a rule removes its unknown; a child that is read gives no unknown at all", async () => {
    const pack = path.join(repo, "infra", "pack.yaml");
    fs.writeFileSync(pack, "name: one\nextends: default\nrules:\n  iam-no-long-term-access-keys: { enabled: false }\n");
    const less = json(await cli(["iac", "infra/u-outside", "--format", "json", "--policy", pack], { cwd: repo }));
    expect(less.findings.map((f: any) => f.ruleId).sort()).toEqual(templateRules.filter((r) => r !== "iam-no-long-term-access-keys"));
    const read = json(await scan("u-outside", nested("../../../outside.yaml"), ["--allow-read", top]));
    expect(read.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`)).toEqual(["fail ec2-security-group-egress-restricted Child/Leak"]);
    expect(read.scan.incomplete).toBe(false);
  });
});
