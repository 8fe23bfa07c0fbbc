// Issue 19, confinement of every local reference: AWS::Include snippets (Fn::Transform Location)
// and CDK nested stacks (aws:asset:path) are read inside the scan roots only, through the CLI.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "./helpers.js";

let top: string;
let repo: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
  fs.writeFileSync(path.join(top, rel), text);
};
const include = (indent: string, location: string) =>
  `${indent}Fn::Transform:\n${indent}  Name: AWS::Include\n${indent}  Parameters:\n${indent}    Location: ${location}\n`;
const KEY = "Key:\n  Type: AWS::IAM::AccessKey\n  Properties:\n    UserName: SECRET-OUTSIDE-USER\n";
const OUTSIDE_ID = "SECRET-OUTSIDE-USER";

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-include-"));
  repo = path.join(top, "repo");
  fs.mkdirSync(repo);
  spawnSync("git", ["init", "-q", repo]);
  write("outside.yaml", KEY);
  write("repo/snips/key.yaml", KEY.replace(OUTSIDE_ID, "inside-user"));
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

describe("AWS::Include", () => {
  it("a snippet inside the repository is read: its resources are judged, at the line of the include", async () => {
    write("repo/in/main.yaml", `Resources:\n${include("  ", "../snips/key.yaml")}`);
    const doc = json(await cli(["iac", "in", "--format", "json"], { cwd: repo }));
    expect(findingKeys(doc)).toEqual(["fail iam-no-long-term-access-keys Key"]);
    expect(doc.findings[0].location).toEqual({ file: "in/main.yaml", line: 2, pointer: "/Resources/Key/Properties/Status" });
    expect(doc.scan.incomplete).toBe(false);
  });

  it("a snippet outside the repository is not read: a counted skip, the scan incomplete, nothing of it in the output", async () => {
    write("repo/out/main.yaml", `Resources:\n${include("  ", "../../outside.yaml")}  Q:\n    Type: AWS::SNS::Topic\n`);
    const run = await cli(["iac", "out", "--format", "json"], { cwd: repo });
    const doc = json(run);
    expect(run.stdout).not.toContain(OUTSIDE_ID);
    expect(doc.findings).toEqual([]);
    expect(doc.scan.incomplete).toBe(true);
    expect(doc.skipped).toEqual([
      {
        file: "../outside.yaml",
        reason:
          "AWS::Include at /Resources in out/main.yaml: Location ../../outside.yaml is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it",
      },
    ]);
    expect((await cli(["iac", "out", "--fail-on-unknown"], { cwd: repo })).code).toBe(3);
    // --allow-read reads it on purpose
    const allowed = json(await cli(["iac", "out", "--format", "json", "--allow-read", path.join(top, "outside.yaml")], { cwd: repo }));
    expect(findingKeys(allowed)).toEqual(["fail iam-no-long-term-access-keys Key"]);
  });

  it("a snippet in a resource's properties that is not read leaves the properties unknown (a skip, no coverage gap)", async () => {
    write("repo/prop/main.yaml", `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n${include("      ", "/etc/passwd")}`);
    const doc = json(await cli(["iac", "prop", "--format", "json"], { cwd: repo }));
    expect(doc.skipped.map((s: any) => s.reason)).toEqual([
      "AWS::Include at /Resources/Q/Properties in prop/main.yaml: Location /etc/passwd is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it",
    ]);
    expect(doc.coverage).toEqual([]);
    write("repo/remote/main.yaml", `Resources:\n${include("  ", "s3://bucket/snip.yaml")}`);
    const remote = json(await cli(["iac", "remote", "--format", "json"], { cwd: repo }));
    expect(remote.skipped[0].reason).toBe(
      "AWS::Include at /Resources in remote/main.yaml: Location s3://bucket/snip.yaml is a remote URL; rampart reads local files only",
    );
    expect(remote.scan.incomplete).toBe(true);
  });
});

describe("CDK nested stacks (aws:asset:path)", () => {
  const parent = (asset: string) =>
    JSON.stringify({
      Resources: {
        Child: {
          Type: "AWS::CloudFormation::Stack",
          Properties: { TemplateURL: { "Fn::Join": ["", ["https://s3.", { Ref: "AWS::URLSuffix" }, "/cdk-bucket/abc.json"]] } },
          Metadata: { "aws:asset:path": asset, "aws:asset:property": "TemplateURL" },
        },
      },
    });
  const manifest = JSON.stringify({
    version: "36.0.0",
    artifacts: { App: { type: "aws:cloudformation:stack", properties: { templateFile: "App.template.json" } } },
  });

  it("the nested stack's template in the assembly is read and judged (was an unresolved TemplateURL)", async () => {
    write("repo/cdk/cdk.out/manifest.json", manifest);
    write("repo/cdk/cdk.out/App.template.json", parent("AppChild.nested.template.json"));
    write(
      "repo/cdk/cdk.out/AppChild.nested.template.json",
      JSON.stringify({ Resources: { Key: { Type: "AWS::IAM::AccessKey", Properties: { UserName: "u" } } } }),
    );
    const doc = json(await cli(["iac", "cdk/cdk.out", "--format", "json"], { cwd: repo }));
    expect(findingKeys(doc)).toEqual(["fail iam-no-long-term-access-keys Child/Key"]);
    expect(doc.scan.incomplete).toBe(false);
  });

  it("an asset path outside the scan roots is not read: a skip, and unknown for the stack", async () => {
    write("repo/cdk2/cdk.out/manifest.json", manifest);
    write("repo/cdk2/cdk.out/App.template.json", parent("../../../outside.json"));
    write("outside.json", JSON.stringify({ Resources: { Key: { Type: "AWS::IAM::AccessKey", Properties: { UserName: OUTSIDE_ID } } } }));
    const run = await cli(["iac", "cdk2/cdk.out", "--format", "json"], { cwd: repo });
    expect(run.stdout).not.toContain(OUTSIDE_ID);
    const doc = json(run);
    expect(doc.skipped.map((s: any) => s.reason)).toEqual([
      "nested stack Child in cdk2/cdk.out/App.template.json: TemplateURL ../../../outside.json is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it",
    ]);
    expect(new Set(doc.findings.map((f: any) => `${f.status} ${f.resource.type} ${f.resource.id}`))).toEqual(
      new Set(["unknown AWS::CloudFormation::Stack Child"]),
    );
  });
});
