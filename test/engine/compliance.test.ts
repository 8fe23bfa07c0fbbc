// evaluateCompliance's decisions on small documents: pass only when every rule judged what it
// reads and none failed; undecided, disabled, unread and cannot-judge-this-input are unknown.
import { describe, expect, it } from "vitest";
import { evaluateCompliance, type Framework, type SchemePart } from "../../engine/compliance.js";
import type { RuleMeta } from "../../engine/engine.js";
import type { Finding, FindingsDocument } from "../../engine/findings.js";

const rule = (
  id: string,
  controls: string[],
  inputs: RuleMeta["inputs"] = ["live", "cloudformation", "terraform"],
  type = "AWS::EFS::FileSystem",
): RuleMeta => ({
  package: id.replace("-", ".").replace(/-/g, "_"),
  file: `rules/aws/${id}.rego`,
  id,
  title: id,
  description: id,
  severity: "high",
  family: "breadth",
  resourceTypes: [type],
  inputs,
  guidance: "CIS AWS Foundations Benchmark v5.0.0 controls 1.1",
  compliance: { fw: controls },
});

const fw: Framework = {
  id: "fw",
  title: "Test framework",
  version: "1",
  source: "this test",
  controls: [
    { id: "A", title: "control A", description: "two rules" },
    { id: "B", title: "control B", description: "one rule" },
    { id: "M", title: "control M", description: "manual", manual: true, verify: "look at it by hand" },
  ],
};

const finding = (ruleId: string, status: Finding["status"], id: string, message = "m"): Finding => ({
  id: `${ruleId}:${id}`,
  ruleId,
  status,
  severity: "high",
  title: ruleId,
  message,
  resource: { type: "AWS::EFS::FileSystem", id, account: "111122223333", region: "us-east-1" },
});

function doc(kind: "live" | "iac", rows: Array<[string, number]>, findings: Finding[], coverage: FindingsDocument["coverage"] = []): FindingsDocument {
  const by = (r: string, s: string) => findings.filter((f) => f.ruleId === r && f.status === s).length;
  return {
    schemaVersion: "1",
    tool: { name: "rampart", version: "0" },
    scan: { kind, startedAt: "", finishedAt: "", policy: "t", incomplete: false },
    summary: {
      fail: 0,
      unknown: 0,
      pass: 0,
      suppressed: 0,
      bySeverity: {},
      rules: rows.map(([ruleId, pass]) => ({ ruleId, pass, fail: by(ruleId, "fail"), unknown: by(ruleId, "unknown"), suppressed: by(ruleId, "suppressed") })),
    },
    findings,
    coverage,
  };
}

const rules = [rule("efs-one", ["A", "B"]), rule("efs-two", ["A"])];
const status = (parts: SchemePart[], rs = rules) => Object.fromEntries(evaluateCompliance(fw, rs, parts).controls.map((c) => [c.id, c.status]));

