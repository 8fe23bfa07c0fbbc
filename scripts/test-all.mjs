// `npm test`: every check, with a summary of what failed at the end.
//   In parallel: opa fmt (check) · opa check --strict · opa test with coverage · prettier (check) ·
//   eslint · policy + validator build · tsc (type-checks everything and builds dist/, once).
//   Then vitest, which runs the built policy and dist/ (`--no-vitest`: stop before it).
// Each parallel step runs as `node scripts/test-all.mjs --step <id>` with its output collected and
// printed in one piece when it ends, so the logs of different steps do not interleave.
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);
const bin = (pkg, rel) => path.join(root, "node_modules", pkg, rel);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: "inherit" }).status === 0;

/** The checks that do not depend on each other: id → [name, body (runs in its own process)]. */
const STEPS = {
  "opa-fmt": [
    "opa fmt --list (Rego formatting)",
    async () => {
      const { ensureOpa } = await import("./tools.mjs");
      const r = spawnSync(ensureOpa(), ["fmt", "--list", "rules"], { cwd: root, encoding: "utf8" });
      if (r.stdout.trim()) {
        console.error(`not formatted (run \`node scripts/opa.mjs fmt -w rules\`):\n${r.stdout}`);
        return false;
      }
      return r.status === 0;
    },
  ],
  "opa-check": [
    "opa check --strict",
    async () => {
      const [{ ensureOpa }, { OPA_LOAD }] = await Promise.all([import("./tools.mjs"), import("./rego-tests.mjs")]);
      return run(ensureOpa(), ["check", "--strict", ...OPA_LOAD, "rules"]);
    },
  ],
  "opa-test": [
    "opa test --coverage",
    async () => {
      const [{ ensureOpa }, { runRegoTests }] = await Promise.all([import("./tools.mjs"), import("./rego-tests.mjs")]);
      return runRegoTests(ensureOpa());
    },
  ],
  build: [
    "compile rules to Wasm, schemas to validators",
    async () => {
      const [{ buildPolicy }, { buildValidators }] = await Promise.all([import("./build-policy.mjs"), import("./build-validators.mjs")]);
      buildPolicy({ quiet: true });
      buildValidators();
      return true;
    },
  ],
  prettier: [
    "prettier --check (TypeScript, JSON, YAML, Markdown)",
    async () => run(process.execPath, [bin("prettier", "bin/prettier.cjs"), "--check", "--log-level", "warn", "."]),
  ],
  eslint: ["eslint", async () => run(process.execPath, [bin("eslint", "bin/eslint.js"), "."])],
  // tsconfig.json holds every file tsconfig.build.json compiles plus the tests: one run type-checks
  // all of it and writes dist/ (dist/test and dist/bench are not in the package: package.json files).
  tsc: ["tsc (type check, build dist/)", async () => run(process.execPath, [bin("typescript", "bin/tsc"), "-p", "tsconfig.json"])],
};

const at = process.argv.indexOf("--step");
if (at !== -1) {
  const id = process.argv[at + 1];
  if (!STEPS[id]) {
    console.error(`test-all: unknown step ${id} (one of ${Object.keys(STEPS).join(", ")})`);
    process.exit(2);
  }
  let ok;
  try {
    ok = await STEPS[id][1]();
  } catch (e) {
    console.error(e.message);
    ok = false;
  }
  process.exit(ok ? 0 : 1);
}

const failed = [];
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function child(id) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [self, "--step", id], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    const out = [];
    c.stdout.on("data", (d) => out.push(d));
    c.stderr.on("data", (d) => out.push(d));
    c.on("close", (code) => {
      const ok = code === 0;
      const text = Buffer.concat(out).toString();
      process.stdout.write(`\n▶ ${STEPS[id][0]}\n${text}${text && !text.endsWith("\n") ? "\n" : ""}${ok ? "✔" : "✘"} ${STEPS[id][0]} (${secs(t0)})\n`);
      if (!ok) failed.push(STEPS[id][0]);
      resolve(ok);
    });
  });
}

/** Run the steps, at most `limit` at a time (one more than the machine's cores, at least 3: the steps also wait on files and start-up). */
async function pool(ids, limit) {
  const queue = [...ids];
  const lane = async () => {
    while (queue.length) await child(queue.shift());
  };
  await Promise.all(Array.from({ length: Math.min(limit, ids.length) }, lane));
}

// installs the pinned opa once, here, when it is missing (the steps would race to install it)
(await import("./tools.mjs")).ensureOpa();

const t0 = Date.now();
// the slowest first, so the short ones fill in beside them
await pool(["tsc", "prettier", "eslint", "opa-test", "build", "opa-check", "opa-fmt"], Math.max(3, os.availableParallelism() + 1));
process.stdout.write(`\nstatic checks and build: ${secs(t0)}\n`);

// tsc writes dist/ even when it reports type errors, so only a failed policy build stops vitest
if (process.argv.includes("--no-vitest")) {
  // `node scripts/test-all.mjs --no-vitest`: the static checks and the build only
} else if (failed.includes(STEPS.build[0])) {
  failed.push("vitest (not run: the build failed)");
} else {
  const t1 = Date.now();
  process.stdout.write(`\n▶ vitest\n`);
  const ok = run(process.execPath, [bin("vitest", "vitest.mjs"), "run"]);
  process.stdout.write(`${ok ? "✔" : "✘"} vitest (${secs(t1)})\n`);
  if (!ok) failed.push("vitest");
}

if (failed.length) {
  console.error(`\nnpm test: ${failed.length} step(s) failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`\nnpm test: all steps passed (${secs(t0)})`);
