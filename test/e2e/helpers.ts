import { spawnSync } from "node:child_process";
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

/** Runs the built CLI (`bin/rampart.js`, as `npx rampart` does, so dist/) in a child process, from the repository root. */
export function rampart(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const r = spawnSync(process.execPath, [path.join(repoRoot, "bin", "rampart.js"), ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function json(run: CliRun): any {
  return JSON.parse(run.stdout);
}

/** "status rule resource" for each finding, sorted: the exact-findings form the tests assert. */
export function findingKeys(doc: { findings: Array<{ status: string; ruleId: string; resource: { id: string } }> }): string[] {
  return doc.findings.map((f) => `${f.status} ${f.ruleId} ${f.resource.id}`).sort();
}
