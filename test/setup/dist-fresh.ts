/**
 * vitest globalSetup: the tests that spawn bin/rampart.js run dist/, so dist/ must be built
 * from the sources as they are. Fails the run, naming the first stale file and the command,
 * when a compiled source (tsconfig.build.json's folders) has no dist/ file or one older than it.
 * `npm test` builds dist/ before vitest, so this only stops a bare `npx vitest` after an edit.
 */
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../../model/paths.js";

/** The folders tsconfig.build.json compiles that the CLI runs (scripts/ and bench/ are tools). */
const SOURCES = ["model", "entry", "cli", "engine", "collectors", "reports", "remediations", "policies"];

export function staleDist(root: string = repoRoot): string[] {
  const stale: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")) {
        const out = path.join(root, "dist", r.replace(/\.ts$/, ".js"));
        if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(path.join(root, r)).mtimeMs) stale.push(r);
      }
    }
  };
  for (const d of SOURCES) walk(d);
  return stale.sort();
}

export default function setup(): void {
  const stale = staleDist();
  if (stale.length > 0) {
    throw new Error(
      `dist/ is older than ${stale.length} source file(s) (first: ${stale[0]}); the spawn tests would run stale code. Build first: npx tsc -p tsconfig.build.json`,
    );
  }
}
