// The install tests' set-up (`npm run test:install`, run by .ci/run after `npm test`): one
// scratch copy of this working tree, made a git repository (the "local clone" the pre-commit
// test names as its hook repository), packed once with `npm pack` WITH its scripts — the
// `prepare` script builds the Wasm bundle and dist/ into the copy, as it does on a user's
// machine — so the tests that install the package share one tarball and the tree under test
// (whose dist/ other tests spawn) is never rebuilt.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { repoRoot } from "../../model/paths.js";

declare module "vitest" {
  export interface ProvidedContext {
    install: {
      /** The scratch copy: a git repository of the working tree, packed (dist/ and build/ built by prepare). */
      clone: string;
      /** Its one commit. */
      rev: string;
      /** The tarball npm pack wrote. */
      tarball: string;
      packStdout: string;
      packStderr: string;
      packCode: number;
      packSeconds: number;
    };
  }
}

export default function setup(project: TestProject): () => void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-install-"));
  const clone = path.join(work, "rampart");
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(clone, f));
    fs.chmodSync(path.join(clone, f), fs.statSync(path.join(repoRoot, f)).mode);
  }
  // the development dependencies prepare needs (tsc, types), as hard links: nothing writes into them
  execFileSync("cp", ["-al", path.join(repoRoot, "node_modules"), path.join(clone, "node_modules")]);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  git("init", "-q");
  git("add", "-A");
  git("-c", "user.name=rampart-test", "-c", "user.email=test@rampart.invalid", "commit", "-q", "-m", "working tree under test");
  const rev = git("rev-parse", "HEAD");
  const out = path.join(work, "pack");
  fs.mkdirSync(out);
  const t0 = Date.now();
  const pack = spawnSync("npm", ["pack", "--pack-destination", out], { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 15 * 60_000 });
  const packSeconds = (Date.now() - t0) / 1000;
  const name = pack.stdout.trim();
  project.provide("install", {
    clone,
    rev,
    tarball: path.join(out, name),
    packStdout: pack.stdout,
    packStderr: pack.stderr,
    packCode: pack.status ?? -1,
    packSeconds,
  });
  process.stderr.write(`install tests: npm pack with scripts in ${clone}: ${packSeconds.toFixed(1)} s\n`);
  return () => fs.rmSync(work, { recursive: true, force: true });
}
