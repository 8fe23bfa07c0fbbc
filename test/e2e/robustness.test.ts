// Hostile and malformed input through the built CLI: each gives one clear line naming the
// file and exit 2 (or a counted skip for files that are not CloudFormation), never a stack
// trace, never a hang.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";

/** A hang guard, not a speed check: a run still going after this is killed and fails the test. */
const HANG_MS = 20_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function rampart(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "rampart.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: HANG_MS,
    killSignal: "SIGKILL",
    maxBuffer: 64 << 20,
  });
  if (r.signal === "SIGKILL") throw new Error(`rampart ${args.join(" ")} hung: killed after ${HANG_MS} ms`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
const write = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-robust-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function aliasBomb(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 10; i++) {
    const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(", ")}]`);
  }
  return `${lines.join("\n")}\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *j\n`;
}

const bucket = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n";

/** [name, file, contents, the one error line's reason] */
const errors: Array<[string, string, () => string | Buffer, RegExp]> = [
  ["malformed YAML", "broken.yaml", () => "Resources:\n  A:\n    Type: AWS::S3::Bucket\n   bad: [\n", /^line 4: /],
  ["malformed JSON", "broken.json", () => '{"Resources": {"A": {"Type": "AWS::S3::Bucket",}', /^line 1: /],
  ["a YAML alias bomb (a billion laughs)", "bomb.yaml", aliasBomb, /aliases expand too much/],
  [
    "an alias inside the node it names",
    "self.yaml",
    () => "Resources:\n  A: &a\n    Type: AWS::S3::Bucket\n    Properties:\n      Self: *a\n",
    /nesting too deep/,
  ],
  [
    "10,000-deep flow nesting (YAML)",
    "deep-flow.yaml",
    () => `${bucket}      X: ${"[".repeat(10000)}${"]".repeat(10000)}\n`,
    /nesting (deeper than \d+ levels|too deep)/,
  ],
  [
    "10,000-deep block nesting (YAML)",
    "deep-block.yaml",
    () => `${bucket}      X:\n        ${"- ".repeat(10000)}x\n`,
    /nesting (deeper than \d+ levels|too deep)/,
  ],
  [
    "10,000-deep nesting (JSON)",
    "deep.json",
    () => `{"Resources":{"A":{"Type":"AWS::S3::Bucket","Properties":{"X":${'{"a":'.repeat(10000)}1${"}".repeat(10000)}}}}}`,
    /nesting (deeper than \d+ levels|too deep)/,
  ],
  [
    "10,000 nested intrinsics",
    "deep-fn.yaml",
    () => `${bucket}      X: ${'{"Fn::Base64": '.repeat(10000)}x${"}".repeat(10000)}\n`,
    /nesting (deeper than \d+ levels|too deep)/,
  ],
  [
    "1,000 short-form tags stacked on one node",
    "tags.yaml",
    () => `${bucket}      X: ${"!Base64 ".repeat(1000)}x\n`,
    /^line 5: a node has several tags or anchors in a row/,
  ],
  [
    "20,000 short-form tags stacked on one node",
    "tags20k.yaml",
    () => `${bucket}      X: ${"!Base64 ".repeat(20000)}x\n`,
    /^line 5: a node has several tags or anchors in a row/,
  ],
  [
    "20,000 anchors stacked on one node",
    "anchors.yaml",
    () => `${bucket}      X: ${Array.from({ length: 20000 }, (_, i) => `&a${i} `).join("")}x\n`,
    /^line 5: a node has several tags or anchors in a row/,
  ],
  ["a duplicate key", "dup.json", () => '{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}, "Resources": {}}', /duplicate key Resources/],
  ["a resource without Type", "notype.yaml", () => "Resources:\n  A:\n    Properties: {}\n  B:\n    Type: AWS::S3::Bucket\n", /resource A has no Type/],
];

describe("malformed and hostile templates: exit 2, one line naming the file", () => {
  for (const [name, file, contents, reason] of errors) {
    it(name, () => {
      write(file, contents());
      const run = rampart(["iac", file, "--format", "json"], dir);
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(`rampart: ${file}: `)).toBe(true);
      expect(lines[0].slice(`rampart: ${file}: `.length)).toMatch(reason);
      expect(run.stderr).not.toMatch(/\bat .*\.js:\d+|internal error/);
      // The report is still written, with the error in it.
      const doc = JSON.parse(run.stdout);
      expect(doc.errors).toEqual([{ file, reason: expect.any(String) }]);
      expect(doc.scan.files).toEqual({ loaded: 0, skipped: 0, error: 1 });
    });
  }

  it("a file over the 10 MiB limit is not read", () => {
    const file = "huge.yaml";
    write(file, bucket);
    fs.truncateSync(path.join(dir, file), 10 * 1024 * 1024 + 1); // sparse: the size is what counts
    const run = rampart(["iac", file], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`rampart: ${file}: larger than the 10 MiB limit (10485761 bytes)`);
  });

  it("a file of 10 MiB of real YAML under the limit loads", () => {
    const file = "big.yaml";
    const line = "# padding padding padding padding padding padding padding padding padding\n";
    write(file, `Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n${line.repeat(Math.floor((10 * 1024 * 1024 - 100) / line.length))}`);
    const run = rampart(["iac", file, "--format", "json"], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).scan.files).toEqual({ loaded: 1, skipped: 0, error: 0 });
  });
});

describe("files that are not CloudFormation are counted as skipped", () => {
  const skips: Array<[string, string, () => string | Buffer]> = [
    ["a binary file", "blob.yaml", () => Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x00, 0x1a])],
    [
      "a Kubernetes manifest",
      "pod.yaml",
      () => "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx\n",
    ],
    [
      "a multi-document Kubernetes manifest",
      "k8s.yaml",
      () => "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n",
    ],
    ["a package.json", "package.json", () => JSON.stringify({ name: "x", version: "1.0.0", dependencies: {} })],
    ["an empty file", "empty.yaml", () => ""],
  ];
  for (const [name, file, contents] of skips) {
    it(`${name}: counted as skipped beside a template, and alone an error (nothing was scanned)`, () => {
      write(file, contents());
      fs.mkdirSync(path.join(dir, "ok"), { recursive: true });
      write("ok/bucket.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n");
      fs.copyFileSync(path.join(dir, file), path.join(dir, "ok", file));
      const run = rampart(["iac", "ok", "--format", "json"], dir);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      const doc = JSON.parse(run.stdout);
      expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
      expect(doc.findings).toEqual([]);
      const table = rampart(["iac", "ok"], dir).stdout;
      expect(table).toContain("in 1 file(s), 1 skipped");
      expect(table).toContain(`Not read (1):\n  ok/${file}: ${doc.skipped[0].reason}\n`);
      // the same file alone: input that was not read is never a pass
      const alone = rampart(["iac", file, "--format", "json"], dir);
      expect(alone.code).toBe(2);
      expect(alone.stdout).toBe("");
      const lines = alone.stderr.trim().split("\n");
      expect(lines[0]).toBe(`rampart: nothing was scanned in ${file}:`);
      expect(lines[1]).toMatch(new RegExp(`^  skipped ${file.replace(".", "\\.")}: \\S`));
      expect(lines.at(-1)).toMatch(/^rampart iac reads CloudFormation templates .* Terraform modules \(\.tf\) and Terraform plan JSON/);
      // a selection (the pre-commit hook's staged files) may hold no IaC file: nothing to scan, exit 0
      const hook = rampart(["iac", "--selection", file, "--format", "json"], dir);
      expect(hook.code).toBe(0);
      expect(hook.stderr).toBe("nothing to scan: no IaC file among the 1 path(s) given\n");
      expect(JSON.parse(hook.stdout).scan.files).toEqual({ loaded: 0, skipped: 1, error: 0 });
      fs.rmSync(path.join(dir, "ok"), { recursive: true });
    });
  }
});

describe("paths that yield no scanned file: exit 2 naming what was found and skipped, never a pass", () => {
  it("an empty folder", () => {
    fs.mkdirSync(path.join(dir, "none"));
    const run = rampart(["iac", "none", "--fail-on-unknown"], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n").slice(0, 2)).toEqual(["rampart: nothing was scanned in none:", "  the folder has no files"]);
  });

  it("a folder of files that are not IaC, with another path that is: the one that yields nothing is named", () => {
    fs.mkdirSync(path.join(dir, "docs"));
    write("docs/README.md", "# infra\n");
    write("docs/notes.txt", "x\n");
    fs.mkdirSync(path.join(dir, "cfn"));
    write("cfn/bucket.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n");
    const run = rampart(["iac", "cfn", "docs", "--format", "json"], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n").slice(0, 2)).toEqual(["rampart: nothing was scanned in docs:", "  not IaC files: docs/README.md, docs/notes.txt"]);
    expect(rampart(["iac", "cfn", "--format", "json"], dir).code).toBe(0);
  });

  it("files ignored by .gitignore are not read, and the message says so", () => {
    fs.mkdirSync(path.join(dir, "ign"));
    write("ign/.gitignore", "*.yaml\n");
    write("ign/bucket.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n");
    const run = rampart(["iac", "ign"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("files ignored by .gitignore are not read");
  });
});

describe("IAM documents of unusual (but legal or wrong) types load and are judged, never crash", () => {
  const template = `Resources:
  ObjectStatement:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          Effect: Allow
          Principal: "*"
          Action: sts:AssumeRole
  StringAction:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
  StringStatement:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement: "not a list"
  NumbersEverywhere:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: 1
            Principal: 42
            Action: [1, null, true]
            Condition: "x"
  NullDocument:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument: null
  ListProperties:
    Type: AWS::IAM::Role
    Properties: [1, 2]
  StringPolicyDocument:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: '{"Statement": {"Effect": "Allow", "Action": "acm-pca:IssueCertificate", "Resource": "*"}}'
