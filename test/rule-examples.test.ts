// Every rule's examples, through the real loaders and the compiled engine: each example
// reports exactly the findings it lists (rule, resource, status), and nothing else.
import fs from "node:fs";
import YAML from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import type { Snapshot } from "../model/types.js";
import { loadPack } from "../engine/pack.js";
import { validateSnapshot } from "../model/snapshot.js";
import { loadCloudFormationText } from "../collectors/iac/cloudformation/index.js";
import { examplesPath, manifestRules, readExamples, type RuleExample } from "../scripts/rule-catalogue.js";

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

const basePack = loadPack();

async function snapshotOf(e: RuleExample, origin: string): Promise<{ snapshot: Snapshot; kind: "live" | "iac"; lines?: Map<string, Map<string, number>> }> {
  if (e.cloudformation) {
    const r = loadCloudFormationText(e.cloudformation, origin);
    if (r.status !== "loaded") throw new Error(`${origin}: ${r.status}: ${r.reason}`);
    return {
      snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] },
      kind: "iac",
      lines: new Map([[origin, r.lines]]),
    };
  }
  if (e.terraform) {
    const { loadTerraformPlanText } = await import("../collectors/iac/terraform/index.js" as string);
    const r = loadTerraformPlanText(e.terraform, origin);
    return { snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] }, kind: "iac" };
  }
  return { snapshot: validateSnapshot(YAML.parse(e.snapshot ?? ""), origin), kind: "live" };
}

const key = (x: { rule: string; resource: string; status: string }) => `${x.status} ${x.rule} ${x.resource}`;

for (const meta of manifestRules()) {
  if (!fs.existsSync(examplesPath(meta))) continue;
  const file = readExamples(meta);
  describe(`${meta.id} examples`, () => {
    for (const [i, e] of file.examples.entries()) {
      const kinds = ["cloudformation", "terraform", "snapshot"].filter((k) => e[k as keyof RuleExample]);
      it(`${e.name} [${kinds.join(",")}]`, async () => {
        const origin = `${meta.file.replace(/\.rego$/, ".examples.yaml")}#${i}`;
        const { snapshot, kind, lines } = await snapshotOf(e, origin);
        const pack = { ...basePack, params: { ...basePack.params, ...(e.params ?? {}) } };
        const doc = engine.evaluate(snapshot, pack, { kind, lineIndex: lines });
        const got = doc.findings.map((f) => key({ rule: f.ruleId, resource: f.resource.id, status: f.status })).sort();
        const want = e.expect.map(key).sort();
        expect(
          got,
          JSON.stringify(
            doc.findings.map((f) => [f.ruleId, f.resource.id, f.message]),
            null,
            1,
          ),
        ).toEqual(want);
      });
    }
  });
}
