// Writing your own rules (issue 13): `rampart rules new <id> [--dir DIR]` scaffolds the four files
// of the rule contract, and `rampart rules test DIR` runs the folder's Rego tests (opa test) and
// every rule's examples through the real loaders and the engine, as test/rule-examples.test.ts
// does for the built-in rules.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import type { Engine } from "../engine/engine.js";
import type { Snapshot } from "../model/types.js";
import { UserError } from "../model/errors.js";
import { terminalText } from "../reports/escape.js";

const ID = /^([a-z0-9]+)-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** `rampart rules new <id> [--dir DIR] [--type TYPE]`: the rule, its tests, its examples and its doc, ready to edit. */
export async function rulesNew(id: string, dir: string, type: string): Promise<string> {
  const m = ID.exec(id);
  if (!m) throw new UserError(`rules new ${id}: a rule id is lower-case words joined by '-', the first naming the service (e.g. s3-bucket-encrypted).`);
  if (!/^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(type))
    throw new UserError(`rules new --type ${type}: give a CloudFormation resource type, e.g. AWS::S3::Bucket.`);
  const service = m[1];
  const name = m[2].replace(/-/g, "_");
  const pkg = `rampart.rules.${service}.${name}`;
  const folder = path.join(dir, service);
  const base = path.join(folder, name);
  const files = [`${base}.rego`, `${base}_test.rego`, `${base}.examples.yaml`, `${base}.md`];
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length) throw new UserError(`rules new ${id}: ${existing[0]} already exists; choose another id or --dir.`);
  const { terraformTypes } = await import("./user-rules.js");
  const inputs = (await terraformTypes()).has(type) ? "live, cloudformation, terraform" : "live, cloudformation";
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(files[0], ruleText(id, pkg, type, inputs));
  fs.writeFileSync(files[1], testText(id, pkg, type));
  fs.writeFileSync(files[2], examplesText(id, type));
  fs.writeFileSync(files[3], docText(id, type));
  return [
    `created ${files.length} files for ${id}:`,
    ...files.map((f) => `  ${f}`),
    ...(inputs.includes("terraform") ? [] : [`(inputs: live and cloudformation; the Terraform loader does not map ${type})`]),
    `Edit the rule, then: rampart rules test ${dir}   and run it: rampart iac <templates> --rules ${dir}`,
    "",
  ].join("\n");
}

function ruleText(id: string, pkg: string, type: string, inputs: string): string {
  return `# METADATA
# title: ${type} resources carry an owner tag
# description: |
#   Replace this with what the rule checks, in two or three sentences. As scaffolded, every
#   ${type} must have a non-empty tag named by the pack parameter ownerTag (default: owner).
# custom:
#   id: ${id}
#   severity: medium
#   family: custom
#   resourceTypes: [${type}]
#   inputs: [${inputs}]
#   guidance: "Your team's policy or standard: where this rule comes from"
#   rationale: One sentence on why it matters.
#   remediation:
#     summary: How a person fixes a finding.
#   parameters:
#     ownerTag: the tag key that names the owner (default owner)
package ${pkg}

import data.rampart.lib

# Every resource the rule reads (see docs/authoring.md for the helpers).
_subjects contains r if some r in lib.resources("${type}")

# The resources judged: those without a result pass.
judged contains r._ref if some r in _subjects

_tag := lib.param("ownerTag", "owner")

# A value a loader could not resolve is an unknown marker: say unknown, never pass.
results contains lib.unknown(r, {
	"message": sprintf("The tags of %s cannot be judged: %s.", [r.id, lib.unknown_reason(r.tags[_tag])]),
	"pointer": "/Properties/Tags",
	"key": "owner-tag",
}) if {
	some r in _subjects
	lib.is_unknown(r.tags[_tag])
}

results contains lib.fail(r, {
	"message": sprintf("%s has no %s tag.", [r.id, _tag]),
	"pointer": "/Properties/Tags",
	"key": "owner-tag",
}) if {
	some r in _subjects
	not _tagged(r)
}

_tagged(r) if lib.is_unknown(r.tags[_tag])

_tagged(r) if {
	is_string(r.tags[_tag])
	r.tags[_tag] != ""
}
`;
}

