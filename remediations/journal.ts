/**
 * The run journal: `.rampart/runs/<run-id>/journal.json`. It is written before any call
 * (with every step's before-state) and after every step transition, always atomically
 * (write a temporary file, fsync, rename), so a crash leaves either the old or the new
 * journal, never a torn one. `rampart fix --resume` and `rampart rollback` read it back.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../model/errors.js";
import type { Finding } from "../engine/findings.js";
import type { DiffOp } from "./jsondiff.js";
import type { ApiCall, Json, ManualItem, Risk, RiskFlag, Target } from "./types.js";

/** A planned change: the draft of a module plus what the runner adds. */
export interface Change {
  /** Stable within a run: `<n>` in plan order. */
  id: string;
  ruleId: string;
  resource: Finding["resource"];
  target: Target;
  before: Json;
  after: Json;
  diff: DiffOp[];
  calls: ApiCall[];
  rollbackCalls: ApiCall[];
  findingIds: string[];
  summary: string;
  risk?: Risk;
  notes?: string[];
}

export type StepStatus =
  | "planned" // nothing sent yet
  | "skipped" // a risky fix without its flag: nothing sent
  | "applying" // the drift check or a call is in flight (a crash here is reconciled on resume)
  | "refused-drift" // the resource changed since the plan: nothing sent
  | "failed" // a call failed (the step's `callsDone` says how many went through)
  | "applied" // every call went through; not verified yet
  | "verified" // re-collected and re-evaluated: the findings are gone
  | "still-failing" // re-evaluated: the rule still fails
  | "unverified" // the re-collection or re-evaluation could not decide
  | "rolling-back"
  | "rolled-back"
  | "rollback-refused-drift" // the resource changed since the fix: not restored
  | "rollback-failed";

export interface Step {
  change: Change;
  status: StepStatus;
  history: Array<{ at: string; status: StepStatus; detail?: string }>;
  /** How many of `change.calls` went through (for a failed or interrupted step). */
  callsDone?: number;
  /** The state read right before the calls (equal to `change.before`, or the drift). */
  observedBefore?: Json;
  /** The state read after the calls (rollback compares with it). */
  observedAfter?: Json;
  /** What the module's `apply` returned (e.g. the id of a created resource), for the rollback. */
  result?: Json;
  error?: string;
  /** Per finding: fixed / still failing / unknown. */
  verify?: Array<{ findingId: string; outcome: "fixed" | "still-failing" | "unknown"; message?: string }>;
}

export interface Journal {
  schemaVersion: "1";
  runId: string;
  createdAt: string;
  updatedAt: string;
  /** Where the findings came from, the pack, and the account the run works in. */
  input: { findings?: string; snapshot?: string; fromScan?: boolean; policy?: string; rule?: string; resource?: string };
  account?: string;
  /** The home region of the run's global calls (IAM). */
  homeRegion?: string;
  allow: RiskFlag[];
  params: Record<string, Record<string, unknown>>;
  steps: Step[];
  manual: ManualItem[];
}

export function defaultRunsDir(): string {
  return path.resolve(process.env.RAMPART_RUNS_DIR ?? path.join(".rampart", "runs"));
}

/** `20250630T101500Z-3f9a1c`: sortable, unique enough for one workstation. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

export function journalPath(runsDir: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new UserError(`'${runId}' is not a run id (see the run ids under ${runsDir}).`);
  return path.join(runsDir, runId, "journal.json");
}

/** Writes the journal atomically: temp file in the same folder, fsync, rename. */
export function writeJournal(runsDir: string, j: Journal): void {
  const file = journalPath(runsDir, j.runId);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  j.updatedAt = new Date().toISOString();
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, JSON.stringify(j, null, 2) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function readJournal(runsDir: string, runId: string): Journal {
  const file = journalPath(runsDir, runId);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(`run ${runId}: no journal at ${file} (${(e as NodeJS.ErrnoException).code ?? e}). Run ids are the folder names under ${runsDir}.`);
  }
  let j: Journal;
  try {
    j = JSON.parse(text) as Journal;
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message}); the run cannot be resumed or rolled back automatically.`);
  }
  if (j?.schemaVersion !== "1" || j.runId !== runId || !Array.isArray(j.steps)) throw new UserError(`${file}: not a rampart run journal.`);
  return j;
}

/** Moves a step to `status`, with a history entry. */
export function transition(step: Step, status: StepStatus, detail?: string): void {
  step.status = status;
  step.history.push({ at: new Date().toISOString(), status, ...(detail ? { detail } : {}) });
}

/**
 * An exclusive lock on a run (a `lock` file holding the pid), so that two processes never
 * work on the same journal. A lock left by a process that no longer runs is taken over.
 */
export function lockRun(runsDir: string, runId: string): () => void {
  const file = path.join(path.dirname(journalPath(runsDir, runId)), "lock");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(file, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UserError(`run ${runId} is in use by process ${pid}; wait for it to finish (or remove ${file} if that process is not rampart).`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new UserError(`run ${runId}: cannot take the lock ${file}.`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
