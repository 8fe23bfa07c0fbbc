/**
 * The remediation runner: plan → (confirm, in the CLI) → apply with a drift check and a
 * write-ahead journal → verify by re-collecting and re-evaluating → roll back.
 *
 * Every step is independent: a fault in one (a failed read, a refused call) is recorded
 * in that step and the others go on. Steps on the same resource run one after the other
 * (the second sees the first's result as drift and is refused); different resources run
 * with bounded concurrency.
 */
import { Ajv } from "ajv";
import { mapPool } from "../collectors/aws/concurrency.js";
import type { Engine } from "../engine/engine.js";
import { describeErrors } from "../model/validate.js";
import { UserError } from "../model/errors.js";
import type { Finding } from "../engine/findings.js";
import type { Snapshot } from "../model/types.js";
import type { PolicyPack } from "../engine/pack.js";
import type { AwsClients } from "./clients.js";
import { canonical, jsonDiff, renderDiff } from "./jsondiff.js";
import { type Change, type Journal, type Step, newRunId, transition, writeJournal } from "./journal.js";
import { remediationFor } from "./registry.js";
import type { Json, ManualItem, Remediation, RiskFlag } from "./types.js";
import { jsonEqual } from "./jsondiff.js";

export interface Plan {
  changes: Change[];
  manual: ManualItem[];
}

export interface PlanOptions {
  /** The snapshot the findings were evaluated on: plans then read no live state. */
  snapshot?: Snapshot;
  /** Live reads (required without a snapshot). */
  aws?: AwsClients;
  /** Per-rule parameters: `{ "<ruleId>": { name: value } }`. */
  params?: Record<string, Record<string, unknown>>;
  packParams?: Record<string, unknown>;
  regions?: string[];
  rule?: string;
  resource?: string;
  concurrency?: number;
}

const ajv = new Ajv({ allErrors: false, strict: false });

function errorText(e: unknown): string {
  const x = e as { name?: string; message?: string };
  const name = x?.name && x.name !== "Error" ? `${x.name}: ` : "";
  return `${name}${x?.message ?? String(e)}`.replace(/\s+/g, " ").trim();
}

function selected(f: Finding, opts: PlanOptions): boolean {
  if (f.status === "suppressed") return false;
  if (opts.rule && f.ruleId !== opts.rule) return false;
  if (opts.resource && ![f.resource.id, f.resource.arn, f.resource.name].includes(opts.resource)) return false;
  return true;
}

