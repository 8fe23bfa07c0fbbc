// `npm pack` with its scripts, as pre-commit runs it (issue 17): prepare builds the Wasm bundle
// and dist/ and npm pack must print nothing but the tarball's name on stdout (pre-commit reads it
// there; npm's own banner for prepare went there until .npmrc set foreground-scripts=false).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { repoRoot } from "../../model/paths.js";

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
const tarball = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;

describe("npm pack with scripts (prepare runs)", () => {
  const install = inject("install");

  it("prints exactly the tarball name on stdout, after prepare built the package", () => {
    expect(install.packCode).toBe(0);
    expect(install.packStdout).toBe(`${tarball}\n`);
    // prepare built the copy, which had no build/ or dist/ (both are git-ignored)
    expect(fs.existsSync(path.join(install.clone, "build", "policy", "policy.wasm"))).toBe(true);
    expect(fs.existsSync(path.join(install.clone, "dist", "cli", "main.js"))).toBe(true);
    expect(path.basename(install.tarball)).toBe(tarball);
  });

  it("the tarball holds what prepare built: the Wasm bundle and dist/", () => {
    const files = execFileSync("tar", ["-tzf", install.tarball], { encoding: "utf8", maxBuffer: 64 << 20 }).split("\n");
    expect(files).toContain("package/build/policy/policy.wasm");
    expect(files).toContain("package/dist/cli/main.js");
    expect(files).toContain("package/bin/rampart.js");
    expect(files.filter((f) => /^package\/(test|bench|dist\/test|dist\/bench|node_modules)\//.test(f))).toEqual([]);
  });
});
