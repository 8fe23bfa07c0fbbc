#!/usr/bin/env node
// rampart's command line. The TypeScript sources are compiled into dist/ by `npm ci` / `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error("rampart: not built yet. Run `npm ci` (or `npm run build`) in the rampart folder first.");
  process.exit(2);
}
// The AWS SDK clients warn, once per bundled copy of @aws-sdk/core, that their releases after January
// 2027 will need Node 22. rampart pins its SDK versions (package-lock.json) and states its own Node
// range in package.json "engines", so the warning is not actionable here and would repeat a
// seven-line paragraph in every CI log. A user who wants it sets the variable to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
