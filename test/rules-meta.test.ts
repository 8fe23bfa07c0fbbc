// The catalogue's meta-test: every rule has METADATA matching its schema, a unique id,
// its Rego tests (the article's example first), examples, and a current doc page.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../model/paths.js";
import { validator, describeErrors } from "../model/validate.js";
import { docPath, examplesPath, manifestRules, readExamples, renderDoc, testPath } from "../scripts/rule-catalogue.js";
import { TABLE_END, TABLE_START, ruleTable } from "../scripts/gen-docs.js";
import { remediations } from "../remediations/registry.js";

const rules = manifestRules();

describe("rule catalogue", () => {
  it("has rules", () => {
    expect(rules.length).toBeGreaterThanOrEqual(5);
  });

  it("has unique ids and packages", () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const pkgs = rules.map((r) => r.package);
    expect(new Set(pkgs).size).toBe(pkgs.length);
  });

  it("has a rule file for every rule package under rules/aws (no rule without METADATA)", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".rego") && !e.name.endsWith("_test.rego")) files.push(path.relative(repoRoot, p));
      }
    };
    walk(path.join(repoRoot, "rules", "aws"));
    expect(files.sort()).toEqual(rules.map((r) => r.file).sort());
  });

  it("says `automatic: true` exactly for the rules with a remediation module, and every module's rule exists", () => {
    const automatic = rules
      .filter((r) => r.remediation?.automatic === true)
      .map((r) => r.id)
      .sort();
    expect(automatic).toEqual(remediations.map((m) => m.ruleId).sort());
  });

  it("describes every remediation parameter (`rampart rules show` prints the descriptions)", () => {
    const undescribed = remediations.flatMap((m) =>
      Object.entries((m.paramsSchema.properties ?? {}) as Record<string, { description?: string }>)
        .filter(([, p]) => !p.description)
        .map(([name]) => `${m.ruleId}.${name}`),
    );
    expect(undescribed).toEqual([]);
  });

  it("README rule table is current (npm run docs)", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const a = readme.indexOf(TABLE_START) + TABLE_START.length;
    const b = readme.indexOf(TABLE_END);
    expect(readme.slice(a, b).trim()).toBe(ruleTable());
  });

  for (const meta of rules) {
    describe(meta.id, () => {
      it("METADATA matches schemas/rule-metadata.schema.json", () => {
        const v = validator("schemas/rule-metadata.schema.json");
        const ok = v(meta);
        expect(ok, describeErrors(v.errors)).toBe(true);
      });

      it("package and file follow the id", () => {
        const [svc, ...rest] = meta.id.split("-");
        expect(meta.package).toBe(`${svc}.${rest.join("_")}`);
        expect(meta.file).toBe(`rules/aws/${svc}/${rest.join("_")}.rego`);
      });

      it("has Rego tests", () => {
        const p = testPath(meta);
        expect(fs.existsSync(p), `${p} missing`).toBe(true);
        const text = fs.readFileSync(p, "utf8");
        expect(text).toMatch(/^test_/m);
      });

      it("has examples: at least one clean and one tripping the rule", () => {
        const p = examplesPath(meta);
        expect(fs.existsSync(p), `${p} missing`).toBe(true);
        const ex = readExamples(meta);
        expect(ex.rule).toBe(meta.id);
        expect(ex.examples.some((e) => e.expect.length === 0)).toBe(true);
        expect(ex.examples.some((e) => e.expect.some((x) => x.rule === meta.id && x.status === "fail"))).toBe(true);
        if (meta.inputs.includes("cloudformation")) expect(ex.examples.some((e) => e.cloudformation)).toBe(true);
      });

      it("has a current doc page (npm run docs)", () => {
        const p = docPath(meta);
        expect(fs.existsSync(p), `${p} missing: run npm run docs`).toBe(true);
        expect(fs.readFileSync(p, "utf8")).toBe(renderDoc(meta, readExamples(meta)));
      });
    });
  }
});
