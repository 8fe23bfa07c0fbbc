// Issue 19, "nothing dropped in silence", for Terraform: a module call whose local source folder is
// outside the scan roots is not read; the resources it would make cannot be judged, so every rule
// that reads Terraform says unknown for the call, the scan is incomplete and --fail-on-unknown exits 3.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestRules } from "../../scripts/rule-catalogue.js";
import { cli, findingKeys, json } from "./helpers.js";

let dir: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "rampart-tf-unread-")));
  // the module outside holds an access key: if it were read, iam-no-long-term-access-keys would fail on it
  write("shared/keys/main.tf", 'resource "aws_iam_access_key" "k" {\n  user = "outside-user"\n}\n');
  write("app/main.tf", 'resource "aws_iam_access_key" "own" {\n  user = "me"\n}\n\nmodule "keys" {\n  source = "../shared/keys"\n}\n');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const terraformRules = manifestRules()
  .filter((m) => m.inputs.includes("terraform"))
  .map((m) => m.id)
  .sort();

describe("a Terraform module whose source is outside the scan roots", () => {
  it("is a counted skip, one unknown per Terraform rule at the module call, and an incomplete scan", async () => {
    const run = await cli(["iac", "app", "--format", "json", "--fail-on", "none"], { cwd: dir });
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.scan.incomplete).toBe(true);
    expect(doc.scan.files).toEqual({ loaded: 1, skipped: 1, error: 0 });
    const reason = "is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it";
    expect(doc.skipped).toEqual([{ file: "shared/keys", reason }]);
    const detail = `module.keys (source "../shared/keys") is not scanned: the folder ${reason}`;
    expect(doc.coverage).toEqual([
      { service: "terraform", status: "denied", detail, resource: { type: "Terraform::Module::Call", id: "module.keys", file: "app/main.tf", line: 5 } },
    ]);
    expect(findingKeys(doc)).toEqual(
      ["fail iam-no-long-term-access-keys aws_iam_access_key.own", ...terraformRules.map((r) => `unknown ${r} module.keys`)].sort(),
    );
    const unknowns = doc.findings.filter((f: any) => f.status === "unknown");
    expect(new Set(unknowns.map((f: any) => JSON.stringify(f.location)))).toEqual(
      new Set([JSON.stringify({ file: "app/main.tf", address: "module.keys", line: 5 })]),
    );
    expect(unknowns[0].message).toBe(`The resources inside module.keys cannot be judged: ${detail}.`);
    expect(doc.summary.unknown).toBe(terraformRules.length);
    expect(run.stdout).not.toContain("outside-user");
  });

  it("--fail-on-unknown exits 3, and the terminal says the scan is incomplete", async () => {
    const run = await cli(["iac", "app", "--fail-on", "none", "--fail-on-unknown"], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`UNKNOWN  ${terraformRules.length} rules  module.keys (Terraform::Module::Call)`);
    expect(run.stdout).toContain("at app/main.tf:5");
    expect(run.stdout).toContain("INCOMPLETE: see Not read");
  });

  it("--allow-read reads the module: its resources are judged and the scan is complete", async () => {
    const run = await cli(["iac", "app", "--allow-read", "shared", "--format", "json", "--fail-on", "none", "--fail-on-unknown"], { cwd: dir });
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(doc.scan.incomplete).toBe(false);
    expect(doc.coverage).toEqual([]);
    expect(findingKeys(doc)).toEqual([
      "fail iam-no-long-term-access-keys aws_iam_access_key.own",
      "fail iam-no-long-term-access-keys module.keys.aws_iam_access_key.k",
    ]);
  });

  it("a pack that disables a rule drops that rule's unknown", async () => {
    write("pack.yaml", "name: p\nextends: default\nrules:\n  iam-no-long-term-access-keys: { enabled: false }\n");
    const doc = json(await cli(["iac", "app", "--policy", "pack.yaml", "--format", "json", "--fail-on", "none"], { cwd: dir }));
    expect(findingKeys(doc)).toEqual(terraformRules.filter((r) => r !== "iam-no-long-term-access-keys").map((r) => `unknown ${r} module.keys`));
  });
});
