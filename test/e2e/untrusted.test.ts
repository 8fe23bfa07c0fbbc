// Untrusted templates (issue 19), through the CLI a user types: a template names files to read
// (nested stacks, a CDK assembly's templates); rampart reads only below the scanned paths (or their
// git repository) and --allow-read, and every reference it did not read is a counted skip.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "./helpers.js";

let dir: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const stack = (id: string, url: string) => `  ${id}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ${url}\n`;
/** A template whose only resource fails iam-no-long-term-access-keys: if it is read, a finding says so. */
const KEY = (id: string) => `Resources:\n  ${id}:\n    Type: AWS::IAM::AccessKey\n    Properties:\n      UserName: outside-user-name\n`;

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "rampart-untrusted-")));
  write("outside.yaml", KEY("OutsideKey"));
  write("nest/inner/notes.txt", "just some notes, not a template\n");
  write("nest/inner/child.yaml", KEY("InsideKey"));
  fs.symlinkSync(path.join(dir, "outside.yaml"), path.join(dir, "nest/inner/link.yaml"));
  write(
    "nest/inner/main.yaml",
    "Resources:\n" +
      stack("Out", "../../outside.yaml") +
      stack("Passwd", "/etc/passwd") +
      stack("Text", "notes.txt") +
      stack("Gone", "gone.yaml") +
      stack("Link", "link.yaml") +
      stack("Remote", "https://bucket.s3.amazonaws.com/child.yaml") +
      stack("Inside", "child.yaml"),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("confinement: rampart iac reads only what the user pointed at", () => {
  it("does not read a nested stack outside the scanned folder, /etc/passwd or a symbolic link out; each is a counted skip with its reason", async () => {
    const run = await cli(["iac", "nest/inner", "--format", "json"], { cwd: dir });
    expect(run.stderr).toBe("");
    const doc = json(run);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 7, error: 0 });
    const outside = "is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it";
    const main = "nested stack %s in nest/inner/main.yaml: TemplateURL";
    const m = (id: string) => main.replace("%s", id);
    expect(doc.skipped).toEqual([
      { file: "nest/inner/child.yaml", reason: "loaded as nested stack Inside of nest/inner/main.yaml" },
      { file: "outside.yaml", reason: `${m("Out")} ../../outside.yaml ${outside}` },
      { file: "/etc/passwd", reason: `${m("Passwd")} /etc/passwd ${outside}` },
      {
        file: "nest/inner/notes.txt",
        reason: `${m("Text")} notes.txt was not loaded: not a CloudFormation template: the document is a single value`,
      },
      { file: "nest/inner/gone.yaml", reason: `${m("Gone")} gone.yaml does not exist` },
      { file: "nest/inner/link.yaml", reason: `${m("Link")} link.yaml is a symbolic link to a path that ${outside}` },
      {
        file: "https://bucket.s3.amazonaws.com/child.yaml",
        reason: `${m("Remote")} https://bucket.s3.amazonaws.com/child.yaml is a remote URL; rampart reads local files only (scan that template on its own)`,
      },
    ]);
    // the child inside the folder is read and judged; nothing of the outside file is
    expect(findingKeys(doc).filter((k) => k.startsWith("fail iam-no-long-term-access-keys"))).toEqual(["fail iam-no-long-term-access-keys Inside/InsideKey"]);
    expect(run.stdout).not.toContain("OutsideKey");
    const table = await cli(["iac", "nest/inner"], { cwd: dir });
    expect(table.stdout).toContain("in 1 file(s), 7 skipped");
    expect(table.stdout).toContain(
      `Not read (7):\n  nest/inner/child.yaml: loaded as nested stack Inside of nest/inner/main.yaml\n  outside.yaml: ${m("Out")} ../../outside.yaml ${outside}\n`,
    );
    expect(table.stdout).not.toContain("OutsideKey");
  });

  it("--allow-read widens the roots on purpose (and only there)", async () => {
    const doc = json(await cli(["iac", "nest/inner", "--allow-read", "outside.yaml", "--format", "json"], { cwd: dir }));
    expect(findingKeys(doc).filter((k) => k.startsWith("fail iam-no-long-term-access-keys"))).toEqual([
      "fail iam-no-long-term-access-keys Inside/InsideKey",
      "fail iam-no-long-term-access-keys Link/OutsideKey",
      "fail iam-no-long-term-access-keys Out/OutsideKey",
    ]);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 5, error: 0 });
    expect(doc.skipped.map((s: { file: string }) => s.file)).toEqual([
      "nest/inner/child.yaml",
      "/etc/passwd",
      "nest/inner/notes.txt",
      "nest/inner/gone.yaml",
      "https://bucket.s3.amazonaws.com/child.yaml",
    ]);
  });

  it("the enclosing git repository is a root: a nested stack elsewhere in the repository is read", async () => {
    write("repo/.git/HEAD", "ref: refs/heads/main\n");
    write("repo/shared/child.yaml", KEY("SharedKey"));
    write("repo/stacks/main.yaml", "Resources:\n" + stack("Shared", "../shared/child.yaml") + stack("Out", "../../outside.yaml"));
    const doc = json(await cli(["iac", "repo/stacks", "--format", "json"], { cwd: dir }));
    expect(findingKeys(doc).filter((k) => k.startsWith("fail"))).toEqual(["fail iam-no-long-term-access-keys Shared/SharedKey"]);
    expect(doc.skipped.map((s: { file: string }) => s.file)).toEqual(["outside.yaml"]);
  });

  it("a CDK assembly's manifest cannot name a template outside the scan", async () => {
    write(
      "cdk/cdk.out/manifest.json",
      JSON.stringify({
        version: "36.0.0",
        artifacts: {
          App: { type: "aws:cloudformation:stack", properties: { templateFile: "App.template.json" } },
          Evil: { type: "aws:cloudformation:stack", properties: { templateFile: "../../outside.yaml" } },
        },
      }),
    );
    write("cdk/cdk.out/App.template.json", JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } }));
    const doc = json(await cli(["iac", "cdk/cdk.out", "--format", "json"], { cwd: dir }));
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    expect(doc.skipped[0].reason).toMatch(/^CDK assembly cdk\/cdk\.out\/manifest\.json: templateFile outside\.yaml is outside the scan roots/);
    expect(JSON.stringify(doc)).not.toContain("OutsideKey");
  });

  it("--allow-read of a path that does not exist is a one-line user error", async () => {
    const run = await cli(["iac", "nest/inner", "--allow-read", "nope"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("rampart: --allow-read nope: no such file or directory. Give a file or folder templates may refer to.\n");
  });
});
