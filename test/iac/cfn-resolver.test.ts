import { describe, expect, it } from "vitest";
import { createContext, evaluateCondition, NO_VALUE, parseSub, resolve, type ResolveContext } from "../../collectors/iac/cloudformation/resolver.js";

const template = {
  Parameters: {
    Env: { Type: "String", Default: "prod" },
    NoDefault: { Type: "String" },
    Count: { Type: "Number", Default: "3" },
    Subnets: { Type: "CommaDelimitedList", Default: "subnet-a, subnet-b" },
    Ami: { Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: "/aws/ami" },
  },
  Mappings: { Region: { "us-east-1": { Ami: "ami-1" } } },
  Conditions: {
    IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] },
    IsDev: { "Fn::Not": [{ Condition: "IsProd" }] },
    Unknowable: { "Fn::Equals": [{ Ref: "NoDefault" }, "x"] },
    OrTrue: { "Fn::Or": [{ Condition: "Unknowable" }, { Condition: "IsProd" }] },
    AndFalse: { "Fn::And": [{ Condition: "Unknowable" }, { Condition: "IsDev" }] },
    AndUnknown: { "Fn::And": [{ Condition: "Unknowable" }, { Condition: "IsProd" }] },
    Loop: { Condition: "Loop" },
  },
  Resources: { Bucket: { Type: "AWS::S3::Bucket" }, Role: { Type: "AWS::IAM::Role" } },
};

function ctx(params: Record<string, unknown> = {}): ResolveContext {
  return createContext(template, params);
}

describe("Ref", () => {
  it("resolves parameters from the given values, then the Default", () => {
    expect(resolve({ Ref: "Env" }, ctx())).toBe("prod");
    expect(resolve({ Ref: "Env" }, ctx({ Env: "dev" }))).toBe("dev");
    expect(resolve({ Ref: "Count" }, ctx())).toBe(3);
    expect(resolve({ Ref: "Subnets" }, ctx())).toEqual(["subnet-a", "subnet-b"]);
  });

  it("makes a parameter without default an Unknown naming --cfn-params", () => {
    expect(resolve({ Ref: "NoDefault" }, ctx())).toEqual({
      $unknown: "Ref to parameter NoDefault, which has no default and was not given with --cfn-params",
      template: "${NoDefault}",
    });
    expect(resolve({ Ref: "Ami" }, ctx({ Ami: "/x" }))).toMatchObject({ $unknown: expect.stringContaining("SSM Parameter Store") });
  });

  it("keeps pseudo parameters unknown, except AWS::NoValue which removes the key", () => {
    for (const p of ["AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix", "AWS::StackId"]) {
      expect(resolve({ Ref: p }, ctx())).toEqual({ $unknown: expect.stringContaining(p), template: `\${${p}}` });
    }
    expect(resolve({ Ref: "AWS::NoValue" }, ctx())).toBe(NO_VALUE);
    expect(resolve({ a: 1, b: { Ref: "AWS::NoValue" } }, ctx())).toEqual({ a: 1 });
    expect(resolve([1, { Ref: "AWS::NoValue" }, 2], ctx())).toEqual([1, 2]);
  });

  it("turns Ref and GetAtt to resources into references", () => {
    expect(resolve({ Ref: "Bucket" }, ctx())).toEqual({ $ref: "Bucket" });
    expect(resolve({ "Fn::GetAtt": "Role.Arn" }, ctx())).toEqual({ $ref: "Role", attribute: "Arn" });
    expect(resolve({ "Fn::GetAtt": ["Role", { Ref: "Env" }] }, ctx())).toEqual({ $ref: "Role", attribute: "prod" });
    expect(resolve({ "Fn::GetAtt": "Db.Endpoint.Address" }, ctx())).toMatchObject({ $unknown: expect.stringContaining("not a resource") });
    expect(resolve({ Ref: "Nope" }, ctx())).toMatchObject({ $unknown: expect.stringContaining("not a parameter or resource") });
  });
});

