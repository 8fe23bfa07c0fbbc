// Pinned developer tools (the `opa` CLI; actionlint and trivy for tests and benchmarks), installed once per user into a cache keyed by
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
/** trivy, the peer of `npm run bench -- peers` (issue 11); never part of npm ci or npm test. */
export const TRIVY_VERSION = "0.74.0";

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
  return findOpa() ?? goInstall({ name: "opa", module: "github.com/open-policy-agent/opa", version: OPA_VERSION, quiet, versionOf: (bin) => versionOf(bin) });
}

/** The pinned actionlint: from the per-user cache, else built with Go into it. */
export function ensureActionlint({ quiet = false } = {}) {
  return goInstall({
    name: "actionlint",
    module: "github.com/rhysd/actionlint/cmd/actionlint",
    version: ACTIONLINT_VERSION,
    quiet,
    versionOf: (bin) => spawnSync(bin, ["-version"], { encoding: "utf8" }).stdout.split("\n")[0].trim(),
  });
}

/**
 * The pinned trivy, for the peer benchmark only (`npm run bench -- peers`): from the per-user
 * cache, else built with Go into it (trivy v0.74 needs the encoding/json/v2 experiment).
 */
export function ensureTrivy({ quiet = false } = {}) {
  return goInstall({
    name: "trivy",
    module: "github.com/aquasecurity/trivy/cmd/trivy",
    version: TRIVY_VERSION,
    quiet,
    env: { GOEXPERIMENT: "jsonv2" },
    // a `go install` build reports "Version: dev": the module version is in the binary's build info
    versionOf: (bin) =>
      /^\tmod\tgithub\.com\/aquasecurity\/trivy\tv(\S+)/m.exec(spawnSync(goBinary() ?? "go", ["version", "-m", bin], { encoding: "utf8" }).stdout ?? "")?.[1],
  });
}

function goBinary() {
  return onPath("go") || (fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : undefined);
}

/**
 * `go install <module>@v<version>` into ${cacheDir()}/<name>-v<version>/<name>, once per user and
 * version; the binary's own version report is checked against the pin.
 */
function goInstall({ name, module, version, quiet, env = {}, versionOf: reported }) {
  const dir = path.join(cacheDir(), `${name}-v${version}`);
  const bin = path.join(dir, name);
  if (fs.existsSync(bin)) return bin;
  const go = goBinary();
  if (!go) {
    throw new Error(
      `rampart needs ${name} v${version} and found neither it (in ${dir}) nor Go to build it.\n` +
        `Install Go (https://go.dev/dl/) and re-run the command` +
        (name === "opa" ? `, or put an opa v${version} binary on PATH (or point RAMPART_OPA at it), then re-run \`npm ci\`.` : "."),
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  if (!quiet) console.error(`rampart: installing ${name} v${version} with Go into ${dir} (first run only, a few minutes)…`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `rampart-${name}-`));
  try {
    execFileSync(go, ["install", `${module}@v${version}`], {
      env: { ...process.env, ...env, GOBIN: tmp, GOFLAGS: "-mod=mod" },
      // stdout to stderr too: `npm pack` prints the tarball name on stdout and pre-commit reads it
      stdio: quiet ? "ignore" : ["ignore", 2, 2],
    });
    fs.renameSync(path.join(tmp, name), bin);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const v = reported(bin);
  if (v !== version) throw new Error(`installed ${name} reports version ${v}, expected ${version}`);
  return bin;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tool = process.argv[2];
  console.log(tool === "actionlint" ? ensureActionlint() : tool === "trivy" ? ensureTrivy() : ensureOpa());
}
