// Peer benchmark (`npm run bench -- peers`, issue 11): `rampart iac` and `trivy config` over the
// same files, the public corpus ($RAMPART_CORPUS or ../shared/corpus: CloudFormation templates and
// Terraform modules), each run several times in alternation so that both see the same machine
// load; medians and their ratio. trivy is limited to its CloudFormation and Terraform scanners
// (the inputs rampart reads), runs offline on its embedded checks, and writes to a scratch cache.
// The pinned trivy is built once into the tools cache by scripts/tools.mjs (`ensureTrivy`).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../model/paths.js";
import { corpusRoot } from "../test/corpus.js";

/** trivy takes over a minute per run on this corpus (2 cores): three alternating runs each. */
const RUNS = 3;
/** The Done-when of issue 11: rampart at least this many times faster than trivy. */
const TARGET_RATIO = 3;

interface Timed {
  wallMs: number;
  /** user + system CPU seconds of the command (steadier than wall time on a shared machine). */
  cpuS: number;
  peakRssMiB: number;
  status: number | null;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
  const t0 = performance.now();
  const r = timeBin
    ? spawnSync(timeBin, ["-f", "%M %U %S", cmd, ...args], { encoding: "utf8", env, maxBuffer: 256 << 20 })
    : spawnSync(cmd, args, { encoding: "utf8", env, maxBuffer: 256 << 20 });
  const wallMs = performance.now() - t0;
  const [kb, user, sys] = timeBin ? r.stderr.trim().split("\n").pop()!.split(" ").map(Number) : [NaN, NaN, NaN];
  if (r.error) throw r.error;
  return { wallMs, cpuS: user + sys, peakRssMiB: kb / 1024, status: r.status };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function bench(trivy: string, trivyVersion: string): Promise<void> {
  const corpus = corpusRoot();
  if (!fs.existsSync(corpus)) {
    console.log(`\nPeers: the corpus (${corpus}) is not here; set RAMPART_CORPUS. Skipped.`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-peers-"));
  try {
    const rampartArgs = [path.join(repoRoot, "bin", "rampart.js"), "iac", corpus, "--format", "json", "--output", path.join(tmp, "rampart.json")];
    const trivyArgs = [
      "config",
      "--quiet",
      "--skip-check-update",
      "--misconfig-scanners",
      "cloudformation,terraform",
      "--cache-dir",
      path.join(tmp, "trivy-cache"),
      "--format",
      "json",
      "--output",
      path.join(tmp, "trivy.json"),
      corpus,
    ];
    const version = `trivy v${trivyVersion}`;
    const runs: Array<{ rampart: Timed; trivy: Timed }> = [];
    // One warm-up each (file cache, trivy's cache folder), then alternate.
    timed(process.execPath, rampartArgs);
    timed(trivy, trivyArgs);
    for (let i = 0; i < RUNS; i++) runs.push({ rampart: timed(process.execPath, rampartArgs), trivy: timed(trivy, trivyArgs) });
    const bad = runs.flatMap((r) => [r.rampart.status, r.trivy.status]).filter((s) => s !== 0 && s !== 1);
    if (bad.length > 0)
      throw new Error(`a peer run failed (exit ${bad.join(", ")}); run the commands by hand: node ${rampartArgs.join(" ")} / ${trivy} ${trivyArgs.join(" ")}`);
    const rampartDoc = JSON.parse(fs.readFileSync(path.join(tmp, "rampart.json"), "utf8"));
    const trivyDoc = JSON.parse(fs.readFileSync(path.join(tmp, "trivy.json"), "utf8"));
    const trivyFiles = (trivyDoc.Results ?? []).length;
    const trivyFailures = (trivyDoc.Results ?? []).reduce(
      (n: number, r: { MisconfSummary?: { Failures?: number } }) => n + (r.MisconfSummary?.Failures ?? 0),
      0,
    );
    const r = median(runs.map((x) => x.rampart.wallMs));
    const t = median(runs.map((x) => x.trivy.wallMs));
    console.log(`\nPeers: rampart iac and ${version} (trivy config, cloudformation + terraform scanners) over ${corpus}, median of ${RUNS} alternating runs`);
    console.log("tool | files | findings | wall ms median | wall ms min | CPU s median | peak RSS MiB");
    console.log("---|---|---|---|---|---|---");
    const f = rampartDoc.scan?.files ?? {};
    console.log(
      `rampart | ${f.loaded ?? "?"} loaded, ${f.skipped ?? "?"} skipped | ${rampartDoc.findings.filter((x: { status: string }) => x.status === "fail").length} failing | ${r.toFixed(0)} | ${Math.min(...runs.map((x) => x.rampart.wallMs)).toFixed(0)} | ${median(runs.map((x) => x.rampart.cpuS)).toFixed(1)} | ${Math.max(...runs.map((x) => x.rampart.peakRssMiB)).toFixed(0)}`,
    );
    console.log(
      `trivy | ${trivyFiles} with results | ${trivyFailures} failures | ${t.toFixed(0)} | ${Math.min(...runs.map((x) => x.trivy.wallMs)).toFixed(0)} | ${median(runs.map((x) => x.trivy.cpuS)).toFixed(1)} | ${Math.max(...runs.map((x) => x.trivy.peakRssMiB)).toFixed(0)}`,
    );
    const ratio = t / r;
    const cpuRatio = median(runs.map((x) => x.trivy.cpuS)) / median(runs.map((x) => x.rampart.cpuS));
    console.log(
      `ratio trivy / rampart (medians): wall ${ratio.toFixed(2)}×, CPU ${cpuRatio.toFixed(2)}× — ${ratio >= TARGET_RATIO ? "met" : "MISSED"} (target ≥ ${TARGET_RATIO}× wall)`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
