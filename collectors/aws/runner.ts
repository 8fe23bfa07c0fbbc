/**
 * The live collection runner: who am I, which accounts and regions, then every
 * account × region × service with bounded concurrency, a per-service rate limiter and the
 * SDK's adaptive retry. Every fault becomes a coverage entry; nothing here turns a fault
 * into a pass, and one service failing never stops the others.
 */
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { UserError } from "../../model/errors.js";
import type { CoverageEntry, Resource, Snapshot } from "../../model/types.js";
import { createRateLimiter, mapPool, type Limiter } from "./concurrency.js";
import { cloudControl } from "./cloudcontrol.js";
import { configSource } from "./config.js";
import { collectors as registry } from "./index.js";
import { organizationAccounts } from "./organizations.js";
import { quotaOf } from "./quotas.js";
import type { AwsClientConfig, CollectContext, Gap, ServiceCollector } from "./types.js";
import { actionOfError, classifyError, type Fault } from "./util.js";

export interface Progress {
  /** "account": an account was set up (or failed to); "service": one service × region finished. */
  phase: "account" | "service";
  account: string;
  region?: string;
  service?: string;
  status: CoverageEntry["status"];
  done: number;
  total: number;
}

export interface CollectOptions {
  /** Named profile of the shared config files (default: the SDK's default chain). */
  profile?: string;
  /** Regions to scan; "all" = the account's enabled regions (ec2:DescribeRegions). Default: the home region. */
  regions?: string[] | "all";
  /** Accounts to scan by assuming `roleName` in each. Default: the caller's account. */
  accounts?: string[];
  roleName?: string;
  externalId?: string;
  /** Scan every ACTIVE account of the caller's organization (organizations:ListAccounts), entering each with `roleName`. */
  org?: boolean;
  /** "services" (default): call each service; "config": read the same types from AWS Config. */
  source?: "services" | "config";
  /** With source "config": read from this configuration aggregator (in the caller's account) instead of each account's recorder. */
  aggregator?: string;
  /** Service ids to collect (default: all registered collectors). */
  services?: string[];
  /** Service × region tasks in flight (default 8). */
  concurrency?: number;
  /**
   * A cap on API calls per second per account × region × service, on top of AWS's published
   * quotas (collectors/aws/quotas.ts) and the SDK's adaptive retry (default: no cap; 0 or
   * Infinity: none). For scans that share quotas with production.
   */
  ratePerSecond?: number;
  onProgress?: (p: Progress) => void;

  // For embedding and tests.
  /** Credentials instead of the profile / default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Region for STS, EC2 DescribeRegions and global services (default: AWS_REGION, the profile's region, us-east-1). */
  homeRegion?: string;
  /** SDK attempts per call, adaptive retry mode (default 6). */
  maxAttempts?: number;
  /**
   * CloudFormation types user rules read that no dedicated collector produces: read through
   * the Cloud Control API (collectors/aws/cloudcontrol.ts, service id "cloudcontrol").
   */
  cloudControlTypes?: string[];
  /** Collectors to run (default: the registry in ./index.ts). */
  collectors?: readonly ServiceCollector[];
  /** The collection time (default: now). */
  collectedAt?: Date;
}

const DEFAULTS = { concurrency: 8, maxAttempts: 6, sessionName: "rampart-scan" } as const;
/** The runner's defaults, for the benchmark's bounds and the docs. */
export const collectDefaults: { readonly concurrency: number; readonly maxAttempts: number } = DEFAULTS;

/** AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL, set explicitly for SDK versions that predate the variables. */
export function endpointFor(service: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const specific = env[`AWS_ENDPOINT_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`];
  return specific || env.AWS_ENDPOINT_URL || undefined;
}

function clientConfig(service: string, region: string, credentials: AwsClientConfig["credentials"], maxAttempts: number): AwsClientConfig {
  const endpoint = endpointFor(service);
  return { region, credentials, retryMode: "adaptive", maxAttempts, ...(endpoint ? { endpoint } : {}) };
}

