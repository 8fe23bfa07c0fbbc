/**
 * AWS Cloud Control API (regional): resources of the CloudFormation types that user rules read
 * and no dedicated collector produces (issue 13). Cloud Control answers in the CloudFormation
 * resource schema of the type, which is rampart's model, so the properties are taken as they are.
 *
 * Per type: ListResources (paged); when a listed resource carries no more than its identifier
 * (many list handlers return only the primary identifier), GetResource reads its full model.
 * A type Cloud Control cannot list (not supported, not found, not enabled) or a denied call is a
 * coverage gap of that type only: rules reading it say unknown there, the other types are read.
 */
import { CloudControlClient, GetResourceCommand, ListResourcesCommand } from "@aws-sdk/client-cloudcontrol";
import type { Resource } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { actionOfError, call, classifyError, convertTags } from "./util.js";

/** The IAM actions of Cloud Control's reads (its actions are in the cloudformation namespace). */
export const CLOUDCONTROL_ACTIONS = ["cloudformation:GetResource", "cloudformation:ListResources"];
/** GetResource calls in flight per account × region (the runner's rate limiter still paces each call). */
const GET_CONCURRENCY = 4;
/** Resources per type and region read at most (a bound on one scan's cost). */
export const MAX_RESOURCES_PER_TYPE = 10_000;

/** Errors meaning "Cloud Control cannot read this type here". */
const UNSUPPORTED = /^(UnsupportedActionException|TypeNotFoundException|GeneralServiceException|InvalidRequestException)$/;

function parse(json: string | undefined): Record<string, unknown> | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A Cloud Control resource model as a resource of the common model. */
export function toResource(ctx: CollectContext, type: string, identifier: string, properties: Record<string, unknown>): Resource {
  const arn = typeof properties.Arn === "string" && properties.Arn.startsWith("arn:") ? properties.Arn : undefined;
  const tagged = Array.isArray(properties.Tags) ? convertTags(properties.Tags as Array<{ Key?: string; Value?: string }>) : undefined;
  return {
    type,
    id: arn ?? `${type}/${identifier}`,
    ...(arn ? { arn } : {}),
    name: identifier,
    account: ctx.account,
    region: ctx.region,
    tags: tagged ? tagged.tags : {},
    properties,
    observed: { cloudControlIdentifier: identifier },
    source: { kind: "aws", account: ctx.account, region: ctx.region },
  };
}

async function readType(ctx: CollectContext, client: CloudControlClient, type: string): Promise<Resource[]> {
  const listed: Array<{ identifier: string; properties?: Record<string, unknown> }> = [];
  let token: string | undefined;
  for (;;) {
    const page = await call(ctx, "cloudformation:ListResources", () =>
      client.send(new ListResourcesCommand({ TypeName: type, NextToken: token, MaxResults: 100 })),
    );
    for (const d of page.ResourceDescriptions ?? []) if (d.Identifier) listed.push({ identifier: d.Identifier, properties: parse(d.Properties) });
    if (!page.NextToken || page.NextToken === token || listed.length >= MAX_RESOURCES_PER_TYPE) break;
    token = page.NextToken;
  }
  if (listed.length >= MAX_RESOURCES_PER_TYPE)
    ctx.gap({
      action: "cloudformation:ListResources",
      status: "skipped",
      detail: `${type}: more than ${MAX_RESOURCES_PER_TYPE} resources; only the first ${MAX_RESOURCES_PER_TYPE} were read`,
      resourceTypes: [type],
    });
  const out = await mapPool(listed.slice(0, MAX_RESOURCES_PER_TYPE), GET_CONCURRENCY, async (l): Promise<Resource | undefined> => {
    // The list handler gave the full model: no GetResource needed.
    if (l.properties && Object.keys(l.properties).length > 1) return toResource(ctx, type, l.identifier, l.properties);
    const got = await call(ctx, "cloudformation:GetResource", () => client.send(new GetResourceCommand({ TypeName: type, Identifier: l.identifier })));
    const props = parse(got.ResourceDescription?.Properties);
    return props ? toResource(ctx, type, got.ResourceDescription?.Identifier ?? l.identifier, props) : undefined;
  });
  return out.filter((r): r is Resource => r !== undefined);
}

/** The Cloud Control collector of the given types (those no dedicated collector produces). */
export function cloudControl(types: readonly string[]): ServiceCollector {
  return {
    service: "cloudcontrol",
    resourceTypes: [...new Set(types)].sort(),
    actions: CLOUDCONTROL_ACTIONS,
    async collect(ctx) {
      const client = new CloudControlClient(ctx.clientConfig);
      try {
        const resources: Resource[] = [];
        for (const type of [...new Set(types)].sort()) {
          try {
            resources.push(...(await readType(ctx, client, type)));
          } catch (err) {
            // One type's fault costs that type only: its rules say unknown here.
            const f = classifyError(err);
            const name = (err as { name?: string })?.name ?? "";
            ctx.gap({
              action: actionOfError(err) ?? "cloudformation:ListResources",
              status: f.status === "denied" ? "denied" : "error",
              detail: UNSUPPORTED.test(name) ? `Cloud Control cannot read ${type} here: ${f.detail}` : `${type}: ${f.detail}`,
              resourceTypes: [type],
            });
          }
        }
        return resources;
      } finally {
        client.destroy();
      }
    },
  };
}
