// `npm run bench`: the benchmarks of ARCHITECTURE.md ("Performance"), in one run.
// Usage: npm run bench [-- engine|iac|collectors] [--sizes 1000,10000,100000]
//        npm run bench -- rules [--sizes 10000]   (per-rule cost; only when asked for)
//        npm run bench -- peers                   (rampart iac vs trivy config; builds trivy once; only when asked for)
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureOpa, ensureTrivy, TRIVY_VERSION } from "./tools.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const sizesArg = args.indexOf("--sizes");
const which = args.filter((a, i) => !a.startsWith("--") && !(sizesArg >= 0 && i === sizesArg + 1));
const sizes = sizesArg >= 0 ? args[sizesArg + 1].split(",").map(Number) : undefined;
// No stage named: every stage except the per-rule profile.
const ONLY_WHEN_ASKED = ["rules", "peers"];
const want = (name) => (which.length === 0 ? !ONLY_WHEN_ASKED.includes(name) : which.includes(name));

if (!fs.existsSync(path.join(root, "dist", "bench", "engine.js"))) {
  console.error("bench: run `npm run build` first (dist/ is missing)");
  process.exit(2);
}
console.log(`rampart bench — ${new Date().toISOString()} — node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
if (want("engine")) {
  const { benchEngine } = await import(path.join(root, "dist", "bench", "engine.js"));
  await benchEngine(ensureOpa(), sizes);
}
for (const extra of ["iac", "collectors"]) {
  const mod = path.join(root, "dist", "bench", `${extra}.js`);
  if (want(extra) && fs.existsSync(mod)) {
    const m = await import(mod);
    await m.bench();
  }
}
if (want("peers")) {
  const { bench } = await import(path.join(root, "dist", "bench", "peers.js"));
  await bench(ensureTrivy(), TRIVY_VERSION);
}
if (want("rules")) {
  // Per-rule cost, in a process of its own (it loads the engine once and re-evaluates 40 times).
  const { spawnSync } = await import("node:child_process");
  const n = String(sizes?.[0] ?? 10000);
  console.log(`\nRules: evaluation time of each rule alone on ${n} synthetic resources (20 accounts)`);
  spawnSync(process.execPath, [path.join(root, "dist", "bench", "rule-profile.js"), n, "20"], { stdio: "inherit" });
}
