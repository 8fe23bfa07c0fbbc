/**
 * Entry point: the Lambda function of an AWS Config custom rule. Each invocation scans the
 * function's own account with rampart's live collectors, evaluates the policy pack, and
 * reports every judged resource to AWS Config (reports/export/config.ts).
 */
import { ConfigServiceClient, PutEvaluationsCommand } from "@aws-sdk/client-config-service";
import { UserError } from "../model/errors.js";
import type { Snapshot } from "../model/types.js";
import { exportToConfig, TEST_MODE_TOKEN, type ConfigExportResult } from "../reports/export/config.js";

/** The event AWS Config passes to a custom rule's Lambda function. */
export interface ConfigRuleEvent {
  invokingEvent: string;
  ruleParameters?: string;
  resultToken: string;
  eventLeftScope?: boolean;
  executionRoleArn?: string;
  configRuleArn?: string;
  configRuleName?: string;
  configRuleId?: string;
  accountId?: string;
  version?: string;
}

interface InvokingEvent {
  messageType?: string;
  notificationCreationTime?: string;
  awsAccountId?: string;
  configurationItem?: { resourceType?: string; resourceId?: string; configurationItemCaptureTime?: string; awsAccountId?: string };
}

/** Rule parameters (JSON in the rule's InputParameters): regions and services to scan, policy pack file, unknownAs. */
interface RuleParameters {
  regions?: string;
  services?: string;
  policy?: string;
  unknownAs?: "NOT_APPLICABLE" | "INSUFFICIENT_DATA";
}

export interface HandlerDeps {
  configClient?: ConfigServiceClient;
  /** Collects the snapshot (default: rampart's live collectors with the function's credentials). */
  collect?: (opts: { regions?: string[]; services?: string[] }) => Promise<Snapshot>;
  policy?: string;
}

function parseJson<T>(text: string | undefined, what: string): T {
  if (!text) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UserError(`the Config rule event's ${what} is not JSON.`);
  }
}

/** Builds the Lambda handler of a Config custom rule that runs rampart on the account and reports each judged resource. */
export function createHandler(deps: HandlerDeps = {}) {
  return async (event: ConfigRuleEvent): Promise<ConfigExportResult> => {
    const invoking = parseJson<InvokingEvent>(event.invokingEvent, "invokingEvent");
    const params = parseJson<RuleParameters>(event.ruleParameters, "ruleParameters");
    const client = deps.configClient ?? new ConfigServiceClient({});
    const at = new Date(invoking.notificationCreationTime ?? invoking.configurationItem?.configurationItemCaptureTime ?? Date.now());
    const item = invoking.configurationItem;
    if (event.eventLeftScope && item?.resourceType && item.resourceId) {
      // A resource that left the rule's scope: report it NOT_APPLICABLE, nothing else to judge.
      await client.send(
        new PutEvaluationsCommand({
          ResultToken: event.resultToken,
          Evaluations: [
            { ComplianceResourceType: item.resourceType, ComplianceResourceId: item.resourceId, ComplianceType: "NOT_APPLICABLE", OrderingTimestamp: at },
          ],
          ...(event.resultToken === TEST_MODE_TOKEN ? { TestMode: true } : {}),
        }),
      );
      return { sent: 1, failed: [], byCompliance: { NOT_APPLICABLE: 1 }, skipped: 0 };
    }
    const [{ Engine }, { loadPack, checkPackRules }] = await Promise.all([import("../engine/engine.js"), import("../engine/pack.js")]);
    const engine = await Engine.load();
    const pack = loadPack(params.policy ?? deps.policy);
    checkPackRules(pack, new Set(engine.rules.map((r) => r.id)));
    const split = (s?: string) =>
      s
        ?.split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    const regions = split(params.regions) ?? (process.env.AWS_REGION ? [process.env.AWS_REGION] : undefined);
    const collect =
      deps.collect ??
      (async (o: { regions?: string[]; services?: string[] }) => {
        const { collect: live } = await import("../collectors/aws/runner.js");
        return live(o);
      });
    const startedAt = new Date();
    const snapshot = await collect({ regions, services: split(params.services) });
    const doc = engine.evaluate(snapshot, pack, { kind: "live", startedAt, includePasses: true });
    return exportToConfig(doc, { client, resultToken: event.resultToken, orderingTimestamp: at, unknownAs: params.unknownAs });
  };
}

/** The Lambda entry point (`entry/config-rule.handler`, compiled to dist/entry/config-rule.js). */
export const handler = (event: ConfigRuleEvent): Promise<ConfigExportResult> => createHandler()(event);