`;

  it("one file with them all: loaded, judged, exit 0 or 1, no error", () => {
    write("iam-types.yaml", template);
    const run = rampart(["iac", "iam-types.yaml", "--format", "json"], dir);
    expect(run.stderr).toBe("");
    expect([0, 1]).toContain(run.code);
    const doc = JSON.parse(run.stdout);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 0, error: 0 });
    expect(doc.errors).toBeUndefined();
    // Action "*" as a string and a Statement object are read as IAM reads them.
    const keys = doc.findings.map((f: any) => `${f.ruleId} ${f.resource.id}`);
    expect(keys).toContain("acmpca-issue-certificate-template-restricted StringAction");
    expect(keys).toContain("acmpca-issue-certificate-template-restricted StringPolicyDocument");
  });

  it("every output format renders them", () => {
    for (const format of ["table", "sarif", "markdown", "junit", "html", "csv"]) {
      const run = rampart(["iac", "iam-types.yaml", "--format", format, "--fail-on", "none"], dir);
      expect(run.code, format).toBe(0);
      expect(run.stderr, format).toBe("");
      expect(run.stdout.length, format).toBeGreaterThan(100);
    }
  });
});

describe("a folder mixing all of it", () => {
  it("reports every bad file on its own line, skips the rest, and still judges the good template", () => {
    const good = fs.readFileSync(path.join(repoRoot, "examples", "templates", "rolesanywhere-trust-bad.yaml"), "utf8");
    const sub = path.join(dir, "mixed");
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, "role.yaml"), good);
    fs.writeFileSync(path.join(sub, "bomb.yaml"), aliasBomb());
    fs.writeFileSync(path.join(sub, "broken.json"), "{");
    fs.writeFileSync(path.join(sub, "pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n");
    fs.writeFileSync(path.join(sub, "blob.template"), Buffer.from([0, 1, 2, 3]));
    fs.writeFileSync(path.join(sub, "notes.txt"), "not scanned: not a template extension");
    const run = rampart(["iac", "mixed", "--account", "012345678912", "--format", "json"], dir);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split("\n").sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^rampart: mixed\/bomb\.yaml: YAML aliases expand too much/);
    expect(lines[1]).toMatch(/^rampart: mixed\/broken\.json: line 1: /);
    const doc = JSON.parse(run.stdout);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 2, error: 2 });
    expect(doc.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`)).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
  });
});
