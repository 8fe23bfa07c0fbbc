// `npm run bench`: the benchmarks of ARCHITECTURE.md ("Performance"), in one run.
// Usage: npm run bench [-- engine|iac|collectors] [--sizes 1000,10000,100000]
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureOpa } from "./tools.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const which = args.filter((a) => !a.startsWith("--"));
const sizesArg = args.indexOf("--sizes");
const sizes = sizesArg >= 0 ? args[sizesArg + 1].split(",").map(Number) : undefined;
const want = (name) => which.length === 0 || which.includes(name);

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