/** Plans the fixes of `findings`. Reads only; never throws for one finding's fault. */
export async function planFixes(findings: Finding[], opts: PlanOptions = {}): Promise<Plan> {
  const manual: ManualItem[] = [];
  const groups = new Map<string, { module: Remediation; findings: Finding[] }>();
  const manualOf = (f: Finding, reason: string, advice: string): ManualItem => ({
    findingId: f.id,
    ruleId: f.ruleId,
    resourceId: f.resource.id,
    reason,
    advice,
  });
  const chosen = findings.filter((f) => selected(f, opts));
  if ((opts.rule || opts.resource) && chosen.length === 0) {
    throw new UserError(`no finding matches${opts.rule ? ` --rule ${opts.rule}` : ""}${opts.resource ? ` --resource ${opts.resource}` : ""}.`);
  }
  let caller: string | undefined;
  if (!opts.snapshot && opts.aws) caller = await opts.aws.account();
  for (const f of chosen) {
    const module = remediationFor(f.ruleId);
    if (!module) {
      manual.push(manualOf(f, "rampart has no automatic fix for this rule", f.fix ?? "Fix it by hand: see `rampart rules show " + f.ruleId + "`."));
      continue;
    }
    if (f.status === "unknown") {
      manual.push(
        manualOf(
          f,
          "the rule could not decide (unknown), so there is nothing safe to change",
          `${f.message} Resolve the unknown (permissions, unresolved template values) and scan again.`,
        ),
      );
      continue;
    }
    if (f.location?.file) {
      manual.push(
        manualOf(
          f,
          "the finding is in infrastructure code, not in a live account",
          `Edit ${f.location.file}${f.location.line ? `:${f.location.line}` : ""} and deploy it. ${f.fix ?? ""}`.trim(),
        ),
      );
      continue;
    }
    if (caller && f.resource.account && f.resource.account !== caller) {
      manual.push(
        manualOf(
          f,
          `the resource is in account ${f.resource.account}, the credentials are for account ${caller}`,
          `Run \`rampart fix\` with credentials of account ${f.resource.account} (--profile).`,
        ),
      );
      continue;
    }
    const key = `${f.ruleId}\u0000${f.resource.type}\u0000${f.resource.id}\u0000${f.resource.account ?? ""}\u0000${f.resource.region ?? ""}`;
    const g = groups.get(key);
    if (g) g.findings.push(f);
    else groups.set(key, { module, findings: [f] });
  }

  const paramsFor = (m: Remediation): Record<string, unknown> => {
    const p = opts.params?.[m.ruleId] ?? {};
    const validate = ajv.compile(m.paramsSchema);
    if (!validate(p)) throw new UserError(`parameters of ${m.ruleId}: ${describeErrors(validate.errors)}`);
    return p;
  };
  for (const g of groups.values()) paramsFor(g.module); // fail fast on bad parameters

  const results = await mapPool([...groups.values()], opts.concurrency ?? 4, async (g) => {
    try {
      return await g.module.plan(g.findings, {
        snapshot: opts.snapshot,
        aws: opts.aws,
        params: paramsFor(g.module),
        packParams: opts.packParams ?? {},
        regions: opts.regions ?? [],
      });
    } catch (e) {
      return {
        manual: g.findings.map((f) =>
          manualOf(
            f,
            `the resource could not be read to plan the fix: ${errorText(e)}`,
            "Check the permissions from `rampart permissions --remediation` and run `rampart fix` again.",
          ),
        ),
      };
    }
  });

  const changes: Change[] = [];
  const list = [...groups.values()];
  results.forEach((r, i) => {
    manual.push(...r.manual);
    const d = r.change;
    if (!d) return;
    const first = list[i].findings[0];
    changes.push({
      id: String(changes.length + 1),
      ruleId: first.ruleId,
      resource: first.resource,
      target: d.target,
      before: d.before,
      after: d.after,
      diff: jsonDiff(d.before, d.after),
      calls: d.calls,
      rollbackCalls: d.rollbackCalls,
      findingIds: d.findingIds,
      summary: d.summary,
      ...(d.risk ? { risk: d.risk } : {}),
      ...(d.notes?.length ? { notes: d.notes } : {}),
    });
  });
  return { changes, manual };
}

// ---------------------------------------------------------------------------------------
// Apply, verify, roll back

export interface RunDeps {
  aws: AwsClients;
  runsDir: string;
  concurrency?: number;
  /** For the verify step. Without them, applied steps stay "applied". */
  engine?: Engine;
  pack?: PolicyPack;
  /** Re-collects services in regions of the run's account (default: the live collectors). */
  collect?: (req: { services: string[]; regions: string[] }) => Promise<Snapshot>;
  /** Called on each step transition (progress on the terminal). */
  onStep?: (step: Step) => void;
}

export function newJournal(plan: Plan, init: Pick<Journal, "input" | "allow" | "params"> & { account?: string; homeRegion?: string; runId?: string }): Journal {
  const now = new Date().toISOString();
  return {
    schemaVersion: "1",
    runId: init.runId ?? newRunId(),
    createdAt: now,
    updatedAt: now,
    input: init.input,
    ...(init.account ? { account: init.account } : {}),
    ...(init.homeRegion ? { homeRegion: init.homeRegion } : {}),
    allow: init.allow,
    params: init.params,
    steps: plan.changes.map((change) => ({ change, status: "planned", history: [{ at: now, status: "planned" }] })),
    manual: plan.manual,
  };
}

function moduleOf(step: Step): Remediation {
  const m = remediationFor(step.change.ruleId);
  if (!m) throw new Error(`no remediation module for ${step.change.ruleId}`);
  return m;
}

function same(m: Remediation, a: Json, b: Json): boolean {
  return m.same ? m.same(a, b) : jsonEqual(a, b);
}

function driftText(expected: Json, current: Json): string {
  const lines = renderDiff(jsonDiff(expected, current));
  const shown = lines.slice(0, 8).join("; ");
  return lines.length > 8 ? `${shown}; … (${lines.length - 8} more)` : shown;
}

/** Steps grouped by resource (same target → one after the other), groups in plan order. */
function byTarget(steps: Step[]): Step[][] {
  const groups = new Map<string, Step[]>();
  for (const s of steps) {
    const k = canonical(s.change.target as unknown as Json);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()];
}

