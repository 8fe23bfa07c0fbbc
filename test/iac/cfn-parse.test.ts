import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCloudFormationFile, loadCloudFormationText, MAX_FILE_BYTES } from "../../collectors/iac/cloudformation/index.js";
import { INTRINSIC_TAGS, parseTemplateText } from "../../collectors/iac/cloudformation/yaml.js";

const raw = (text: string) => parseTemplateText(text).value as any;

describe("short-form intrinsic tags", () => {
  it("turns every short form into the long form", () => {
    const v = raw(`
Resources:
  R:
    Type: T
    Properties:
      Ref: !Ref P
      SubScalar: !Sub "a-\${P}"
      SubSeq: !Sub ["\${X}", {X: !Ref P}]
      GetAttScalar: !GetAtt Bucket.Arn
      GetAttSeq: !GetAtt [Bucket, Arn]
      Join: !Join [",", [a, b]]
      Select: !Select [0, !GetAZs ""]
      Split: !Split [",", "a,b"]
      If: !If [C, 1, 2]
      Equals: !Equals [a, b]
      And: !And [!Condition C, !Not [!Condition D]]
      Or: !Or [!Equals [a, b], !Condition D]
      FindInMap: !FindInMap [M, K, V]
      Base64: !Base64 text
      Cidr: !Cidr ["10.0.0.0/16", 4, 8]
      GetAZs: !GetAZs us-east-1
      ImportValue: !ImportValue Shared
      Transform: !Transform {Name: AWS::Include, Parameters: {Location: s3://x}}
      ToJsonString: !ToJsonString {a: 1}
      Length: !Length [1, 2]
`);
    const p = v.Resources.R.Properties;
    expect(p.Ref).toEqual({ Ref: "P" });
    expect(p.SubScalar).toEqual({ "Fn::Sub": "a-${P}" });
    expect(p.SubSeq).toEqual({ "Fn::Sub": ["${X}", { X: { Ref: "P" } }] });
    expect(p.GetAttScalar).toEqual({ "Fn::GetAtt": "Bucket.Arn" });
    expect(p.GetAttSeq).toEqual({ "Fn::GetAtt": ["Bucket", "Arn"] });
    expect(p.Join).toEqual({ "Fn::Join": [",", ["a", "b"]] });
    expect(p.Select).toEqual({ "Fn::Select": [0, { "Fn::GetAZs": "" }] });
    expect(p.Split).toEqual({ "Fn::Split": [",", "a,b"] });
    expect(p.If).toEqual({ "Fn::If": ["C", 1, 2] });
    expect(p.Equals).toEqual({ "Fn::Equals": ["a", "b"] });
    expect(p.And).toEqual({ "Fn::And": [{ Condition: "C" }, { "Fn::Not": [{ Condition: "D" }] }] });
    expect(p.Or).toEqual({ "Fn::Or": [{ "Fn::Equals": ["a", "b"] }, { Condition: "D" }] });
    expect(p.FindInMap).toEqual({ "Fn::FindInMap": ["M", "K", "V"] });
    expect(p.Base64).toEqual({ "Fn::Base64": "text" });
    expect(p.Cidr).toEqual({ "Fn::Cidr": ["10.0.0.0/16", 4, 8] });
    expect(p.GetAZs).toEqual({ "Fn::GetAZs": "us-east-1" });
    expect(p.ImportValue).toEqual({ "Fn::ImportValue": "Shared" });
    expect(p.Transform).toEqual({ "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: "s3://x" } } });
    expect(p.ToJsonString).toEqual({ "Fn::ToJsonString": { a: 1 } });
    expect(p.Length).toEqual({ "Fn::Length": [1, 2] });
  });

  it("registers scalar, sequence and mapping forms for each tag", () => {
    for (const short of INTRINSIC_TAGS) {
      const fn = short === "Ref" || short === "Condition" ? short : `Fn::${short}`;
      const v = raw(`a: !${short} x\nb: !${short} [x]\nc: !${short} {x: 1}\n`);
      expect(v).toEqual({ a: { [fn]: "x" }, b: { [fn]: ["x"] }, c: { [fn]: { x: 1 } } });
    }
  });

  it("keeps anchors on tagged collections pointing at the wrapped value", () => {
    const v = raw("a: &x !If [C, 1, 2]\nb: *x\n");
    expect(v.b).toEqual({ "Fn::If": ["C", 1, 2] });
  });
});

describe("lines", () => {
  const yamlText = `AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  Note: hello
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
          - Effect: Deny
            Principal: "*"
            Action: !If [C, "sts:AssumeRole", !Ref AWS::NoValue]
`;

  it("maps JSON pointers under Resources and Metadata to YAML lines", () => {
    const r = loadCloudFormationText(yamlText, "t.yaml");
    expect(r.status).toBe("loaded");
    expect(r.lines.get("/Metadata/Note")).toBe(3);
    expect(r.lines.get("/Resources/Role")).toBe(5);
    expect(r.lines.get("/Resources/Role/Properties/AssumeRolePolicyDocument/Statement")).toBe(9);
    expect(r.lines.get("/Resources/Role/Properties/AssumeRolePolicyDocument/Statement/0")).toBe(10);
    expect(r.lines.get("/Resources/Role/Properties/AssumeRolePolicyDocument/Statement/1")).toBe(13);
    expect(r.lines.get("/Resources/Role/Properties/AssumeRolePolicyDocument/Statement/1/Principal")).toBe(14);
    expect(r.lines.get("/Resources/Role/Properties/AssumeRolePolicyDocument/Statement/1/Action/Fn::If/1")).toBe(15);
    expect(r.resources[0].source).toEqual({ kind: "cloudformation", file: "t.yaml", line: 5, pointer: "/Resources/Role" });
  });

  it("maps JSON templates too", () => {
    const json = JSON.stringify({ Resources: { "My/Bucket~1": { Type: "AWS::S3::Bucket", Properties: { Tags: [{ Key: "a", Value: "b" }] } } } }, null, 2);
    const r = loadCloudFormationText(json, "t.json");
    expect(r.status).toBe("loaded");
    expect(r.lines.get("/Resources/My~1Bucket~01")).toBe(3);
    expect(r.lines.get("/Resources/My~1Bucket~01/Properties/Tags/0/Key")).toBe(8);
    expect(r.resources[0].source).toMatchObject({ line: 3, pointer: "/Resources/My~1Bucket~01" });
  });

  it("handles large templates: 5 000 resources, duplicate-key check without the quadratic scan", () => {
    const parts = ["Resources:"];
    for (let i = 0; i < 5000; i++) parts.push(`  Q${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub "q-${i}-\${AWS::Region}"`);
    const text = parts.join("\n") + "\n";
    const r = loadCloudFormationText(text, "big.yaml");
    expect(r.status).toBe("loaded");
    expect(r.resources).toHaveLength(5000);
    expect(r.lines.get("/Resources/Q4999/Properties/QueueName")).toBe(1 + 4999 * 4 + 4);
    expect(r.lines.size).toBe(1 + 5000 * 5);
  }, 60_000); // a hang guard, not a speed check: loader speed is measured by `npm run bench` (bench/iac.ts)
});

describe("bad input never throws", () => {
  it.each([
    ["broken YAML", "Resources:\n  R:\n    Type: X\n   Properties: [\n", /^line 4: /],
    ["broken JSON", '{"Resources": {"R": {"Type": "X",, }}}', /^line 1: /],
    ["duplicate keys", "Resources:\n  R:\n    Type: X\n  R:\n    Type: Y\n", /^line 4: duplicate key R$/],
    ["deep flow nesting", "Resources:\n  R:\n    Type: X\n    Properties:\n      P: " + "[".repeat(100000) + "]".repeat(100000), /nesting deeper than 200/],
    [
      "deep JSON nesting",
      '{"Resources": {"R": {"Type": "X", "Properties": {"P": ' + '{"a":'.repeat(300) + "1" + "}".repeat(300) + "}}}}",
      /nesting deeper than 200/,
    ],
    [
      "deep block nesting",
      "Resources:\n  R:\n    Type: X\n    Properties:\n" + Array.from({ length: 400 }, (_, i) => " ".repeat(6 + i) + "k:").join("\n") + " 1\n",
      /nesting (deeper|too deep)/,
    ],
    [
      "alias bomb",
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nResources:\n  R:\n    Type: X\n',
      /aliases expand too much/,
    ],
    ["self-referencing alias", "Resources:\n  R: &r\n    Type: X\n    Properties: {P: *r}\n", /nesting too deep/],
    ["resource without Type", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  B:\n    Properties: {}\n", /^line 4: resource B has no Type/],
  ])("%s -> error with a one-line reason", (_name, text, reason) => {
    const r = loadCloudFormationText(text, "bad.yaml");
    expect(r.status).toBe("error");
    expect(r.reason).toMatch(reason);
    expect(r.reason).not.toContain("\n");
    expect(r.resources).toEqual([]);
  });

  it("rejects files larger than 10 MiB", async () => {
    expect(MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    const dir = mkdtempSync(path.join(tmpdir(), "rampart-cfn-"));
    const file = path.join(dir, "huge.yaml");
    writeFileSync(file, "Resources:\n" + "#".repeat(MAX_FILE_BYTES) + "\n");
    const r = await loadCloudFormationFile(file);
    expect(r.status).toBe("error");
    expect(r.reason).toMatch(/larger than the 10 MiB limit/);
    const t = loadCloudFormationText("x".repeat(MAX_FILE_BYTES + 1), "huge.yaml");
    expect(t.reason).toMatch(/larger than the 10 MiB limit/);
  });

  it("skips binary files and reports unreadable ones", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rampart-cfn-"));
    const file = path.join(dir, "image.yaml");
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a]));
    expect(await loadCloudFormationFile(file)).toMatchObject({ status: "skipped", reason: "binary file (contains NUL bytes)" });
    expect(await loadCloudFormationFile(path.join(dir, "missing.yaml"))).toMatchObject({ status: "error", reason: "cannot read: ENOENT" });
    expect(await loadCloudFormationFile(dir)).toMatchObject({ status: "error", reason: "is a directory, not a file" });
  });

  it("reads only the first document with Resources in a multi-document stream", () => {
    const r = loadCloudFormationText(
      "apiVersion: v1\nkind: Pod\n---\nResources:\n  A:\n    Type: AWS::SNS::Topic\n---\nResources:\n  B:\n    Type: AWS::SNS::Topic\n",
      "multi.yaml",
    );
    expect(r.status).toBe("loaded");
    expect(r.resources.map((x) => x.id)).toEqual(["A"]);
    expect(r.resources[0].source).toMatchObject({ line: 5 });
  });

  it("strips a byte order mark", () => {
    expect(loadCloudFormationText("\uFEFFResources:\n  A:\n    Type: AWS::SNS::Topic\n", "bom.yaml").status).toBe("loaded");
  });
});

