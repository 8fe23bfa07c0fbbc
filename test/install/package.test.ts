// The published package as a user installs it (issue 17): the tarball `npm pack` made (with
// its scripts) installed into an empty prefix with --omit=dev, on a PATH with neither Go nor
// opa and an empty tools cache: it carries the compiled Wasm bundle and dist/, so nothing is
// built. `rampart demo` and `rampart iac` then give the same findings as the source tree.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { findingKeys, spawnRampart, type CliRun } from "../e2e/helpers.js";

const install = inject("install");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-pkg-"));
const prefix = path.join(work, "prefix");
const cache = path.join(work, "cache"); // XDG_CACHE_HOME: no cached opa
const project = path.join(work, "project");
// node and npm, and the system's commands; not /usr/local/go/bin
const PATH = [...new Set([path.dirname(process.execPath), "/usr/bin", "/bin"])].join(path.delimiter);
// the user's environment (npm needs its TLS settings: without them it hung) less any opa override
const env: Record<string, string | undefined> = { ...process.env, PATH, XDG_CACHE_HOME: cache, NO_COLOR: "1", RAMPART_OPA: undefined };
let installed: { code: number; stderr: string; seconds: number };

function rampart(args: string[]): CliRun {
  const r = spawnSync(path.join(prefix, "bin", "rampart"), args, {
    cwd: project,
    encoding: "utf8",
    env,
    maxBuffer: 64 << 20,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  fs.mkdirSync(prefix);
  fs.mkdirSync(cache);
  fs.mkdirSync(path.join(project, "tf"), { recursive: true });
  for (const f of ["rolesanywhere-trust-bad.yaml", "rolesanywhere-trust-good.yaml"])
    fs.copyFileSync(path.join(repoRoot, "examples", "templates", f), path.join(project, f));
  fs.copyFileSync(path.join(repoRoot, "test", "fixtures", "terraform-source", "open-sg", "main.tf"), path.join(project, "tf", "main.tf"));
  const t0 = Date.now();
  const r = spawnSync("npm", ["install", "--global", "--prefix", prefix, "--omit=dev", "--no-audit", "--no-fund", install.tarball], {
    cwd: work,
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "pipe"], // npm waited forever on an open stdin pipe
    timeout: 15 * 60_000,
  });
  installed = { code: r.status ?? -1, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
  process.stderr.write(`install tests: npm install --global --omit=dev of the tarball: ${installed.seconds.toFixed(1)} s\n`);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe("the npm package installed without Go, opa or dev dependencies", () => {
  it("installs from the tarball with neither go nor opa on PATH, and builds nothing", () => {
    expect(spawnSync("sh", ["-c", "command -v go || command -v opa"], { env }).status).not.toBe(0);
    expect(installed.stderr).not.toMatch(/opa|rampart setup/);
    expect(installed.code).toBe(0);
    const pkg = path.join(prefix, "lib", "node_modules", "rampart");
    expect(fs.existsSync(path.join(pkg, "build", "policy", "policy.wasm"))).toBe(true);
    // no development dependency, no opa in the (empty) tools cache
    for (const dev of ["typescript", "vitest", "eslint"]) expect(fs.existsSync(path.join(pkg, "node_modules", dev))).toBe(false);
    expect(fs.readdirSync(cache)).toEqual([]);
  });

  it("rampart demo: exit 0 and the source tree's findings", async () => {
    const run = rampart(["demo", "--format", "json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const keys = findingKeys(JSON.parse(run.stdout));
    expect(keys).toContain("fail iam-rolesanywhere-trust-scoped Role");
    expect(keys).toEqual(findingKeys(JSON.parse((await spawnRampart(["demo", "--format", "json"])).stdout)));
    expect(keys.length).toBe(26);
  });

  it("rampart iac <template>: exit 1 and the finding on the bad template, exit 0 on the good one", () => {
    const bad = rampart(["iac", "--account", "012345678912", "rolesanywhere-trust-bad.yaml", "--format", "json"]);
    expect(bad.stderr).toBe("");
    expect(bad.code).toBe(1);
    const doc = JSON.parse(bad.stdout);
    expect(findingKeys(doc)).toEqual(["fail iam-rolesanywhere-trust-scoped Role"]);
    expect(doc.findings[0].location.file).toBe("rolesanywhere-trust-bad.yaml");
    const good = rampart(["iac", "--account", "012345678912", "rolesanywhere-trust-good.yaml", "--format", "json"]);
    expect(good.code).toBe(0);
    expect(findingKeys(JSON.parse(good.stdout))).toEqual([]);
  });

  it("rampart iac <folder of .tf>: exit 1 with each for_each instance's finding", () => {
    const run = rampart(["iac", "tf", "--fail-on", "medium", "--format", "json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(findingKeys(JSON.parse(run.stdout))).toEqual([
      'fail ec2-security-group-egress-restricted aws_security_group.tier["api"]',
      'fail ec2-security-group-egress-restricted aws_security_group.tier["web"]',
    ]);
  });

  it("a bad path is the one-line error, exit 2", () => {
    const run = rampart(["iac", "missing.yaml"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual(["rampart: missing.yaml: no such file or directory. Give template files or folders to scan."]);
  });
});