describe("Fn::Sub and Fn::Join", () => {
  it("substitutes parameters and variables, honouring ${!Literal}", () => {
    expect(resolve({ "Fn::Sub": "${Env}-app" }, ctx())).toBe("prod-app");
    expect(resolve({ "Fn::Sub": ["${A}-${Env}", { A: "x" }] }, ctx())).toBe("x-prod");
    expect(resolve({ "Fn::Sub": "${!Literal}-${Env}" }, ctx())).toBe("${Literal}-prod");
    expect(parseSub("a${B}c${!D}")).toEqual([{ text: "a" }, { name: "B" }, { text: "c${D}" }]);
  });

  it("keeps unresolved parts as ${…} in the template", () => {
    const v = resolve({ "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Env}-${Role}-${Bucket.Arn}" }, ctx());
    expect(v).toMatchObject({ template: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/prod-${Role}-${Bucket.Arn}" });
    expect((v as any).$unknown).toMatch(/^Fn::Sub with unresolved parts: AWS::Partition is the partition/);
    const j = resolve({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":s3:::", { Ref: "Bucket" }, "/*"]] }, ctx());
    expect(j).toMatchObject({ template: "arn:${AWS::Partition}:s3:::${Bucket}/*" });
    const n = resolve({ "Fn::Sub": ["${X}/*", { X: { "Fn::Sub": "arn:${AWS::Partition}:s3:::b" } }] }, ctx());
    expect(n).toMatchObject({ template: "arn:${AWS::Partition}:s3:::b/*" });
    const iv = resolve({ "Fn::Join": [":", ["a", { "Fn::ImportValue": "Shared" }]] }, ctx());
    expect(iv).toMatchObject({ template: "a:${Fn::ImportValue:Shared}" });
  });

  it("joins lists, including list parameters and Fn::Split", () => {
    expect(resolve({ "Fn::Join": [",", { Ref: "Subnets" }] }, ctx())).toBe("subnet-a,subnet-b");
    expect(resolve({ "Fn::Join": ["-", { "Fn::Split": [",", "a,b,c"] }] }, ctx())).toBe("a-b-c");
    expect(resolve({ "Fn::Join": ["-", [1, true, "x"]] }, ctx())).toBe("1-true-x");
    expect(resolve({ "Fn::Join": ["-", { "Fn::GetAZs": "" }] }, ctx())).toMatchObject({ $unknown: expect.stringContaining("Fn::GetAZs") });
  });
});

describe("Fn::Select, Fn::FindInMap, Fn::If and conditions", () => {
  it("selects and looks up", () => {
    expect(resolve({ "Fn::Select": ["1", { Ref: "Subnets" }] }, ctx())).toBe("subnet-b");
    expect(resolve({ "Fn::Select": [5, ["a"]] }, ctx())).toMatchObject({ $unknown: expect.stringContaining("out of range") });
    expect(resolve({ "Fn::Select": [0, { "Fn::GetAZs": "" }] }, ctx())).toMatchObject({ $unknown: expect.stringContaining("Fn::GetAZs") });
    expect(resolve({ "Fn::FindInMap": ["Region", "us-east-1", "Ami"] }, ctx())).toBe("ami-1");
    expect(resolve({ "Fn::FindInMap": ["Region", "eu-west-1", "Ami", { DefaultValue: "ami-0" }] }, ctx())).toBe("ami-0");
    expect(resolve({ "Fn::FindInMap": ["Region", { Ref: "AWS::Region" }, "Ami"] }, ctx())).toMatchObject({
      $unknown: expect.stringContaining("AWS::Region"),
    });
  });

  it("evaluates conditions from parameters and defaults", () => {
    const c = ctx();
    expect(evaluateCondition("IsProd", c)).toBe(true);
    expect(evaluateCondition("IsDev", c)).toBe(false);
    expect(evaluateCondition("IsProd", ctx({ Env: "dev" }))).toBe(false);
    expect(evaluateCondition("Unknowable", c)).toMatchObject({ $unknown: expect.stringContaining("NoDefault") });
    expect(evaluateCondition("OrTrue", c)).toBe(true);
    expect(evaluateCondition("AndFalse", c)).toBe(false);
    expect(evaluateCondition("AndUnknown", c)).toMatchObject({ $unknown: expect.any(String) });
    expect(evaluateCondition("Loop", c)).toMatchObject({ $unknown: expect.stringContaining("refers to itself") });
    expect(evaluateCondition("Missing", c)).toMatchObject({ $unknown: expect.stringContaining("not defined") });
  });

  it("picks the Fn::If branch when the condition is known", () => {
    expect(resolve({ "Fn::If": ["IsProd", "a", "b"] }, ctx())).toBe("a");
    expect(resolve({ "Fn::If": ["IsDev", "a", "b"] }, ctx())).toBe("b");
    expect(resolve({ k: { "Fn::If": ["IsDev", "a", { Ref: "AWS::NoValue" }] } }, ctx())).toEqual({});
    expect(resolve({ "Fn::If": ["Unknowable", "a", "b"] }, ctx())).toMatchObject({ $unknown: expect.stringMatching(/^Fn::If: either branch/) });
    expect(resolve({ "Fn::If": ["Unknowable", "same", "same"] }, ctx())).toBe("same");
  });
});

describe("functions that stay unknown", () => {
  it.each(["Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Cidr", "Fn::Transform", "Fn::Whatever"])("%s", (fn) => {
    const v = resolve({ [fn]: "x" }, ctx()) as { $unknown: string };
    expect(v.$unknown.startsWith(`${fn}:`)).toBe(true);
  });

  it("computes Fn::Length and Fn::ToJsonString when the value is resolved", () => {
    expect(resolve({ "Fn::Length": { Ref: "Subnets" } }, ctx())).toBe(2);
    expect(resolve({ "Fn::ToJsonString": { a: { Ref: "Env" } } }, ctx())).toBe('{"a":"prod"}');
    expect(resolve({ "Fn::ToJsonString": { a: { Ref: "Bucket" } } }, ctx())).toMatchObject({ $unknown: expect.any(String) });
  });

  it("never mutates its input", () => {
    const input = { a: { Ref: "Env" }, b: [{ Ref: "AWS::NoValue" }] };
    const copy = structuredClone(input);
    resolve(input, ctx());
    expect(input).toEqual(copy);
  });
});
