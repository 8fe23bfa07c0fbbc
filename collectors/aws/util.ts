/** Helpers shared by the service modules: calls, faults, tags, policy documents, ages. */
import type { CoverageStatus, Resource, Unknown } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import type { CollectContext, Origin } from "./types.js";

export type { Origin } from "./types.js";

/**
 * Waits for the action's rate limits, then makes the call:
 * `await call(ctx, "iam:ListRoles", () => client.send(new ListRolesCommand(…)))`.
 * A fault is re-thrown tagged with the action (see `actionOfError`), for the coverage entry.
 */
export async function call<T>(ctx: CollectContext, action: string, fn: () => Promise<T>): Promise<T> {
  await ctx.limit(action);
  try {
    return await fn();
  } catch (err) {
    if (typeof err === "object" && err !== null && !(ACTION in err)) {
      Object.defineProperty(err, ACTION, { value: action, enumerable: false });
    }
    throw err;
  }
}

const ACTION = "$rampartAction";

/** The action `call` tagged a fault with, if any. */
export function actionOfError(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const v = (err as Record<string, unknown>)[ACTION];
  return typeof v === "string" ? v : undefined;
}

/**
 * Like `call`, but a fault is recorded as a gap (`action`, `resourceTypes`) and yields
 * `undefined` instead of throwing, so the rest of the service is still read.
 */
export async function tryCall<T>(ctx: CollectContext, action: string, resourceTypes: string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(ctx, action, fn);
  } catch (err) {
    const f = classifyError(err);
    ctx.gap({ action, status: f.status, detail: f.detail, resourceTypes });
    return undefined;
  }
}

/** Error names meaning "the caller may not do this". */
const DENIED = /AccessDenied|^UnauthorizedOperation$|^UnauthorizedAccess|^AuthorizationError|^NotAuthorized|^Forbidden(Exception)?$|^AccessDeniedException$/;
/** The service or region is not enabled for the account: nothing to read there. */
const SKIPPED = /^(OptInRequired|SubscriptionRequiredException|InvalidAction)$/;
const THROTTLED =
  /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|RequestThrottled|RequestThrottledException|SlowDown|ProvisionedThroughputExceededException)$/;

export interface Fault {
  status: Exclude<CoverageStatus, "ok">;
  detail: string;
}

/**
 * Maps an SDK or network error to a coverage status: denied (AccessDenied,
 * UnauthorizedOperation, …AccessDeniedException), skipped (service not enabled or no
 * endpoint in the region), error (throttling after the SDK's retries, timeouts, 5xx,
 * network errors, anything else).
 */
export function classifyError(err: unknown): Fault {
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as {
    name?: string;
    code?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
    $fault?: string;
  };
  const name = e.name && e.name !== "Error" ? e.name : (e.code ?? e.Code ?? e.name ?? "Error");
  const message = (e.message ?? "").replace(/\s+/g, " ").trim();
  const attempts = e.$metadata?.attempts;
  const status = e.$metadata?.httpStatusCode;
  const clip = (s: string): string => (s.length > 500 ? `${s.slice(0, 497)}…` : s);
  if (DENIED.test(name)) return { status: "denied", detail: clip(`${name}: ${message}`) };
  if (SKIPPED.test(name)) return { status: "skipped", detail: clip(`${name}: ${message}`) };
  if (e.code === "ENOTFOUND" || /getaddrinfo ENOTFOUND/.test(message)) {
    return { status: "skipped", detail: clip(`no endpoint reachable (the service is probably not offered in this region): ${message}`) };
  }
  const after = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
  if (THROTTLED.test(name) || status === 429) return { status: "error", detail: clip(`throttled${after}: ${name}: ${message}`) };
  if (name === "TimeoutError" || /timed? ?out|ETIMEDOUT|ECONNRESET|socket hang up/i.test(`${name} ${message}`)) {
    return { status: "error", detail: clip(`timeout or connection reset${after}: ${name}: ${message}`) };
  }
  if (status !== undefined && status >= 500) return { status: "error", detail: clip(`server error ${status}${after}: ${name}: ${message}`) };
  return { status: "error", detail: clip(`${name}${after}: ${message}`) };
}

type TagLike = { Key?: string; Value?: string } | { key?: string; value?: string };

/** `[{Key, Value}]` (or `[{key, value}]`) → the model's tag map and the CloudFormation `Tags` list. */
export function convertTags(list: readonly TagLike[] | undefined): { tags: Record<string, string>; Tags: { Key: string; Value: string }[] } {
  const tags: Record<string, string> = {};
  const Tags: { Key: string; Value: string }[] = [];
  for (const t of list ?? []) {
    const key = "Key" in t ? t.Key : "key" in t ? t.key : undefined;
    const value = ("Value" in t ? t.Value : "value" in t ? t.value : undefined) ?? "";
    if (key === undefined) continue;
    tags[key] = value;
    Tags.push({ Key: key, Value: value });
  }
  return { tags, Tags };
}

/**
 * A policy document as IAM returns it (URL-encoded JSON) or as other services do (plain
 * JSON) → parsed JSON. Something that is not JSON becomes an unknown marker, never a guess.
 */
export function parsePolicyDocument(doc: string | undefined, what: string): unknown {
  if (doc === undefined || doc === "") return unknown(`${what}: no policy document returned`);
  const candidates: string[] = [];
  if (doc.trimStart().startsWith("{")) candidates.push(doc);
  try {
    candidates.push(decodeURIComponent(doc));
  } catch {
    // not URL-encoded
  }
  candidates.push(doc);
  for (const c of candidates) {
    try {
      const parsed: unknown = JSON.parse(c);
      if (typeof parsed === "object" && parsed !== null) return parsed;
    } catch {
      // try the next form
    }
  }
  return unknown(`${what}: the policy document is not valid JSON`);
}

export function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const t = d instanceof Date ? d : new Date(d);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** Whole days from `from` to `to` (floored, never negative). */
export function daysBetween(from: Date | string | undefined, to: Date): number | undefined {
  if (from === undefined) return undefined;
  const t = from instanceof Date ? from : new Date(from);
  if (Number.isNaN(t.getTime())) return undefined;
  return Math.max(0, Math.floor((to.getTime() - t.getTime()) / 86_400_000));
}

/** Drops keys whose value is undefined (keeps null): the snapshot carries no undefineds. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function unknownFromGap(action: string, why: string): Unknown {
  return unknown(`${action} ${why}`);
}

/** The common fields of a live resource (everything but its properties). */
export function liveResource(
  ctx: { account: string; region: string },
  type: string,
  id: string,
  arn: string | undefined,
  name: string | undefined,
  tags: Record<string, string>,
): Omit<Resource, "properties"> {
  return compact({
    type,
    id,
    arn,
    name,
    account: ctx.account,
    region: ctx.region,
    tags,
    source: { kind: "aws" as const, account: ctx.account, region: ctx.region },
  });
}

export function originOf(ctx: CollectContext): Origin {
  return { account: ctx.account, region: ctx.region, partition: ctx.partition };
}