async function sendAll(m: Remediation, calls: Change["calls"], aws: AwsClients, from: number, done: (n: number, result?: Json) => void): Promise<void> {
  if (m.apply && from === 0) {
    const result = await m.apply({ calls }, aws);
    done(calls.length, result ?? undefined);
    return;
  }
  for (let i = from; i < calls.length; i++) {
    await aws.call(calls[i]);
    done(i + 1);
  }
}

/** Applies one step; never throws (faults are recorded in the step). */
async function applyStep(j: Journal, step: Step, deps: RunDeps): Promise<void> {
  const save = (): void => {
    writeJournal(deps.runsDir, j);
    deps.onStep?.(step);
  };
  const c = step.change;
  if (step.status === "planned" && c.risk && !j.allow.includes(c.risk.flag)) {
    transition(step, "skipped", `${c.risk.reason} Apply it with --${c.risk.flag}.`);
    save();
    return;
  }
  let m: Remediation;
  try {
    m = moduleOf(step);
  } catch (e) {
    step.error = errorText(e);
    transition(step, "failed", step.error);
    save();
    return;
  }
  const resumed = step.status === "applying";
  if (!resumed) {
    transition(step, "applying");
    save();
  }
  let current: Json;
  try {
    current = await m.read(c.target, deps.aws);
  } catch (e) {
    step.error = `could not read the resource before the change: ${errorText(e)}`;
    transition(step, resumed ? "applying" : "failed", step.error);
    if (!resumed) step.callsDone = 0;
    save();
    return;
  }
  step.observedBefore = current;
  if (resumed && (step.callsDone ?? 0) > 0 && same(m, current, c.after)) {
    // Interrupted after the calls went through: the fix is in place.
    step.callsDone = c.calls.length;
    transition(step, "applied", "the interrupted run had already made the change");
    save();
    return;
  }
  if (!same(m, current, c.before)) {
    if (resumed && same(m, current, c.after)) {
      step.callsDone = c.calls.length;
      transition(step, "applied", "the interrupted run had already made the change");
    } else {
      transition(
        step,
        "refused-drift",
        `the resource changed since the plan: ${driftText(c.before, current)}. Run \`rampart fix\` again to plan against the current state.`,
      );
    }
    save();
    return;
  }
  step.callsDone = 0;
  save();
  try {
    await sendAll(m, c.calls, deps.aws, 0, (n, result) => {
      step.callsDone = n;
      if (result !== undefined) step.result = result;
      save();
    });
  } catch (e) {
    step.error = errorText(e);
    transition(step, "failed", `${c.calls[step.callsDone ?? 0]?.service}:${c.calls[step.callsDone ?? 0]?.action} failed: ${step.error}`);
    save();
    return;
  }
  transition(step, "applied");
  save();
}

/** Applies every step that is planned (or was interrupted), then verifies what was applied. */
export async function applyRun(j: Journal, deps: RunDeps): Promise<Journal> {
  writeJournal(deps.runsDir, j); // the before-states are on disk before any call
  const todo = j.steps.filter((s) => s.status === "planned" || s.status === "applying");
  await mapPool(byTarget(todo), deps.concurrency ?? 4, async (group) => {
    for (const step of group) {
      try {
        await applyStep(j, step, deps);
      } catch (e) {
        // applyStep records its own faults; this guards against a fault in the journal write itself.
        step.error = errorText(e);
        transition(step, "failed", step.error);
      }
    }
  });
  await verifyRun(j, deps);
  return j;
}

