/**
 * AWS Config as the source (`scan --source config`): instead of calling each service,
 * read the resources AWS Config has recorded, from the account's recorder
 * (SelectResourceConfig, per region) or from an aggregator (SelectAggregateResourceConfig,
 * once, `--aggregator NAME`), and hand the configuration items to the service modules'
 * own translations (`ServiceCollector.config`), so they become the same resources the
 * service collectors produce.
 *
 * The select returns each item's `configuration`; an item without it is completed with
 * BatchGetResourceConfig / BatchGetAggregateResourceConfig. Types rampart reads that
 * Config does not record (or does not record with what the rules need) are reported as a
 * `skipped` coverage entry naming them, never as "no resources".
 */
import {
  BatchGetAggregateResourceConfigCommand,
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
  type BaseConfigurationItem,
  type ConfigurationRecorder,
  type ResourceType,
} from "@aws-sdk/client-config-service";
import type { Resource } from "../../model/types.js";
import { isObj, maybeJson, type Obj, str } from "./configitem.js";
import type { CollectContext, ConfigItem, Origin, ServiceCollector } from "./types.js";
import { call } from "./util.js";

export type { ConfigItem } from "./types.js";

export const CONFIG_RECORDER_ACTIONS: readonly string[] = [
  "config:DescribeConfigurationRecorders",
  "config:SelectResourceConfig",
  "config:BatchGetResourceConfig",
];
export const CONFIG_AGGREGATOR_ACTIONS: readonly string[] = ["config:SelectAggregateResourceConfig", "config:BatchGetAggregateResourceConfig"];

export function fromBatchItem(b: BaseConfigurationItem): ConfigItem {
  return {
    resourceId: b.resourceId ?? "",
    resourceType: b.resourceType ?? "",
    resourceName: b.resourceName,
    arn: b.arn,
    awsRegion: b.awsRegion,
    accountId: b.accountId,
    configuration: isObj(maybeJson(b.configuration)) ? (maybeJson(b.configuration) as Obj) : undefined,
    supplementaryConfiguration: b.supplementaryConfiguration
      ? Object.fromEntries(Object.entries(b.supplementaryConfiguration).map(([k, v]) => [k, maybeJson(v)]))
      : undefined,
  };
}

// --- reading ---------------------------------------------------------------------------

const FIELDS = "resourceId, resourceType, resourceName, arn, awsRegion, accountId, configuration, supplementaryConfiguration, tags";

export function selectQuery(configTypes: readonly string[]): string {
  return `SELECT ${FIELDS} WHERE resourceType IN (${configTypes.map((t) => `'${t}'`).join(", ")})`;
}

function parseRow(row: string): ConfigItem | undefined {
  try {
    const o: unknown = JSON.parse(row);
    if (!isObj(o) || typeof o.resourceId !== "string" || typeof o.resourceType !== "string") return undefined;
    const sup = isObj(o.supplementaryConfiguration)
      ? Object.fromEntries(Object.entries(o.supplementaryConfiguration).map(([k, v]) => [k, maybeJson(v)]))
      : undefined;
    return {
      resourceId: o.resourceId,
      resourceType: o.resourceType,
      resourceName: str(o.resourceName),
      arn: str(o.arn),
      awsRegion: str(o.awsRegion),
      accountId: str(o.accountId),
      configuration: isObj(maybeJson(o.configuration)) ? (maybeJson(o.configuration) as Obj) : undefined,
      supplementaryConfiguration: sup,
      tags: o.tags,
    };
  } catch {
    return undefined;
  }
}

const DELETED = /^ResourceDeleted/;

export interface ConfigSourceOptions {
  /** Read from this aggregator (in the caller's account) instead of each account's recorder. */
  aggregator?: string;
  /** The selected service collectors: their types are read, through their own `config` translations. */
  collectors: readonly ServiceCollector[];
}

/** Common-model type → Config's type, for every type of `collectors` that Config records. */
function recordedTypes(collectors: readonly ServiceCollector[]): Record<string, string> {
  return Object.assign({}, ...collectors.map((c) => c.config?.recordedAs ?? {}));
}

/** Configuration items → resources, each item through the translation of the collector recording its type (the items of one read, so translations can join them). */
export function translateItems(collectors: readonly ServiceCollector[], items: readonly ConfigItem[], fallback: Origin, collectedAt: Date): Resource[] {
  return collectors.flatMap((c) => {
    if (!c.config) return [];
    const mine = new Set(Object.values(c.config.recordedAs));
    const its = items.filter((i) => mine.has(i.resourceType));
    return its.length > 0 ? c.config.translate(its, fallback, collectedAt) : [];
  });
}

/** Which of `configTypes` the region's recorder records; `undefined` recorder means none exists. */
function recordedBy(recorder: ConfigurationRecorder | undefined, configTypes: readonly string[], globalTypes: ReadonlySet<string>): Set<string> {
  if (!recorder) return new Set();
  const g = recorder.recordingGroup;
  const strategy = g?.recordingStrategy?.useOnly;
  const listed = new Set<string>(g?.resourceTypes ?? []);
  const excluded = new Set<string>(g?.exclusionByResourceTypes?.resourceTypes ?? []);
  const out = new Set<string>();
  for (const t of configTypes) {
    let yes: boolean;
    if (strategy === "EXCLUSION_BY_RESOURCE_TYPES") yes = !excluded.has(t);
    else if (strategy === "INCLUSION_BY_RESOURCE_TYPES" || g?.allSupported === false) yes = listed.has(t);
    else yes = globalTypes.has(t) ? g?.includeGlobalResourceTypes === true || listed.has(t) : true;
    if (yes) out.add(t);
  }
  return out;
}

