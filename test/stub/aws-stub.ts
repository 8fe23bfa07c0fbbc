/**
 * A loopback AWS for the collectors: one HTTP server on 127.0.0.1 that answers every API
 * call the live collectors (collectors/aws/*.ts) and the runner make, in the wire shape
 * each SDK client parses:
 *
 * - query / XML (IAM, STS, ELBv2) and EC2's query dialect: by `Action=` in the form body;
 * - AWS JSON 1.0 / 1.1 (KMS, Secrets Manager, EMR, Network Firewall, WAFv2, FMS, WorkMail,
 *   EventBridge, Firehose, ACM PCA): by the `X-Amz-Target` header;
 * - REST-JSON (GuardDuty, EKS, IAM Roles Anywhere): by method and path.
 *
 * One module per service (test/stub/services/<service>.ts, registered in
 * services/index.ts like the collectors) owns that service's data and operations; this
 * file is the server: it finds the account, region and service of a request, applies the
 * switches, and hands the operation to the module (see test/stub/service.ts).
 *
 * It serves an organization of accounts × regions. The account is the one the SigV4
 * access key id in the Authorization header belongs to (the base key is the caller's
 * account; sts:AssumeRole hands out one key per account), the region is the SigV4
 * credential scope's. Switches: AccessDenied for a service (optionally one account /
 * region), a latency per call, and a share of calls answered once with a throttling error.
 * Every call is counted. Nothing here leaves 127.0.0.1.
 *
 * It is stateful: the write operations the remediations (remediations/aws/**) send change
 * the same data the reads serve, so a scan after a fix sees it, with the checks AWS makes
 * (IAM's five policy versions and undeletable default version, Network Firewall's update
 * tokens, one GuardDuty detector per region, WAF's aws-waf-logs- destinations, KMS's
 * lockout check, …). `state()` is a JSON copy of all of it, to compare before and after.
 * `remediationFixtures` adds failing, fixable resources for each remediable rule.
 *
 * Writes (and the reads only the remediations make):
 * - iam: GetRole, UpdateAssumeRolePolicy, ListRolePolicies, GetRolePolicy, PutRolePolicy,
 *   DeleteRolePolicy, ListAttachedRolePolicies, ListEntitiesForPolicy, GetPolicy /
 *   GetPolicyVersion (also customer managed), ListPolicyVersions, CreatePolicyVersion,
 *   SetDefaultPolicyVersion, DeletePolicyVersion;
 * - kms: PutKeyPolicy; secretsmanager: DescribeSecret, TagResource, UntagResource;
 * - network-firewall: UpdateFirewallAnalysisSettings, UpdateFirewallPolicy (update tokens);
 * - firehose: StartDeliveryStreamEncryption, StopDeliveryStreamEncryption (ENABLING /
 *   DISABLING are seen by one DescribeDeliveryStream, then settle);
 * - guardduty: CreateDetector, UpdateDetector, DeleteDetector;
 * - wafv2: GetLoggingConfiguration, PutLoggingConfiguration, DeleteLoggingConfiguration,
 *   GetWebACLForResource, AssociateWebACL, DisassociateWebACL;
 * - workmail: PutIdentityProviderConfiguration; elasticloadbalancing: AddTags, RemoveTags.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Body, Call, Copy, DenyRule, RegionData, Req, State, StubOptions } from "./service.js";
import { iamOf, type IamData } from "./services/iam.js";
import { services } from "./services/index.js";
import { accountOfKey } from "./services/sts.js";
import {
  jsonError,
  jsonOk,
  mulberry32,
  operationOf,
  protocolOf,
  queryError,
  queryOk,
  StubError,
  unsupported,
  uuid,
  type Answer,
  type Protocol,
} from "./wire.js";

export type { DenyRule, RegionData, StubOptions } from "./service.js";
export type { IamData } from "./services/iam.js";

export interface AwsStub {
  url: string;
  port: number;
  /** The base credentials (the caller's account). */
  accessKeyId: string;
  secretAccessKey: string;
  callerAccount: string;
  accounts: string[];
  regions: string[];
  /** Requests answered (throttled ones included). */
  readonly calls: number;
  /** Requests answered with a throttling error (the rate limit's and `throttleRate`'s). */
  readonly throttled: number;
  /** Requests the rate limit answered with a throttling error, per "account|region|service". */
  readonly throttledByScope: ReadonlyMap<string, number>;
  /** Requests per "service:Operation". */
  readonly byOperation: ReadonlyMap<string, number>;
  /** Requests per "account|region|service" (the SigV4 scope's region; IAM's is the home region). */
  readonly byScope: ReadonlyMap<string, number>;
  /** Answers AccessDenied for a service from now on (optionally in one account / region). */
  deny(rule: DenyRule): void;
  /** Lifts every deny switch. */
  allowAll(): void;
  resetCounters(): void;
  /**
   * A JSON copy of all mutable data: `iam[account]` (roles, users, groups, policies,
   * access keys) and `regions["account|region"]` (every regional resource) for the member
   * accounts and the caller's, plus any other region that holds something. Dates are ISO
   * strings; IAM documents are URL-encoded as IAM returns them.
   */
  state(): StubState;
  /** The live IAM data of an account, to change behind the CLI's back (drift). */
  iam(account: string): IamData;
  /** The live regional data of an account and region, to change behind the CLI's back (drift). */
  region(account: string, region: string): RegionData;
  close(): Promise<void>;
}

