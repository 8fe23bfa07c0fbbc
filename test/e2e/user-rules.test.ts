// User rules (issue 13) through the CLI: --rules with a folder of Rego source (compiled with the
// pinned opa, cached by content hash), a pack's ruleSources, bundles from `rampart rules build`
// that run without opa, pack features on user rules, and the loud errors (exit 2, file + line + fix).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { findingKeys, json } from "./helpers.js";
import { runCli } from "./inprocess.js";

const examples = path.join(repoRoot, "examples", "custom-rules");
const realOpa = (() => {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return process.env.RAMPART_OPA ?? path.join(base, "rampart", "tools", "opa-v1.22.3", "opa");
})();

let dir: string;
let cache: string;
/** The environment of a user: their own cache folder; opa found through RAMPART_OPA unless `noOpa`. */
function env(noOpa = false): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "RAMPART_OPA" && k !== "XDG_CACHE_HOME") e[k] = v;
  e.XDG_CACHE_HOME = cache;
  e.NO_COLOR = "1";
  if (noOpa) e.PATH = path.join(dir, "no-bin");
  else e.RAMPART_OPA = realOpa;
  return e;
}
const run = (args: string[], opts: { noOpa?: boolean; cwd?: string } = {}) => runCli(args, { cwd: opts.cwd ?? dir, replaceEnv: env(opts.noOpa) });

const TEMPLATE = `Resources:
  Good:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration: {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: "true"}
      VersioningConfiguration: {Status: Enabled}
      Tags: [{Key: owner, Value: team-a}, {Key: data-class, Value: internal}]
  Bad:
    Type: AWS::S3::Bucket
    Properties:
      PublicAccessBlockConfiguration: {BlockPublicAcls: true}
      Tags: [{Key: owner, Value: team-b}]
`;

