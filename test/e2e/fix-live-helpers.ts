/**
 * End to end `rampart fix` / `rampart rollback` against the stateful loopback AWS of
 * test/stub/aws-stub.ts (with its remediation fixtures), through the CLI run in-process
 * (test/e2e/inprocess.ts, the sources): one table row per remediation module, each against a fresh
 * stub. The fix-live-*.test.ts files hold the rows; this module runs them.
 *
 * What a row goes through (`runRow`):
 *
 * 1. `rampart scan --services … --regions … --format json --output findings.json --fail-on none`:
 *    the failing findings of the rule are exactly `failing` (resource ids).
 * 2. `rampart fix --findings findings.json --rule <id>`, as JSON and as a table: exactly
 *    the planned changes (`changes`: resource, calls, rollback calls, diff, risk) and the
 *    findings left to a person (`manual`); the table shows the call lines and "(nothing
 *    has been changed)"; the stub's state() did not change.
 * 3. With `risk`: `--apply --yes` without the flag skips the risky changes (journal:
 *    skipped) and changes nothing for them; safe changes of the same row are applied, and
 *    that run is rolled back.
 * 4. `--apply --yes [--<risk>] [--param …]`: exit 0, "[n] fixed", every journal step
 *    verified (planned → applying → applied → verified), and the stub's state is the
 *    initial state changed exactly as `applied` says.
 * 5. A fresh scan: the failing findings left are `remaining` (default none), and a plan
 *    for the rule changes nothing.
 * 6. `rampart rollback <run-id> --yes`: exit 0, "[n] rolled back", and the stub's state
 *    equals the initial one (both through `normalise`, for what AWS itself does not
 *    restore: update tokens, timestamps).
 *
 * Adding a module is one row: the rule, the services and region to scan, the expected
 * findings, calls and state change (computed from the initial state, so no generated id
 * is written out).
 *
 * The CLI runs asynchronously: the stub answers from this process's event loop.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import type { ApiCall, Json, RiskFlag } from "../../remediations/types.js";
import { startAwsStub, type AwsStub, type StubState } from "../stub/aws-stub.js";
import { runCli, type CliRun } from "./inprocess.js";

export const A = "111122223333";
export const REGIONS = ["us-east-1", "eu-west-1"];

export type { CliRun };

/** A fresh stub (the caller's own account is the member, with the remediation fixtures) and a working directory. */
export interface Env {
  stub: AwsStub;
  dir: string;
  /** Runs the CLI (in-process) in `dir` against the stub. */
  rampart(args: string[]): Promise<CliRun>;
  close(): Promise<void>;
}

