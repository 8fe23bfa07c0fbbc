// The command line: commands and options are declared here; what a command needs (the engine,
// loaders, collectors, report writers, the AWS SDK) is imported when it runs, so that
// `rampart --version`, `--help` and a one-file `rampart iac` do not pay for the rest.
import { availableParallelism } from "node:os";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import type { ComplianceSection, Framework, SchemePart } from "../engine/compliance.js";
import type { Engine } from "../engine/engine.js";
import { UserError } from "../model/errors.js";
import type { FindingsDocument } from "../engine/findings.js";
import type { PolicyPack } from "../engine/pack.js";
import { repoRoot } from "../model/paths.js";
import { VERSION } from "../model/version.js";
import type { OutputOptions } from "./output.js";
import { terminalText } from "../reports/escape.js";
import type { ScanExtras } from "./history.js";
import { registerFixCommands } from "./fix-commands.js";
import type { GateOptions } from "./gate.js";

interface Common extends OutputOptions {
  policy?: string;
  compliance?: string;
  jobs?: string;
  rules?: string[];
}

const INLINE_HELP =
  "do not apply waivers written in the templates (Metadata ignores, # rampart:ignore comments): only the policy pack's exceptions suppress findings";
const RULES_HELP = "also run the user rules in this folder of Rego source or rule bundle (`rampart rules build`); repeatable";

function addCommon(cmd: Command): Command {
  return cmd
    .option("--policy <file>", "policy pack (YAML); default: policies/default.yaml")
    .option("--rules <path>", RULES_HELP, collectOption, [])
    .option("--jobs <n>", "threads that evaluate the rules (default: the machine's cores; findings are the same for any number)")
    .option("--format <format>", "table | json | sarif | markdown | html | junit | csv | asff", "table")
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("--fail-on <severity>", "exit 1 when a failing finding is at or above this severity (critical|high|medium|low|info|none)", "high")
    .option("--fail-on-unknown", "exit 3 when the scan was incomplete or a rule could not decide")
    .option("--max-chars <n>", "with --format markdown: stay under N characters (default 65536, GitHub's PR-comment limit)")
    .option("--summary", "terminal report: counts, failing rules, top accounts/files and a screenful of the worst findings (the default on a terminal)")
    .option("--details", "terminal report: every finding with its why and fix (the default when piped)")
    .option("--rule <id>", "terminal report: only this rule's findings")
    .option("--compliance <framework>", "add the per-control view of a compliance framework to the report (ids: rampart compliance list)");
}

function typesOf(snapshot: { resources: Array<{ type: string }> }): Set<string> {
  return new Set(snapshot.resources.map((r) => r.type));
}

/** The per-control view of the evaluated parts of a scan (--compliance). */
async function complianceOf(framework: Framework, engine: Engine, parts: SchemePart[]): Promise<ComplianceSection> {
  const { evaluateCompliance } = await import("../engine/compliance.js");
  return evaluateCompliance(framework, engine.rules, parts);
}

function collectOption(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseJobs(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError(`--jobs ${value}: give a whole number from 1 to 256.`);
  return n;
}

async function prepare(opts: Common): Promise<{ engine: Engine; pack: PolicyPack; jobs: number; framework?: Framework }> {
  const jobs = parseJobs(opts.jobs);
  const framework = opts.compliance !== undefined ? (await import("../engine/compliance.js")).loadFramework(opts.compliance, "--compliance") : undefined;
  const { parseFormat, parseMaxChars, parseSeverity, parseView } = await import("./output.js");
  parseMaxChars(opts.maxChars, parseFormat(opts.format));
  parseView(opts, parseFormat(opts.format));
  parseSeverity(opts.failOn);
  const [{ checkPackRules, loadPack }, { loadEngine, userParams }] = await Promise.all([import("../engine/pack.js"), import("./user-rules.js")]);
  const pack = loadPack(opts.policy);
  const engine = await loadEngine(pack, opts.rules);
  parseView(opts, parseFormat(opts.format), new Set([...engine.rules.map((r) => r.id), "rampart-exception-expired"]));
  checkPackRules(pack, new Set(engine.rules.map((r) => r.id)), userParams(engine));
  return { engine, pack, jobs, framework };
}

function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserError(`--concurrency ${value}: give a whole number from 1 to 256.`);
  return n;
}

