/** The registry of live service collectors, and the least-privilege policy they need. */
import { acmpca } from "./acmpca.js";
import { CONFIG_AGGREGATOR_ACTIONS, CONFIG_RECORDER_ACTIONS } from "./config.js";
import { ec2 } from "./ec2.js";
import { eks } from "./eks.js";
import { emr } from "./emr.js";
import { iam } from "./iam.js";
import { kms } from "./kms.js";
import { ORGANIZATIONS_ACTIONS } from "./organizations.js";
import { rolesanywhere } from "./rolesanywhere.js";
import { secretsmanager } from "./secretsmanager.js";
import { elbv2 } from "./elbv2.js";
import { events } from "./events.js";
import { firehose } from "./firehose.js";
import { fms } from "./fms.js";
import { guardduty } from "./guardduty.js";
import { kafka } from "./kafka.js";
import { networkfirewall } from "./networkfirewall.js";
import { opensearch } from "./opensearch.js";
import { wafv2 } from "./wafv2.js";
import { workmail } from "./workmail.js";
import type { ServiceCollector } from "./types.js";

export type { AwsClientConfig, CollectContext, Gap, ServiceCollector } from "./types.js";

/** Every service collector, in collection order. Add new services here. */
export const collectors: readonly ServiceCollector[] = [
  iam,
  rolesanywhere,
  acmpca,
  kms,
  secretsmanager,
  eks,
  ec2,
  emr,
  networkfirewall,
  wafv2,
  fms,
  elbv2,
  workmail,
  guardduty,
  events,
  firehose,
  kafka,
  opensearch,
];

/** Actions the scan options add: `--org` (organizations:ListAccounts) and `--source config` (recorder or `--aggregator`). */
export const OPTION_ACTIONS = { org: ORGANIZATIONS_ACTIONS, config: CONFIG_RECORDER_ACTIONS, aggregator: CONFIG_AGGREGATOR_ACTIONS } as const;

/** Calls the runner itself makes in every scanned account (identity; enabled regions for `--regions all`). */
export const RUNNER_ACTIONS: readonly string[] = ["sts:GetCallerIdentity", "ec2:DescribeRegions"];

export function collectorFor(service: string): ServiceCollector | undefined {
  return collectors.find((c) => c.service === service);
}

/** Every CloudFormation type some collector produces. */
export function collectedResourceTypes(): string[] {
  return [...new Set(collectors.flatMap((c) => c.resourceTypes))].sort();
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: { Sid: string; Effect: "Allow"; Action: string[]; Resource: "*" }[];
}

/**
 * The read-only IAM policy the scanning role needs: every action of the given collectors
 * (default: all) plus the runner's own, sorted and deduplicated. The role that runs the
 * scan additionally needs sts:AssumeRole on the member-account roles when scanning
 * several accounts; that belongs to the caller's policy, not to this one.
 */
export function permissionsPolicy(from: readonly ServiceCollector[] = collectors): PolicyDocument {
  const actions = [...new Set([...RUNNER_ACTIONS, ...from.flatMap((c) => c.actions)])].sort();
  return { Version: "2012-10-17", Statement: [{ Sid: "RampartReadOnly", Effect: "Allow", Action: actions, Resource: "*" }] };
}
