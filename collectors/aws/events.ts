/**
 * Amazon EventBridge (regional): the rules of the default event bus with their targets,
 * in the CloudFormation shape `AWS::Events::Rule` (docs/model/guardduty.md: GuardDuty
 * sends its findings to the default bus only).
 *
 * When a rule's targets cannot be listed, `Targets` is an unknown marker, so the
 * alerting rule says "cannot be judged" instead of "no target".
 */
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, type Rule, type Target } from "@aws-sdk/client-eventbridge";
import type { Resource } from "../../model/types.js";
import { unknown } from "../../model/types.js";
import { mapPool } from "./concurrency.js";
import type { CollectContext, ServiceCollector } from "./types.js";
import { call, compact, tryCall } from "./util.js";

export const EVENTS_RULE = "AWS::Events::Rule";
export const DEFAULT_BUS = "default";

/** An event pattern as EventBridge returns it (a JSON string) → parsed; not JSON → an unknown marker. */
export function parseEventPattern(pattern: string | undefined, rule: string): unknown {
  if (pattern === undefined || pattern === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(pattern);
    if (typeof parsed === "object" && parsed !== null) return parsed;
  } catch {
    // fall through
  }
  return unknown(`the EventPattern of rule ${rule} is not a JSON object`);
}

async function targets(ctx: CollectContext, client: EventBridgeClient, rule: string): Promise<Target[] | undefined> {
  const out: Target[] = [];
  let token: string | undefined;
  do {
    const page = await tryCall(ctx, "events:ListTargetsByRule", [], () =>
      client.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: DEFAULT_BUS, NextToken: token, Limit: 100 })),
    );
    if (!page) return undefined;
    out.push(...(page.Targets ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

function ruleResource(ctx: CollectContext, r: Rule, t: Target[] | undefined): Resource | undefined {
  if (!r.Name) return undefined;
  const arn = r.Arn ?? `arn:${ctx.partition}:events:${ctx.region}:${ctx.account}:rule/${r.Name}`;
  return {
    type: EVENTS_RULE,
    id: arn,
    arn,
    name: r.Name,
    account: ctx.account,
    region: ctx.region,
    tags: {},
    properties: compact({
      Name: r.Name,
      EventBusName: r.EventBusName ?? DEFAULT_BUS,
      Description: r.Description,
      EventPattern: parseEventPattern(r.EventPattern, r.Name),
      ScheduleExpression: r.ScheduleExpression,
      State: r.State,
      RoleArn: r.RoleArn,
      Targets: t
        ? t.map((x) => JSON.parse(JSON.stringify(x)) as Record<string, unknown>)
        : unknown(`events:ListTargetsByRule failed for rule ${r.Name}, so its targets were not read`),
    }),
    ...(r.ManagedBy ? { observed: { ManagedBy: r.ManagedBy } } : {}),
    source: { kind: "aws", account: ctx.account, region: ctx.region },
  };
}

export const events: ServiceCollector = {
  service: "events",
  resourceTypes: [EVENTS_RULE],
  actions: ["events:ListRules", "events:ListTargetsByRule"],
  async collect(ctx) {
    const client = new EventBridgeClient(ctx.clientConfig);
    try {
      const rules: Rule[] = [];
      let token: string | undefined;
      do {
        const page = await call(ctx, "events:ListRules", () => client.send(new ListRulesCommand({ EventBusName: DEFAULT_BUS, NextToken: token, Limit: 100 })));
        rules.push(...(page.Rules ?? []));
        token = page.NextToken;
      } while (token);
      const out = await mapPool(rules, 4, async (r) => (r.Name ? ruleResource(ctx, r, await targets(ctx, client, r.Name)) : undefined));
      return out.filter((r): r is Resource => r !== undefined);
    } finally {
      client.destroy();
    }
  },
};