function parseRate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 10000)
    throw new UserError(`--rate ${value}: give API calls per second per account × region × service, a number above 0 (e.g. 5).`);
  return n;
}

function parseSource(value: string | undefined): "services" | "config" | undefined {
  if (value === undefined || value === "services" || value === "config") return value;
  throw new UserError(`--source ${value}: use 'services' (call each service) or 'config' (read AWS Config).`);
}

/** Progress on a TTY (accounts, regions, services done / total); silent in CI and when piped. */
function progressReporter(): ((p: { done: number; total: number; service?: string; account?: string; region?: string }) => void) | undefined {
  if (!process.stderr.isTTY || process.env.CI) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.done < p.total) return;
    last = now;
    const what = [p.account, p.region, p.service].filter(Boolean).join(" ");
    process.stderr.write(`\r\x1b[2Kcollecting ${p.done}/${p.total} ${what}`);
    if (p.done >= p.total) process.stderr.write("\r\x1b[2K");
  };
}

async function scanCommand(
  opts: Common &
    ScanExtras & {
      snapshot?: string;
      snapshotOut?: string;
      profile?: string;
      regions?: string;
      accounts?: string;
      roleName?: string;
      externalId?: string;
      org?: boolean;
      services?: string;
      concurrency?: string;
      rate?: string;
      source?: string;
      aggregator?: string;
    },
): Promise<number> {
  const { engine, pack, jobs, framework } = await prepare(opts);
  const startedAt = new Date();
  const [{ readSnapshot, writeSnapshot }, { emit }, { afterEvaluate }] = await Promise.all([
    import("../model/snapshot.js"),
    import("./output.js"),
    import("./history.js"),
  ]);
  let snapshot;
  if (opts.snapshot) {
    snapshot = readSnapshot(opts.snapshot);
  } else {
    const [{ collect }, { cloudControlTypes }] = await Promise.all([import("../collectors/aws/runner.js"), import("./user-rules.js")]);
    const regions =
      opts.regions === "all"
        ? "all"
        : opts.regions
            ?.split(",")
            .map((s) => s.trim())
            .filter(Boolean);
    snapshot = await collect({
      profile: opts.profile,
      regions,
      accounts: opts.accounts
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      roleName: opts.roleName,
      externalId: opts.externalId,
      services: opts.services
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      concurrency: parseConcurrency(opts.concurrency),
      ratePerSecond: parseRate(opts.rate),
      org: opts.org,
      source: parseSource(opts.source),
      aggregator: opts.aggregator,
      cloudControlTypes: await cloudControlTypes(engine, pack),
      onProgress: progressReporter(),
    });
  }
  if (opts.snapshotOut) writeSnapshot(opts.snapshotOut, snapshot);
  const doc = await engine.evaluateParallel(
    snapshot,
    pack,
    {
      kind: "live",
      startedAt,
      targets: opts.snapshot ? [opts.snapshot] : snapshot.source.accounts,
      includePasses: opts.format === "junit" || opts.to === "config",
    },
    jobs,
  );
  if (framework) doc.compliance = await complianceOf(framework, engine, [{ doc, kind: "live", types: typesOf(snapshot) }]);
  const exported = await afterEvaluate(doc, engine, opts);
  return Math.max(emit(doc, engine, opts), exported);
}

