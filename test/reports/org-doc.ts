// The organization-scale findings document the report tests share: the speed issue's benchmark
// shape (bench/synthetic.ts: 100,000 resources in 200 accounts) evaluated with every rule of the
// default pack, once per test file. Nothing is committed: the snapshot is generated.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { syntheticSnapshot } from "../../bench/synthetic.js";
import { Engine } from "../../engine/engine.js";
import type { FindingsDocument } from "../../engine/findings.js";
import { loadPack } from "../../engine/pack.js";

export const ORG_RESOURCES = 100_000;
export const ORG_ACCOUNTS = 200;

let cached: { engine: Engine; doc: FindingsDocument } | undefined;

export async function orgDoc(): Promise<{ engine: Engine; doc: FindingsDocument }> {
  if (cached) return cached;
  const engine = await Engine.load();
  const doc = engine.evaluate(syntheticSnapshot(ORG_RESOURCES, ORG_ACCOUNTS), loadPack(), { kind: "live", startedAt: new Date("2026-12-03T12:00:00Z") });
  return (cached = { engine, doc });
}

/** The snapshot as a file, for the CLI (`rampart scan --snapshot F`); the caller removes `dir`. */
export function orgSnapshotFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-org-"));
  const file = path.join(dir, "org-snapshot.json");
  fs.writeFileSync(file, JSON.stringify(syntheticSnapshot(ORG_RESOURCES, ORG_ACCOUNTS)));
  return { dir, file };
}
