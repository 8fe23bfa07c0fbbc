// Every input a rule declares can reach it (issue 15): a rule declaring `live` reads at
// least one type some collector produces (else a live scan silently judges nothing); one
// declaring `terraform` reads a type the plan mapper produces (from a plan holding every
// Terraform type it maps); one declaring `cloudformation` reads a type the template loader
// produces from one of the rule's own examples.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { collectedResourceTypes } from "../collectors/aws/index.js";
import { loadCloudFormationText } from "../collectors/iac/cloudformation/index.js";
import { terraformTypes } from "../cli/user-rules.js";
import { examplesPath, manifestRules, readExamples } from "../scripts/rule-catalogue.js";

const collected = new Set(collectedResourceTypes());

/** The common-model types the Terraform plan mapper produces (the same probe `--rules` uses to warn). */
const mapped = await terraformTypes();

/** The resource types the IaC loaders produce from a rule's examples of one kind. */
function loadedTypes(id: string, file: string, kind: "cloudformation"): Set<string> {
  const out = new Set<string>();
  if (!fs.existsSync(file)) return out;
  const meta = manifestRules().find((m) => m.id === id)!;
  for (const [i, e] of readExamples(meta).examples.entries()) {
    const text = e[kind];
    if (typeof text !== "string") continue;
    const origin = `${file}#${i}`;
    const r = loadCloudFormationText(text, origin);
    for (const res of r.resources) out.add(res.type);
  }
  return out;
}

describe("every declared input reaches the rule", () => {
  for (const meta of manifestRules()) {
    if (meta.inputs.includes("live")) {
      it(`${meta.id}: live — a collector produces ${meta.resourceTypes.join(" or ")}`, () => {
        expect(
          meta.resourceTypes.filter((t) => collected.has(t)),
          `no collector produces any of ${meta.resourceTypes.join(", ")}`,
        ).not.toEqual([]);
      });
    }
    if (meta.inputs.includes("terraform")) {
      it(`${meta.id}: terraform — the plan mapper produces ${meta.resourceTypes.join(" or ")}`, () => {
        expect(
          meta.resourceTypes.filter((t) => mapped.has(t)),
          `the Terraform mapper produces none of ${meta.resourceTypes.join(", ")}`,
        ).not.toEqual([]);
      });
    }
    if (meta.inputs.includes("cloudformation")) {
      it(`${meta.id}: cloudformation — its examples load to a type it reads`, () => {
        const types = loadedTypes(meta.id, examplesPath(meta), "cloudformation");
        expect(
          meta.resourceTypes.filter((t) => types.has(t)),
          `no CloudFormation example of ${meta.id} loads to ${meta.resourceTypes.join(", ")}`,
        ).not.toEqual([]);
      });
    }
  }
});