function write(rel: string, text: string): string {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

/** A minimal valid user rule, with its METADATA lines replaced by `meta` when given. */
function rule(id: string, pkg: string, meta?: string): string {
  return `# METADATA
# title: Buckets have a name of their own
# description: |
#   A test rule: every bucket sets BucketName, so that the name is known.
# custom:
${
  meta ??
  `#   id: ${id}
#   severity: low
#   resourceTypes: [AWS::S3::Bucket]
#   inputs: [cloudformation]`
}
package rampart.rules.${pkg}

import data.rampart.lib

judged contains r._ref if some r in lib.resources("AWS::S3::Bucket")

results contains lib.fail(r, {"message": sprintf("Bucket %s has no BucketName.", [r.id]), "pointer": "/Properties", "key": "name"}) if {
	some r in lib.resources("AWS::S3::Bucket")
	not r.properties.BucketName
}
`;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-user-rules-"));
  cache = path.join(dir, "cache");
  fs.mkdirSync(path.join(dir, "no-bin"));
  write("templates/buckets.yaml", TEMPLATE);
});

describe("--rules with a folder of Rego source", () => {
  it("judges templates with the user rules beside the built-in ones, and names the rule sources", async () => {
    const r = await run(["iac", "templates", "--rules", examples, "--format", "json", "--fail-on", "none"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(findingKeys(doc)).toEqual(["fail s3-bucket-public-access-blocked Bad", "fail s3-bucket-required-tags Bad", "fail s3-bucket-versioning-enabled Bad"]);
    const f = doc.findings.find((x: { ruleId: string }) => x.ruleId === "s3-bucket-public-access-blocked");
    expect(f.message).toBe("Bucket Bad does not block public access: IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true.");
    expect(f.location).toEqual({ file: path.join("templates", "buckets.yaml"), line: 11, pointer: "/Resources/Bad/Properties/PublicAccessBlockConfiguration" });
    expect(f.severity).toBe("high");
    expect(doc.scan.ruleSources.map((s: { kind: string; path?: string; rules: number }) => [s.kind, s.path, s.rules])).toEqual([
      ["builtin", undefined, expect.any(Number)],
      ["source", examples, 3],
    ]);
    // compiled once into the user's cache, by content hash
    const entries = fs.readdirSync(path.join(cache, "rampart", "rules"));
    expect(entries).toEqual([doc.scan.ruleSources[1].hash]);
  });

  it("runs from the cache without opa once compiled", async () => {
    const r = await run(["iac", "templates", "--rules", examples, "--format", "json", "--fail-on", "none"], { noOpa: true });
    expect(r.stderr).toBe("");
    expect(findingKeys(json(r))).toContain("fail s3-bucket-versioning-enabled Bad");
  });

  it("lists and shows user rules with their origin", async () => {
    const list = await run(["rules", "list", "--rules", examples, "--format", "json"]);
    const rules = JSON.parse(list.stdout) as Array<{ id: string; origin?: string; file?: string }>;
    expect(rules.filter((x) => x.origin).map((x) => [x.id, x.origin, x.file])).toEqual([
      ["s3-bucket-public-access-blocked", examples, path.join(examples, "s3", "bucket_public_access_blocked.rego")],
      ["s3-bucket-required-tags", examples, path.join(examples, "s3", "bucket_required_tags.rego")],
      ["s3-bucket-versioning-enabled", examples, path.join(examples, "s3", "bucket_versioning_enabled.rego")],
    ]);
    const table = await run(["rules", "list", "--rules", examples]);
    expect(table.stdout).toMatch(/s3-bucket-versioning-enabled +medium +data-protection +live cloudformation - +user: .*bucket_versioning_enabled\.rego/);
    expect(table.stdout).toMatch(/iam-rolesanywhere-trust-scoped .* built-in/);
    expect(table.stdout).toContain(`3 user rule(s) from ${examples}.`);
    const show = await run(["rules", "show", "s3-bucket-required-tags", "--rules", examples]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`(user rule from ${examples})`);
    expect(show.stdout).toContain("param requiredBucketTags: the tag keys every bucket must carry");
  });
});

describe("pack features on user rules", () => {
  it("a pack's ruleSources (relative to the pack) with severity, enable/disable, parameters and exceptions", async () => {
    write(
      "packs/team.yaml",
      `name: team
ruleSources: [${path.relative(path.join(dir, "packs"), examples).split(path.sep).join("/")}]
rules:
  s3-bucket-public-access-blocked: { severity: critical }
  s3-bucket-versioning-enabled: { enabled: false }
params:
  requiredBucketTags: [owner]
exceptions:
  - rule: s3-bucket-public-access-blocked
    resource: { id: Bad }
    reason: public website bucket
    owner: web-team
    expires: "2999-01-01"
`,
    );
    // the pack's path is relative to the pack: run it from another folder
    const r = await run(["iac", path.join(dir, "templates"), "--policy", path.join(dir, "packs", "team.yaml"), "--format", "json", "--fail-on", "none"], {
      cwd: os.tmpdir(),
    });
    expect(r.stderr).toBe("");
    const doc = json(r);
    // tags: only owner is required now, which Bad has; versioning disabled; public access suppressed at critical
    expect(findingKeys(doc)).toEqual(["suppressed s3-bucket-public-access-blocked Bad"]);
    expect(doc.findings[0].severity).toBe("critical");
    expect(doc.scan.ruleSources[1].kind).toBe("source");
  });

  it("a parameter no rule declares is exit 2 naming it", async () => {
    write("packs/typo.yaml", `name: typo\nparams:\n  requiredBucketTag: [owner]\n`);
    const r = await run(["iac", "templates", "--policy", "packs/typo.yaml", "--rules", examples]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/packs\/typo\.yaml: params\.requiredBucketTag: no rule reads this parameter .*the user rules requiredBucketTags\)/);
  });
});

describe("rampart rules build", () => {
  it("writes a bundle that runs without opa, with the same findings", async () => {
    const b = await run(["rules", "build", examples, "-o", "team.bundle.json"]);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain("wrote team.bundle.json: 3 rule(s)");
    fs.rmSync(path.join(cache, "rampart", "rules"), { recursive: true, force: true });
    const r = await run(["iac", "templates", "--rules", "team.bundle.json", "--format", "json", "--fail-on", "none"], { noOpa: true });
    expect(r.stderr).toBe("");
    const doc = json(r);
    expect(findingKeys(doc)).toEqual(["fail s3-bucket-public-access-blocked Bad", "fail s3-bucket-required-tags Bad", "fail s3-bucket-versioning-enabled Bad"]);
    expect(doc.scan.ruleSources[1]).toMatchObject({ kind: "bundle", path: "team.bundle.json", rules: 3, lib: "1.0.0" });
  });

  it("a file that is not a bundle is exit 2", async () => {
    write("not-a-bundle.json", "{}");
    const r = await run(["iac", "templates", "--rules", "not-a-bundle.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "rampart: --rules not-a-bundle.json: not a rampart rule bundle of format rampart-rules-bundle/1. Rebuild it with `rampart rules build DIR -o not-a-bundle.json`.\n",
    );
  });
});

describe("loud errors", () => {
  it("METADATA not matching the schema: exit 2 with file, line and the key", async () => {
    write(
      "bad-meta/bucket_named.rego",
      rule(
        "s3-bucket-named",
        "s3.bucket_named",
        "#   id: s3-bucket-named\n#   severity: urgent\n#   resourceTypes: [AWS::S3::Bucket]\n#   inputs: [cloudformation]",
      ),
    );
    const r = await run(["iac", "templates", "--rules", "bad-meta"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `rampart: ${path.join("bad-meta", "bucket_named.rego")}:1: METADATA of package rampart.rules.s3.bucket_named does not match the rule schema: custom.severity: must be equal to one of the allowed values (critical, high, medium, low, info). Fix the METADATA block (see docs/authoring.md, or \`rampart rules new\` for a template).\n`,
    );
  });

  it("an unknown METADATA key is named", async () => {
    write(
      "typo-meta/bucket_named.rego",
      rule(
        "s3-bucket-named",
        "s3.bucket_named",
        "#   id: s3-bucket-named\n#   severty: low\n#   resourceTypes: [AWS::S3::Bucket]\n#   inputs: [cloudformation]",
      ),
    );
    const r = await run(["iac", "templates", "--rules", "typo-meta"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("does not match the rule schema: custom: must have required property 'severity'");
  });

  it("an id that clashes with a built-in rule", async () => {
    write("clash/trust.rego", rule("iam-rolesanywhere-trust-scoped", "s3.bucket_trust"));
    const r = await run(["iac", "templates", "--rules", "clash"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `rampart: ${path.join("clash", "trust.rego")}: rule id iam-rolesanywhere-trust-scoped is already used by the built-in rule iam-rolesanywhere-trust-scoped (rules/aws/iam/rolesanywhere_trust_scoped.rego). Rename the rule (custom.id in its METADATA).\n`,
    );
  });

  it("an id that clashes with another user rule, in the same folder or another", async () => {
    write("dup-a/one.rego", rule("s3-bucket-named", "s3.bucket_named"));
    write("dup-b/two.rego", rule("s3-bucket-named", "s3.bucket_named_again"));
    const r = await run(["iac", "templates", "--rules", "dup-a", "--rules", "dup-b"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `rampart: ${path.join("dup-b", "two.rego")}: rule id s3-bucket-named is already used by s3-bucket-named (${path.join("dup-a", "one.rego")}). Rename the rule (custom.id in its METADATA).\n`,
    );
    write("dup-c/one.rego", rule("s3-bucket-named", "s3.bucket_named"));
    write("dup-c/two.rego", rule("s3-bucket-named", "s3.bucket_named_too"));
    const same = await run(["iac", "templates", "--rules", "dup-c"]);
    expect(same.code).toBe(2);
    expect(same.stderr).toBe(
      `rampart: ${path.join("dup-c", "two.rego")}: rule id s3-bucket-named is also declared by ${path.join("dup-c", "one.rego")}. Give each rule its own id and package.\n`,
    );
  });

  it("a Rego syntax error: exit 2 with opa's file and line", async () => {
    write("syntax/bucket_named.rego", rule("s3-bucket-named", "s3.bucket_named").replace("some r in lib", "some r in in lib"));
    const r = await run(["iac", "templates", "--rules", "syntax"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").length).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^rampart: ${path.join("syntax", "bucket_named.rego").replace(/[.]/g, "\\.")}:14: rego_parse_error: .*\\(opa could not parse the rules; fix the Rego and run again`,
      ),
    );
  });

  it("a compile (type) error: exit 2 with the file and line", async () => {
    write("types/bucket_named.rego", rule("s3-bucket-named", "s3.bucket_named").replace("not r.properties.BucketName", "not lib.no_such_helper(r)"));
    const r = await run(["iac", "templates", "--rules", "types"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^rampart: ${path.join("types", "bucket_named.rego").replace(/[.]/g, "\\.")}:18: rego_type_error: undefined function`));
  });

  it("opa missing when source must be compiled: exit 2 saying how to get it or use a bundle", async () => {
    write("fresh/bucket_named.rego", rule("s3-bucket-named", "s3.bucket_named"));
    const r = await run(["iac", "templates", "--rules", "fresh"], { noOpa: true });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").length).toBe(2);
    expect(r.stderr).toContain("rampart: --rules fresh: compiling Rego rules needs the opa CLI v1.22.3, which was not found");
    expect(r.stderr).toContain("scripts/tools.mjs` (builds it with Go)");
    expect(r.stderr).toContain("`rampart rules build fresh -o rules.bundle.json`, then `--rules rules.bundle.json`");
  });

  it("a folder without rules, and a path that does not exist", async () => {
    fs.mkdirSync(path.join(dir, "empty"), { recursive: true });
    const e = await run(["iac", "templates", "--rules", "empty"]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe("rampart: --rules empty: no .rego rule files in this folder. Create one with `rampart rules new <id> --dir empty`.\n");
    const m = await run(["iac", "templates", "--rules", "missing"]);
    expect(m.code).toBe(2);
    expect(m.stderr).toBe(
      "rampart: --rules missing: no such file or folder. Give a folder of Rego rules or a bundle made by `rampart rules build DIR -o FILE`.\n",
    );
  });

  it("a rule package without METADATA would never run: exit 2", async () => {
    write("nometa/bucket_named.rego", rule("s3-bucket-named", "s3.bucket_named").replace(/^# [^\n]*\n/gm, ""));
    const r = await run(["iac", "templates", "--rules", "nometa"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.join("nometa", "bucket_named.rego")}: package rampart.rules.s3.bucket_named has no METADATA block, so it would never run.`,
    );
  });
});

describe("rampart rules new and rules test", () => {
  it("scaffolds the four files, which pass their own tests and examples and run with --rules", async () => {
    const n = await run(["rules", "new", "s3-bucket-owned", "--dir", "mine"]);
    expect(n.code).toBe(0);
    for (const f of ["bucket_owned.rego", "bucket_owned_test.rego", "bucket_owned.examples.yaml", "bucket_owned.md"])
      expect(fs.existsSync(path.join(dir, "mine", "s3", f)), f).toBe(true);
    // the Terraform loader does not map S3 buckets: the scaffold does not claim that input
    expect(fs.readFileSync(path.join(dir, "mine", "s3", "bucket_owned.rego"), "utf8")).toContain("#   inputs: [live, cloudformation]\n");
    const t = await run(["rules", "test", "mine"]);
    expect(t.stdout).toBe(
      [
        "opa test: 4 passed, 0 failed",
        "ok   s3-bucket-owned: a tagged resource passes",
        "ok   s3-bucket-owned: an untagged resource fails",
        "ok   s3-bucket-owned: a tag from a parameter without a default is unknown",
        "1 rule(s), 3 example(s): all passed",
        "",
      ].join("\n"),
    );
    expect(t.code).toBe(0);
    const r = await run(["iac", "templates", "--rules", "mine", "--format", "json", "--fail-on", "none"]);
    // both buckets of the template carry an owner tag: judged, and passed
    const doc = json(r);
    expect(findingKeys(doc)).toEqual([]);
    expect(doc.summary.rules.find((x: { ruleId: string }) => x.ruleId === "s3-bucket-owned")).toEqual({
      ruleId: "s3-bucket-owned",
      pass: 2,
      fail: 0,
      unknown: 0,
      suppressed: 0,
    });
    const again = await run(["rules", "new", "s3-bucket-owned", "--dir", "mine"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      `rampart: rules new s3-bucket-owned: ${path.join("mine", "s3", "bucket_owned.rego")} already exists; choose another id or --dir.\n`,
    );
    const bad = await run(["rules", "new", "Bucket_Owned"]);
    expect(bad.code).toBe(2);
  });

  it("prints expected and actual per example and exits 1 on a mismatch or a failing Rego test", async () => {
    await run(["rules", "new", "s3-bucket-labelled", "--dir", "broken"]);
    const ex = path.join(dir, "broken", "s3", "bucket_labelled.examples.yaml");
    fs.writeFileSync(ex, fs.readFileSync(ex, "utf8").replace("resource: Untagged, status: fail", "resource: Untagged, status: unknown"));
    const tf = path.join(dir, "broken", "s3", "bucket_labelled_test.rego");
    fs.writeFileSync(tf, fs.readFileSync(tf, "utf8").replace("test_untagged_fails if {\n\tsome f", "test_untagged_fails if {\n\tfalse\n\tsome f"));
    const t = await run(["rules", "test", "broken"]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain("opa test: 3 passed, 1 failed\n");
    expect(t.stdout).toContain(`  FAIL ${path.join("broken", "s3", "bucket_labelled_test.rego")}:11 test_untagged_fails\n`);
    expect(t.stdout).toContain(
      "FAIL s3-bucket-labelled: an untagged resource fails\n     expected: unknown s3-bucket-labelled Untagged\n     actual:   fail s3-bucket-labelled Untagged\n",
    );
    expect(t.stdout).toContain("1 rule(s), 3 example(s): 2 failure(s)\n");
  });

  it("the example pack passes its own tests and examples", async () => {
    const t = await run(["rules", "test", examples]);
    expect(t.stdout).toContain("opa test: 16 passed, 0 failed\n");
    expect(t.stdout).toContain("3 rule(s), 8 example(s): all passed\n");
    expect(t.code).toBe(0);
  });

  it("warns when a rule declares the terraform input for types the Terraform loader does not produce", async () => {
    write("tfwarn/bucket_named.rego", rule("s3-bucket-named", "s3.bucket_named").replace("inputs: [cloudformation]", "inputs: [cloudformation, terraform]"));
    const r = await run(["iac", "templates", "--rules", "tfwarn", "--format", "json", "--fail-on", "none"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `rampart: warning: ${path.join("tfwarn", "bucket_named.rego")}: s3-bucket-named declares the terraform input, but the Terraform loader produces none of AWS::S3::Bucket, so it judges nothing in plans and .tf modules. Remove terraform from its inputs, or read a type the loader maps (docs/authoring.md).\n`,
    );
  });
});
