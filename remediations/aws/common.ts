/** Helpers shared by the remediation modules. */
import { fingerprint } from "../../engine/engine.js";
import type { Finding } from "../../engine/findings.js";
import type { Resource, Snapshot } from "../../model/types.js";
import { isUnknown } from "../../model/types.js";
import type { Json, ManualItem } from "../types.js";

/**
 * Which of `keys` (the rule's detail keys, e.g. "statement:0:source-arn") a finding is:
 * the finding id is the fingerprint of rule, resource and key (engine.fingerprint).
 */
export function findingKey(f: Finding, keys: string[]): string | undefined {
  const r: Resource = {
    type: f.resource.type,
    id: f.resource.id,
    account: f.resource.account,
    region: f.resource.region,
    tags: {},
    properties: {},
    source: { kind: "aws", account: f.resource.account ?? "", region: f.resource.region ?? "" },
  };
  return keys.find((k) => fingerprint(f.ruleId, r, k) === f.id);
}

export function manual(f: Finding, reason: string, advice: string): ManualItem {
  return { findingId: f.id, ruleId: f.ruleId, resourceId: f.resource.id, reason, advice };
}

/** The snapshot's resource of a finding. */
export function snapshotResource(snapshot: Snapshot, f: Finding): Resource {
  const r = snapshot.resources.find((x) => x.type === f.resource.type && x.id === f.resource.id && (x.account ?? "") === (f.resource.account ?? ""));
  if (!r) throw new Error(`${f.resource.id} is not in the snapshot`);
  return r;
}

/** A property the fix needs, refusing unknown markers. */
export function known<T>(v: T, what: string): T {
  if (isUnknown(v)) throw new Error(`${what} is not known in the snapshot (${v.$unknown})`);
  return v;
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function clone<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The parameters value for this resource: a plain value, or a map keyed by resource name, id or ARN. */
export function perResource<T>(v: unknown, f: Finding, name?: string): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "object" && !Array.isArray(v)) {
    const m = v as Record<string, T>;
    return (
      m[f.resource.id] ?? (f.resource.arn ? m[f.resource.arn] : undefined) ?? (name ? m[name] : undefined) ?? (f.resource.name ? m[f.resource.name] : undefined)
    );
  }
  return v as T;
}
