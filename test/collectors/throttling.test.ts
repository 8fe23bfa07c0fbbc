/**
 * Throttling end to end: `collect()` with the real SDK clients (adaptive retry) against the
 * loopback stub's AWS-style request throttling (a token bucket per account × region ×
 * service, answered with each protocol's throttling error). Throttling the retries absorb
 * leaves the coverage all ok with every resource read; throttling that outlasts them is a
 * coverage gap naming the action, and only that service's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collect, type CollectOptions } from "../../collectors/aws/runner.js";
import { startAwsStub, type AwsStub } from "../stub/aws-stub.js";

const A = "111122223333";
const REGION = "us-east-1";
const SERVICES = ["iam", "kms", "secretsmanager", "wafv2", "rolesanywhere", "ec2"];

let stub: AwsStub | undefined;
let saved: string | undefined;

async function scan(rateLimit: Record<string, number> | number | undefined, extra: Partial<CollectOptions> = {}) {
  stub = await startAwsStub({ accounts: [A], regions: [REGION], scale: 3, iamExtra: 10, ...(rateLimit === undefined ? {} : { rateLimit }) });
  saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = stub.url;
  const snap = await collect({
    accounts: [A],
    roleName: "audit",
    regions: [REGION],
    homeRegion: REGION,
    services: SERVICES,
    credentials: { accessKeyId: stub.accessKeyId, secretAccessKey: stub.secretAccessKey },
    collectedAt: new Date("2026-12-01T00:00:00Z"),
    ...extra,
  });
  const out = { snap, calls: stub.calls, throttled: stub.throttled, throttledByScope: new Map(stub.throttledByScope) };
  await stub.close();
  stub = undefined;
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = saved;
  return out;
}

afterEach(async () => {
  if (stub) await stub.close();
  stub = undefined;
});

const countsByType = (resources: { type: string }[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of resources) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
};

describe("collect() under AWS-style throttling (loopback stub, real SDK retries)", () => {
  it("throttling the retries absorb: coverage all ok, every resource read, the same as unthrottled", async () => {
    const calm = await scan(undefined);
    expect(calm.throttled).toBe(0);
    // Hard: 3 requests a second per account × region × service, while the collectors fan out 4–8 calls at once.
    const hard = await scan(3);
    expect(hard.throttled).toBeGreaterThan(0); // the stub did throttle (this test can fail)
    expect(hard.snap.coverage.filter((c) => c.status !== "ok")).toEqual([]);
    expect(hard.snap.coverage.map((c) => `${c.service} ${c.region} ${c.status}`)).toEqual(
      calm.snap.coverage.map((c) => `${c.service} ${c.region} ${c.status}`),
    );
    expect(countsByType(hard.snap.resources)).toEqual(countsByType(calm.snap.resources));
    expect(countsByType(hard.snap.resources)).toEqual(EXPECTED_COUNTS);
    expect(hard.snap.resources.map((r) => `${r.type} ${r.id}`)).toEqual(calm.snap.resources.map((r) => `${r.type} ${r.id}`));
  }, 120_000);

  it("throttling that outlasts the retries: a coverage gap naming the action, the other services ok", async () => {
    // KMS refuses every request (a bucket that never holds a token); 2 attempts keep the test short.
    const r = await scan({ kms: 1e-9 }, { maxAttempts: 2 });
    const notOk = r.snap.coverage.filter((c) => c.status !== "ok");
    expect(notOk).toEqual([
      {
        service: "kms",
        account: A,
        region: REGION,
        status: "error",
        action: "kms:ListKeys",
        detail: "throttled after 2 attempts: ThrottlingException: Rate exceeded",
        resourceTypes: ["AWS::KMS::Key"],
      },
    ]);
    expect(r.throttledByScope).toEqual(new Map([[`${A}|${REGION}|kms`, 2]]));
    const counts = countsByType(r.snap.resources);
    const { "AWS::KMS::Key": _kms, ...rest } = EXPECTED_COUNTS;
    expect(counts).toEqual(rest);
  }, 120_000);
});

/** The stub's organization at scale 3 with 10 extra IAM roles, for these services. */
const EXPECTED_COUNTS: Record<string, number> = {
  "AWS::EC2::SecurityGroup": 3,
  "AWS::EC2::Subnet": 6,
  "AWS::IAM::AccessKey": 4,
  "AWS::IAM::Group": 1,
  "AWS::IAM::ManagedPolicy": 2,
  "AWS::IAM::Role": 14,
  "AWS::IAM::User": 4,
  "AWS::KMS::Key": 3,
  "AWS::RolesAnywhere::CRL": 3,
  "AWS::RolesAnywhere::Profile": 3,
  "AWS::RolesAnywhere::TrustAnchor": 3,
  "AWS::SecretsManager::ResourcePolicy": 1,
  "AWS::SecretsManager::Secret": 3,
  "AWS::WAFv2::LoggingConfiguration": 3,
  "AWS::WAFv2::WebACL": 4,
  "AWS::WAFv2::WebACLAssociation": 3,
};
