// The compliance mappings as a contract: every framework file matches its schema, every control a
// rule maps to exists, every automated control has a rule, and no rule maps to a control it does
// not check (a manual control, a control about other resource types, a CIS control its guidance
// does not cite).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { controlsOfRule, frameworkIds, guidanceLines, loadFramework, rulesByControl } from "../engine/compliance.js";
import { complianceDir, repoRoot } from "../model/paths.js";
import { describeErrors, validator } from "../model/validate.js";
import { manifestRules } from "../scripts/rule-catalogue.js";

const rules = manifestRules();
const ids = frameworkIds();

describe("compliance frameworks", () => {
  it("ships CIS AWS Foundations, NIST SP 800-53 rev. 5 and rampart-guidance", () => {
    expect(ids).toEqual(["cis-aws-foundations", "nist-800-53", "rampart-guidance"]);
  });

  it("are in the package (package.json files)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    expect(pkg.files).toContain(path.relative(repoRoot, complianceDir));
  });

  for (const id of ids) {
    describe(id, () => {
      const fw = loadFramework(id);

      it("matches schemas/compliance-framework.schema.json, with its file name as id", () => {
        const v = validator("schemas/compliance-framework.schema.json");
        const doc = YAML.parse(fs.readFileSync(path.join(complianceDir, `${id}.yaml`), "utf8"));
        expect(v(doc), describeErrors(v.errors)).toBe(true);
        expect(doc.id).toBe(id);
      });

      it("has unique control ids", () => {
        const cs = fw.controls.map((c) => c.id);
        expect(new Set(cs).size).toBe(cs.length);
      });

      it("every automated control has at least one rule; no manual control has one", () => {
        const by = rulesByControl(fw, rules);
        const orphans = fw.controls.filter((c) => !c.manual && by.get(c.id)!.length === 0).map((c) => c.id);
        expect(orphans).toEqual([]);
        const ruled = fw.controls.filter((c) => c.manual && by.get(c.id)!.length > 0).map((c) => `${c.id} ← ${by.get(c.id)!.map((r) => r.id)}`);
        expect(ruled).toEqual([]);
      });

      it("a rule mapped to a control reads one of the control's resource types", () => {
        const wrong: string[] = [];
        for (const r of rules)
          for (const cid of controlsOfRule(fw, r)) {
            const c = fw.controls.find((x) => x.id === cid)!;
            if (c.resourceTypes && !r.resourceTypes.some((t) => c.resourceTypes!.includes(t))) wrong.push(`${r.id} → ${cid}`);
          }
        expect(wrong).toEqual([]);
      });
    });
  }

  it("every control a rule's METADATA names exists, in a framework that exists", () => {
    const missing: string[] = [];
    for (const r of rules)
      for (const [fid, controls] of Object.entries(r.compliance ?? {})) {
        if (!ids.includes(fid)) {
          missing.push(`${r.id}: framework ${fid}`);
          continue;
        }
        const fw = loadFramework(fid);
        for (const c of controls) if (!fw.controls.some((x) => x.id === c)) missing.push(`${r.id}: ${fid} ${c}`);
      }
    expect(missing).toEqual([]);
  });

  it("every rule supports at least one NIST SP 800-53 control", () => {
    expect(rules.filter((r) => !r.compliance?.["nist-800-53"]?.length).map((r) => r.id)).toEqual([]);
  });

  it("a rule citing CIS controls in its guidance maps exactly those CIS controls", () => {
    const cis = loadFramework("cis-aws-foundations");
    for (const r of rules) {
      const cited = r.guidance.startsWith("CIS AWS Foundations Benchmark")
        ? // "… v5.0.0 controls 5.3 (0.0.0.0/0) and 5.4 (::/0); anything after a semicolon is a note"
          [...(/ controls? (.*)$/.exec(r.guidance.replace(/;.*$/, "").replace(/\([^)]*\)/g, ""))?.[1] ?? "").matchAll(/\b[0-9]+(?:\.[0-9]+)+\b/g)].map(
            (m) => m[0],
          )
        : [];
      if (r.guidance.startsWith("CIS AWS Foundations Benchmark")) expect(r.guidance, r.id).toContain(`v${cis.version} `);
      expect([...new Set(cited)].sort(), r.id).toEqual([...(r.compliance?.["cis-aws-foundations"] ?? [])].sort());
    }
  });

  describe("rampart-guidance", () => {
    const fw = loadFramework("rampart-guidance");

    it("articles do not overlap", () => {
      const ranges = fw.controls.map((c) => c.lines!).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThan(ranges[i - 1][1]);
    });

    it("every rule citing the articles checks the article(s) of its cited lines", () => {
      for (const r of rules.filter((x) => x.guidance.startsWith("seeds/"))) expect(controlsOfRule(fw, r).length, r.id).toBeGreaterThan(0);
      const byId = new Map(rules.map((r) => [r.id, r]));
      expect(controlsOfRule(fw, byId.get("iam-rolesanywhere-trust-scoped")!)).toEqual(["rolesanywhere-kubernetes"]);
      expect(controlsOfRule(fw, byId.get("kms-key-policy-cross-account-scoped")!)).toEqual(["eks-pod-identity-secrets"]);
      expect(controlsOfRule(fw, byId.get("opensearch-domain-fine-grained-access")!)).toEqual(["opensearch-vector-search", "opensearch-glue-ingestion"]);
      // a rule citing the benchmark is no article's recommendation
      expect(controlsOfRule(fw, byId.get("ec2-security-group-admin-ports-restricted")!)).toEqual([]);
    });

    it("reads the first line of each cited range", () => {
      expect(guidanceLines("seeds/000_14fc47060cf8555c.txt lines 191–230, 275")).toEqual([191, 275]);
      expect(guidanceLines("seeds/000_14fc47060cf8555c.txt line 1730")).toEqual([1730]);
      expect(guidanceLines("CIS AWS Foundations Benchmark v5.0.0 controls 5.3")).toEqual([]);
    });
  });

  it("an unknown framework id is a user error naming the flag and the ids", () => {
    expect(() => loadFramework("pci", "--compliance")).toThrow(
      "--compliance pci: unknown compliance framework. Use one of: cis-aws-foundations, nist-800-53, rampart-guidance (see rampart compliance list).",
    );
  });
});
