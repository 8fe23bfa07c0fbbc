/**
 * `rampart fix` and `rampart rollback`: plan fixes of findings, apply them after a
 * confirmation, verify them, and roll them back. See remediations/README.md.
 */
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline/promises";
import YAML from "yaml";
import type { Engine } from "../engine/engine.js";
import { UserError } from "../model/errors.js";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { Snapshot } from "../model/types.js";
import { checkPackRules, loadPack, type PolicyPack } from "../engine/pack.js";
import { readSnapshot } from "../model/snapshot.js";
import { AwsClients } from "../remediations/clients.js";
import { renderDiff } from "../remediations/jsondiff.js";
import { type Journal, type Step, defaultRunsDir, journalPath, lockRun, readJournal } from "../remediations/journal.js";
import { remediationFor } from "../remediations/registry.js";
import { type Plan, applyRun, newJournal, planFixes, rollbackCandidates, rollbackRun, verifyRun } from "../remediations/runner.js";
import type { ApiCall, RiskFlag } from "../remediations/types.js";

export interface FixOptions {
  findings?: string;
  fromScan?: boolean;
  snapshot?: string;
  resume?: string;
  rule?: string;
  resource?: string;
  apply?: boolean;
  yes?: boolean;
  allowTrafficImpact?: boolean;
  allowUserImpact?: boolean;
  param?: string[];
  params?: string;
  rules?: string[];
  policy?: string;
  profile?: string;
  regions?: string;
  concurrency?: string;
  runsDir?: string;
  format?: string;
}

const out = (s: string): boolean => process.stdout.write(s);

function parseFormat(v: string | undefined): "table" | "json" {
  if (v === undefined || v === "table" || v === "json") return v ?? "table";
  throw new UserError(`--format ${v}: use table or json.`);
}

function parseConcurrency(v: string | undefined): number {
  if (v === undefined) return 4;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UserError(`--concurrency ${v}: give a whole number from 1 to 64.`);
  return n;
}

/** `--params file` (JSON or YAML `{ruleId: {name: value}}`) and `--param ruleId.name=value` (repeatable). */
export function parseParams(file: string | undefined, pairs: string[] = []): Record<string, Record<string, unknown>> {
  const params: Record<string, Record<string, unknown>> = {};
  if (file) {
    let doc: unknown;
    try {
      doc = YAML.parse(fs.readFileSync(file, "utf8"), { maxAliasCount: 100 });
    } catch (e) {
      throw new UserError(`--params ${file}: cannot read it as JSON or YAML (${(e as Error).message.split("\n")[0]}).`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new UserError(`--params ${file}: expected a map from rule id to parameters.`);
    for (const [rule, v] of Object.entries(doc as Record<string, unknown>)) {
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new UserError(`--params ${file}: ${rule}: expected a map of parameters.`);
      params[rule] = { ...(v as Record<string, unknown>) };
    }
  }
  for (const p of pairs) {
    const m = /^([a-z0-9-]+)\.([A-Za-z0-9_]+)=(.*)$/s.exec(p);
    if (!m) throw new UserError(`--param ${p}: write it as <rule-id>.<name>=<value>, e.g. iam-rolesanywhere-trust-scoped.certificateCN=app.example.com`);
    const [, rule, name, raw] = m;
    const module = remediationFor(rule);
    if (!module) throw new UserError(`--param ${p}: rule ${rule} has no automatic fix.`);
    type Schema = { type?: string; enum?: unknown[]; anyOf?: Schema[] };
    const props = (module.paramsSchema.properties ?? {}) as Record<string, Schema>;
    // What a parameter accepts, also through anyOf (e.g. a list, or a map by resource).
    const accepts = (t: string): boolean => props[name].type === t || (props[name].anyOf ?? []).some((x) => x.type === t);
    if (!(name in props)) throw new UserError(`--param ${p}: ${rule} has no parameter '${name}' (it has: ${Object.keys(props).join(", ") || "none"}).`);
    let value: unknown = raw;
    if (/^[[{]/.test(raw.trim())) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new UserError(`--param ${p}: the value looks like JSON but does not parse.`);
      }
    } else if (accepts("array")) {
      value = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    } else if (accepts("boolean") || props[name].enum?.includes(true)) {
      // A flag-like parameter: "true" / "false" on the command line are the booleans.
      if (raw !== "true" && raw !== "false") throw new UserError(`--param ${p}: ${rule}.${name} is true or false.`);
      value = raw === "true";
    }
    (params[rule] ??= {})[name] = value;
  }
  return params;
}

function readFindings(file: string): FindingsDocument {
  let doc: FindingsDocument;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8")) as FindingsDocument;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `--findings ${file}: ${code ? `cannot read the file (${code})` : `not valid JSON (${(e as Error).message})`}. Give the output of \`rampart scan --format json\`.`,
    );
  }
  if (doc?.schemaVersion !== "1" || !Array.isArray(doc.findings))
    throw new UserError(
      `--findings ${file}: not a rampart findings document (schemaVersion "1" with findings[]). Give the output of \`rampart scan --format json\`.`,
    );
  return doc;
}

