import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFullyResolved, createContext, resolve, NO_VALUE } from "../../collectors/iac/cloudformation/resolver.js";
import { isUnknown } from "../../model/types.js";

const ctx = () =>
  createContext({
    Parameters: { Known: { Type: "String", Default: "k" }, Missing: { Type: "String" } },
    Conditions: { Yes: { "Fn::Equals": ["a", "a"] }, No: { "Fn::Equals": ["a", "b"] }, Maybe: { "Fn::Equals": [{ Ref: "Missing" }, "a"] } },
    Mappings: { M: { a: { b: "c" } } },
    Resources: { Res: { Type: "AWS::S3::Bucket" } },
  });

/** Strings without "${" so that they are literal in Fn::Sub. */
const plain = fc.string({ maxLength: 20 }).filter((s) => !s.includes("${"));

const leaf = fc.oneof(
  plain,
  fc.integer(),
  fc.boolean(),
  fc.constantFrom(
    { Ref: "Known" },
    { Ref: "Missing" },
    { Ref: "Res" },
    { Ref: "AWS::AccountId" },
    { Ref: "AWS::NoValue" },
    { Ref: "Nope" },
    { "Fn::GetAtt": "Res.Arn" },
    { "Fn::GetAZs": "" },
    { "Fn::ImportValue": "x" },
    { "Fn::Sub": "${Known}-${AWS::Region}-${Res.Arn}-${!x}" },
  ),
);

const FNS = [
  "Fn::Join",
  "Fn::Sub",
  "Fn::Select",
  "Fn::Split",
  "Fn::If",
  "Fn::FindInMap",
  "Fn::Equals",
  "Fn::And",
  "Fn::Or",
  "Fn::Not",
  "Fn::Base64",
  "Fn::Cidr",
  "Fn::Length",
  "Fn::ToJsonString",
  "Fn::GetAtt",
  "Ref",
  "Fn::Unknown",
  "Fn::Transform",
];

/** Random trees of intrinsic functions, well-formed or not. */
const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "Condition", "Fn::If"), tie("node"), { maxKeys: 3 }),
    fc.record({ fn: fc.constantFrom(...FNS), arg: fc.oneof(tie("node"), fc.array(tie("node"), { maxLength: 4 })) }).map(({ fn, arg }) => ({ [fn]: arg })),
    fc.tuple(fc.constantFrom("Yes", "No", "Maybe", "Other"), tie("node"), tie("node")).map((t) => ({ "Fn::If": t })),
  ),
})).node;

describe("resolver properties", () => {
  it("Fn::Join of resolvable strings equals a plain join", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 8 }), (d, parts) => {
        expect(resolve({ "Fn::Join": [d, parts] }, ctx())).toBe(parts.join(d));
      }),
    );
  });

  it("Fn::Sub without variables is the identity", () => {
    fc.assert(
      fc.property(plain, (s) => {
        expect(resolve({ "Fn::Sub": s }, ctx())).toBe(s);
      }),
    );
  });

  it("an unknown part makes Fn::Join / Fn::Sub unknown, with the known text kept in the template", () => {
    fc.assert(
      fc.property(fc.array(plain, { minLength: 1, maxLength: 5 }), fc.nat(), (parts, at) => {
        const i = at % (parts.length + 1);
        const list: unknown[] = [...parts.slice(0, i), { Ref: "AWS::AccountId" }, ...parts.slice(i)];
        const j = resolve({ "Fn::Join": ["", list] }, ctx());
        expect(isUnknown(j)).toBe(true);
        expect((j as { template: string }).template).toBe(parts.slice(0, i).join("") + "${AWS::AccountId}" + parts.slice(i).join(""));
        const s = resolve({ "Fn::Sub": parts.slice(0, i).join("") + "${Missing}" + parts.slice(i).join("") }, ctx());
        expect(isUnknown(s)).toBe(true);
      }),
    );
  });

  it("Fn::If with a known condition picks the branch", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const clean = (v: unknown) => resolve(v, ctx());
        expect(resolve({ "Fn::If": ["Yes", a, b] }, ctx())).toEqual(clean(a));
        expect(resolve({ "Fn::If": ["No", a, b] }, ctx())).toEqual(clean(b));
      }),
    );
  });

  it("values without intrinsics resolve to themselves", () => {
    const noFn = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"Ref"') && !JSON.stringify(v).includes('"Fn::'));
    fc.assert(
      fc.property(noFn, (v) => {
        expect(resolve(v, ctx())).toEqual(v);
      }),
    );
  });

  it("random nested intrinsics never throw, never mutate their input and are deterministic", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const input = structuredClone(t);
        const a = resolve(t, ctx());
        expect(t).toEqual(input);
        expect(resolve(t, ctx())).toEqual(a);
        if (a !== NO_VALUE) {
          const text = JSON.stringify(a) ?? "";
          if (isFullyResolved(a)) expect(text).not.toContain("$unknown");
        }
      }),
      { numRuns: 500 },
    );
  });
});