async function iacCommand(
  paths: string[],
  opts: Common &
    ScanExtras & {
      cfnParams?: string;
      account?: string;
      tfVar?: string[];
      tfVarFile?: string[];
      selection?: boolean;
      allowRead?: string[];
      summaryMarkdown?: string;
      inlineIgnores?: boolean;
    } & GateOptions,
): Promise<number> {
  if (opts.account !== undefined && !/^[0-9]{12}$/.test(opts.account)) throw new UserError(`--account ${opts.account}: an AWS account id is 12 digits.`);
  const { engine, pack, jobs, framework } = await prepare(opts);
  const startedAt = new Date();
  const [{ loadIac }, gate, { appendMarkdown, emit }, { afterEvaluate }] = await Promise.all([
    import("../collectors/iac/index.js"),
    import("./gate.js"),
    import("./output.js"),
    import("./history.js"),
  ]);
  const baseline = opts.baseline !== undefined ? gate.readBaseline(opts.baseline) : undefined;
  const files = opts.changedSince !== undefined ? await gate.selectChanged(paths, opts.changedSince, opts.tfVarFile) : paths;
  if (opts.changedSince !== undefined && files.length === 0) process.stderr.write("nothing to scan: no IaC file changed\n");
  const load = await loadIac(files, {
    cfnParams: opts.cfnParams,
    tfVars: opts.tfVar,
    tfVarFiles: opts.tfVarFile,
    account: opts.account,
    allowRead: opts.allowRead,
    roots: paths,
    // a selection (--changed-since, --selection) may hold no template; paths the user named must each yield one
    requireScanned: opts.changedSince === undefined && !opts.selection,
  });
  if (opts.selection && load.files.loaded === 0 && load.errors.length === 0)
    process.stderr.write(`nothing to scan: no IaC file among the ${paths.length} path(s) given\n`);
  // The account the templates deploy to: own-account checks (trust policies, key policies) use it.
  if (opts.account) for (const r of load.snapshot.resources) r.account = opts.account;
  const { inlineExceptions } = await import("../engine/pack.js");
  const waived = inlineExceptions(load.ignores, pack, { inline: opts.inlineIgnores, now: startedAt });
  const doc = await engine.evaluateParallel(
    load.snapshot,
    pack,
    {
      kind: "iac",
      startedAt,
      lineIndex: load.lineIndex,
      locate: load.locate,
      extraExceptions: waived,
      targets: paths,
      includePasses: opts.format === "junit",
    },
    jobs,
  );
  doc.scan.files = load.files;
  if (opts.changedSince !== undefined) doc.scan.changedSince = { ref: opts.changedSince, files: files.length };
  // the files this scan read (templates and .tf files): baseline entries of other files are not called fixed
  if (baseline && opts.baseline !== undefined) gate.applyBaseline(doc, baseline, opts.baseline, [...load.lineIndex.keys(), ...load.loadedFiles]);
  if (load.errors.length) doc.errors = load.errors;
  if (load.skipped.length) doc.skipped = load.skipped;
  if (load.warnings.length) doc.warnings = load.warnings;
  if (framework) doc.compliance = await complianceOf(framework, engine, [{ doc, kind: "iac", types: typesOf(load.snapshot) }]);
  await afterEvaluate(doc, engine, opts);
  const code = emit(doc, engine, opts);
  if (opts.summaryMarkdown !== undefined) appendMarkdown(doc, engine, opts.summaryMarkdown);
  if (opts.writeBaseline !== undefined) {
    const n = gate.writeBaseline(opts.writeBaseline, doc);
    process.stderr.write(`baseline written to ${opts.writeBaseline} (${n} finding(s))\n`);
  }
  if (load.errors.length) {
    for (const e of load.errors) process.stderr.write(`rampart: ${terminalText(e.file)}: ${terminalText(e.reason)}\n`);
    return 2;
  }
  // Writing a baseline accepts every current finding: they would all match it.
  return opts.writeBaseline !== undefined ? 0 : code;
}