export interface StubState {
  iam: Record<string, Record<string, unknown>>;
  regions: Record<string, Record<string, unknown>>;
}

export const DEFAULT_CALLER = "999988887777";
export const BASE_ACCESS_KEY = "AKIASTUBCALLER000001";
const BASE_SECRET = "stub-secret-key";

/** A member account's regional data, or an empty region (the caller's own account, unknown regions). */
function regionOf(s: State, account: string, region: string): RegionData {
  const key = `${account}|${region}`;
  let d = s.regions.get(key);
  if (!d) {
    d = Object.assign({}, ...services.map((x) => x.emptyRegion?.() ?? {})) as RegionData;
    s.regions.set(key, d);
    const served = s.opts.accounts.includes(account) && s.opts.regions.includes(region);
    const other = s.opts.accounts.find((a) => a !== account) ?? "444455556666";
    for (let k = 0; served && k < s.opts.scale; k++) {
      const c: Copy = {
        account,
        region,
        accounts: s.opts.accounts,
        other,
        now: s.opts.now,
        k,
        sfx: k === 0 ? "" : `-${k}`,
        fix: s.opts.remediationFixtures && k === 0,
        regionIndex: s.opts.regions.indexOf(region),
        id: (kind) => uuid(account, region, kind, k),
        arn: (svc, rest) => `arn:aws:${svc}:${region}:${account}:${rest}`,
      };
      for (const x of services) x.seed?.(d, c);
    }
  }
  return d;
}

/**
 * AWS's throttling errors per protocol: IAM / STS / ELBv2 answer `Throttling` (HTTP 400),
 * EC2 `RequestLimitExceeded` (HTTP 503, "Request limit exceeded."), the JSON services
 * `ThrottlingException` (HTTP 400), the REST-JSON ones `TooManyRequestsException` (HTTP 429).
 */
const THROTTLE = {
  query: { code: "Throttling", status: 400, message: "Rate exceeded" },
  ec2: { code: "RequestLimitExceeded", status: 503, message: "Request limit exceeded." },
  json: { code: "ThrottlingException", status: 400, message: "Rate exceeded" },
  rest: { code: "TooManyRequestsException", status: 429, message: "Rate exceeded" },
} as const;
const DENY = { query: "AccessDenied", ec2: "UnauthorizedOperation", json: "AccessDeniedException", rest: "AccessDeniedException" } as const;

