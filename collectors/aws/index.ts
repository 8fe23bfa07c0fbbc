/** The registry of live service collectors, and the least-privilege policy they need. */
import { acmpca } from "./acmpca.js";
import { iam } from "./iam.js";
import { rolesanywhere } from "./rolesanywhere.js";
import type { ServiceCollector } from "./types.js";

export type { AwsClientConfig, CollectContext, Gap, ServiceCollector } from "./types.js";

/** Every service collector, in collection order. Add new services here. */
export const collectors: readonly ServiceCollector[] = [iam, rolesanywhere, acmpca];

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
