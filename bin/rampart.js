#!/usr/bin/env node
// rampart's command line. The TypeScript sources are compiled into dist/ by `npm ci` / `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error("rampart: not built yet. Run `npm ci` (or `npm run build`) in the rampart folder first.");
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
