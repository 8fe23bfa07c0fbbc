/**
 * The contract between the remediation runner (remediations/runner.ts) and the
 * per-rule modules (remediations/aws/<service>/<rule_name>.ts). See remediations/README.md.
 *
 * Everything a plan holds is plain JSON: it is printed, written to the run journal and
 * read back by `rampart fix --resume` and `rampart rollback`.
 */
import type { Finding } from "../engine/findings.js";
import type { Snapshot } from "../model/types.js";
import type { AwsClients } from "./clients.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One SDK call, exactly as it will be sent: `service` is the IAM action prefix, `action` the operation name. */
export interface ApiCall {
  service: string;
  /** AWS region, or "global" for IAM. */
  region: string;
  action: string;
  input: { [k: string]: Json };
}

/** What `read` needs to find the resource again: the service, region and the identifiers of the resource. */
export interface Target {
  service: string;
  region: string;
  account?: string;
  key: { [k: string]: string };
}

/** Confirmation flags of risky fixes. */
export type RiskFlag = "allow-traffic-impact" | "allow-user-impact";

export interface Risk {
  flag: RiskFlag;
  reason: string;
}

/** What a module's `plan` proposes for one resource. The runner adds ids, the diff and the findings. */
export interface ChangeDraft {
  target: Target;
  /** The part of the resource the fix touches, as `read` returns it. */
  before: Json;
  /** The same part after the fix. */
  after: Json;
  /** The calls that make `before` into `after`, in order. */
  calls: ApiCall[];
  /** The calls that make `after` into `before` again (what `rampart rollback` sends). */
  rollbackCalls: ApiCall[];
  /** The findings this change fixes (ids from the findings document). */
  findingIds: string[];
  /** One line: what changes. */
  summary: string;
  /** Set when the fix can cut traffic or lock users out: it is applied only with the flag. */
  risk?: Risk;
  notes?: string[];
}

/** A finding without a safe automatic fix: why, and what a person should do. */
export interface ManualItem {
  findingId: string;
  ruleId: string;
  resourceId: string;
  reason: string;
  advice: string;
}

export interface PlanResult {
  change?: ChangeDraft;
  manual: ManualItem[];
}

export interface PlanContext {
  /** The snapshot the findings came from, when there is one (plans then read no live state). */
  snapshot?: Snapshot;
  /** Live access (reads only during planning). Absent when planning offline against a snapshot. */
  aws?: AwsClients;
  /** This rule's parameters (validated against the module's `paramsSchema`). */
  params: Record<string, unknown>;
  /** The pack parameters (trustedAccounts, …). */
  packParams: Record<string, unknown>;
  /** Regions to look in when the plan needs related resources that the findings do not name. */
  regions: string[];
}

/** The module every remediation exports (as `remediation`). */
export interface Remediation {
  ruleId: string;
  /** IAM actions the fix calls: reads to plan and check drift, writes to apply and roll back. */
  permissions: string[];
  /** JSON Schema of the parameters (`--param <ruleId>.<name>=<value>`). */
  paramsSchema: Record<string, unknown>;
  /** Collector service ids to re-collect for the verify step. */
  verifyServices: string[];
  /**
   * Plans the fix of one resource's findings of this rule (all of them share
   * `resource.id`). Reads only; throws only on a fault reading the resource.
   */
  plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult>;
  /** Reads the current state of the part of the resource the fix touches (the shape of `before`). */
  read(target: Target, aws: AwsClients): Promise<Json>;
  /**
   * Sends the planned calls (default: `change.calls` in order). May return what the calls
   * answered that a rollback needs (the id of a created resource, say): the runner
   * journals it as the step's `result` before the step counts as applied.
   */
  apply?(change: { calls: ApiCall[] }, aws: AwsClients): Promise<Json | void>;
  /**
   * Restores the journaled before-state (default: `change.rollbackCalls` in order).
   * `result` is what `apply` returned, when the journal has it (a run killed between the
   * call and the journal write has none: the module must then find the resource itself).
   */
  restore?(change: { rollbackCalls: ApiCall[]; before: Json; after: Json; target: Target; result?: Json }, aws: AwsClients): Promise<void>;
  /** Whether two read states are the same for drift purposes (default: structural equality). */
  same?(a: Json, b: Json): boolean;
}