function errorAnswer(r: Req, proto: Protocol, status: number, code: string, message: string): Answer {
  return proto === "query" || proto === "ec2" ? queryError(r.service, status, code, message) : jsonError(status, code, message);
}

function answer(s: State, r: Req): Answer {
  const proto = protocolOf(r);
  try {
    const service = services.find((x) => x.name === r.service);
    const op = operationOf(r, service?.pathLiterals);
    if (!service) throw unsupported(r, op);
    const query = proto === "query" || proto === "ec2";
    const call: Call = {
      s,
      r,
      p: new URLSearchParams(query ? r.body : ""),
      b: (!query && r.body ? JSON.parse(r.body) : {}) as Body,
      get d() {
        return regionOf(s, r.account, r.region);
      },
    };
    const result = service.call(op, call);
    return query ? queryOk(r.service, op, result as Record<string, unknown>) : jsonOk(result, proto);
  } catch (err) {
    if (err instanceof StubError) return errorAnswer(r, proto, err.status, err.code, err.message);
    return errorAnswer(r, proto, 500, "InternalFailure", `stub failure: ${(err as Error).message}`);
  }
}

/**
 * AWS's request throttling, per account × region × service: a token bucket of `rate`
 * tokens refilled at `rate` a second; `take` answers whether a request arriving now gets a
 * token (a refused request takes none).
 */
export function createThrottle(rateLimit: number | Record<string, number> | undefined, now: () => number = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rateOf = (service: string): number | undefined => (typeof rateLimit === "number" ? rateLimit : rateLimit?.[service]);
  return {
    rateOf,
    take(scope: string, service: string): boolean {
      const rate = rateOf(service);
      if (rate === undefined || !(rate > 0) || !Number.isFinite(rate)) return true;
      const t = now();
      let b = buckets.get(scope);
      if (!b) buckets.set(scope, (b = { tokens: rate, at: t }));
      b.tokens = Math.min(rate, b.tokens + ((t - b.at) / 1000) * rate);
      b.at = t;
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    reset(): void {
      buckets.clear();
    },
  };
}

/** The operation as counted in `byOperation`: the Action, the target operation, or "METHOD /path" with ids as {id}. */
function countedOperation(r: Req): string {
  const proto = protocolOf(r);
  if (proto === "json") return String(r.headers["x-amz-target"]).split(".").pop() ?? "?";
  if (proto === "rest") return `${r.method} ${r.url.pathname.replace(/\/[^/]*[0-9a-f]{8}[^/]*/g, "/{id}")}`;
  return new URLSearchParams(r.body).get("Action") ?? "?";
}

/** Maps → objects, Dates → ISO strings, and a deep copy. */
function plainCopy(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? Object.fromEntries(x) : x))) as Record<string, unknown>;
}

