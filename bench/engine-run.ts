// One measured run of the engine on a snapshot file, in a process of its own so that
// peak RSS is this run's alone. Prints one JSON line.
import fs from "node:fs";
import { availableParallelism } from "node:os";
import { Engine } from "../engine/engine.js";
import { loadPack } from "../engine/pack.js";
import type { Snapshot } from "../model/types.js";

const file = process.argv[2];
const mode = process.argv[3] ?? "engine";
const t0 = performance.now();
const text = fs.readFileSync(file, "utf8");
const snapshot = JSON.parse(text) as Snapshot;
const tParsed = performance.now();
let findings = 0;
let tLoaded = tParsed;
if (mode === "engine") {
  const engine = await Engine.load();
  tLoaded = performance.now();
  // As `rampart scan` evaluates: on every core.
  const doc = await engine.evaluateParallel(snapshot, loadPack(), { kind: "live" }, availableParallelism());
  findings = doc.findings.length;
}
const t1 = performance.now();
console.log(
  JSON.stringify({
    mode,
    resources: snapshot.resources.length,
    findings,
    readParseMs: tParsed - t0,
    loadMs: tLoaded - tParsed,
    evalMs: t1 - tLoaded,
    totalMs: t1 - t0,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
