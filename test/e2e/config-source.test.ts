/**
 * `rampart scan --source config` end to end: the CLI (in-process) against a loopback AWS Config
 * (JSON 1.1, `StarlingDoveService.*`) and STS (query/XML), so the SDK's real
 * serialization runs: the recorder's select over two pages, a bare item completed with
 * BatchGetResourceConfig, the findings the rules make of Config's items, a denied select
 * as a coverage gap, and the aggregator mode. Nothing leaves 127.0.0.1.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { KEY_ARN, KEY_ITEM, KEY_ROW_BARE, POLICY_ROW, REGION, ROLE_ROW, SECRET_ROW, SG_ROW, SUBNET_ROW } from "../collectors/config-fixtures.js";
import { ACCOUNT } from "../collectors/fixtures.js";
import { startLoopback, type Answer, type Loopback } from "../collectors/loopback.js";
import { runCli, type CliRun } from "./inprocess.js";

const OTHER = "210987654321";
/** The same item recorded in another account of the organization (its ARNs too). */
const inOther = <T>(item: T): T => JSON.parse(JSON.stringify(item).split(ACCOUNT).join(OTHER)) as T;
const NOT_RECORDED = {
  service: "config",
  account: ACCOUNT,
  region: REGION,
  status: "skipped",
  action: "config:SelectResourceConfig",
  detail:
    "AWS Config does not record AWS::IAM::AccessKey, AWS::SecretsManager::ResourcePolicy (or not with what the rules read): scan without --source config to collect them",
  resourceTypes: ["AWS::IAM::AccessKey", "AWS::SecretsManager::ResourcePolicy"],
};

interface Seen {
  op: string;
  body: Record<string, any>;
}

let server: Loopback;
let dir = "";
let seen: Seen[] = [];
/** Operations answered with AccessDeniedException. */
let denied = new Set<string>();

function answer(op: string, body: Record<string, any>): { status: number; body: unknown } {
  if (denied.has(op)) return { status: 400, body: { __type: "AccessDeniedException", message: `User is not authorized to perform: config:${op}` } };
  switch (op) {
    case "DescribeConfigurationRecorders":
      return {
        status: 200,
        body: {
          ConfigurationRecorders: [
            { name: "default", roleARN: `arn:aws:iam::${ACCOUNT}:role/config`, recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
          ],
        },
      };
    case "SelectResourceConfig":
      // Two pages; the key comes back bare and is completed with BatchGetResourceConfig.
      return body.NextToken === undefined
        ? { status: 200, body: { Results: [ROLE_ROW, POLICY_ROW, SG_ROW].map((r) => JSON.stringify(r)), NextToken: "page-2" } }
        : { status: 200, body: { Results: [SUBNET_ROW, KEY_ROW_BARE, SECRET_ROW].map((r) => JSON.stringify(r)) } };
    case "BatchGetResourceConfig":
      return { status: 200, body: { baseConfigurationItems: [KEY_ITEM], unprocessedResourceKeys: [] } };
    case "SelectAggregateResourceConfig":
      return { status: 200, body: { Results: [JSON.stringify(inOther(KEY_ROW_BARE))] } };
    case "BatchGetAggregateResourceConfig":
      return { status: 200, body: { BaseConfigurationItems: [inOther(KEY_ITEM)], UnprocessedResourceIdentifiers: [] } };
    default:
      return { status: 400, body: { __type: "UnknownOperationException", message: `the stub has no ${op}` } };
  }
}

function rampart(args: string[]): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  Object.assign(env, {
    NO_COLOR: "1",
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: "AKIDCONFIGSTUB",
    AWS_SECRET_ACCESS_KEY: "config-stub-secret",
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: path.join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  });
  return runCli(args, { cwd: dir, replaceEnv: env });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-config-source-"));
  server = await startLoopback((req, raw): Answer => {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (!target) {
      // STS over query/XML: the caller's account.
      return {
        status: 200,
        headers: { "content-type": "text/xml" },
        body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci</Arn><UserId>AROAEXAMPLE:ci</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      };
    }
    const op = target.split(".").pop() ?? "";
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    seen.push({ op, body });
    const a = answer(op, body);
    return { status: a.status, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "config-stub" }, body: JSON.stringify(a.body) };
  });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  denied = new Set();
});