async function enginePack(policy: string | undefined, rules: string[] = []): Promise<{ engine: Engine; pack: PolicyPack }> {
  const { loadEngine, userParams } = await import("./user-rules.js");
  const pack = loadPack(policy);
  const engine = await loadEngine(pack, rules);
  checkPackRules(pack, new Set(engine.rules.map((r) => r.id)), userParams(engine));
  return { engine, pack };
}

/** Asks on the terminal; refuses (exit 2) when there is none and --yes was not given. */
async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UserError(
      "refusing to change anything without a confirmation: there is no terminal to ask on. Review the plan and pass --yes to apply it non-interactively.",
    );
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

// --- rendering ------------------------------------------------------------------------

function showValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function renderCall(c: ApiCall, indent: string): string[] {
  const lines = [`${indent}${c.service}:${c.action}  (${c.region})`];
  for (const [k, v] of Object.entries(c.input)) lines.push(`${indent}    ${k} = ${showValue(v)}`);
  return lines;
}

export function renderPlan(plan: Plan, applying: boolean): string {
  const lines: string[] = [];
  lines.push(
    `rampart fix: ${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"} planned, ${plan.manual.length} finding${plan.manual.length === 1 ? "" : "s"} for a person${applying ? "" : " (nothing has been changed)"}`,
  );
  for (const c of plan.changes) {
    lines.push("");
    lines.push(`[${c.id}] ${c.ruleId}  ${c.resource.type} ${c.resource.id}`);
    lines.push(`    ${c.summary} (fixes ${c.findingIds.length} finding${c.findingIds.length === 1 ? "" : "s"})`);
    if (c.risk) lines.push(`    RISK: needs --${c.risk.flag}: ${c.risk.reason}`);
    lines.push("    calls:");
    for (const call of c.calls) lines.push(...renderCall(call, "      "));
    lines.push("    diff:");
    for (const d of renderDiff(c.diff)) lines.push(`      ${d}`);
    lines.push(`    rollback: ${c.rollbackCalls.map((r) => `${r.service}:${r.action}`).join(", ")} with the before-state`);
    for (const n of c.notes ?? []) lines.push(`    note: ${n}`);
  }
  if (plan.manual.length > 0) {
    lines.push("");
    lines.push("Not fixed automatically:");
    for (const m of plan.manual) {
      lines.push(`  - ${m.ruleId}  ${m.resourceId}`);
      lines.push(`      why: ${m.reason}`);
      lines.push(`      do:  ${m.advice}`);
    }
  }
  return lines.join("\n") + "\n";
}

const LABEL: Record<Step["status"], string> = {
  planned: "not started",
  skipped: "skipped",
  applying: "interrupted",
  "refused-drift": "refused (drift)",
  failed: "failed",
  applied: "applied",
  verified: "fixed",
  "still-failing": "still failing",
  unverified: "unverified",
  "rolling-back": "interrupted rollback",
  "rolled-back": "rolled back",
  "rollback-refused-drift": "rollback refused (drift)",
  "rollback-failed": "rollback failed",
};

export function renderRun(j: Journal, runsDir: string, mode: "apply" | "rollback"): string {
  const lines: string[] = [`run ${j.runId} (journal ${path.relative(process.cwd(), journalPath(runsDir, j.runId)) || journalPath(runsDir, j.runId)})`];
  const counts = new Map<string, number>();
  for (const s of j.steps) {
    const label = LABEL[s.status];
    counts.set(label, (counts.get(label) ?? 0) + 1);
    lines.push(`  [${s.change.id}] ${label.padEnd(16)} ${s.change.ruleId}  ${s.change.resource.id}`);
    const last = s.history[s.history.length - 1];
    if (last?.detail && s.status !== "verified") lines.push(`      ${last.detail}`);
    for (const v of s.verify ?? [])
      if (mode === "apply" && v.outcome !== "fixed") lines.push(`      finding ${v.findingId}: ${v.outcome}${v.message ? `: ${v.message}` : ""}`);
  }
  lines.push(`summary: ${[...counts.entries()].map(([k, n]) => `${n} ${k}`).join(", ") || "nothing to do"}`);
  if (mode === "apply" && rollbackCandidates(j).length > 0) lines.push(`undo with: rampart rollback ${j.runId}`);
  return lines.join("\n") + "\n";
}

