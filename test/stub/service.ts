/**
 * The contract between the loopback AWS server (aws-stub.ts) and its service modules
 * (services/<service>.ts, one per collector, registered in services/index.ts).
 *
 * A module owns its part of the organization's data and the operations that read and
 * change it. Regional data lives in `RegionData`, which starts empty here: each module
 * adds its own fields to it (`declare module "../service.js" { interface RegionData { … } }`),
 * gives their empty values (`emptyRegion`) and fills one copy of them per account × region
 * (`seed`). IAM's data is per account (services/iam.ts).
 */
import type http from "node:http";
import type { IamData } from "./services/iam.js";

export interface StubOptions {
  /** Member accounts (12 digits) the caller may assume `roleName` in. */
  accounts: string[];
  /** Regions with regional resources. */
  regions: string[];
  /** The caller's own account (the base credentials'); default 999988887777. */
  callerAccount?: string;
  /** Copies of every regional resource per account × region (default 1). */
  scale?: number;
  /** Extra IAM roles and users per account (default 0): bulk for benchmarks. */
  iamExtra?: number;
  /** Delay before every answer, ms (default 0). */
  latencyMs?: number;
  /**
   * AWS's request throttling: at most this many requests a second per account × region ×
   * service (a token bucket refilled at this rate, burst = the rate), either one figure for
   * every service or per signing name ("iam", "ec2", …; a service not named is not limited).
   * Over-limit requests are answered with the protocol's throttling error, as AWS sends it,
   * and consume no token (default: no limit).
   */
  rateLimit?: number | Record<string, number>;
  /** Share of calls answered with a throttling error, each distinct request at most once (default 0). */
  throttleRate?: number;
  /** Seed of the throttling draw (default 1). */
  seed?: number;
  /** The time the fixtures' dates are relative to (default: when the stub starts). */
  now?: Date;
  /**
   * Adds, in every member account (copy 0 of each region), resources that make each
   * remediable rule fail in a way its module can fix: a Pod Identity role whose trust
   * allows sts:* (reports-pod); an inline and a customer managed policy (two versions) of
   * orders-api-pod reading secrets without tag conditions, and secrets it reads without the
   * kubernetes-namespace tag (orders/db) or tagged for another namespace (payments/api); a
   * Roles Anywhere profile listing onprem-batch and a disabled trust anchor; a KMS key "*"
   * may use without conditions; a STRICT_ORDER firewall policy whose defaults only alert
   * and pass stateless traffic (egress-legacy) and a DEFAULT_ACTION_ORDER one over a
   * DEFAULT_ACTION_ORDER group that has a STRICT_ORDER copy (egress-open); an untagged internal ALB sharing the orders web
   * ACL with the tagged one; no GuardDuty detector in the second region and a disabled one
   * in the third. Off by default: the org-scan test and the collector benchmark measure the
   * base organization.
   */
  remediationFixtures?: boolean;
}

export interface DenyRule {
  /** IAM action prefix of the service: "kms", "iam", "network-firewall", … */
  service: string;
  account?: string;
  region?: string;
}

/** One account's data in one region: every module adds its fields. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegionData {}

export interface State {
  opts: Required<Omit<StubOptions, "now">> & { now: Date };
  iam: Map<string, IamData>;
  regions: Map<string, RegionData>;
  denies: DenyRule[];
  /** Counter of created ids and update tokens. */
  seq: number;
}

/** A request, with the account (from the access key) and the region and service (from the SigV4 scope). */
export interface Req {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  account: string;
  region: string;
  service: string;
  key: string;
}

/** One copy (`k`) of an account × region's resources: what `seed` builds ids, ARNs and dates from. */
export interface Copy {
  account: string;
  region: string;
  /** Every member account, and one other than `account` (the partner in cross-account grants). */
  accounts: string[];
  other: string;
  now: Date;
  k: number;
  /** "" for copy 0, "-k" otherwise: appended to names. */
  sfx: string;
  /** The remediation fixtures are wanted, and this is copy 0. */
  fix: boolean;
  /** The region's index in the stub's regions (fixtures differ per region). */
  regionIndex: number;
  /** A deterministic uuid-shaped id for `kind`, distinct per account, region and copy. */
  id(kind: string): string;
  arn(service: string, rest: string): string;
}

export type Body = Record<string, any>;

/** What an operation sees: the state, the request, its parameters (query protocols) or JSON body, and the account's data in the request's region. */
export interface Call {
  s: State;
  r: Req;
  p: URLSearchParams;
  b: Body;
  readonly d: RegionData;
}

export interface StubService {
  /** The SigV4 signing name its requests are scoped to: "iam", "kms", "elasticmapreduce", … */
  name: string;
  /** CloudFormation types the collectors read from it. */
  types: string[];
  /** REST-JSON: path segments at odd positions that are literal, not ids ("get" in /detector/{id}/findings/get). */
  pathLiterals?: string[];
  /** Its fields of RegionData, empty. */
  emptyRegion?(): Partial<RegionData>;
  /** Adds copy `c.k` of its resources to an account's region. */
  seed?(d: RegionData, c: Copy): void;
  /**
   * Answers one operation: the query `Action`, the JSON `X-Amz-Target` operation, or for
   * REST-JSON "METHOD /path" with ids as `{}`. Returns the result (query: the content of
   * `<ActionResult>`; JSON: the body); throws StubError for an AWS error.
   */
  call(op: string, x: Call): unknown;
}
