// `npm test`: every check, in order, stopping at the end with a summary of what failed.
//   opa fmt (check) · opa check --strict · policy build · opa test with coverage · prettier (check) · eslint · tsc · vitest
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureOpa } from "./tools.mjs";
import { buildPolicy } from "./build-policy.mjs";
import { OPA_LOAD, runRegoTests } from "./rego-tests.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (pkg, rel) => path.join(root, "node_modules", pkg, rel);
const opa = ensureOpa();
const failed = [];

function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  let ok;
  try {
    ok = fn();
  } catch (e) {
    console.error(e.message);
    ok = false;
  }
  process.stdout.write(`${ok ? "✔" : "✘"} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  if (!ok) failed.push(name);
}

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status === 0;

step("opa fmt --list (Rego formatting)", () => {
  const r = spawnSync(opa, ["fmt", "--list", "rules"], { cwd: root, encoding: "utf8" });
  if (r.stdout.trim()) {
    console.error(`not formatted (run \`node scripts/opa.mjs fmt -w rules\`):\n${r.stdout}`);
    return false;
  }
  return r.status === 0;
});
step("opa check --strict", () => run(opa, ["check", "--strict", ...OPA_LOAD, "rules"]));
step("compile rules to Wasm", () => (buildPolicy({ quiet: true }), true));
step("opa test --coverage", () => runRegoTests(opa));
step("prettier --check (TypeScript, JSON, YAML, Markdown)", () =>
  run(process.execPath, [bin("prettier", "bin/prettier.cjs"), "--check", "--log-level", "warn", "."]),
);
step("eslint", () => run(process.execPath, [bin("eslint", "bin/eslint.js"), "."]));
step("tsc (type check)", () => run(process.execPath, [bin("typescript", "bin/tsc"), "-p", "tsconfig.json", "--noEmit"]));
step("tsc (build dist/)", () => run(process.execPath, [bin("typescript", "bin/tsc"), "-p", "tsconfig.build.json"]));
step("vitest", () => run(process.execPath, [bin("vitest", "vitest.mjs"), "run"]));

if (failed.length) {
  console.error(`\nnpm test: ${failed.length} step(s) failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log("\nnpm test: all steps passed");