async function resolveHomeRegion(opts: CollectOptions): Promise<string> {
  if (opts.homeRegion) return opts.homeRegion;
  const env = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (env) return env;
  // The client resolves the profile's region from the shared config files.
  const probe = new STSClient(opts.profile ? { profile: opts.profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return "us-east-1";
  } finally {
    probe.destroy();
  }
}

/** Temporary credentials of `roleArn`, refreshed five minutes before they expire. */
export function assumeRoleProvider(base: AwsClientConfig, roleArn: string, externalId: string | undefined): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 5 * 60_000)) return Promise.resolve(cached);
    pending ??= (async () => {
      const sts = new STSClient(base);
      try {
        const r = await sts.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: DEFAULTS.sessionName, ...(externalId ? { ExternalId: externalId } : {}) }),
        );
        const c = r.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole on ${roleArn} returned no credentials`);
        cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        return cached;
      } finally {
        sts.destroy();
        pending = undefined;
      }
    })();
    return pending;
  };
}

interface AccountPlan {
  account: string;
  credentials: AwsClientConfig["credentials"];
  regions: string[];
  /** Set when the account could not be entered: every task becomes this coverage. */
  fault?: Fault & { action: string };
  /** Set when the enabled regions could not be listed (the home region was scanned alone). */
  regionsFault?: Fault;
}

interface Task {
  plan: AccountPlan;
  collector: ServiceCollector;
  region: string; // "global" for global services
}

function selectCollectors(opts: CollectOptions): readonly ServiceCollector[] {
  const all = opts.collectors ?? registry;
  if (!opts.services || opts.services.length === 0) return all;
  const known = new Map(all.map((c) => [c.service, c]));
  const unknownIds = opts.services.filter((s) => !known.has(s));
  if (unknownIds.length > 0) {
    throw new UserError(`unknown service ${unknownIds.map((s) => `'${s}'`).join(", ")} in --services; known services: ${[...known.keys()].join(", ")}`);
  }
  return [...new Set(opts.services)].map((s) => known.get(s) as ServiceCollector);
}

/** Collects a snapshot of the live account(s). Throws UserError only when the caller cannot be identified or the options are wrong. */
export async function collect(opts: CollectOptions = {}): Promise<Snapshot> {
  const collectedAt = opts.collectedAt ?? new Date();
  const cc = opts.cloudControlTypes?.length && opts.source !== "config" ? cloudControl(opts.cloudControlTypes) : undefined;
  const selected = selectCollectors({ ...opts, collectors: [...(opts.collectors ?? registry), ...(cc ? [cc] : [])] });
  if (opts.aggregator !== undefined && opts.source !== "config") throw new UserError("--aggregator reads from AWS Config: give it with --source config");
  if (opts.aggregator !== undefined && (opts.org || (opts.accounts && opts.accounts.length > 0))) {
    throw new UserError("--aggregator already covers the accounts it aggregates: drop --accounts / --org");
  }
  if (opts.org && opts.accounts && opts.accounts.length > 0) throw new UserError("give either --org or --accounts, not both");
  const services: readonly ServiceCollector[] = opts.source === "config" ? [configSource({ collectors: selected, aggregator: opts.aggregator })] : selected;
  const maxAttempts = opts.maxAttempts ?? DEFAULTS.maxAttempts;
  const concurrency = opts.concurrency ?? DEFAULTS.concurrency;
  const rate = opts.ratePerSecond;
  if (rate !== undefined && !(rate >= 0)) throw new UserError(`--rate must be a positive number of calls per second, got ${rate}`);
  if (!(concurrency >= 1)) throw new UserError(`--concurrency must be a positive number, got ${opts.concurrency}`);
  if (Array.isArray(opts.regions) && opts.regions.length === 0) throw new UserError("--regions is empty: name regions (us-east-1,eu-west-1) or use 'all'");

  const home = await resolveHomeRegion(opts);
  const baseCredentials = opts.credentials ?? fromNodeProviderChain(opts.profile ? { profile: opts.profile } : {});

  // Who am I.
  const sts = new STSClient(clientConfig("sts", home, baseCredentials, maxAttempts));
  let callerAccount: string;
  let partition = "aws";
  try {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    if (!id.Account) throw new Error("GetCallerIdentity returned no account");
    callerAccount = id.Account;
    partition = id.Arn?.split(":")[1] || partition;
  } catch (err) {
    const f = classifyError(err);
    throw new UserError(
      `cannot identify the AWS caller (sts:GetCallerIdentity${opts.profile ? ` with profile '${opts.profile}'` : ""}): ${f.detail}. Check the credentials, --profile and the region.`,
    );
  } finally {
    sts.destroy();
  }

  let listed = opts.accounts;
  if (opts.org) {
    try {
      listed = await organizationAccounts(clientConfig("organizations", home, baseCredentials, maxAttempts));
    } catch (err) {
      const f = classifyError(err);
      throw new UserError(
        `--org: cannot list the organization's accounts (organizations:ListAccounts): ${f.detail}. Run the scan from the management account or a delegated administrator, or name the accounts with --accounts.`,
      );
    }
    if (listed.length === 0) throw new UserError("--org: the organization has no ACTIVE account to scan");
  }
  const accounts = [...new Set(listed && listed.length > 0 ? listed : [callerAccount])];
  const bad = accounts.filter((a) => !/^\d{12}$/.test(a));
  if (bad.length > 0) throw new UserError(`--accounts: '${bad.join("', '")}' is not a 12-digit account id`);
  if (accounts.some((a) => a !== callerAccount) && !opts.roleName) {
    throw new UserError(`${opts.org ? "--org" : "--accounts"} names other accounts: give --role-name, the role rampart assumes in each of them`);
  }

  const progressTotal = { done: 0, total: accounts.length };
  const report = (p: Omit<Progress, "done" | "total">): void => {
    progressTotal.done++;
    opts.onProgress?.({ ...p, done: progressTotal.done, total: progressTotal.total });
  };

  // Enter each account and find its regions.
  const plans = await mapPool(accounts, concurrency, async (account): Promise<AccountPlan> => {
    const plan: AccountPlan = { account, credentials: baseCredentials, regions: Array.isArray(opts.regions) ? [...new Set(opts.regions)] : [home] };
    if (account !== callerAccount) {
      const roleArn = `arn:${partition}:iam::${account}:role/${opts.roleName}`;
      const provider = assumeRoleProvider(clientConfig("sts", home, baseCredentials, maxAttempts), roleArn, opts.externalId);
      try {
        await provider();
        plan.credentials = provider;
      } catch (err) {
        plan.fault = { ...classifyError(err), action: "sts:AssumeRole" };
        plan.fault.detail = `cannot assume ${roleArn}: ${plan.fault.detail}`;
      }
    }
    if (!plan.fault && opts.regions === "all") {
      const ec2 = new EC2Client(clientConfig("ec2", home, plan.credentials, maxAttempts));
      try {
        const r = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
        const names = (r.Regions ?? [])
          .filter((x) => x.OptInStatus !== "not-opted-in")
          .map((x) => x.RegionName)
          .filter((x): x is string => !!x);
        plan.regions = names.length > 0 ? names.sort() : [home];
      } catch (err) {
        plan.regionsFault = classifyError(err);
        plan.regions = [home];
      } finally {
        ec2.destroy();
      }
    }
    report({ phase: "account", account, status: plan.fault?.status ?? "ok" });
    return plan;
  });

  const coverage: CoverageEntry[] = [];
  const resources: Resource[] = [];
  const tasks: Task[] = [];
  for (const plan of plans) {
    if (plan.regionsFault) {
      coverage.push({
        service: "ec2",
        account: plan.account,
        region: home,
        status: plan.regionsFault.status,
        action: "ec2:DescribeRegions",
        detail: `cannot list the enabled regions, so only ${home} was scanned: ${plan.regionsFault.detail}`,
        resourceTypes: [...new Set(services.filter((c) => !c.global).flatMap((c) => c.resourceTypes))].sort(),
      });
    }
    for (const collector of services) {
      for (const region of collector.global ? ["global"] : plan.regions) tasks.push({ plan, collector, region });
    }
  }
  progressTotal.total += tasks.length;

  const limits = createScopeLimits(rate);
  const limiterFor = (t: Task): ((action?: string) => Promise<void>) => limits(`${t.plan.account}|${t.region}`, t.collector.service);

  const results = await mapPool(tasks, concurrency, async (t) => {
    const out = await runTask(t, { home, partition, maxAttempts, collectedAt, limit: limiterFor(t) });
    const worst = out.coverage.find((c) => c.status !== "ok")?.status ?? "ok";
    report({ phase: "service", account: t.plan.account, region: t.region, service: t.collector.service, status: worst });
    return out;
  });
  const seenIds = new Set<string>();
  for (const r of results) {
    for (const res of r.resources) {
      // AWS Config may record global (IAM) resources in more than one region: keep one.
      const key = `${res.type}|${res.account ?? ""}|${res.id}`;
      // Cloud Control lists some account-wide types (S3 buckets) from every region: keep one.
      if (
        (opts.source === "config" || (res.observed as { cloudControlIdentifier?: string } | undefined)?.cloudControlIdentifier !== undefined) &&
        seenIds.has(key)
      )
        continue;
      seenIds.add(key);
      resources.push(res);
    }
    coverage.push(...r.coverage);
  }

  if (opts.source === "config" && opts.cloudControlTypes?.length)
    coverage.push({
      service: "cloudcontrol",
      status: "error",
      detail: `--source config does not read ${opts.cloudControlTypes.join(", ")}, which user rules read; scan with --source services to read them through Cloud Control`,
      resourceTypes: [...opts.cloudControlTypes].sort(),
    });
  const regions = [...new Set(tasks.map((t) => t.region))].sort();
  resources.sort((a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.type, b.type) || cmp(a.id, b.id));
  coverage.sort(
    (a, b) => cmp(a.account, b.account) || cmp(a.region, b.region) || cmp(a.service, b.service) || cmp(a.status, b.status) || cmp(a.action, b.action),
  );
  return {
    schemaVersion: "1",
    source: { kind: "aws", collectedAt: collectedAt.toISOString(), accounts: plans.map((p) => p.account), regions },
    resources,
    coverage,
  };
}