const scan = (...more: string[]): Promise<CliRun> =>
  rampart(["scan", "--source", "config", "--regions", REGION, "--services", "iam,kms,secretsmanager,ec2", "--format", "json", "--fail-on", "none", ...more]);
const failing = (doc: any): string[] =>
  doc.findings
    .filter((f: any) => f.status === "fail")
    .map((f: any) => `${f.ruleId} ${f.resource.id}`)
    .sort();

describe("rampart scan --source config (loopback AWS Config)", () => {
  it("reads the recorder's items over every page, completes the bare key, and judges them", { timeout: 120_000 }, async () => {
    const run = await scan();
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(seen.map((s) => s.op)).toEqual(["DescribeConfigurationRecorders", "SelectResourceConfig", "SelectResourceConfig", "BatchGetResourceConfig"]);
    expect(seen[1].body.Expression).toMatch(/^SELECT .* WHERE resourceType IN \(/);
    expect(seen[2].body.NextToken).toBe("page-2");
    expect(seen[3].body.resourceKeys).toEqual([{ resourceType: "AWS::KMS::Key", resourceId: KEY_ROW_BARE.resourceId }]);
    // Types Config does not record are said to be skipped, never taken as empty.
    expect(doc.coverage.filter((c: any) => c.status !== "ok")).toEqual([NOT_RECORDED]);
    // The key any principal may decrypt with (no caller-account and no via-service condition), the
    // security group open to the world on egress, and the managed policy that issues certificates
    // with any template. No GuardDuty finding: Config was not asked for detectors.
    expect(failing(doc)).toEqual([
      `acmpca-issue-certificate-template-restricted ${POLICY_ROW.arn}`,
      `ec2-security-group-egress-restricted ${SG_ROW.arn}`,
      `kms-key-policy-cross-account-scoped ${KEY_ARN}`,
      `kms-key-policy-cross-account-scoped ${KEY_ARN}`,
    ]);
  });

  it("a denied select is a coverage gap, and the rules reading those types are unknown (exit 3 with --fail-on-unknown)", { timeout: 120_000 }, async () => {
    denied.add("SelectResourceConfig");
    const run = await scan("--fail-on-unknown");
    expect(run.code, run.stderr).toBe(3);
    const doc = JSON.parse(run.stdout);
    expect(doc.scan.incomplete).toBe(true);
    expect(doc.coverage.filter((c: any) => c.status !== "ok").map((c: any) => [c.service, c.status, c.action])).toEqual([
      ["config", "denied", "config:SelectResourceConfig"],
    ]);
    expect(failing(doc)).toEqual([]);
    expect(doc.findings.some((f: any) => f.ruleId === "kms-key-policy-cross-account-scoped" && f.status === "unknown")).toBe(true);
  });

  it("--aggregator reads once through the aggregator, with each item's own account", { timeout: 120_000 }, async () => {
    const run = await scan("--aggregator", "org-aggregator");
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(seen.map((s) => s.op)).toEqual(["SelectAggregateResourceConfig", "BatchGetAggregateResourceConfig"]);
    expect(seen[0].body.ConfigurationAggregatorName).toBe("org-aggregator");
    expect(failing(doc)).toEqual([`kms-key-policy-cross-account-scoped ${inOther(KEY_ARN)}`, `kms-key-policy-cross-account-scoped ${inOther(KEY_ARN)}`]);
    expect(doc.findings.filter((f: any) => f.status === "fail").map((f: any) => f.resource.account)).toEqual([OTHER, OTHER]);
  });
});
