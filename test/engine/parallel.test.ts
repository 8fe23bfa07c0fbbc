// Engine.evaluateParallel (worker threads, `--jobs N`) gives the same findings document as the
// single-threaded evaluation, byte for byte apart from the finishing time.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { collectors } from "../../collectors/aws/index.js";
import { orgSnapshot, syntheticSnapshot } from "../../bench/synthetic.js";
import { Engine } from "../../engine/engine.js";
import type { FindingsDocument } from "../../engine/findings.js";
import { loadPack } from "../../engine/pack.js";
import { readSnapshot } from "../../model/snapshot.js";
import { repoRoot } from "../../model/paths.js";
import { cli, json } from "../e2e/helpers.js";

const at = new Date("2026-12-01T00:00:00Z");
const same = (d: FindingsDocument) => JSON.stringify({ ...d, scan: { ...d.scan, finishedAt: "" } });

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

describe("evaluation on worker threads", () => {
  const snapshots = {
    "an organization of 25 accounts (4 chunks)": () => orgSnapshot(1000, collectors),
    "2,000 resources in 20 accounts": () => syntheticSnapshot(2000, 20),
    "the demo account (one chunk: evaluated here)": () => readSnapshot(path.join(repoRoot, "examples", "demo", "account.json")),
  };
  it.each(Object.entries(snapshots))("%s: the same document with 1, 2 and 3 jobs", async (_, make) => {
    const snap = make();
    const opts = { kind: "live" as const, now: at, startedAt: at, includePasses: true };
    const one = same(engine.evaluate(snap, loadPack(), opts));
    expect(JSON.parse(one).findings.length).toBeGreaterThan(0);
    for (const jobs of [1, 2, 3]) expect(same(await engine.evaluateParallel(snap, loadPack(), opts, jobs))).toBe(one);
  });
});

describe("rampart scan --jobs", () => {
  it("gives the same findings with --jobs 1 and --jobs 2", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-jobs-"));
    try {
      const file = path.join(dir, "org.json");
      fs.writeFileSync(file, JSON.stringify(orgSnapshot(1000, collectors)));
      const runs = await Promise.all([1, 2].map((j) => cli(["scan", "--snapshot", file, "--format", "json", "--fail-on", "none", "--jobs", String(j)])));
      for (const r of runs) expect(r.code).toBe(0);
      const [a, b] = runs.map((r) => json(r).findings);
      expect(a.length).toBe(990);
      expect(b).toEqual(a);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(["0", "-1", "1.5", "x", "257"])("--jobs %s is a user error naming the flag (exit 2)", async (v) => {
    const r = await cli(["iac", "examples/templates", "--jobs", v]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rampart: --jobs ${v}: give a whole number from 1 to 256.\n`);
  });
});
