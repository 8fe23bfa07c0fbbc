/**
 * The contract between the live-collection runner and the per-service modules.
 *
 * A service module turns API responses into resources of the common model
 * (model/types.ts), in the CloudFormation property shape of their type. It throws on a
 * fault that stops it from reading its service at all; the runner turns that into a
 * coverage entry. A fault that only costs part of the picture (one sub-call denied while
 * the rest succeeded) is reported through `ctx.gap` and collection goes on.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { CoverageStatus, Resource } from "../../model/types.js";

/** SDK v3 client configuration shared by every client a collector creates. */
export interface AwsClientConfig {
  /** The region to call. For global services, the home region (the SDK resolves the global endpoint). */
  region: string;
  /** Omitted only in tests; the runner always sets it. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  retryMode: "adaptive";
  maxAttempts: number;
  /** Explicit endpoint (AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL), for SDK versions that predate the env support. */
  endpoint?: string;
}

/** Partial coverage: one sub-call failed while the rest of the service was read. */
export interface Gap {
  /** IAM action of the call that failed, e.g. "iam:ListAccessKeys". */
  action: string;
  status: Exclude<CoverageStatus, "ok">;
  detail: string;
  /**
   * Types whose picture is incomplete because of it (rules reading them become unknown
   * for this account/region). Empty when the loss is already visible as unknown markers
   * inside the resources (e.g. a key's last use).
   */
  resourceTypes: string[];
}

export interface CollectContext {
  account: string;
  /** The region the resources belong to: an AWS region, or "global" for a global service. */
  region: string;
  /** "aws", "aws-cn", "aws-us-gov", … (from the caller identity's ARN). */
  partition: string;
  clientConfig: AwsClientConfig;
  /** The collection time: every age (ageDays, daysSinceLastUse) is computed against it. */
  collectedAt: Date;
  /**
   * The account × region's client-side rate limits: await it with the action ("kms:ListKeys")
   * before every API call (AWS's published quota of the action, collectors/aws/quotas.ts, and
   * the user's --rate cap).
   */
  limit(action?: string): Promise<void>;
  /** Records partial coverage. */
  gap(g: Gap): void;
}

/** Where a resource was read: the account and region of the context unless the item names its own (AWS Config aggregators). */
export interface Origin {
  account: string;
  region: string;
  partition: string;
}

/** One resource as AWS Config recorded it (from a select row or a batch get; see collectors/aws/configitem.ts for reading its fields). */
export interface ConfigItem {
  resourceId: string;
  resourceType: string;
  resourceName?: string;
  arn?: string;
  awsRegion?: string;
  accountId?: string;
  configuration?: Record<string, unknown>;
  supplementaryConfiguration?: Record<string, unknown>;
  tags?: unknown;
}

/** How a service's resources are read from AWS Config (`scan --source config`). */
export interface ConfigTranslation {
  /** Common-model type → the resource type AWS Config records it under. Types not listed are not recorded by Config (or not with what the rules read). */
  recordedAs: Record<string, string>;
  /**
   * The configuration items of those Config types from one read (every account and region of
   * it, so items can be joined, e.g. managed policies with their users) → resources of the
   * same shape the collector produces. `fallback` is the account and region read when an
   * item does not name its own.
   */
  translate(items: readonly ConfigItem[], fallback: Origin, collectedAt: Date): Resource[];
}

export interface ServiceCollector {
  /** Service id as in IAM action prefixes: "iam", "rolesanywhere", "acm-pca", … */
  service: string;
  /** Collected once per account with region "global" (IAM). */
  global?: boolean;
  /** CloudFormation types it produces. */
  resourceTypes: string[];
  /** Every IAM action it may call, "service:Action". All read-only. */
  actions: string[];
  collect(ctx: CollectContext): Promise<Resource[]>;
  /** The translation of AWS Config's items, for the types Config records. */
  config?: ConfigTranslation;
}