export async function startEnv(regions: string[] = REGIONS): Promise<Env> {
  const stub = await startAwsStub({ accounts: [A], callerAccount: A, regions, remediationFixtures: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-fix-live-"));
  const env: Record<string, string> = {};
  // Nothing of the developer's AWS set-up may leak in (profiles, real keys, endpoints).
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  Object.assign(env, {
    NO_COLOR: "1",
    NODE_NO_WARNINGS: "1",
    AWS_ENDPOINT_URL: stub.url,
    AWS_ACCESS_KEY_ID: stub.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stub.secretAccessKey,
    AWS_REGION: regions[0],
    AWS_CONFIG_FILE: path.join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  });
  const rampart = (args: string[]): Promise<CliRun> => runCli(args, { cwd: dir, replaceEnv: env });
  return {
    stub,
    dir,
    rampart,
    close: async () => {
      await stub.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- reading the state ------------------------------------------------------------------

/** The regional data of the member account in `region`. */
export function regionState(s: StubState, region: string): Record<string, any> {
  const d = s.regions[`${A}|${region}`];
  if (!d) throw new Error(`no state for ${A}|${region}`);
  return d as Record<string, any>;
}

export function iamState(s: StubState): Record<string, any> {
  return s.iam[A] as Record<string, any>;
}

export function role(s: StubState, name: string): Record<string, any> {
  const r = iamState(s).roles.find((x: any) => x.RoleName === name);
  if (!r) throw new Error(`no role ${name}`);
  return r;
}

/** An IAM document as stored (URL-encoded JSON) → the parsed document. */
export const decodeDoc = (v: string): unknown => JSON.parse(decodeURIComponent(v));
export const encodeDoc = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

// --- the table ------------------------------------------------------------------------------

export interface RowContext {
  /** The stub's state before anything ran. */
  initial: StubState;
  region: string;
  /** The region's data in `initial`. */
  d: Record<string, any>;
}

export interface PlannedChange {
  /** The finding resource id the change is about. */
  resource: string;
  calls: ApiCall[];
  rollbackCalls: ApiCall[];
  /** "op path" of each entry of the change's diff. */
  diff: string[];
  risk?: RiskFlag;
}

export interface FixRow {
  rule: string;
  /** --services of the scans. */
  services: string;
  /** --regions of the scans (one region). */
  region: string;
  /** The stub's regions (default REGIONS). */
  stubRegions?: string[];
  /** Resource ids of the failing findings of the rule in the first scan (one entry per finding). */
  failing: (c: RowContext) => string[];
  /** --param values (`<rule>.<name>=<value>`) for every fix command. */
  params?: string[];
  /** Extra arguments of every fix command (e.g. --regions). */
  fixArgs?: string[];
  /** The changes the plan holds, in order. */
  changes: (c: RowContext) => PlannedChange[];
  /** Resource ids of the findings the plan leaves to a person. */
  manual?: (c: RowContext) => string[];
  /**
   * Makes `expected` (a copy of the initial state) into the state after the fix, in place.
   * `actual` (the state after the fix) and the journal's steps are there for values only
   * known afterwards (a created detector's id); anything copied from them is asserted there.
   */
  applied: (expected: StubState, c: RowContext & { actual: StubState; steps: any[] }) => void;
  /** Resource ids of the rule's failing findings after the fix (those left to a person). */
  remaining?: (c: RowContext) => string[];
  /** Applied to both sides of every state comparison: what AWS itself does not restore. */
  normalise?: (s: StubState, c: RowContext) => void;
}

function failingOf(doc: any, rule: string): string[] {
  return doc.findings
    .filter((f: any) => f.ruleId === rule && f.status === "fail")
    .map((f: any) => {
      expect(f.resource.account, `${rule} ${f.resource.id}`).toBe(A);
      return f.resource.id as string;
    })
    .sort();
}

function normalised(s: StubState, row: FixRow, c: RowContext): StubState {
  const x = clone(s);
  row.normalise?.(x, c);
  return x;
}

/** What the CLI printed, for assertion messages. */
const shown = (r: CliRun): string => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

export interface RowResult {
  runId: string;
  /** Wall time of each CLI command, ms. */
  timings: Record<string, number>;
}

/** Runs one row against a fresh stub (see the file comment). */
export async function runRow(row: FixRow): Promise<RowResult> {
  const env = await startEnv(row.stubRegions ?? REGIONS);
  const timings: Record<string, number> = {};
  const timed = async (label: string, args: string[]): Promise<CliRun> => {
    const t0 = performance.now();
    const r = await env.rampart(args);
    timings[label] = Math.round(performance.now() - t0);
    return r;
  };
  try {
    const initial = env.stub.state();
    const c: RowContext = { initial, region: row.region, d: regionState(initial, row.region) };
    const scanArgs = (out: string): string[] => [
      "scan",
      "--services",
      row.services,
      "--regions",
      row.region,
      "--format",
      "json",
      "--output",
      out,
      "--fail-on",
      "none",
    ];
    const fixArgs = (...more: string[]): string[] => [
      "fix",
      "--rule",
      row.rule,
      ...(row.params ?? []).flatMap((p) => ["--param", p]),
      ...(row.fixArgs ?? []),
      ...more,
    ];
    const expectedChanges = row.changes(c);
    const risks = [...new Set(expectedChanges.flatMap((x) => (x.risk ? [x.risk] : [])))];
    const journal = (id: string): any => JSON.parse(fs.readFileSync(path.join(env.dir, ".rampart", "runs", id, "journal.json"), "utf8"));

    // 1. Scan: exactly the expected failing findings of the rule.
    const scan = await timed("scan", scanArgs("findings.json"));
    expect(scan.code, shown(scan)).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(env.dir, "findings.json"), "utf8"));
    expect(
      doc.coverage.filter((x: any) => x.status !== "ok"),
      "coverage gaps",
    ).toEqual([]);
    expect(failingOf(doc, row.rule)).toEqual([...row.failing(c)].sort());
    expect(env.stub.state(), "a scan changes nothing").toEqual(initial);

    // 2. Plan, as JSON (exact) and as a table; nothing changes.
    const planJson = await timed("plan (json)", fixArgs("--findings", "findings.json", "--format", "json"));
    const planTable = await timed("plan (table)", fixArgs("--findings", "findings.json"));
    expect(planJson.code, shown(planJson)).toBe(0);
    const plan = JSON.parse(planJson.stdout);
    const manual = [...(row.manual?.(c) ?? [])].sort();
    expect(plan.manual.map((m: any) => m.resourceId).sort(), `manual items: ${JSON.stringify(plan.manual, null, 2)}`).toEqual(manual);
    expect(
      plan.changes.map((x: any) => ({
        resource: x.resource.id,
        calls: x.calls,
        rollbackCalls: x.rollbackCalls,
        diff: x.diff.map((d: any) => `${d.op} ${d.path}`),
        ...(x.risk ? { risk: x.risk.flag } : {}),
      })),
    ).toEqual(expectedChanges);
    // Every failing finding is either fixed by a change or left to a person.
    const fixedIds = plan.changes.flatMap((x: any) => x.findingIds).sort();
    const failingIds = doc.findings.filter((f: any) => f.ruleId === row.rule && f.status === "fail").map((f: any) => f.id);
    expect([...fixedIds, ...plan.manual.map((m: any) => m.findingId)].sort()).toEqual([...failingIds].sort());
    for (const x of plan.changes) expect(x.findingIds.length).toBeGreaterThan(0);

    expect(planTable.code, shown(planTable)).toBe(0);
    expect(planTable.stdout).toContain(
      `rampart fix: ${expectedChanges.length} change${expectedChanges.length === 1 ? "" : "s"} planned, ${manual.length} finding${manual.length === 1 ? "" : "s"} for a person (nothing has been changed)`,
    );
    plan.changes.forEach((x: any, i: number) => {
      expect(planTable.stdout).toContain(`[${i + 1}] ${row.rule}  ${x.resource.type} ${x.resource.id}`);
      for (const call of x.calls) expect(planTable.stdout).toContain(`      ${call.service}:${call.action}  (${call.region})`);
      if (x.risk) expect(planTable.stdout).toContain(`    RISK: needs --${x.risk.flag}: ${x.risk.reason}`);
    });
    expect(planTable.stdout).toContain(
      `To make these changes, run the same command with --apply${risks.length ? ` (risky changes also need ${risks.map((r) => `--${r}`).join(" ")})` : ""}.`,
    );
    expect(env.stub.state(), "planning changes nothing").toEqual(initial);

    // 3. A risky change without its flag is skipped: it changes nothing. The safe changes of a
    //    row that mixes both are applied; that run is rolled back before step 4.
    if (risks.length > 0) {
      const skipped = await timed("apply without the risk flag", fixArgs("--findings", "findings.json", "--apply", "--yes"));
      expect(skipped.code, shown(skipped)).toBe(1);
      expect(skipped.stdout).toContain(`will be skipped without ${risks.map((r) => `--${r}`).join(" ")}`);
      const id = /run (\S+) \(journal/.exec(skipped.stdout)?.[1] ?? "";
      const j = journal(id);
      expect(j.steps.map((s: any) => s.status)).toEqual(expectedChanges.map((x) => (x.risk ? "skipped" : "verified")));
      if (expectedChanges.every((x) => x.risk)) {
        expect(env.stub.state(), "a skipped change changes nothing").toEqual(initial);
      } else {
        const undo = await timed("rollback of the safe changes", ["rollback", id, "--yes"]);
        expect(undo.code, shown(undo)).toBe(0);
        expect(journal(id).steps.map((s: any) => s.status)).toEqual(expectedChanges.map((x) => (x.risk ? "skipped" : "rolled-back")));
        expect(normalised(env.stub.state(), row, c), "the safe changes rolled back").toEqual(normalised(initial, row, c));
      }
    }

    // 4. Apply: fixed, journaled, and exactly the expected state change.
    const apply = await timed("apply", fixArgs("--findings", "findings.json", "--apply", "--yes", ...risks.map((r) => `--${r}`)));
    expect(apply.code, shown(apply)).toBe(0);
    const runId = /run (\S+) \(journal/.exec(apply.stdout)?.[1] ?? "";
    expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    plan.changes.forEach((x: any, i: number) => expect(apply.stdout).toMatch(new RegExp(`\\[${i + 1}\\] fixed\\s+${row.rule}  ${escapeRe(x.resource.id)}`)));
    expect(apply.stdout).toContain(`summary: ${expectedChanges.length} fixed`);
    expect(apply.stdout).toContain(`undo with: rampart rollback ${runId}`);
    const j = journal(runId);
    expect(j.account).toBe(A);
    expect(j.steps.map((s: any) => s.status)).toEqual(expectedChanges.map(() => "verified"));
    for (const [i, s] of j.steps.entries()) {
      expect(s.history.map((h: any) => h.status)).toEqual(["planned", "applying", "applied", "verified"]);
      expect(s.callsDone).toBe(expectedChanges[i].calls.length);
      expect(
        s.verify.every((v: any) => v.outcome === "fixed"),
        JSON.stringify(s.verify),
      ).toBe(true);
      expect(s.change.calls).toEqual(expectedChanges[i].calls);
    }
    const actual = env.stub.state();
    const expected = clone(initial);
    row.applied(expected, { ...c, actual, steps: j.steps });
    expect(normalised(actual, row, c), "the state after the fix").toEqual(normalised(expected, row, c));

    // 5. Idempotent: a fresh scan leaves only what a person must do, and the plan changes nothing.
    const rescan = await timed("scan again", scanArgs("findings-after.json"));
    expect(rescan.code, shown(rescan)).toBe(0);
    const after = JSON.parse(fs.readFileSync(path.join(env.dir, "findings-after.json"), "utf8"));
    const remaining = [...(row.remaining?.(c) ?? [])].sort();
    expect(failingOf(after, row.rule)).toEqual(remaining);
    const again = await timed("plan again", fixArgs("--findings", "findings-after.json", "--format", "json"));
    if (after.findings.some((f: any) => f.ruleId === row.rule && f.status !== "suppressed")) {
      expect(again.code, shown(again)).toBe(0);
      const p2 = JSON.parse(again.stdout);
      expect(p2.changes).toEqual([]);
      expect(p2.manual.map((m: any) => m.resourceId).sort()).toEqual(remaining);
    } else {
      expect(again.code, shown(again)).toBe(2);
      expect(again.stderr).toContain(`no finding matches --rule ${row.rule}`);
    }

    // 6. Roll back: the account is as it was.
    const rollback = await timed("rollback", ["rollback", runId, "--yes"]);
    expect(rollback.code, shown(rollback)).toBe(0);
    expect(rollback.stdout).toContain(
      `rampart rollback: ${expectedChanges.length} change${expectedChanges.length === 1 ? "" : "s"} of run ${runId} to restore`,
    );
    plan.changes.forEach((x: any, i: number) =>
      expect(rollback.stdout).toMatch(new RegExp(`\\[${i + 1}\\] rolled back\\s+${row.rule}  ${escapeRe(x.resource.id)}`)),
    );
    expect(journal(runId).steps.map((s: any) => s.status)).toEqual(expectedChanges.map(() => "rolled-back"));
    expect(normalised(env.stub.state(), row, c), "the state after the rollback").toEqual(normalised(initial, row, c));
    return { runId, timings };
  } finally {
    await env.close();
  }
}

export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One planned call. */
export function call(service: string, region: string, action: string, input: Record<string, Json>): ApiCall {
  return { service, region, action, input };
}

/** Prints a row's timings (collected by the test files for the report). */
export function logTimings(rule: string, r: RowResult): void {
  const total = Object.values(r.timings).reduce((a, b) => a + b, 0);
  console.log(
    `${rule}: ${Object.entries(r.timings)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(", ")} (sum ${total} ms)`,
  );
}
