/**
 * Reading AWS Config's configuration items, for the service modules' `config` translations.
 *
 * Config writes an item's `configuration` in camelCase (some items in PascalCase), numbers
 * and booleans sometimes as strings, and tags in three spellings; these readers accept
 * all of them so a translation can map an item onto the SDK shape its collector already
 * turns into a resource.
 */
import type { Resource } from "../../model/types.js";
import type { ConfigItem, ConfigTranslation, Origin } from "./types.js";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field by its camelCase name, or the PascalCase spelling some items use. */
export function f(o: unknown, name: string): unknown {
  if (!isObj(o)) return undefined;
  if (name in o) return o[name];
  const pascal = name[0].toUpperCase() + name.slice(1);
  return o[pascal];
}
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined;
export const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const date = (v: unknown): Date | undefined => (typeof v === "string" || typeof v === "number" ? new Date(v) : v instanceof Date ? v : undefined);

/** JSON text → value (supplementary configuration values are JSON-encoded strings in a batch get). */
export function maybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!t.startsWith("{") && !t.startsWith("[") && !t.startsWith('"')) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** Config's tags: `[{key, value}]`, `[{Key, Value}]` or a `{key: value}` map → `[{Key, Value}]`. */
export function tagsOf(item: ConfigItem): { Key: string; Value: string }[] {
  const raw = item.tags ?? f(item.configuration, "tags");
  if (Array.isArray(raw)) {
    return raw.filter(isObj).flatMap((t) => {
      const key = str(f(t, "key"));
      return key === undefined ? [] : [{ Key: key, Value: str(f(t, "value")) ?? "" }];
    });
  }
  if (isObj(raw)) return Object.entries(raw).map(([Key, v]) => ({ Key, Value: typeof v === "string" ? v : String(v) }));
  return [];
}

/** The account, region and partition an item belongs to (an aggregator's items name their own). */
export function originOfItem(item: ConfigItem, fallback: Origin): Origin {
  return {
    account: item.accountId ?? fallback.account,
    region: item.awsRegion ?? fallback.region,
    partition: item.arn?.split(":")[1] || fallback.partition,
  };
}

/**
 * A translation of items one at a time: `{ "AWS::EC2::Subnet": { recordedAs: "AWS::EC2::Subnet", fromItem } }`
 * (common-model type → Config's type and the function turning one of its items into the resource).
 */
export function itemByItem(
  types: Record<string, { recordedAs: string; fromItem: (o: Origin, item: ConfigItem, collectedAt: Date) => Resource }>,
): ConfigTranslation {
  const byConfigType = new Map(Object.values(types).map((t) => [t.recordedAs, t.fromItem]));
  return {
    recordedAs: Object.fromEntries(Object.entries(types).map(([type, t]) => [type, t.recordedAs])),
    translate: (items, fallback, collectedAt) =>
      items.flatMap((i) => {
        const fromItem = byConfigType.get(i.resourceType);
        return fromItem ? [fromItem(originOfItem(i, fallback), i, collectedAt)] : [];
      }),
  };
}