describe("evaluateCompliance", () => {
  it("pass when every rule judged and none failed; manual without rules", () => {
    expect(
      status([
        {
          kind: "live",
          doc: doc(
            "live",
            [
              ["efs-one", 2],
              ["efs-two", 1],
            ],
            [],
          ),
        },
      ]),
    ).toEqual({ A: "pass", B: "pass", M: "manual" });
  });

  it("one failing rule fails the control; an undecided rule of a failing control does not matter", () => {
    const d = doc(
      "live",
      [
        ["efs-one", 1],
        ["efs-two", 0],
      ],
      [finding("efs-one", "unknown", "fs-1"), finding("efs-two", "fail", "fs-2")],
    );
    const out = evaluateCompliance(fw, rules, [{ kind: "live", doc: d }]);
    expect(out.controls.map((c) => [c.id, c.status])).toEqual([
      ["A", "fail"],
      ["B", "unknown"],
      ["M", "manual"],
    ]);
    expect(out.controls[0].failing).toEqual([{ type: "AWS::EFS::FileSystem", id: "fs-2", account: "111122223333", region: "us-east-1" }]);
    expect(out.controls[1].reason).toBe("efs-one: 1 undecided (m)");
    expect(out.summary).toEqual({ pass: 0, fail: 1, unknown: 1, manual: 1 });
  });

  it("a coverage gap (an unknown finding of the rule) makes the control unknown, never pass", () => {
    const gap = finding("efs-one", "unknown", "elasticfilesystem:111122223333/us-east-1", "Cannot judge AWS::EFS::FileSystem: denied");
    const out = evaluateCompliance(fw, rules, [
      {
        kind: "live",
        doc: doc(
          "live",
          [
            ["efs-one", 3],
            ["efs-two", 3],
          ],
          [gap],
        ),
      },
    ]);
    expect(out.controls.find((c) => c.id === "B")).toMatchObject({
      status: "unknown",
      reason: "efs-one: 1 undecided (Cannot judge AWS::EFS::FileSystem: denied)",
    });
  });

  it("a rule the pack disabled is unknown", () => {
    const out = evaluateCompliance(fw, rules, [{ kind: "live", doc: doc("live", [["efs-two", 1]], []) }]);
    expect(out.controls.find((c) => c.id === "B")).toMatchObject({ status: "unknown", reason: "efs-one is disabled by the policy pack" });
  });

  it("live, nothing judged: pass only when the type was read (and there is none)", () => {
    const read = doc(
      "live",
      [
        ["efs-one", 0],
        ["efs-two", 0],
      ],
      [],
      [{ service: "efs", status: "ok", resourceTypes: ["AWS::EFS::FileSystem"] }],
    );
    expect(status([{ kind: "live", doc: read }])).toEqual({ A: "pass", B: "pass", M: "manual" });
    const notRead = doc(
      "live",
      [
        ["efs-one", 0],
        ["efs-two", 0],
      ],
      [],
      [{ service: "iam", status: "ok", resourceTypes: ["AWS::IAM::Role"] }],
    );
    const out = evaluateCompliance(fw, rules, [{ kind: "live", doc: notRead }]);
    expect(out.controls[1]).toMatchObject({ status: "unknown", reason: "AWS::EFS::FileSystem was not read in this scan (efs-one had nothing to judge)" });
  });

  it("suppressed findings do not fail the control, and say so", () => {
    const out = evaluateCompliance(fw, rules, [
      {
        kind: "live",
        doc: doc(
          "live",
          [
            ["efs-one", 0],
            ["efs-two", 1],
          ],
          [finding("efs-one", "suppressed", "fs-1")],
        ),
      },
    ]);
    expect(out.controls[1]).toMatchObject({
      status: "pass",
      rules: [{ ruleId: "efs-one", status: "pass", suppressed: 1, reason: "1 finding(s) suppressed by exceptions" }],
    });
  });

  it("templates: a live-only rule is unknown; unreadable files make passes unknown", () => {
    const liveOnly = [rule("efs-one", ["A", "B"], ["live"]), rule("efs-two", ["A"])];
    const d = doc(
      "iac",
      [
        ["efs-one", 0],
        ["efs-two", 1],
      ],
      [],
    );
    const out = evaluateCompliance(fw, liveOnly, [{ kind: "iac", doc: d, types: new Set(["AWS::EFS::FileSystem"]) }]);
    expect(out.controls[1]).toMatchObject({ status: "unknown", reason: "nothing to judge: efs-one judges live accounts only" });
    const broken = { ...d, errors: [{ file: "x.yaml", reason: "not YAML" }] };
    expect(status([{ kind: "iac", doc: broken, types: new Set() }])).toEqual({ A: "unknown", B: "unknown", M: "manual" });
  });

  it("the demo's two parts: a live-only rule judged on the account counts, its templates side does not", () => {
    const liveOnly = [rule("efs-one", ["A", "B"], ["live"]), rule("efs-two", ["A"])];
    const live = doc(
      "live",
      [
        ["efs-one", 2],
        ["efs-two", 1],
      ],
      [],
    );
    const iac = doc(
      "iac",
      [
        ["efs-one", 0],
        ["efs-two", 1],
      ],
      [],
    );
    expect(
      status(
        [
          { kind: "live", doc: live },
          { kind: "iac", doc: iac, types: new Set() },
        ],
        liveOnly,
      ),
    ).toEqual({ A: "pass", B: "pass", M: "manual" });
  });

  it("a finding naming fewer controls (f.controls) counts only against those", () => {
    const f = { ...finding("efs-one", "fail", "fs-1"), controls: { fw: ["B"] } };
    expect(
      status([
        {
          kind: "live",
          doc: doc(
            "live",
            [
              ["efs-one", 0],
              ["efs-two", 1],
            ],
            [f],
          ),
        },
      ]),
    ).toEqual({ A: "pass", B: "fail", M: "manual" });
  });
});
