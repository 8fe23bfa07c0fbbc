// The `fix` and `rollback` commands as the command line declares them.
import type { Command } from "commander";
import type { FixOptions } from "./fix.js";

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/** Registers `fix` and `rollback` on the program (cli/main.ts); their code (cli/fix.ts, the remediations, the AWS SDK) loads only when one runs. */
export function registerFixCommands(program: Command): void {
  program
    .command("fix")
    .description("plan fixes of findings (nothing changes); with --apply, make them after a confirmation, verify them, and journal them for rollback")
    .option("--findings <file>", "a findings document (rampart scan --format json)")
    .option("--from-scan", "scan the live account first and plan against that scan")
    .option("--snapshot <file>", "plan against a saved snapshot (offline; --apply checks live state for drift)")
    .option("--resume <run-id>", "finish an interrupted run from its journal")
    .option("--rule <id>", "only findings of this rule")
    .option("--resource <id>", "only findings on this resource (id, ARN or name)")
    .option("--apply", "make the planned changes (asks for confirmation on a terminal)")
    .option("--yes", "do not ask for confirmation (automation)")
    .option("--allow-traffic-impact", "also apply fixes that can cut network traffic")
    .option("--allow-user-impact", "also apply fixes that can lock users or workloads out")
    .option("--param <rule.name=value>", "a remediation parameter, e.g. iam-rolesanywhere-trust-scoped.certificateCN=app.example.com (repeatable)", collect, [])
    .option("--params <file>", "remediation parameters, JSON or YAML: {<rule-id>: {<name>: <value>}}")
    .option("--policy <file>", "policy pack for the evaluation and the verify step (default: policies/default.yaml)")
    .option(
      "--rules <path>",
      "also evaluate the user rules in this folder or bundle (their findings are reported; fixes are for built-in rules); repeatable",
      collect,
      [],
    )
    .option("--profile <name>", "AWS shared-config profile")
    .option("--regions <list>", "regions to scan (--from-scan) and to look for related resources in")
    .option("--concurrency <n>", "changes in flight at once (default 4)")
    .option("--runs-dir <dir>", "where run journals live (default .rampart/runs)")
    .option("--format <format>", "table | json", "table")
    .action(async (opts: FixOptions) => {
      const { fixCommand } = await import("./fix.js");
      process.exitCode = await fixCommand(opts);
    });

  program
    .command("rollback")
    .description("restore the before-states journaled by a `rampart fix --apply` run (refuses resources changed since the fix)")
    .argument("<run-id>", "the run id printed by rampart fix")
    .option("--yes", "do not ask for confirmation (automation)")
    .option("--profile <name>", "AWS shared-config profile")
    .option("--concurrency <n>", "restores in flight at once (default 4)")
    .option("--runs-dir <dir>", "where run journals live (default .rampart/runs)")
    .option("--format <format>", "table | json", "table")
    .action(async (runId: string, opts: Parameters<typeof import("./fix.js").rollbackCommand>[1]) => {
      const { rollbackCommand } = await import("./fix.js");
      process.exitCode = await rollbackCommand(runId, opts);
    });
}
