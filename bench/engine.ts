// Engine benchmark: synthetic snapshots of 1k / 10k / 100k resources, all rules.
// For each size: rampart (read + parse + load Wasm + evaluate, in its own process),
// the floor (read + JSON.parse only), and `opa eval` on the same Rego and input.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../model/paths.js";
import { loadPack } from "../engine/pack.js";
import type { Resource, Snapshot } from "../model/types.js";
import { collectors } from "../collectors/aws/index.js";
import { orgSnapshot, syntheticSnapshot } from "./synthetic.js";

interface Run {
  totalMs: number;
  peakRssMiB: number;
  findings: number;
  evalMs: number;
  loadMs: number;
  readParseMs: number;
}

function child(file: string, mode: string): Run {
  const out = execFileSync(process.execPath, [path.join(repoRoot, "dist", "bench", "engine-run.js"), file, mode], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
}

/** opa eval is stopped after this long (it grows faster than linearly at 100k). */
const OPA_TIMEOUT_MS = 300_000;

function opaEval(opa: string, inputFile: string, dataFile: string): { ms: number; peakRssMiB?: number; timedOut?: boolean } {
  // The same Rego as the Wasm bundle: the rules and the generated aggregate entrypoint.
  const args = [
    "eval",
    "--format",
    "raw",
    "-d",
    path.join(repoRoot, "rules"),
    "-d",
    path.join(repoRoot, "build", "policy", "main.rego"),
    "-d",
    dataFile,
    "-i",
    inputFile,
    "--ignore",
    "*_test.rego",
    "--ignore",
    "*.yaml",
    "--ignore",
    "*.md",
    "count(data.rampart.main.results)",
  ];
  const timeBin = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
  const t0 = performance.now();
  const options = { encoding: "utf8" as const, maxBuffer: 256 << 20, timeout: OPA_TIMEOUT_MS, killSignal: "SIGKILL" as const };
  const r = timeBin ? spawnSync(timeBin, ["-f", "%M", opa, ...args], options) : spawnSync(opa, args, options);
  const ms = performance.now() - t0;
  if (r.error || r.signal) {
    // The time wrapper was killed; its opa child may live on: stop it before the next measurement.
    spawnSync("pkill", ["-KILL", "-f", inputFile]);
    return { ms, timedOut: true };
  }
  if (r.status !== 0) throw new Error(`opa eval failed: ${r.stderr}`);
  // The query counts the rules that produced results: an undefined result would mean opa evaluated nothing.
  if (!/^\d+\s*$/.test(r.stdout.trim().split("\n")[0] ?? "")) throw new Error(`opa eval returned no result: ${r.stdout.slice(0, 200)}`);
  const kb = timeBin ? Number(r.stderr.trim().split("\n").pop()) : NaN;
  return { ms, peakRssMiB: Number.isFinite(kb) ? kb / 1024 : undefined };
}

export async function benchEngine(opa: string, sizes = [1000, 10000, 100000], repeat = 3): Promise<void> {
  // Three shapes: 20 accounts of n/20 resources; at 100k also 200 accounts of 500; and the
  // organization shape at every size (about 40 resources per account, coverage for every
  // account × region × service, Firewall Manager policies in one administrator account).
  const shapes: Array<{ label: string; make: () => Snapshot }> = sizes.flatMap((n) => [
    { label: `${n} (20)`, make: () => syntheticSnapshot(n, 20) },
    ...(n >= 100000 ? [{ label: `${n} (200)`, make: () => syntheticSnapshot(n, 200) }] : []),
    { label: `${n} (org ${Math.round(n / 40)})`, make: () => orgSnapshot(n, collectors) },
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-"));
  const pack = loadPack();
  console.log("\nEngine: all rules on synthetic live snapshots (best of %d; wall time includes reading and parsing the file and loading the Wasm)", repeat);
  console.log("resources (accounts) | rampart ms | peak RSS MiB | JSON.parse floor ms | opa eval ms | opa RSS MiB | rampart/floor | opa/rampart | findings");
  try {
    for (const [k, shape] of shapes.entries()) {
      const snap = shape.make();
      const n = snap.resources.length;
      const file = path.join(dir, `snapshot-${k}.json`);
      fs.writeFileSync(file, JSON.stringify(snap));
      // opa eval gets exactly the input the engine builds for the Wasm module.
      const byType: Record<string, Array<Resource & { _ref: number }>> = {};
      snap.resources.forEach((r, i) => (byType[r.type] ??= []).push({ ...r, _ref: i }));
      const inputFile = path.join(dir, `input-${k}.json`);
      fs.writeFileSync(
        inputFile,
        JSON.stringify({ byType, coverage: snap.coverage, context: { kind: "live", accounts: snap.source.accounts, regions: snap.source.regions } }),
      );
      const dataFile = path.join(dir, "data.json");
      fs.writeFileSync(dataFile, JSON.stringify({ config: { params: pack.params, disabled: {} } }));

      const runs = n >= 100000 ? 1 : repeat;
      const engine = best(Array.from({ length: runs }, () => child(file, "engine")));
      const floor = best(Array.from({ length: runs }, () => child(file, "parse")));
      const opaRuns = Array.from({ length: runs }, () => opaEval(opa, inputFile, dataFile));
      const o = opaRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
      console.log(
        [
          `${shape.label}, ${snap.coverage.length} coverage`,
          engine.totalMs.toFixed(0),
          engine.peakRssMiB.toFixed(0),
          floor.totalMs.toFixed(0),
          o.timedOut ? `> ${OPA_TIMEOUT_MS} (stopped)` : o.ms.toFixed(0),
          o.peakRssMiB?.toFixed(0) ?? "-",
          (engine.totalMs / floor.totalMs).toFixed(1) + "x",
          o.timedOut ? `> ${(OPA_TIMEOUT_MS / engine.totalMs).toFixed(1)}x` : (o.ms / engine.totalMs).toFixed(1) + "x",
          engine.findings,
        ].join(" | "),
      );
      console.log(
        `          rampart breakdown: read+parse ${engine.readParseMs.toFixed(0)} ms, load Wasm ${engine.loadMs.toFixed(0)} ms, evaluate ${engine.evalMs.toFixed(0)} ms`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