// --- commands -------------------------------------------------------------------------

function awsFor(opts: { profile?: string }, homeRegion?: string): AwsClients {
  return new AwsClients({ profile: opts.profile, homeRegion });
}

function regionsOf(v: string | undefined): string[] {
  return (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function allowOf(opts: FixOptions): RiskFlag[] {
  const a: RiskFlag[] = [];
  if (opts.allowTrafficImpact) a.push("allow-traffic-impact");
  if (opts.allowUserImpact) a.push("allow-user-impact");
  return a;
}

async function runApply(
  j: Journal,
  opts: FixOptions,
  aws: AwsClients,
  engine: Engine,
  pack: PolicyPack,
  runsDir: string,
  format: "table" | "json",
): Promise<number> {
  const unlock = lockRun(runsDir, j.runId);
  try {
    await applyRun(j, { aws, runsDir, concurrency: parseConcurrency(opts.concurrency), engine, pack });
    // Steps an earlier, interrupted run applied but never verified.
    await verifyRun(j, { aws, runsDir, engine, pack });
  } finally {
    unlock();
  }
  out(format === "json" ? JSON.stringify(j, null, 2) + "\n" : renderRun(j, runsDir, "apply"));
  return j.steps.every((s) => s.status === "verified") ? 0 : 1;
}

export async function fixCommand(opts: FixOptions): Promise<number> {
  const format = parseFormat(opts.format);
  const runsDir = opts.runsDir ? path.resolve(opts.runsDir) : defaultRunsDir();
  const sources = [
    opts.findings ? "--findings" : "",
    opts.fromScan ? "--from-scan" : "",
    opts.snapshot ? "--snapshot" : "",
    opts.resume ? "--resume" : "",
  ].filter(Boolean);
  if (sources.length !== 1)
    throw new UserError(
      `give exactly one of --findings <file>, --from-scan, --snapshot <file> or --resume <run-id>${sources.length ? ` (got ${sources.join(", ")})` : ""}.`,
    );
  const allow = allowOf(opts);

  if (opts.resume) {
    const j = readJournal(runsDir, opts.resume);
    for (const a of allow) if (!j.allow.includes(a)) j.allow.push(a);
    const open = j.steps.filter((s) => s.status === "planned" || s.status === "applying" || s.status === "applied");
    if (open.length === 0) {
      out(renderRun(j, runsDir, "apply"));
      process.stderr.write(`rampart: run ${j.runId} has nothing left to apply.\n`);
      return j.steps.every((s) => s.status === "verified") ? 0 : 1;
    }
    const { engine, pack } = await enginePack(opts.policy ?? j.input.policy, opts.rules);
    const aws = awsFor(opts, j.homeRegion);
    try {
      const caller = await aws.account();
      if (j.account && caller !== j.account) throw new UserError(`run ${j.runId} works in account ${j.account}, the credentials are for ${caller}.`);
      if (format === "table") out(`resuming run ${j.runId}: ${open.length} step${open.length === 1 ? "" : "s"} to finish\n`);
      if (!(await confirm(`Resume run ${j.runId} in account ${caller}?`, opts.yes))) {
        process.stderr.write("rampart: nothing changed.\n");
        return 2;
      }
      return await runApply(j, opts, aws, engine, pack, runsDir, format);
    } finally {
      aws.destroy();
    }
  }

  const { engine, pack } = await enginePack(opts.policy, opts.rules);
  const params = parseParams(opts.params, opts.param);
  const regions = regionsOf(opts.regions);
  // Offline planning against a saved snapshot needs no credentials; anything else reads live state.
  const live = !opts.snapshot || opts.apply;
  const aws = live ? awsFor(opts) : undefined;
  try {
    let findings: Finding[];
    let snapshot: Snapshot | undefined;
    if (opts.findings) {
      findings = readFindings(opts.findings).findings;
    } else {
      if (opts.snapshot) {
        snapshot = readSnapshot(opts.snapshot);
      } else {
        const { collect } = await import("../collectors/aws/runner.js");
        snapshot = await collect({ profile: opts.profile, regions: regions.length ? regions : undefined });
      }
      findings = engine.evaluate(snapshot, pack, { kind: "live" }).findings;
    }
    const plan = await planFixes(findings, {
      snapshot,
      aws,
      params,
      packParams: pack.params,
      regions,
      rule: opts.rule,
      resource: opts.resource,
      concurrency: parseConcurrency(opts.concurrency),
    });
    if (!opts.apply) {
      if (format === "json") out(JSON.stringify(plan, null, 2) + "\n");
      else {
        out(renderPlan(plan, false));
        if (plan.changes.length > 0) {
          const flags = [...new Set(plan.changes.flatMap((c) => (c.risk ? [`--${c.risk.flag}`] : [])))];
          out(`\nTo make these changes, run the same command with --apply${flags.length ? ` (risky changes also need ${flags.join(" ")})` : ""}.\n`);
        }
      }
      return 0;
    }
    if (format === "table") out(renderPlan(plan, true));
    if (plan.changes.length === 0) {
      if (format === "json") out(JSON.stringify(plan, null, 2) + "\n");
      process.stderr.write("rampart: nothing to apply.\n");
      return plan.manual.length > 0 ? 1 : 0;
    }
    const caller = await (aws as AwsClients).account();
    const blocked = plan.changes.filter((c) => c.risk && !allow.includes(c.risk.flag));
    if (blocked.length && format === "table")
      out(
        `\n${blocked.length} risky change${blocked.length === 1 ? "" : "s"} will be skipped without ${[...new Set(blocked.map((c) => `--${c.risk?.flag}`))].join(" ")}.\n`,
      );
    const n = plan.changes.length - blocked.length;
    if (n > 0 && !(await confirm(`Apply ${n} change${n === 1 ? "" : "s"} to account ${caller}?`, opts.yes))) {
      process.stderr.write("rampart: nothing changed.\n");
      return 2;
    }
    const j = newJournal(plan, {
      input: { findings: opts.findings, snapshot: opts.snapshot, fromScan: opts.fromScan, policy: opts.policy, rule: opts.rule, resource: opts.resource },
      account: caller,
      homeRegion: (aws as AwsClients).homeRegion,
      allow,
      params,
    });
    if (format === "table") out(`\n`);
    return await runApply(j, opts, aws as AwsClients, engine, pack, runsDir, format);
  } finally {
    aws?.destroy();
  }
}

export async function rollbackCommand(
  runId: string,
  opts: { yes?: boolean; profile?: string; runsDir?: string; format?: string; concurrency?: string },
): Promise<number> {
  const format = parseFormat(opts.format);
  const runsDir = opts.runsDir ? path.resolve(opts.runsDir) : defaultRunsDir();
  const j = readJournal(runsDir, runId);
  const steps = rollbackCandidates(j);
  if (steps.length === 0) {
    if (format === "json") out(JSON.stringify(j, null, 2) + "\n");
    else out(renderRun(j, runsDir, "rollback"));
    process.stderr.write(`rampart: run ${runId} has nothing to roll back.\n`);
    return 0;
  }
  const aws = awsFor(opts, j.homeRegion);
  try {
    const caller = await aws.account();
    if (j.account && caller !== j.account) throw new UserError(`run ${runId} was made in account ${j.account}, the credentials are for ${caller}.`);
    if (format === "table") {
      out(`rampart rollback: ${steps.length} change${steps.length === 1 ? "" : "s"} of run ${runId} to restore\n`);
      for (const s of [...steps].reverse()) {
        out(`  [${s.change.id}] ${s.change.ruleId}  ${s.change.resource.id}\n`);
        for (const c of s.change.rollbackCalls) out(renderCall(c, "      ").join("\n") + "\n");
      }
    }
    if (!(await confirm(`Restore the before-state of ${steps.length} resource${steps.length === 1 ? "" : "s"} in account ${caller}?`, opts.yes))) {
      process.stderr.write("rampart: nothing changed.\n");
      return 2;
    }
    const unlock = lockRun(runsDir, runId);
    try {
      await rollbackRun(j, { aws, runsDir, concurrency: parseConcurrency(opts.concurrency) });
    } finally {
      unlock();
    }
    out(format === "json" ? JSON.stringify(j, null, 2) + "\n" : renderRun(j, runsDir, "rollback"));
    return steps.every((s) => s.status === "rolled-back") ? 0 : 1;
  } finally {
    aws.destroy();
  }
}