/** Re-collects the applied resources (once per service set and region) and re-evaluates their rules. */
export async function verifyRun(j: Journal, deps: RunDeps): Promise<void> {
  const applied = j.steps.filter((s) => s.status === "applied");
  if (applied.length === 0 || !deps.engine || !deps.pack) return;
  const engine = deps.engine;
  const pack = deps.pack;
  const collect = deps.collect ?? defaultCollect(deps.aws);
  const groups = new Map<string, Step[]>();
  for (const s of applied) {
    const m = remediationFor(s.change.ruleId);
    const services = [...(m?.verifyServices ?? [])].sort();
    const region = s.change.target.region === "global" ? "global" : s.change.target.region;
    const k = `${services.join(",")}|${region}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  for (const [k, steps] of groups) {
    const [services, region] = k.split("|");
    let doc;
    let snapshot: Snapshot;
    try {
      snapshot = await collect({ services: services.split(",").filter(Boolean), regions: region === "global" ? [deps.aws.homeRegion] : [region] });
      doc = engine.evaluate(snapshot, pack, { kind: "live" });
    } catch (e) {
      for (const s of steps) {
        transition(s, "unverified", `re-collection failed: ${errorText(e)}`);
        writeJournal(deps.runsDir, j);
      }
      continue;
    }
    const gaps = snapshot.coverage.filter((c) => c.status !== "ok");
    for (const s of steps) {
      const c = s.change;
      const present = c.resource.id.startsWith("(no ") || snapshot.resources.some((r) => r.id === c.resource.id && r.type === c.resource.type);
      const left = doc.findings.filter((f) => f.ruleId === c.ruleId && f.resource.id === c.resource.id && f.status !== "suppressed");
      const gapText = gaps.map((g) => `${g.action ?? g.service}: ${g.detail ?? g.status}`).join("; ");
      s.verify = c.findingIds.map((id) => {
        const f = left.find((x) => x.id === id);
        if (f?.status === "fail") return { findingId: id, outcome: "still-failing" as const, message: f.message };
        if (f || !present || gaps.length > 0)
          return {
            findingId: id,
            outcome: "unknown" as const,
            message: f?.message ?? (present ? `the re-collection was incomplete: ${gapText}` : "the resource was not found when collected again"),
          };
        return { findingId: id, outcome: "fixed" as const };
      });
      // New findings of the same rule on the resource (a different key) mean the fix is not done either.
      const known = new Set(j.manual.map((x) => x.findingId));
      for (const f of left)
        if (f.status === "fail" && !c.findingIds.includes(f.id) && !known.has(f.id))
          s.verify.push({ findingId: f.id, outcome: "still-failing", message: f.message });
      try {
        s.observedAfter = await moduleOf(s).read(c.target, deps.aws);
      } catch {
        // rollback then compares with the planned after-state
      }
      const outcomes = new Set(s.verify.map((v) => v.outcome));
      transition(s, outcomes.has("still-failing") ? "still-failing" : outcomes.has("unknown") ? "unverified" : "verified");
      writeJournal(deps.runsDir, j);
      deps.onStep?.(s);
    }
  }
}

function defaultCollect(aws: AwsClients): (req: { services: string[]; regions: string[] }) => Promise<Snapshot> {
  return async (req) => {
    const { collect } = await import("../collectors/aws/runner.js");
    return collect({ services: req.services, regions: req.regions, homeRegion: aws.homeRegion, credentials: await aws.credentialProvider() });
  };
}

const ROLLBACK_FROM = new Set<Step["status"]>(["applying", "applied", "verified", "still-failing", "unverified", "failed", "rolling-back", "rollback-failed"]);

/** Steps a rollback would touch. */
export function rollbackCandidates(j: Journal): Step[] {
  return j.steps.filter((s) => ROLLBACK_FROM.has(s.status) && !(s.status === "failed" && !s.callsDone));
}

/** Restores the journaled before-states, newest first; refuses a step whose resource changed since the fix. */
export async function rollbackRun(j: Journal, deps: RunDeps): Promise<Journal> {
  const steps = rollbackCandidates(j).reverse();
  const save = (s: Step): void => {
    writeJournal(deps.runsDir, j);
    deps.onStep?.(s);
  };
  await mapPool(byTarget(steps), deps.concurrency ?? 4, async (group) => {
    for (const s of group) {
      const c = s.change;
      try {
        const m = moduleOf(s);
        const current = await m.read(c.target, deps.aws);
        if (same(m, current, c.before)) {
          transition(s, "rolled-back", "the resource is already in its before-state");
          save(s);
          continue;
        }
        const fixed = (s.observedAfter !== undefined && same(m, current, s.observedAfter)) || same(m, current, c.after);
        if (!fixed) {
          transition(
            s,
            "rollback-refused-drift",
            `the resource changed since the fix: ${driftText(s.observedAfter ?? c.after, current)}. Restore it by hand if needed; the before-state is in the journal.`,
          );
          save(s);
          continue;
        }
        transition(s, "rolling-back");
        save(s);
        if (m.restore) await m.restore({ ...c, ...(s.result !== undefined ? { result: s.result } : {}) }, deps.aws);
        else for (const call of c.rollbackCalls) await deps.aws.call(call);
        const now = await m.read(c.target, deps.aws);
        if (same(m, now, c.before)) transition(s, "rolled-back");
        else transition(s, "rollback-failed", `after the rollback calls the resource differs from its before-state: ${driftText(c.before, now)}`);
        save(s);
      } catch (e) {
        s.error = errorText(e);
        transition(s, "rollback-failed", s.error);
        save(s);
      }
    }
  });
  return j;
}

export type { RiskFlag };