function testText(id: string, pkg: string, type: string): string {
  return `package ${pkg}_test

import data.${pkg}

_resource(tags) := {"_ref": 0, "type": "${type}", "id": "Subject", "tags": tags, "properties": {}, "source": {"kind": "cloudformation", "file": "t.yaml", "line": 1}}

test_tagged_passes if {
	count(${pkg.split(".").pop()}.results) == 0 with input as {"byType": {"${type}": [_resource({"owner": "team-a"})]}}
}

test_untagged_fails if {
	some f in ${pkg.split(".").pop()}.results with input as {"byType": {"${type}": [_resource({})]}}
	f.status == "fail"
}

test_unknown_tag_is_unknown if {
	some f in ${pkg.split(".").pop()}.results with input as {"byType": {"${type}": [_resource({"owner": {"$unknown": "parameter Owner has no default"}})]}}
	f.status == "unknown"
}

test_parameter_names_the_tag if {
	count(${pkg.split(".").pop()}.results) == 0 with input as {"byType": {"${type}": [_resource({"team": "a"})]}}
		with data.config.params.ownerTag as "team"
}
`;
}

function examplesText(id: string, type: string): string {
  return `# Each example runs through rampart's real loaders and engine (\`rampart rules test\`).
# expect lists every finding of every rule on the example (built-in rules included).
rule: ${id}
examples:
  - name: a tagged resource passes
    expect: []
    cloudformation: |
      Resources:
        Tagged:
          Type: ${type}
          Properties:
            Tags: [{ Key: owner, Value: team-a }]
  - name: an untagged resource fails
    expect:
      - { rule: ${id}, resource: Untagged, status: fail }
    cloudformation: |
      Resources:
        Untagged:
          Type: ${type}
          Properties: {}
  - name: a tag from a parameter without a default is unknown
    expect:
      - { rule: ${id}, resource: FromParameter, status: unknown }
    cloudformation: |
      Parameters:
        Owner: { Type: String }
      Resources:
        FromParameter:
          Type: ${type}
          Properties:
            Tags: [{ Key: owner, Value: !Ref Owner }]
`;
}

function docText(id: string, type: string): string {
  return `# ${id}\n\nWhat the rule checks on \`${type}\`, why, and how to fix a finding. (Optional: for your team's readers.)\n`;
}

interface Example {
  name: string;
  params?: Record<string, unknown>;
  expect: Array<{ rule: string; resource: string; status: string }>;
  cloudformation?: string;
  terraform?: string;
  snapshot?: string;
}

/** The snapshot of one example, through the loader its kind names. */
async function exampleSnapshot(e: Example, origin: string): Promise<{ snapshot: Snapshot; kind: "live" | "iac"; lines?: Map<string, Map<string, number>> }> {
  if (typeof e.cloudformation === "string") {
    const { loadCloudFormationText } = await import("../collectors/iac/cloudformation/index.js");
    const r = loadCloudFormationText(e.cloudformation, origin);
    if (r.status !== "loaded") throw new UserError(`${origin}: the CloudFormation example did not load (${r.status}: ${r.reason}).`);
    return {
      snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] },
      kind: "iac",
      lines: new Map([[origin, r.lines]]),
    };
  }
  if (typeof e.terraform === "string") {
    const { loadTerraformPlanText } = await import("../collectors/iac/terraform/index.js");
    const r = loadTerraformPlanText(e.terraform, origin);
    if (r.status !== "loaded") throw new UserError(`${origin}: the Terraform plan example did not load (${r.status}: ${r.reason}).`);
    return { snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] }, kind: "iac" };
  }
  if (typeof e.snapshot === "string") {
    const { validateSnapshot } = await import("../model/snapshot.js");
    return { snapshot: validateSnapshot(YAML.parse(e.snapshot), origin), kind: "live" };
  }
  throw new UserError(`${origin}: an example needs one of cloudformation, terraform or snapshot.`);
}

const key = (x: { rule: string; resource: string; status: string }) => `${x.status} ${x.rule} ${x.resource}`;

