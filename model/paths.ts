import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "policies"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`rampart: cannot find the package root above ${start}`);
    dir = parent;
  }
}

/** The package root (works from source under vitest and from dist/ after the build). */
export const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const policyDir = path.join(repoRoot, "build", "policy");
/** The compliance frameworks (compliance/<id>.yaml), shipped in the package beside the rules. */
export const complianceDir = path.join(repoRoot, "compliance");