/** A collector reading the wanted types from AWS Config. Aggregator mode runs once (as a global collector, in the home region). */
export function configSource(opts: ConfigSourceOptions): ServiceCollector {
  const CONFIG_TYPE = recordedTypes(opts.collectors);
  // Global collectors' types (IAM) are recorded in one region only.
  const GLOBAL_TYPES = new Set(Object.values(recordedTypes(opts.collectors.filter((c) => c.global))));
  const wanted = [...new Set(opts.collectors.flatMap((c) => c.resourceTypes))].sort();
  const translatable = wanted.filter((t) => t in CONFIG_TYPE);
  const notRecorded = wanted.filter((t) => !(t in CONFIG_TYPE));
  const aggregator = opts.aggregator;
  const selectAction = aggregator ? "config:SelectAggregateResourceConfig" : "config:SelectResourceConfig";
  const batchAction = aggregator ? "config:BatchGetAggregateResourceConfig" : "config:BatchGetResourceConfig";
  return {
    service: "config",
    global: aggregator !== undefined,
    resourceTypes: translatable,
    actions: [...(aggregator ? CONFIG_AGGREGATOR_ACTIONS : CONFIG_RECORDER_ACTIONS)],
    async collect(ctx: CollectContext) {
      if (notRecorded.length > 0) {
        ctx.gap({
          action: selectAction,
          status: "skipped",
          detail: `AWS Config does not record ${notRecorded.join(", ")} (or not with what the rules read): scan without --source config to collect them`,
          resourceTypes: notRecorded,
        });
      }
      if (translatable.length === 0) return [];
      const client = new ConfigServiceClient(ctx.clientConfig);
      try {
        let configTypes = translatable.map((t) => CONFIG_TYPE[t]);
        if (!aggregator) {
          const r = await call(ctx, "config:DescribeConfigurationRecorders", () => client.send(new DescribeConfigurationRecordersCommand({})));
          const recorded = recordedBy(r.ConfigurationRecorders?.[0], configTypes, GLOBAL_TYPES);
          const missing = translatable.filter((t) => !recorded.has(CONFIG_TYPE[t]));
          if (missing.length > 0) {
            const why = r.ConfigurationRecorders?.length
              ? `the AWS Config recorder in ${ctx.region} does not record ${missing.map((t) => CONFIG_TYPE[t]).join(", ")}${missing.some((t) => GLOBAL_TYPES.has(CONFIG_TYPE[t])) ? " (global IAM types are recorded in one region only)" : ""}`
              : `there is no AWS Config recorder in ${ctx.region}`;
            ctx.gap({ action: "config:DescribeConfigurationRecorders", status: "skipped", detail: why, resourceTypes: missing });
          }
          configTypes = configTypes.filter((t) => recorded.has(t));
          if (configTypes.length === 0) return [];
        }

        const items: ConfigItem[] = [];
        const incomplete: ConfigItem[] = [];
        const query = selectQuery(configTypes);
        let token: string | undefined;
        do {
          const page = aggregator
            ? await call(ctx, selectAction, () =>
                client.send(
                  new SelectAggregateResourceConfigCommand({ Expression: query, ConfigurationAggregatorName: aggregator, NextToken: token, Limit: 100 }),
                ),
              )
            : await call(ctx, selectAction, () => client.send(new SelectResourceConfigCommand({ Expression: query, NextToken: token, Limit: 100 })));
          for (const row of page.Results ?? []) {
            const item = parseRow(row);
            if (!item) continue;
            (item.configuration ? items : incomplete).push(item);
          }
          token = page.NextToken;
        } while (token);

        // Complete the items the select returned without their configuration, 100 at a time.
        for (let i = 0; i < incomplete.length; i += 100) {
          const chunk = incomplete.slice(i, i + 100);
          const got = aggregator
            ? (
                await call(ctx, batchAction, () =>
                  client.send(
                    new BatchGetAggregateResourceConfigCommand({
                      ConfigurationAggregatorName: aggregator,
                      ResourceIdentifiers: chunk.map((c) => ({
                        SourceAccountId: c.accountId ?? ctx.account,
                        SourceRegion: c.awsRegion ?? ctx.region,
                        ResourceId: c.resourceId,
                        ResourceType: c.resourceType as ResourceType,
                        ResourceName: c.resourceName,
                      })),
                    }),
                  ),
                )
              ).BaseConfigurationItems
            : (
                await call(ctx, batchAction, () =>
                  client.send(
                    new BatchGetResourceConfigCommand({
                      resourceKeys: chunk.map((c) => ({ resourceType: c.resourceType as ResourceType, resourceId: c.resourceId })),
                    }),
                  ),
                )
              ).baseConfigurationItems;
          const byKey = new Map(
            (got ?? [])
              .filter((b) => !DELETED.test(b.configurationItemStatus ?? ""))
              .map((b) => [`${b.resourceType}|${b.resourceId}|${b.accountId ?? ""}|${b.awsRegion ?? ""}`, b]),
          );
          for (const c of chunk) {
            const b =
              byKey.get(`${c.resourceType}|${c.resourceId}|${c.accountId ?? ""}|${c.awsRegion ?? ""}`) ??
              (got ?? []).find((x) => x.resourceType === c.resourceType && x.resourceId === c.resourceId);
            if (!b || DELETED.test(b.configurationItemStatus ?? "")) continue;
            const full = fromBatchItem(b);
            items.push({ ...full, tags: c.tags ?? full.tags, accountId: full.accountId ?? c.accountId, awsRegion: full.awsRegion ?? c.awsRegion });
          }
        }
        return translateItems(opts.collectors, items, { account: ctx.account, region: ctx.region, partition: ctx.partition }, ctx.collectedAt);
      } finally {
        client.destroy();
      }
    },
  };
}
