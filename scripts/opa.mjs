// Runs the pinned opa CLI (installing it first when missing): `node scripts/opa.mjs <args…>`.
// `node scripts/opa.mjs test` is shorthand for the project's Rego test run with coverage.
import { spawnSync } from "node:child_process";
import { ensureOpa } from "./tools.mjs";

const opa = ensureOpa();
let args = process.argv.slice(2);
if (args.length === 1 && args[0] === "test") {
  const { runRegoTests } = await import("./rego-tests.mjs");
  process.exit(runRegoTests(opa) ? 0 : 1);
}
const r = spawnSync(opa, args, { stdio: "inherit" });
process.exit(r.status ?? 1);
