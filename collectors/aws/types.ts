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
  /** Per account × region × service rate limiter: await it before every API call. */
  limit(): Promise<void>;
  /** Records partial coverage. */
  gap(g: Gap): void;
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
}