/**
 * The client-side rate limits of a scan: for an account × region ("account|region") and a
 * service, a limiter to await with each call's action. It draws from the action's bucket of
 * AWS's published quota (quotas.ts; one bucket per account × region and quota key) and, when
 * `ratePerSecond` is set, from the user's cap of that many calls a second per account ×
 * region × service.
 */
export function createScopeLimits(ratePerSecond?: number, now?: () => number): (scope: string, service: string) => (action?: string) => Promise<void> {
  const limiters = new Map<string, Limiter>();
  const bucket = (key: string, rate: number, burst?: number): Limiter => {
    let l = limiters.get(key);
    if (!l) limiters.set(key, (l = createRateLimiter(rate, burst, now)));
    return l;
  };
  const capped = ratePerSecond !== undefined && ratePerSecond > 0 && Number.isFinite(ratePerSecond);
  return (scope, service) => {
    const cap = capped ? bucket(`${scope}|${service}`, ratePerSecond) : undefined;
    return async (action) => {
      const q = action ? quotaOf(action) : undefined;
      if (q) await bucket(`${scope}|${q.key}`, q.rate, q.burst)();
      if (cap) await cap();
    };
  };
}

function cmp(a: string | undefined, b: string | undefined): number {
  return (a ?? "").localeCompare(b ?? "");
}

