// `npm ci` runs this (the `prepare` script): everything a fresh clone needs.
//   1. the pinned opa CLI (installed with Go into ~/.cache/rampart/tools when missing)
//   2. the rules compiled to build/policy/policy.wasm, the JSON Schemas to build/validators.cjs
//   3. the TypeScript built into dist/
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPolicy } from "./build-policy.mjs";
import { buildValidators } from "./build-validators.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
try {
  buildPolicy();
  buildValidators();
} catch (e) {
  console.error(`rampart setup: ${e.message}`);
  process.exit(1);
}
const tsc = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  // tsc reports on stdout; send it to stderr so `npm pack`'s stdout stays just the tarball name
  stdio: ["ignore", 2, 2],
});
if (tsc.status !== 0) {
  console.error("rampart setup: TypeScript build failed");
  process.exit(1);
}
console.error("rampart setup: ready. Try `npx rampart demo`.");
