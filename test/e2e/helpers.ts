import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../model/paths.js";
import { runCli, type CliRun } from "./inprocess.js";

export type { CliRun };

/**
 * Runs the CLI in this process (test/e2e/inprocess.ts: the sources, no start-up per command),
 * from the repository root unless `cwd` says otherwise, with `env` on top of this process's
 * environment. The behaviour tests use this one.
 */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return runCli(args, opts);
}

/**
 * Spawns the built CLI (`bin/rampart.js`, as `npx rampart` does, so dist/) in a child process,
 * from the repository root. Each call pays a Node start-up and the module load (0.5–3 s on this
 * machine): only the smoke tests (test/e2e/smoke.test.ts) and what must be a real process (a
 * kill, a terminal, a hang guard) use it; everything else uses `cli()`. Asynchronous, so a
 * loopback stub served from this process's event loop can answer it.
 */
export function spawnRampart(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin", "rampart.js"), ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

export function json(run: CliRun): any {
  return JSON.parse(run.stdout);
}

/** "status rule resource" for each finding, sorted: the exact-findings form the tests assert. */
export function findingKeys(doc: { findings: Array<{ status: string; ruleId: string; resource: { id: string } }> }): string[] {
  return doc.findings.map((f) => `${f.status} ${f.ruleId} ${f.resource.id}`).sort();
}