function dumpState(s: State): StubState {
  // The member accounts' and the caller's data exist (they are built on first use, the same every time).
  for (const a of new Set([...s.opts.accounts, s.opts.callerAccount])) {
    iamOf(s, a);
    for (const r of s.opts.regions) regionOf(s, a, r);
  }
  const iam: StubState["iam"] = {};
  for (const [a, d] of [...s.iam.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const { versionSeq: _seq, ...rest } = d;
    iam[a] = plainCopy(rest);
  }
  const regions: StubState["regions"] = {};
  for (const [k, d] of [...s.regions.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const [a, r] = k.split("|");
    const served = (s.opts.accounts.includes(a) || a === s.opts.callerAccount) && s.opts.regions.includes(r);
    if (served || Object.values(d).some((v) => Array.isArray(v) && v.length > 0)) regions[k] = plainCopy(d);
  }
  return { iam, regions };
}

/** Starts the stub on 127.0.0.1 (an ephemeral port). */
export async function startAwsStub(options: StubOptions): Promise<AwsStub> {
  const opts = {
    callerAccount: DEFAULT_CALLER,
    scale: 1,
    iamExtra: 0,
    latencyMs: 0,
    throttleRate: 0,
    rateLimit: {},
    seed: 1,
    remediationFixtures: false,
    ...options,
    now: options.now ?? new Date(),
  };
  const state: State = { opts, iam: new Map(), regions: new Map(), denies: [], seq: 0 };
  const rand = mulberry32(opts.seed);
  const throttledOnce = new Set<string>();
  const byOperation = new Map<string, number>();
  const byScope = new Map<string, number>();
  const throttledByScope = new Map<string, number>();
  const limit = createThrottle(opts.rateLimit);
  let calls = 0;
  let throttled = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const auth = String(req.headers.authorization ?? "");
      const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
      const key = scope?.[1] ?? "";
      const r: Req = {
        method: req.method ?? "GET",
        url: new URL(req.url ?? "/", "http://stub"),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        key,
        account: accountOfKey(key, opts.callerAccount),
        region: scope?.[2] ?? "us-east-1",
        service: scope?.[3] ?? "",
      };
      calls++;
      const op = `${r.service}:${countedOperation(r)}`;
      byOperation.set(op, (byOperation.get(op) ?? 0) + 1);
      const where = `${r.account}|${r.region}|${r.service}`;
      byScope.set(where, (byScope.get(where) ?? 0) + 1);
      const proto = protocolOf(r);
      let a: Answer;
      const denied = state.denies.some((d) => d.service === r.service && (!d.account || d.account === r.account) && (!d.region || d.region === r.region));
      const once = `${r.key}|${r.region}|${r.method}|${req.url}|${String(req.headers["x-amz-target"] ?? "")}|${r.body}`;
      if (!scope) {
        a = errorAnswer(r, proto, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      } else if (denied) {
        const action = `${r.service}:${countedOperation(r).split(" ")[0]}`;
        a = errorAnswer(
          r,
          proto,
          proto === "query" || proto === "ec2" ? 403 : 403,
          DENY[proto],
          `User: arn:aws:sts::${r.account}:assumed-role/audit/rampart-scan is not authorized to perform: ${action} (stub deny switch)`,
        );
      } else if (r.service !== "sts" && !limit.take(where, r.service)) {
        throttled++;
        throttledByScope.set(where, (throttledByScope.get(where) ?? 0) + 1);
        const t = THROTTLE[proto];
        a = errorAnswer(r, proto, t.status, t.code, t.message);
      } else if (opts.throttleRate > 0 && r.service !== "sts" && !throttledOnce.has(once) && rand() < opts.throttleRate) {
        throttledOnce.add(once);
        throttled++;
        const t = THROTTLE[proto];
        a = errorAnswer(r, proto, t.status, t.code, t.message);
      } else {
        a = answer(state, r);
      }
      const send = (): void => {
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      };
      if (opts.latencyMs > 0) setTimeout(send, opts.latencyMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accessKeyId: BASE_ACCESS_KEY,
    secretAccessKey: BASE_SECRET,
    callerAccount: opts.callerAccount,
    accounts: [...opts.accounts],
    regions: [...opts.regions],
    get calls() {
      return calls;
    },
    get throttled() {
      return throttled;
    },
    get byOperation() {
      return byOperation;
    },
    get byScope() {
      return byScope;
    },
    get throttledByScope() {
      return throttledByScope;
    },
    deny(rule) {
      state.denies.push(rule);
    },
    allowAll() {
      state.denies = [];
    },
    state: () => dumpState(state),
    iam: (account) => iamOf(state, account),
    region: (account, region) => regionOf(state, account, region),
    resetCounters() {
      calls = 0;
      throttled = 0;
      byOperation.clear();
      byScope.clear();
      throttledByScope.clear();
      throttledOnce.clear();
      limit.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every CloudFormation type the stub serves at least one of (per member account). */
export const SERVED_TYPES: readonly string[] = [...new Set(services.flatMap((s) => s.types))].sort();