async function demoCommand(opts: Common & { inlineIgnores?: boolean }): Promise<number> {
  // The demo's own pack (trusted accounts of the examples, one exception) unless --policy is given.
  const { engine, pack, framework } = await prepare({ ...opts, policy: opts.policy ?? path.join(repoRoot, "examples", "demo", "policy.yaml") });
  const startedAt = new Date();
  const [{ readSnapshot }, { emit, parseFormat, useColor }] = await Promise.all([import("../model/snapshot.js"), import("./output.js")]);
  const account = path.join(repoRoot, "examples", "demo", "account.json");
  const templates = path.join(repoRoot, "examples", "demo", "templates");
  const liveSnapshot = readSnapshot(account);
  const live = engine.evaluate(liveSnapshot, pack, { kind: "live", startedAt });
  let iacTypes: Set<string> = new Set();
  const { loadIac } = await import("../collectors/iac/index.js");
  const prev = process.cwd();
  process.chdir(repoRoot); // so template paths print as examples/demo/templates/…
  let iac: FindingsDocument;
  try {
    const load = await loadIac([path.relative(repoRoot, templates)]);
    const { inlineExceptions } = await import("../engine/pack.js");
    const waived = inlineExceptions(load.ignores, pack, { inline: opts.inlineIgnores, now: startedAt });
    iac = engine.evaluate(load.snapshot, pack, { kind: "iac", startedAt, lineIndex: load.lineIndex, locate: load.locate, extraExceptions: waived });
    iac.scan.files = load.files;
    iacTypes = typesOf(load.snapshot);
    if (load.skipped.length) iac.skipped = load.skipped;
    if (load.warnings.length) iac.warnings = load.warnings;
  } finally {
    process.chdir(prev);
  }
  // --compliance: each part's own view in the terminal; the merged document's view judges both.
  if (framework) {
    live.compliance = await complianceOf(framework, engine, [{ doc: live, kind: "live", types: typesOf(liveSnapshot) }]);
    iac.compliance = await complianceOf(framework, engine, [{ doc: iac, kind: "iac", types: iacTypes }]);
  }
  const format = parseFormat(opts.format);
  if (format === "table" && !opts.output) {
    const c = pc.createColors(useColor(process.stdout));
    process.stdout.write(`${c.bold("rampart demo")} — no AWS account needed. Two inputs, one set of rules:\n\n`);
    process.stdout.write(
      c.bold(
        c.underline(`1. A live-account snapshot: examples/demo/account.json (${live.summary.fail + live.summary.unknown + live.summary.pass} judgements)`),
      ) + "\n\n",
    );
    emit(live, engine, { ...opts, failOn: "none" });
    process.stdout.write("\n" + c.bold(c.underline("2. CloudFormation templates: examples/demo/templates/")) + "\n\n");
    emit(iac, engine, { ...opts, failOn: "none" });
    process.stdout.write(
      `\n${c.dim("Try: npx rampart rules list · npx rampart scan --snapshot examples/demo/account.json --format sarif · npx rampart iac --account 012345678912 examples/templates/")}\n`,
    );
    return 0;
  }
  const merged: FindingsDocument = {
    ...live,
    scan: { ...live.scan, targets: ["examples/demo/account.json", "examples/demo/templates"], files: iac.scan.files },
    summary: {
      fail: live.summary.fail + iac.summary.fail,
      unknown: live.summary.unknown + iac.summary.unknown,
      pass: live.summary.pass + iac.summary.pass,
      suppressed: live.summary.suppressed + iac.summary.suppressed,
      bySeverity: Object.fromEntries(
        [...new Set([...Object.keys(live.summary.bySeverity), ...Object.keys(iac.summary.bySeverity)])].map((k) => [
          k,
          (live.summary.bySeverity[k as keyof typeof live.summary.bySeverity] ?? 0) + (iac.summary.bySeverity[k as keyof typeof iac.summary.bySeverity] ?? 0),
        ]),
      ),
      rules: [...live.summary.rules, ...iac.summary.rules],
    },
    findings: [...live.findings, ...iac.findings],
  };
  if (framework)
    merged.compliance = await complianceOf(framework, engine, [
      { doc: live, kind: "live", types: typesOf(liveSnapshot) },
      { doc: iac, kind: "iac", types: iacTypes },
    ]);
  emit(merged, engine, { ...opts, failOn: "none" });
  return 0;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("rampart")
    .description("Policy-as-code compliance scanner for AWS: live accounts, CloudFormation and Terraform.")
    .version(VERSION)
    .showHelpAfterError("(run `rampart --help` for usage)")
    .configureOutput({ outputError: (str, write) => write(str) });

  addCommon(
    program
      .command("scan")
      .description("scan a live AWS account (read-only), or evaluate a saved snapshot")
      .option("--snapshot <file>", "evaluate a saved snapshot instead of calling AWS")
      .option("--snapshot-out <file>", "also write the collected snapshot to a file")
      .option("--profile <name>", "AWS shared-config profile")
      .option("--regions <list>", "comma-separated regions, or 'all' for the account's enabled regions")
      .option("--accounts <list>", "comma-separated account ids to assume --role-name into")
      .option("--role-name <name>", "role to assume in each account")
      .option("--external-id <id>", "external id for the assume-role calls")
      .option("--org", "scan every ACTIVE account of the organization (with --role-name)")
      .option("--source <source>", "services (call each service, the default) or config (read AWS Config)")
      .option("--aggregator <name>", "with --source config: read an AWS Config aggregator of the organization")
      .option("--services <list>", "only these collectors (e.g. iam,rolesanywhere)")
      .option("--concurrency <n>", "parallel API calls across accounts, regions and services")
      .option(
        "--rate <n>",
        "at most n API calls per second per account × region × service (default: AWS's published quotas and the SDK's adaptive retry); for accounts that share quotas with production",
      )
      .option(
        "--history <location>",
        "keep this scan's findings document as <location>/<timestamp>.json (a folder or s3://bucket/prefix); the HTML report draws a trend from it",
      )
      .option("--to <target>", "also send the findings to securityhub (BatchImportFindings) or config (PutEvaluations)")
      .option("--result-token <token>", "with --to config: the result token of the Config rule invocation (TESTMODE for a dry run)")
      .option("--account <id>", "terminal report: only this account's findings"),
  ).action(async (opts) => {
    process.exitCode = await scanCommand({ ...opts, accountFilter: opts.account });
  });

  addCommon(
    program
      .command("iac")
      .description("scan CloudFormation templates, Terraform plan JSON and Terraform .tf modules (files or folders)")
      .argument("<paths...>", "template files or folders")
      .option("--cfn-params <file>", "parameter values (aws cloudformation deploy --parameter-overrides file, or CodePipeline JSON)")
      .option("--tf-var <name=value>", "a Terraform input variable of the root modules (repeatable; wins over .tfvars files)", collectOption, [])
      .option("--tf-var-file <file>", "a Terraform .tfvars file for the root modules (repeatable; after terraform.tfvars and *.auto.tfvars)", collectOption, [])
      .option("--account <id>", "the AWS account the templates deploy to (rules treat it as the resources' own account)")
      .option(
        "--allow-read <path>",
        "also read files templates refer to (nested stacks) below this path; by default only the scanned paths and their git repository (repeatable)",
        collectOption,
        [],
      )
      .option("--history <location>", "keep this scan's findings document as <location>/<timestamp>.json (a folder or s3://bucket/prefix)")
      .option("--baseline <file>", "only findings not in this baseline count for the exit code (baseline findings stay in the report, marked)")
      .option("--write-baseline <file>", "write the current findings' fingerprints to a baseline file (exit 0 unless a file cannot be read)")
      .option("--changed-since <ref>", "only templates changed against a git ref (REF...HEAD, plus uncommitted and untracked changes)")
      .option("--summary-markdown <file>", "also append the Markdown report of this scan to a file (the GitHub Action's job summary, $GITHUB_STEP_SUMMARY)")
      .option("--no-inline-ignores", INLINE_HELP)
      .option(
        "--selection",
        "the paths are a selection of files (a pre-commit hook, a changed-files list): files that are not IaC are skipped, and no IaC file at all is not an error",
      ),
  ).action(async (paths: string[], opts) => {
    process.exitCode = await iacCommand(paths, opts);
  });

  const rules = program.command("rules").description("list the rules, show one; build, scaffold and test your own");
  /** The engine of `rules list|show`: the built-in rules, the pack's user rules and --rules. */
  const rulesEngine = async (opts: { policy?: string; rules?: string[] }) => {
    const [{ loadPack }, { loadEngine }] = await Promise.all([import("../engine/pack.js"), import("./user-rules.js")]);
    return loadEngine(opts.policy ? loadPack(opts.policy) : undefined, opts.rules);
  };
  rules
    .command("list", { isDefault: true })
    .description("every rule with its id, severity, family and the inputs it can judge")
    .addOption(new Option("--format <format>", "table | json").choices(["table", "json"]).default("table"))
    .option("--rules <path>", RULES_HELP, collectOption, [])
    .option("--policy <file>", "also list the user rules of this pack's ruleSources")
    .action(async (opts) => {
      const [{ rulesList }, { useColor }] = await Promise.all([import("./rules.js"), import("./output.js")]);
      process.stdout.write(rulesList(await rulesEngine(opts), opts.format, useColor(process.stdout)));
    });
  rules
    .command("show")
    .argument("<id>", "rule id")
    .description("a rule's description, logic, guidance and fix")
    .option("--rules <path>", RULES_HELP, collectOption, [])
    .option("--policy <file>", "also know the user rules of this pack's ruleSources")
    .action(async (id: string, opts) => {
      const [{ rulesShow }, { useColor }] = await Promise.all([import("./rules.js"), import("./output.js")]);
      process.stdout.write(rulesShow(await rulesEngine(opts), id, useColor(process.stdout)));
    });
  rules
    .command("build")
    .argument("<dir>", "a folder of user rules (Rego source)")
    .description("compile a folder of user rules into one bundle file that runs without opa (--rules FILE)")
    .option("-o, --output <file>", "the bundle file to write")
    .action(async (dir: string, opts: { output?: string }) => {
      const { rulesBuild } = await import("./user-rules.js");
      process.stderr.write(await rulesBuild(dir, opts.output));
    });
  rules
    .command("new")
    .argument("<id>", "the new rule's id: lower-case words joined by '-', the first naming the service (s3-bucket-encrypted)")
    .description("scaffold a user rule: <rule>.rego with METADATA, its Rego tests, its examples and a doc page, ready to edit")
    .option("--dir <dir>", "the folder of your rules", "rules")
    .option("--type <type>", "the CloudFormation resource type the rule reads", "AWS::S3::Bucket")
    .action(async (id: string, opts: { dir: string; type: string }) => {
      const { rulesNew } = await import("./rules-dev.js");
      process.stdout.write(await rulesNew(id, opts.dir, opts.type));
    });
  rules
    .command("test")
    .argument("<dir>", "a folder of user rules")
    .description("run the folder's Rego tests (opa test) and every rule's examples through the real loaders; exit 1 on a failure")
    .action(async (dir: string) => {
      const { rulesTest } = await import("./rules-dev.js");
      process.exitCode = await rulesTest(dir, (s) => process.stdout.write(s));
    });

  const compliance = program.command("compliance").description("the compliance frameworks, or one framework's controls and the rules that check them");
  compliance
    .command("list", { isDefault: true })
    .description("every shipped framework with its automated and manual controls")
    .addOption(new Option("--format <format>", "table | json").choices(["table", "json"]).default("table"))
    .action(async (opts) => {
      const [{ complianceList }, { useColor }] = await Promise.all([import("./compliance.js"), import("./output.js")]);
      process.stdout.write(complianceList((await rulesEngine({})).rules, opts.format, useColor(process.stdout)));
    });
  compliance
    .command("show")
    .argument("<id>", "framework id (rampart compliance list)")
    .description("a framework's controls: the rules that check each, or what a person verifies")
    .addOption(new Option("--format <format>", "table | json").choices(["table", "json"]).default("table"))
    .action(async (id: string, opts) => {
      const [{ complianceShow }, { useColor }, { loadFramework }] = await Promise.all([
        import("./compliance.js"),
        import("./output.js"),
        import("../engine/compliance.js"),
      ]);
      loadFramework(id, "rampart compliance show");
      process.stdout.write(complianceShow((await rulesEngine({})).rules, id, opts.format, useColor(process.stdout)));
    });

  addCommon(
    program
      .command("demo")
      .description("scan the bundled example account and templates (no AWS account needed)")
      .option("--account <id>", "terminal report: only this account's findings")
      .option("--no-inline-ignores", INLINE_HELP),
  ).action(async (opts) => {
    process.exitCode = await demoCommand({ ...opts, accountFilter: opts.account });
  });

  program
    .command("diff")
    .description("compare two findings documents (--format json output or --history files): new, resolved and unchanged findings")
    .argument("<old>", "the earlier findings document")
    .argument("<new>", "the later findings document")
    .addOption(new Option("--format <format>", "table | json | markdown").choices(["table", "json", "markdown"]).default("table"))
    .option("-o, --output <file>", "write the comparison to a file instead of stdout")
    .option("--fail-on-new", "exit 1 when NEW has failing findings that OLD did not")
    .action(async (oldFile: string, newFile: string, opts) => {
      const { diffCommand } = await import("./diff.js");
      process.exitCode = diffCommand(oldFile, newFile, opts);
    });

  program
    .command("permissions")
    .description("print the least-privilege, read-only IAM policy the scanner needs")
    .option("--remediation", "instead, the policy `rampart fix` and `rampart rollback` need (the union of the remediations' permissions)")
    .option("--rules <path>", "also the reads of these user rules (types without a collector are read through Cloud Control); repeatable", collectOption, [])
    .option("--policy <file>", "also the reads of this pack's ruleSources")
    .action(async (opts: { remediation?: boolean; rules: string[]; policy?: string }) => {
      if (opts.remediation) {
        const { remediationPermissions } = await import("../remediations/registry.js");
        process.stdout.write(JSON.stringify(await remediationPermissions(), null, 2) + "\n");
        return;
      }
      const { permissionsPolicy, OPTION_ACTIONS } = await import("../collectors/aws/index.js");
      const policy = permissionsPolicy();
      // The organization and AWS Config paths (--org, --source config, --aggregator) need a few more reads.
      policy.Statement.push({
        Sid: "RampartOrganizationAndConfig",
        Effect: "Allow",
        Action: [...new Set(Object.values(OPTION_ACTIONS).flat())].sort(),
        Resource: "*",
      });
      if (opts.rules.length > 0 || opts.policy) {
        const [{ loadPack }, { loadEngine, cloudControlTypes }, { CLOUDCONTROL_ACTIONS }] = await Promise.all([
          import("../engine/pack.js"),
          import("./user-rules.js"),
          import("../collectors/aws/cloudcontrol.js"),
        ]);
        const pack = opts.policy ? loadPack(opts.policy) : undefined;
        const types = await cloudControlTypes(await loadEngine(pack, opts.rules), pack);
        if (types.length > 0) {
          policy.Statement.push({ Sid: "RampartCloudControl", Effect: "Allow", Action: [...CLOUDCONTROL_ACTIONS], Resource: "*" });
          process.stderr.write(
            `rampart: the user rules read ${types.join(", ")} through Cloud Control, which also needs each type's own read permissions (its handlers' list and read permissions: \`aws cloudformation describe-type --type RESOURCE --type-name <type>\`); AWS's ReadOnlyAccess policy holds them.\n`,
          );
        }
      }
      process.stdout.write(JSON.stringify(policy, null, 2) + "\n");
    });

  registerFixCommands(program);

  return program;
}

/** Runs the CLI; returns the exit code. User errors print one line and return 2. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  for (const c of program.commands) {
    c.exitOverride();
    for (const cc of c.commands) cc.exitOverride();
  }
  try {
    process.exitCode = 0;
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2;
    }
    if (e instanceof UserError) {
      // A user error may quote a file name or a value from a template: each of its lines is inert text.
      process.stderr.write(`rampart: ${e.message.split("\n").map(terminalText).join("\n")}\n`);
      return e.exitCode;
    }
    process.stderr.write(`rampart: internal error: ${(e as Error)?.stack ?? e}\nPlease report this with the command you ran.\n`);
    return 4;
  }
}