/** `rampart rules test DIR`: opa test, then the examples; exit 1 on any failure or mismatch. */
export async function rulesTest(dir: string, out: (s: string) => void): Promise<number> {
  const { loadRuleSet, requireOpa, stageFolder, opaError } = await import("../engine/user-rules.js");
  const set = await loadRuleSet(dir, "rules test");
  if (set.kind !== "source") throw new UserError(`rules test ${dir}: give the folder of Rego source (a bundle has no tests).`);
  let failed = 0;

  // 1. The Rego tests, with rampart's library beside them.
  const opa = await requireOpa(dir, "rules test");
  const stage = stageFolder(dir, true);
  try {
    const r = spawnSync(opa, ["test", "--format", "json", stage], { encoding: "utf8", maxBuffer: 64 << 20 });
    let results: Array<{ location: { file: string; row: number }; package: string; name: string; fail?: boolean; error?: { message?: string } }> | undefined;
    try {
      results = JSON.parse(r.stdout);
    } catch {
      results = undefined;
    }
    if (!Array.isArray(results)) {
      // opa could not compile the tests: its first error, with the user's paths
      out(`opa test: ${terminalText(opaError(r.stderr || r.stdout, stage, dir))}\n`);
      failed++;
    } else {
      const where = (f: string) => path.join(dir, path.relative(path.join(stage, "user"), path.resolve(stage, f)));
      const bad = results.filter((t) => t.fail || t.error);
      out(`opa test: ${results.length - bad.length} passed, ${bad.length} failed\n`);
      for (const t of bad)
        out(
          `  FAIL ${terminalText(`${where(t.location.file)}:${t.location.row}`)} ${terminalText(t.name)}${t.error?.message ? `: ${terminalText(t.error.message)}` : ""}\n`,
        );
      if (results.length === 0) out("  (no tests: add a <rule>_test.rego beside each rule)\n");
      failed += bad.length;
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }

  // 2. The examples, through the real loaders and the engine (built-in rules and this folder's).
  const [{ Engine }, { loadPack }] = await Promise.all([import("../engine/engine.js"), import("../engine/pack.js")]);
  const engine: Engine = await Engine.load(undefined, [set]);
  const basePack = loadPack();
  let examples = 0;
  for (const meta of set.rules) {
    const file = meta.file.replace(/\.rego$/, ".examples.yaml");
    if (!fs.existsSync(file)) {
      out(`${meta.id}: no examples (${file})\n`);
      continue;
    }
    let doc: { examples?: Example[] };
    try {
      doc = YAML.parse(fs.readFileSync(file, "utf8")) as { examples?: Example[] };
    } catch (e) {
      throw new UserError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    if (!Array.isArray(doc?.examples)) throw new UserError(`${file}: no 'examples:' list (see docs/authoring.md, or \`rampart rules new\`).`);
    for (const [i, e] of doc.examples.entries()) {
      examples++;
      const origin = `${file}#${i}`;
      if (!Array.isArray(e.expect)) throw new UserError(`${origin}: example '${e.name}' has no 'expect:' list (write [] for no finding).`);
      const { snapshot, kind, lines } = await exampleSnapshot(e, origin);
      const pack = { ...basePack, params: { ...basePack.params, ...(e.params ?? {}) } };
      const got = engine
        .evaluate(snapshot, pack, { kind, lineIndex: lines })
        .findings.map((f) => key({ rule: f.ruleId, resource: f.resource.id, status: f.status }))
        .sort();
      const want = e.expect.map(key).sort();
      const ok = JSON.stringify(got) === JSON.stringify(want);
      out(`${ok ? "ok  " : "FAIL"} ${meta.id}: ${terminalText(e.name)}\n`);
      if (!ok) {
        failed++;
        out(`     expected: ${want.length ? want.join("; ") : "no finding"}\n`);
        out(`     actual:   ${got.length ? got.join("; ") : "no finding"}\n`);
      }
    }
  }
  out(`${set.rules.length} rule(s), ${examples} example(s): ${failed ? `${failed} failure(s)` : "all passed"}\n`);
  return failed ? 1 : 0;
}
