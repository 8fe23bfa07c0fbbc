import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UserError } from "../../model/errors.js";
import {
  lineFor,
  loadCloudFormationFile,
  loadCloudFormationPaths,
  loadCloudFormationText,
  parseParameterFile,
} from "../../collectors/iac/cloudformation/index.js";

/** Resources without the parameter pseudo-resources. */
const real = (r: { resources: Array<{ type: string }> }) => r.resources.filter((x) => x.type !== "AWS::CloudFormation::Parameter") as any[];

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/cfn");
const byId = (r: { resources: Array<{ id: string }> }, id: string) => r.resources.find((x) => x.id === id) as any;

describe("resources", () => {
  const text = `
Parameters:
  Env: {Type: String, Default: prod}
  Team: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  TeamSet: !Not [!Equals [!Ref Team, ""]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Metadata:
      rampart:
        ignore:
          - {rule: iam-trust-example, reason: accepted risk, expires: 2030-01-31}
          - other-rule
    Properties:
      RoleName: !Sub "\${Env}-app"
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}'
      Policies:
        - PolicyName: p
          PolicyDocument: !Sub |
            {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\${Bucket}/*"}]}
      Tags:
        - {Key: team, Value: !Ref Team}
        - {Key: env, Value: !Ref Env}
        - {Key: bucket, Value: !Ref Bucket}
  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
  DevOnly:
    Type: AWS::SNS::Topic
    Condition: IsDev
  Maybe:
    Type: AWS::SNS::Topic
    Condition: TeamSet
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: x
      Tags: {owner: me, count: 3}
`;

  it("emits resources with source, resolved properties, tags, name and ignores", () => {
    const r = loadCloudFormationText(text, "dir/t.yaml");
    expect(r.status).toBe("loaded");
    expect(real(r).map((x) => x.id)).toEqual(["Role", "Bucket", "Maybe", "Param"]);
    const role = byId(r, "Role");
    expect(role.source).toEqual({ kind: "cloudformation", file: "dir/t.yaml", line: 10, pointer: "/Resources/Role" });
    expect(role.name).toBe("prod-app");
    expect(role.properties.AssumeRolePolicyDocument).toEqual({
      Version: "2012-10-17",
      Statement: { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
    });
    expect(role.properties.Policies[0].PolicyDocument.Statement[0]).toEqual({
      Effect: "Allow",
      Action: "s3:*",
      Resource: { $unknown: expect.stringContaining("Fn::Sub"), template: "arn:aws:s3:::${Bucket}/*" },
    });
    expect(role.tags).toEqual({
      team: { $unknown: "Ref to parameter Team, which has no default and was not given with --cfn-params", template: "${Team}" },
      env: "prod",
      bucket: { $unknown: "the value refers to resource Bucket", template: "${Bucket}" },
    });
    expect(byId(r, "Param").tags).toEqual({ owner: "me", count: "3" });
    expect(r.ignores).toEqual([
      { resource: "Role", rule: "iam-trust-example", reason: "accepted risk", expires: "2030-01-31" },
      { resource: "Role", rule: "other-rule" },
    ]);
  });

  it("uses --cfn-params values for parameters and conditions", () => {
    const r = loadCloudFormationText(text, "t.yaml", { parameters: { Env: "dev", Team: "blue" } });
    expect(real(r).map((x) => x.id)).toEqual(["Role", "DevOnly", "Maybe", "Param"]);
    expect(byId(r, "Role").tags).toMatchObject({ team: "blue", env: "dev" });
  });

  it("finds the line of a pointer, or of its nearest ancestor", () => {
    const r = loadCloudFormationText(text, "t.yaml");
    expect(lineFor(r.lines, "/Resources/Role/Properties/Tags/1/Value")).toBe(26);
    expect(lineFor(r.lines, "/Resources/Role/Properties/AssumeRolePolicyDocument/Statement/Principal")).toBe(19);
  });

  it("expands Fn::ForEach with the language extensions", () => {
    const r = loadCloudFormationText(
      `Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList, Default: "a,b-c"}
Resources:
  Fn::ForEach::Topics:
    - Name
    - !Ref Names
    - Topic&{Name}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub "\${Name}-topic"
          DisplayName: !Ref Name
`,
      "t.yaml",
    );
    expect(r.status).toBe("loaded");
    expect(real(r).map((x) => [x.id, x.properties.TopicName, x.properties.DisplayName])).toEqual([
      ["Topica", "a-topic", "a"],
      ["Topicbc", "b-c-topic", "b-c"],
    ]);
    expect(r.resources[1].source).toMatchObject({ line: 8, pointer: "/Resources/Topicbc" });
    expect(r.lines.get("/Resources/Topicbc/Properties/TopicName")).toBe(11);
  });

  it("keeps properties that are not a map as an unknown", () => {
    const r = loadCloudFormationText("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: !ImportValue x\n", "t.yaml");
    expect(r.resources[0].properties).toMatchObject({ $unknown: expect.stringContaining("Fn::ImportValue") });
  });
});

describe("SAM", () => {
  const sam = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Tracing: Active
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Policies:
        - AmazonS3ReadOnlyAccess
        - S3ReadPolicy: {BucketName: b}
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: "*"
  WithRole:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::111122223333:role/x
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod}
`;

  it("emits the role SAM creates for functions without Role", () => {
    const r = loadCloudFormationText(sam, "sam.yaml");
    expect(r.resources.map((x) => `${x.type} ${x.id}`)).toEqual([
      "AWS::Serverless::Function Fn",
      "AWS::IAM::Role FnRole",
      "AWS::Serverless::Function WithRole",
      "AWS::Serverless::Api Api",
    ]);
    const role = byId(r, "FnRole");
    expect(byId(r, "Fn").properties.Runtime).toBe("python3.12");
    expect(role.source).toEqual(byId(r, "Fn").source);
    expect(role.properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ["lambda.amazonaws.com"] });
    expect(role.properties.ManagedPolicyArns.map((a: any) => a.template)).toEqual([
      "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "arn:${AWS::Partition}:iam::aws:policy/AWSXrayWriteOnlyAccess",
      "arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]);
    expect(role.properties.Policies).toEqual([
      {
        PolicyName: "FnRolePolicy0",
        PolicyDocument: { Version: "2012-10-17", Statement: [{ $unknown: expect.stringContaining("SAM policy template S3ReadPolicy") }] },
      },
      { PolicyName: "FnRolePolicy1", PolicyDocument: { Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }] } },
    ]);
    expect(role.tags).toEqual({ "lambda:createdBy": "SAM" });
  });
});

describe("CDK, nested stacks, paths", () => {
  it("loads every stack of a cdk.out directory", async () => {
    const rs = await loadCloudFormationPaths([path.join(FIXTURES, "cdk.out")]);
    expect(rs.map((r) => [path.basename(r.file), r.status])).toEqual([["AppStack.template.json", "loaded"]]);
    const role = rs[0].resources[0];
    expect(role.properties.ManagedPolicyArns).toEqual([
      { $unknown: expect.any(String), template: "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" },
    ]);
  });

  it("loads local nested stacks with parameters from the parent", async () => {
    const r = await loadCloudFormationFile(path.join(FIXTURES, "nested/parent.yaml"));
    expect(r.status).toBe("loaded");
    expect(real(r).map((x) => x.id)).toEqual(["Bucket", "Child", "Child/Role", "Child/Queue", "Remote"]);
    const role = byId(r, "Child/Role");
    expect(role.source).toMatchObject({ file: path.join(FIXTURES, "nested/child/child.yaml"), line: 9, pointer: "/Resources/Role", stack: "Child" });
    expect(role.name).toBe("prod-role");
    expect(role.properties.Description.$unknown).toMatch(
      /^Ref to parameter Unset, which has no default and was not given with the Parameters of nested stack Child/,
    );
    expect(role.properties.Policies[0].PolicyDocument.Statement[0].Resource).toMatchObject({ template: "${Bucket.Arn}/*" });
    expect(byId(r, "Child/Queue").properties.RedriveAllowPolicy).toEqual({ $ref: "Child/Role", attribute: "Arn" });
    expect(r.ignores).toEqual([{ resource: "Child/Role", rule: "iam-role-example", reason: "nested test", expires: "2099-01-01" }]);
    expect(r.nested?.[0].lines.get("/Resources/Role/Properties/RoleName")).toBe(18);
  });

  it("reports a nested template once, under its parent", async () => {
    const rs = await loadCloudFormationPaths([path.join(FIXTURES, "nested")]);
    expect(rs.map((r) => [path.relative(FIXTURES, r.file), r.status, r.reason])).toEqual([
      ["nested/child/child.yaml", "skipped", `loaded as nested stack Child of ${path.join(FIXTURES, "nested/parent.yaml")}`],
      ["nested/parent.yaml", "loaded", undefined],
    ]);
  });

  it("guards against nested stack cycles", async () => {
    const r = await loadCloudFormationFile(path.join(FIXTURES, "cycle/a.yaml"));
    expect(r.resources.map((x) => x.id)).toEqual(["B", "B/A", "B/TopicB", "TopicA"]);
    expect(r.warnings?.join()).toMatch(/a cycle/);
  });

  it("walks directories, respecting the root .gitignore and skipping node_modules", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rampart-walk-"));
    const topic = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
    const files: Record<string, string> = {
      ".gitignore": "# build output\nignored/\n*.generated.yaml\n!keep.generated.yaml\n",
      "main.yaml": topic,
      "sub/other.template": topic,
      "sub/x.generated.yaml": topic,
      "sub/keep.generated.yaml": topic,
      "sub/notes.txt": "not a template",
      "sub/k8s.yaml": "apiVersion: v1\nkind: ConfigMap\n",
      "ignored/gone.yaml": topic,
      "node_modules/pkg/dep.yaml": topic,
      "package.json": '{"name": "x", "scripts": {}}',
    };
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), t);
    }
    const rel = (rs: Array<{ file: string; status: string }>) => rs.map((r) => `${path.relative(dir, r.file)} ${r.status}`);
    expect(rel(await loadCloudFormationPaths([dir]))).toEqual([
      "main.yaml loaded",
      "package.json skipped",
      "sub/k8s.yaml skipped",
      "sub/keep.generated.yaml loaded",
      "sub/other.template loaded",
    ]);
    expect(rel(await loadCloudFormationPaths([dir], { respectGitignore: false }))).toContain("ignored/gone.yaml loaded");
    const explicit = await loadCloudFormationPaths([path.join(dir, "sub/notes.txt")]);
    expect(explicit[0]).toMatchObject({ status: "skipped", reason: "not a CloudFormation template: the document is a single value" });
  });
});

describe("parameter files", () => {
  const p = (f: string) => path.join(FIXTURES, "params", f);
  it("reads the four formats", () => {
    expect(parseParameterFile(p("strings.json"))).toEqual({ Env: "dev", Subnets: "subnet-1,subnet-2", Empty: "" });
    expect(parseParameterFile(p("objects.json"))).toEqual({ Env: "dev", Count: "3" });
    expect(parseParameterFile(p("codepipeline.json"))).toEqual({ Env: "dev" });
    expect(parseParameterFile(p("plain.json"))).toEqual({ Env: "dev", Flag: "true" });
  });

  it("throws a UserError naming the file for bad files", () => {
    for (const f of ["bad-entry.json", "broken.json", "missing.json"]) {
      expect(() => parseParameterFile(p(f))).toThrow(UserError);
      expect(() => parseParameterFile(p(f))).toThrow(p(f));
    }
  });
});

describe("parameters and account ids", () => {
  it("emits each parameter declaration as written, and keeps long digit strings as strings", () => {
    const text = [
      "Parameters:",
      "  DbPassword: {Type: String, NoEcho: true, MinLength: 8}",
      "  Env: {Type: String, Default: prod}",
      "Resources:",
      "  Role:",
      "    Type: AWS::IAM::Role",
      "    Properties:",
      "      AssumeRolePolicyDocument:",
      "        Statement: {Effect: Allow, Principal: {AWS: 012345678912}, Action: sts:AssumeRole}",
    ].join("\n");
    const r = loadCloudFormationText(text, "p.yaml", { parameters: { DbPassword: "s3cret-value" } });
    const params = r.resources.filter((x) => x.type === "AWS::CloudFormation::Parameter");
    expect(params.map((p) => [p.id, p.properties, p.source])).toEqual([
      [
        "DbPassword",
        { Type: "String", NoEcho: true, MinLength: 8 },
        { kind: "cloudformation", file: "p.yaml", line: 2, pointer: "/Parameters/DbPassword", propertiesPointer: "/Parameters/DbPassword" },
      ],
      [
        "Env",
        { Type: "String", Default: "prod" },
        { kind: "cloudformation", file: "p.yaml", line: 3, pointer: "/Parameters/Env", propertiesPointer: "/Parameters/Env" },
      ],
    ]);
    expect(JSON.stringify(r.resources)).not.toContain("s3cret-value");
    const role = r.resources.find((x) => x.id === "Role")!;
    expect((role.properties.AssumeRolePolicyDocument as any).Statement.Principal.AWS).toBe("012345678912");
  });
});
