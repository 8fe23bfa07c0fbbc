/**
 * Where the public corpus of real templates and Terraform modules is (written outside this
 * project; see its README): $RAMPART_CORPUS, else ../shared/corpus beside the clone. Tests that
 * need it skip when it is absent, and say so on stderr so a skip is never silent.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../model/paths.js";

export function corpusRoot(): string {
  const fromEnv = process.env.RAMPART_CORPUS;
  return fromEnv ? path.resolve(fromEnv) : path.resolve(repoRoot, "../shared/corpus");
}

/** The corpus subfolder `sub`, or undefined (with a line on stderr) when it is not on this machine. */
export function corpusDir(sub: string): string | undefined {
  const dir = path.join(corpusRoot(), sub);
  if (existsSync(dir)) return dir;
  process.stderr.write(`corpus test skipped: ${dir} is absent (set RAMPART_CORPUS to the corpus folder)\n`);
  return undefined;
}
