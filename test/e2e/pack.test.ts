// The npm package as users get it (issue 17): `npm pack` prints only the tarball name on
// stdout (pre-commit reads it from there), and the tarball holds the built CLI and the
// compiled Wasm bundle but no tests or benchmarks.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
const tarball = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;

describe("npm pack", () => {
  it("prints only the tarball name on stdout and packs dist/ and the Wasm bundle, not test/ or bench/", () => {
    // --ignore-scripts: prepare (which rewrites dist/) must not run while other e2e files spawn dist/;
    // the prepare script is checked below not to write to stdout.
    const json = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" });
    const [entry] = JSON.parse(json) as [{ filename: string; files: { path: string }[] }];
    expect(entry.filename).toBe(tarball);
    const files = entry.files.map((f) => f.path);
    expect(files).toContain("build/policy/policy.wasm");
    expect(files).toContain("bin/rampart.js");
    // user rules (--rules DIR) find the pinned opa as the build does
    expect(files).toContain("scripts/tools.mjs");
    expect(files.some((f) => f.startsWith("dist/") && f.endsWith(".js"))).toBe(true);
    expect(files.filter((f) => /^(test|bench|dist\/test|dist\/bench)\//.test(f))).toEqual([]);
    const plain = execFileSync("npm", ["pack", "--dry-run", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(plain).toBe(`${tarball}\n`);
  });
});
