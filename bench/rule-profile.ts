// Per-rule cost: evaluates a synthetic live snapshot once with every rule, then once per
// rule with only that rule enabled, and prints the rules by evaluation time. It shows where
// the engine's time goes (`node dist/bench/rule-profile.js [resources] [accounts]`, or a
// saved snapshot: `node dist/bench/rule-profile.js snapshot.json`).
import fs from "node:fs";
import { Engine } from "../engine/engine.js";
import { loadPack } from "../engine/pack.js";
import type { Snapshot } from "../model/types.js";
import { syntheticSnapshot } from "./synthetic.js";

const file = process.argv[2]?.endsWith(".json") ? process.argv[2] : undefined;
const snapshot: Snapshot = file
  ? JSON.parse(fs.readFileSync(file, "utf8"))
  : syntheticSnapshot(Number(process.argv[2] ?? 10000), Number(process.argv[3] ?? 20));
const n = snapshot.resources.length;
const accounts = snapshot.source.accounts?.length ?? 0;
const engine = await Engine.load();
const base = loadPack();
/** The best of two evaluations (one run alone is noisy at small sizes). */
const time = (enabled: Set<string> | undefined): number => Math.min(once(enabled), once(enabled));
const once = (enabled: Set<string> | undefined): number => {
  const rules = Object.fromEntries(engine.rules.map((r) => [r.id, { ...(base.rules[r.id] ?? {}), enabled: !enabled || enabled.has(r.id) }]));
  const pack = { ...base, rules };
  const t0 = performance.now();
  engine.evaluate(snapshot, pack, { kind: "live" });
  return performance.now() - t0;
};
time(undefined); // warm-up
const all = time(undefined);
const none = time(new Set());
const rows = engine.rules.map((r) => ({ id: r.id, ms: time(new Set([r.id])) - none })).sort((a, b) => b.ms - a.ms);
console.log(
  `${n} resources in ${accounts} accounts: all rules ${all.toFixed(0)} ms, no rule ${none.toFixed(0)} ms, sum of single rules ${rows.reduce((s, r) => s + r.ms, 0).toFixed(0)} ms`,
);
for (const r of rows) console.log(`${r.ms.toFixed(0).padStart(7)} ms  ${r.id}`);
