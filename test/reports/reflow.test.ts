// The terminal report printed a rule's METADATA why/fix with the YAML block's hard line breaks,
// so sentences broke mid-line at column 0 (rampart demo, the EMR rules' fix lines).
import { describe, expect, it } from "vitest";
import { reflow } from "../../reports/text.js";
import { formatTable } from "../../reports/table.js";
import type { FindingsDocument } from "../../engine/findings.js";

const EMR_FIX =
  "Add a subnet (in another Availability Zone) with enough free addresses to\nEc2SubnetIds, free addresses in the existing subnets, or lower the fleets' target\ncapacities / the managed scaling maximum.\n";

describe("reflow", () => {
  it("joins a paragraph's lines into one", () => {
    expect(reflow(EMR_FIX)).toEqual([
      "Add a subnet (in another Availability Zone) with enough free addresses to Ec2SubnetIds, free addresses in the existing subnets, or lower the fleets' target capacities / the managed scaling maximum.",
    ]);
  });

  it("keeps paragraphs apart, list items one a line (continuations joined), code lines as written", () => {
    const text =
      "Do this:\n- first item that\n  wraps here\n- second\n1. numbered\n\nThen run:\n\n    aws emr list-clusters \\\n      --active\n\nDone and\ndusted.";
    expect(reflow(text)).toEqual([
      "Do this:",
      "- first item that wraps here",
      "- second",
      "1. numbered",
      "",
      "Then run:",
      "",
      "    aws emr list-clusters \\",
      "      --active",
      "",
      "Done and dusted.",
    ]);
  });

  it("a one-line text is itself; surrounding blank lines go", () => {
    expect(reflow("One line.")).toEqual(["One line."]);
    expect(reflow("\n\nOne line.\n\n")).toEqual(["One line."]);
  });
});

describe("terminal report", () => {
  it("prints a multi-line fix as one indented paragraph, never a line at column 0 inside a finding", () => {
    const doc = {
      schemaVersion: "1",
      tool: { name: "rampart", version: "0" },
      scan: { kind: "iac", startedAt: "", finishedAt: "", policy: "default", incomplete: false },
      summary: { fail: 1, unknown: 0, pass: 0, suppressed: 0, bySeverity: { high: 1 }, rules: [] },
      findings: [
        {
          id: "x",
          ruleId: "emr-cluster-subnet-ip-headroom",
          status: "fail",
          severity: "high",
          title: "t",
          message: "m",
          rationale: "Why line one\nand line two.",
          fix: EMR_FIX,
          resource: { type: "AWS::EMR::Cluster", id: "Cluster" },
          location: { file: "a.yaml", line: 3 },
        },
      ],
      coverage: [],
    } as FindingsDocument;
    const out = formatTable(doc, { rules: [], color: false });
    expect(out).toContain(
      "         why: Why line one and line two.\n" +
        "         fix: Add a subnet (in another Availability Zone) with enough free addresses to Ec2SubnetIds, free addresses in the existing subnets, or lower the fleets' target capacities / the managed scaling maximum.\n",
    );
    expect(out).not.toMatch(/^Ec2SubnetIds|^capacities|^and line two/m);
  });
});
