// Issue 12, "Done when" 1: every rule example that has a Terraform plan (`terraform:`) also has
// its `.tf` source (`terraform_source:`, the module's main.tf), and the source loader gives the
// same findings as the plan loader: rule id, resource address, status and severity. Both must
// also be the findings the example lists (test/rule-examples.test.ts checks the plan alone).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.js";
import { loadPack } from "../../engine/pack.js";
import type { Resource } from "../../model/types.js";
import { loadTerraformPlanText } from "../../collectors/iac/terraform/index.js";
import { loadTerraformSource } from "../../collectors/iac/terraform/load.js";
import { examplesPath, manifestRules, readExamples } from "../../scripts/rule-catalogue.js";

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-equiv-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const basePack = loadPack();

function findings(resources: Resource[], params: Record<string, unknown> | undefined): string[] {
  const pack = { ...basePack, params: { ...basePack.params, ...(params ?? {}) } };
  const doc = engine.evaluate({ schemaVersion: "1", source: { kind: "iac" }, resources, coverage: [] }, pack, { kind: "iac" });
  return doc.findings.map((f) => `${f.status} ${f.severity} ${f.ruleId} ${f.resource.id}`).sort();
}

const withPlan = manifestRules()
  .filter((m) => fs.existsSync(examplesPath(m)))
  .flatMap((m) =>
    readExamples(m)
      .examples.map((e, i) => ({ rule: m.id, i, e }))
      .filter((x) => x.e.terraform),
  );

describe("Terraform source and plan give the same findings", () => {
  it("every example with a plan has its .tf source", () => {
    expect(withPlan.length).toBeGreaterThanOrEqual(52);
    expect(withPlan.filter((x) => !x.e.terraform_source).map((x) => `${x.rule} #${x.i}: ${x.e.name}`)).toEqual([]);
  });

  for (const { rule, i, e } of withPlan.filter((x) => x.e.terraform_source)) {
    it(`${rule} #${i}: ${e.name}`, async () => {
      const plan = loadTerraformPlanText(e.terraform ?? "", `${rule}-${i}.plan.json`);
      expect(plan.status).toBe("loaded");
      const module = path.join(dir, `${rule}-${i}`);
      fs.mkdirSync(module);
      fs.writeFileSync(path.join(module, "main.tf"), e.terraform_source ?? "");
      const source = await loadTerraformSource([module]);
      expect(source.errors).toEqual([]);
      expect(source.skipped).toEqual([]);
      expect(source.resources.map((r) => r.id).sort()).toEqual(plan.resources.map((r) => r.id).sort());
      const fromPlan = findings(plan.resources, e.params);
      expect(findings(source.resources, e.params)).toEqual(fromPlan);
      // and both are what the example says
      expect(
        fromPlan.map((k) =>
          k
            .split(" ")
            .filter((_, j) => j !== 1)
            .join(" "),
        ),
      ).toEqual(e.expect.map((x) => `${x.status} ${x.rule} ${x.resource}`).sort());
    });
  }
});
