// Pinned developer tools (the `opa` CLI), installed once per user into a cache keyed by
// version, so fresh clones and CI reuse them. Order of preference:
//   1. $RAMPART_OPA (path to an opa binary of the pinned version)
//   2. the per-user cache: ${XDG_CACHE_HOME:-~/.cache}/rampart/tools/opa-v<version>/opa
//   3. `opa` on PATH, if it reports the pinned version
//   4. `go install github.com/open-policy-agent/opa@v<version>` into the cache
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const OPA_VERSION = "1.22.3";
/** actionlint (the GitHub Actions linter), for the install test of action.yml (issue 17). */
export const ACTIONLINT_VERSION = "1.7.12";

export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "rampart", "tools");
}

function versionOf(bin) {
  const r = spawnSync(bin, ["version"], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const m = /Version:\s*(\S+)/.exec(r.stdout);
  return m ? m[1] : undefined;
}

function onPath(name) {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

export function findOpa() {
  if (process.env.RAMPART_OPA) return process.env.RAMPART_OPA;
  const cached = path.join(cacheDir(), `opa-v${OPA_VERSION}`, "opa");
  if (fs.existsSync(cached)) return cached;
  const system = onPath("opa");
  if (system && versionOf(system) === OPA_VERSION) return system;
  return undefined;
}

export function ensureOpa({ quiet = false } = {}) {
  const found = findOpa();
  if (found) return found;
  const dir = path.join(cacheDir(), `opa-v${OPA_VERSION}`);
  const go = onPath("go") || (fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
  if (!go) {
    throw new Error(
      `rampart needs the opa CLI v${OPA_VERSION} to compile its rules, and found neither it nor Go.\n` +
        `Install Go (https://go.dev/dl/) and re-run \`npm ci\`, or put an opa v${OPA_VERSION} binary on PATH ` +
        `(or point RAMPART_OPA at it), then re-run \`npm ci\`.`,
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  if (!quiet) console.error(`rampart: installing opa v${OPA_VERSION} with Go into ${dir} (first run only, a few minutes)…`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-opa-"));
  try {
    execFileSync(go, ["install", `github.com/open-policy-agent/opa@v${OPA_VERSION}`], {
      env: { ...process.env, GOBIN: tmp, GOFLAGS: "-mod=mod" },
      // stdout to stderr too: `npm pack` prints the tarball name on stdout and pre-commit reads it
      stdio: quiet ? "ignore" : ["ignore", 2, 2],
    });
    fs.renameSync(path.join(tmp, "opa"), path.join(dir, "opa"));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const installed = path.join(dir, "opa");
  const v = versionOf(installed);
  if (v !== OPA_VERSION) throw new Error(`installed opa reports version ${v}, expected ${OPA_VERSION}`);
  return installed;
}

/** The pinned actionlint: from the per-user cache, else built with Go into it. */
export function ensureActionlint({ quiet = false } = {}) {
  const dir = path.join(cacheDir(), `actionlint-v${ACTIONLINT_VERSION}`);
  const bin = path.join(dir, "actionlint");
  if (fs.existsSync(bin)) return bin;
  const go = onPath("go") || (fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
  if (!go) throw new Error(`actionlint v${ACTIONLINT_VERSION} is not in ${dir} and Go is not installed to build it (https://go.dev/dl/).`);
  fs.mkdirSync(dir, { recursive: true });
  if (!quiet) console.error(`rampart: installing actionlint v${ACTIONLINT_VERSION} with Go into ${dir} (first run only)…`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-actionlint-"));
  try {
    execFileSync(go, ["install", `github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}`], {
      env: { ...process.env, GOBIN: tmp, GOFLAGS: "-mod=mod" },
      stdio: quiet ? "ignore" : ["ignore", 2, 2],
    });
    fs.renameSync(path.join(tmp, "actionlint"), bin);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const v = spawnSync(bin, ["-version"], { encoding: "utf8" }).stdout.split("\n")[0].trim();
  if (v !== ACTIONLINT_VERSION) throw new Error(`installed actionlint reports version ${v}, expected ${ACTIONLINT_VERSION}`);
  return bin;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(process.argv[2] === "actionlint" ? ensureActionlint() : ensureOpa());
}
