// Issue 3's end-to-end check: `rampart iac` on every rule's CloudFormation and Terraform
// examples reports exactly the findings each example lists — that rule on exactly the bad
// resources — and nothing on the good ones. One CLI run per distinct set of pack parameters.
// Each Terraform plan's `.tf` source (issue 12) is scanned too, as a folder with main.tf, and
// must give the same findings as the plan.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { examplesPath, manifestRules, readExamples } from "../../scripts/rule-catalogue.js";
import { cli } from "./helpers.js";

interface Case {
  file: string; // relative to the work dir
  rule: string;
  name: string;
  expect: string[];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-examples-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Group the IaC examples by their pack parameters: each group is one `rampart iac` run.
const groups = new Map<string, Case[]>();
for (const meta of manifestRules()) {
  if (!fs.existsSync(examplesPath(meta))) continue;
  readExamples(meta).examples.forEach((e, i) => {
    const text = e.cloudformation ?? e.terraform;
    if (!text) return;
    const params = JSON.stringify(e.params ?? {});
    const sub = `g${[...groups.keys()].indexOf(params) < 0 ? groups.size : [...groups.keys()].indexOf(params)}`;
    const file = path.join(sub, meta.id, `${i}.${e.cloudformation ? "yaml" : "json"}`);
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
    const list = groups.get(params) ?? [];
    const expect = e.expect.map((x) => `${x.status} ${x.rule} ${x.resource}`).sort();
    list.push({ file, rule: meta.id, name: e.name, expect });
    // the plan's .tf source, as a module folder of its own: the same findings (issue 12)
    if (e.terraform_source) {
      const tf = path.join(sub, meta.id, `${i}-source`, "main.tf");
      fs.mkdirSync(path.join(dir, path.dirname(tf)), { recursive: true });
      fs.writeFileSync(path.join(dir, tf), e.terraform_source);
      list.push({ file: tf, rule: meta.id, name: `${e.name} (.tf source)`, expect });
    }
    groups.set(params, list);
  });
}

describe("rampart iac on every rule's examples", () => {
  let n = 0;
  for (const [params, cases] of groups) {
    const sub = path.dirname(path.dirname(cases[0].file));
    const pack = path.join(dir, `${sub}.pack.yaml`);
    fs.writeFileSync(pack, YAML.stringify({ name: `examples-${n++}`, extends: "default", params: JSON.parse(params) }));
    it(`${cases.length} examples with parameters ${params}`, async () => {
      const run = await cli(["iac", sub, "--policy", pack, "--format", "json", "--fail-on", "none"], { cwd: dir });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout);
      const byFile = new Map<string, string[]>();
      for (const f of doc.findings) {
        const list = byFile.get(f.location.file) ?? [];
        list.push(`${f.status} ${f.ruleId} ${f.resource.id}`);
        byFile.set(f.location.file, list);
      }
      const got = cases.map((c) => ({ example: `${c.rule}: ${c.name}`, findings: (byFile.get(c.file) ?? []).sort() }));
      const want = cases.map((c) => ({ example: `${c.rule}: ${c.name}`, findings: c.expect }));
      expect(got).toEqual(want);
    });
  }
});