interface TaskEnv {
  home: string;
  partition: string;
  maxAttempts: number;
  collectedAt: Date;
  limit: (action?: string) => Promise<void>;
}

/** One service in one account and region: resources plus its coverage entries. Never throws. */
async function runTask(t: Task, env: TaskEnv): Promise<{ resources: Resource[]; coverage: CoverageEntry[] }> {
  const { plan, collector, region } = t;
  const types = [...collector.resourceTypes];
  const where = { service: collector.service, account: plan.account, region };
  if (plan.fault) {
    return { resources: [], coverage: [{ ...where, status: plan.fault.status, action: plan.fault.action, detail: plan.fault.detail, resourceTypes: types }] };
  }
  const gaps = new Map<string, { gap: Gap; count: number }>();
  const ctx: CollectContext = {
    account: plan.account,
    region,
    partition: env.partition,
    clientConfig: clientConfig(collector.service, region === "global" ? env.home : region, plan.credentials, env.maxAttempts),
    collectedAt: env.collectedAt,
    limit: env.limit,
    gap(g) {
      const key = `${g.action}|${g.status}|${[...g.resourceTypes].sort().join(",")}`;
      const seen = gaps.get(key);
      if (seen) seen.count++;
      else gaps.set(key, { gap: g, count: 1 });
    },
  };
  try {
    const found = await collector.collect(ctx);
    const coverage: CoverageEntry[] = [];
    const lost = new Set<string>();
    for (const { gap, count } of gaps.values()) {
      gap.resourceTypes.forEach((x) => lost.add(x));
      coverage.push({
        ...where,
        status: gap.status,
        action: gap.action,
        detail: count > 1 ? `${gap.detail} (and ${count - 1} more call${count > 2 ? "s" : ""} like it)` : gap.detail,
        resourceTypes: [...gap.resourceTypes].sort(),
      });
    }
    coverage.push({ ...where, status: "ok", resourceTypes: types.filter((x) => !lost.has(x)) });
    return { resources: found, coverage };
  } catch (err) {
    const f = classifyError(err);
    return { resources: [], coverage: [{ ...where, status: f.status, action: actionOfError(err), detail: f.detail, resourceTypes: types }] };
  }
}