describe("files that are not CloudFormation templates are skipped", () => {
  it.each([
    ["k8s.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n", "not a CloudFormation template: Kubernetes manifest"],
    ["docker-compose.yml", "services:\n  web:\n    image: nginx\n", "not a CloudFormation template: docker-compose file"],
    ["package.json", '{"name": "x", "version": "1.0.0", "dependencies": {}}', "not a CloudFormation template: package.json"],
    ["buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands: [make]\n", "not a CloudFormation template: CodeBuild buildspec"],
    ["list.json", '["a=b"]', "not a CloudFormation template: the document is a list"],
    ["empty.yaml", "", "not a CloudFormation template: empty document"],
    ["scalar.yaml", "hello", "not a CloudFormation template: the document is a single value"],
    ["other.yaml", "foo: bar\n", "not a CloudFormation template: no Resources section"],
    ["typeless.yaml", "Resources:\n  a: 1\n  b: [x]\n", "not a CloudFormation template: Resources entries have no Type"],
    ["rain.yaml", "Resources:\n  Net:\n    Type: !Rain::Module ../vpc.yml\n", "Rain template: uses !Rain::Module (line 3); package it with `rain pkg` first"],
    [
      "rain.json",
      '{"Resources": {"Net": {"Type": {"Rain::Module": "../vpc.yml"}}}}',
      "Rain template: resource Net (line 1) has Type Rain::Module; package it with `rain pkg` first",
    ],
  ])("%s", (file, text, reason) => {
    const r = loadCloudFormationText(text, file);
    expect(r).toMatchObject({ status: "skipped", reason, resources: [] });
  });

  it("reads other unknown YAML tags as unknown values", () => {
    const r = loadCloudFormationText("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Custom x\n", "t.yaml");
    expect(r.status).toBe("loaded");
    expect(r.resources[0].properties.TopicName).toEqual({ $unknown: "YAML tag !Custom (line 5) is not a CloudFormation intrinsic function" });
    expect(r.warnings?.[0]).toMatch(/!Custom/);
  });
});
