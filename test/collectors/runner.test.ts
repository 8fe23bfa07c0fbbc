import fs from "node:fs";
import { ACMPCAClient, ListCertificateAuthoritiesCommand } from "@aws-sdk/client-acm-pca";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetAccountAuthorizationDetailsCommand, IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { ListCrlsCommand, ListProfilesCommand, ListTrustAnchorsCommand, RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Ajv } from "ajv";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectors, permissionsPolicy } from "../../collectors/aws/index.js";
import { collect, endpointFor, type CollectOptions } from "../../collectors/aws/runner.js";
import type { ServiceCollector } from "../../collectors/aws/types.js";
import { classifyError } from "../../collectors/aws/util.js";
import { UserError } from "../../model/errors.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, legacy, mockLegacyClient } from "./fixtures.js";

const sts = mockClient(STSClient);
const iamM = mockClient(IAMClient);
const ra = mockLegacyClient(RolesAnywhereClient);
const pca = mockLegacyClient(ACMPCAClient);
const ec2 = mockClient(EC2Client);
const OTHER = "210987654321";

// The runner's behaviour is tested with the first three services (their clients are mocked
// here); every registered collector's own behaviour is tested in its own file.
const base: CollectOptions = {
  collectors: collectors.filter((c) => ["iam", "rolesanywhere", "acm-pca"].includes(c.service)),
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
  homeRegion: "eu-west-1",
  collectedAt: COLLECTED_AT,
  ratePerSecond: 0,
};

const validate = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(new URL("../../schemas/snapshot.schema.json", import.meta.url), "utf8")));

beforeEach(() => {
  for (const m of [sts, iamM, ra, pca, ec2]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci`, UserId: "AROAEXAMPLE:ci" });
  iamM.on(GetAccountAuthorizationDetailsCommand).resolves({
    IsTruncated: false,
    RoleDetailList: [
      {
        RoleName: "r1",
        Arn: `arn:aws:iam::${ACCOUNT}:role/r1`,
        Path: "/",
        AssumeRolePolicyDocument: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
      },
    ],
  });
  iamM.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
  ra.on(legacy(ListTrustAnchorsCommand)).resolves({ trustAnchors: [] });
  ra.on(legacy(ListProfilesCommand)).resolves({ profiles: [] });
  ra.on(legacy(ListCrlsCommand)).resolves({ crls: [] });
  pca.on(legacy(ListCertificateAuthoritiesCommand)).resolves({ CertificateAuthorities: [] });
});
afterEach(() => {
  for (const m of [sts, iamM, ra, pca, ec2]) m.reset();
});

describe("collect (runner)", () => {
  it("identifies the caller, runs every service and records ok coverage; the snapshot matches the schema", async () => {
    const progress: string[] = [];
    const snap = await collect({ ...base, onProgress: (p) => progress.push(`${p.phase}:${p.service ?? "-"}:${p.status}:${p.done}/${p.total}`) });
    expect(validate(snap), JSON.stringify(validate.errors)).toBe(true);
    expect(snap.source).toEqual({ kind: "aws", collectedAt: COLLECTED_AT.toISOString(), accounts: [ACCOUNT], regions: ["eu-west-1", "global"] });
    expect(snap.resources.map((r) => r.id)).toEqual([`arn:aws:iam::${ACCOUNT}:role/r1`]);
    expect(snap.coverage).toEqual([
      { service: "acm-pca", account: ACCOUNT, region: "eu-west-1", status: "ok", resourceTypes: ["AWS::ACMPCA::CertificateAuthority"] },
      {
        service: "rolesanywhere",
        account: ACCOUNT,
        region: "eu-west-1",
        status: "ok",
        resourceTypes: ["AWS::RolesAnywhere::TrustAnchor", "AWS::RolesAnywhere::Profile", "AWS::RolesAnywhere::CRL"],
      },
      {
        service: "iam",
        account: ACCOUNT,
        region: "global",
        status: "ok",
        resourceTypes: ["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy", "AWS::IAM::AccessKey"],
      },
    ]);
    expect(progress).toHaveLength(4);
    expect(progress.at(-1)).toMatch(/:4\/4$/);
  });

  it("turns AccessDenied into denied coverage with the rule types, and the other services still run", async () => {
    iamM.on(GetAccountAuthorizationDetailsCommand).rejects(accessDenied("iam:GetAccountAuthorizationDetails"));
    const snap = await collect(base);
    const iamCov = snap.coverage.filter((c) => c.service === "iam");
    expect(iamCov).toEqual([
      {
        service: "iam",
        account: ACCOUNT,
        region: "global",
        status: "denied",
        action: "iam:GetAccountAuthorizationDetails",
        detail: expect.stringMatching(/^AccessDenied: User: .* is not authorized to perform: iam:GetAccountAuthorizationDetails/),
        resourceTypes: ["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy", "AWS::IAM::AccessKey"],
      },
    ]);
    expect(snap.resources).toEqual([]);
    expect(
      snap.coverage
        .filter((c) => c.status === "ok")
        .map((c) => c.service)
        .sort(),
    ).toEqual(["acm-pca", "rolesanywhere"]);
    expect(validate(snap)).toBe(true);
  });

  it("turns throttling that outlasted the SDK's retries into error coverage", async () => {
    ra.on(legacy(ListTrustAnchorsCommand)).rejects(serviceError("ThrottlingException", 429, "Rate exceeded", 6));
    const snap = await collect(base);
    expect(snap.coverage.find((c) => c.service === "rolesanywhere")).toEqual({
      service: "rolesanywhere",
      account: ACCOUNT,
      region: "eu-west-1",
      status: "error",
      action: "rolesanywhere:ListTrustAnchors",
      detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded",
      resourceTypes: ["AWS::RolesAnywhere::TrustAnchor", "AWS::RolesAnywhere::Profile", "AWS::RolesAnywhere::CRL"],
    });
  });

  it("reports partial coverage: one gap per failing action (deduplicated), and ok for the rest", async () => {
    const partial: ServiceCollector = {
      service: "fake",
      resourceTypes: ["AWS::Fake::A", "AWS::Fake::B"],
      actions: ["fake:ListA", "fake:ListB"],
      async collect(ctx) {
        for (let i = 0; i < 3; i++) ctx.gap({ action: "fake:ListB", status: "denied", detail: "AccessDenied: no", resourceTypes: ["AWS::Fake::B"] });
        return [];
      },
    };
    const snap = await collect({ ...base, collectors: [partial] });
    expect(snap.coverage).toEqual([
      {
        service: "fake",
        account: ACCOUNT,
        region: "eu-west-1",
        status: "denied",
        action: "fake:ListB",
        detail: "AccessDenied: no (and 2 more calls like it)",
        resourceTypes: ["AWS::Fake::B"],
      },
      { service: "fake", account: ACCOUNT, region: "eu-west-1", status: "ok", resourceTypes: ["AWS::Fake::A"] },
    ]);
  });

  it("never runs more than `concurrency` service tasks at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: ServiceCollector = {
      service: "slow",
      resourceTypes: [],
      actions: [],
      async collect() {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return [];
      },
    };
    const snap = await collect({ ...base, collectors: [slow], regions: ["r1", "r2", "r3", "r4", "r5", "r6", "r7"], concurrency: 3 });
    expect(snap.coverage).toHaveLength(7);
    expect(peak).toBe(3);
  });

  it("assumes the role in other accounts; a failed AssumeRole is denied coverage for every service there", async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
      if (input.RoleArn.includes(OTHER)) throw accessDenied("sts:AssumeRole");
      return { Credentials: { AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(Date.now() + 3600_000) } };
    });
    const third = "333333333333";
    const snap = await collect({ ...base, accounts: [ACCOUNT, OTHER, third], roleName: "rampart-audit", externalId: "ext-123" });
    const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toEqual(
      expect.arrayContaining([
        { RoleArn: `arn:aws:iam::${OTHER}:role/rampart-audit`, RoleSessionName: "rampart-scan", ExternalId: "ext-123" },
        { RoleArn: `arn:aws:iam::${third}:role/rampart-audit`, RoleSessionName: "rampart-scan", ExternalId: "ext-123" },
      ]),
    );
    expect(assumed).toHaveLength(2); // not into the caller's own account
    const other = snap.coverage.filter((c) => c.account === OTHER);
    expect(other.map((c) => [c.service, c.region, c.status, c.action])).toEqual([
      ["acm-pca", "eu-west-1", "denied", "sts:AssumeRole"],
      ["rolesanywhere", "eu-west-1", "denied", "sts:AssumeRole"],
      ["iam", "global", "denied", "sts:AssumeRole"],
    ]);
    expect(other[0].detail).toContain(`cannot assume arn:aws:iam::${OTHER}:role/rampart-audit`);
    expect(snap.coverage.filter((c) => c.account === third).every((c) => c.status === "ok")).toBe(true);
    expect(snap.source.accounts).toEqual([ACCOUNT, OTHER, third]);
  });

  it("regions 'all' scans the account's enabled regions from DescribeRegions", async () => {
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: "us-east-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "af-south-1", OptInStatus: "opted-in" },
      ],
    });
    const snap = await collect({ ...base, regions: "all", services: ["acm-pca"] });
    expect(ec2.commandCalls(DescribeRegionsCommand)[0].args[0].input).toEqual({ AllRegions: false });
    expect(snap.coverage.map((c) => c.region)).toEqual(["af-south-1", "eu-west-1", "us-east-1"]);
    expect(snap.source.regions).toEqual(["af-south-1", "eu-west-1", "us-east-1"]);
  });

  it("when DescribeRegions is denied, scans the home region and says which types may be incomplete", async () => {
    ec2.on(DescribeRegionsCommand).rejects(serviceError("UnauthorizedOperation", 403, "You are not authorized to perform this operation."));
    const snap = await collect({ ...base, regions: "all", services: ["acm-pca", "iam"] });
    expect(snap.coverage.find((c) => c.service === "ec2")).toMatchObject({
      status: "denied",
      action: "ec2:DescribeRegions",
      resourceTypes: ["AWS::ACMPCA::CertificateAuthority"],
    });
    expect(snap.coverage.find((c) => c.service === "acm-pca")).toMatchObject({ region: "eu-west-1", status: "ok" });
  });

  it("rejects bad options with a UserError that says what to do", async () => {
    await expect(collect({ ...base, services: ["iam", "nope"] })).rejects.toThrow(/unknown service 'nope'.*known services: iam, rolesanywhere, acm-pca/);
    await expect(collect({ ...base, accounts: [OTHER] })).rejects.toThrow(/--role-name/);
    await expect(collect({ ...base, accounts: ["12"], roleName: "x" })).rejects.toThrow(/12-digit/);
    sts.on(GetCallerIdentityCommand).rejects(serviceError("InvalidClientTokenId", 403, "The security token included in the request is invalid."));
    const err = await collect(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/cannot identify the AWS caller.*InvalidClientTokenId/);
  });
});

describe("classifyError", () => {
  it.each([
    ["AccessDenied", 403, "denied"],
    ["AccessDeniedException", 400, "denied"],
    ["UnauthorizedOperation", 403, "denied"],
    ["OptInRequired", 403, "skipped"],
    ["Throttling", 400, "error"],
    ["TooManyRequestsException", 429, "error"],
    ["InternalFailure", 500, "error"],
    ["ServiceUnavailable", 503, "error"],
    ["InvalidClientTokenId", 403, "error"],
  ] as const)("%s (%i) → %s", (name, code, status) => {
    expect(classifyError(serviceError(name, code, "m")).status).toBe(status);
  });
  it("classifies network errors and timeouts as error, unknown hosts as skipped", () => {
    expect(classifyError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })).status).toBe("error");
    expect(classifyError(Object.assign(new Error("Connection timed out after 1000 ms"), { name: "TimeoutError" })).detail).toMatch(/^timeout/);
    expect(classifyError(Object.assign(new Error("getaddrinfo ENOTFOUND rolesanywhere.xx-east-9.amazonaws.com"), { code: "ENOTFOUND" })).status).toBe(
      "skipped",
    );
  });
});

describe("endpointFor", () => {
  it("prefers the service-specific variable", () => {
    expect(endpointFor("acm-pca", { AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_ACM_PCA: "http://b" })).toBe("http://b");
    expect(endpointFor("iam", { AWS_ENDPOINT_URL: "http://a" })).toBe("http://a");
    expect(endpointFor("iam", {})).toBeUndefined();
  });
});

describe("permissionsPolicy", () => {
  it("is one sorted, deduplicated read-only statement covering every collector and the runner", () => {
    const p = permissionsPolicy();
    expect(p.Version).toBe("2012-10-17");
    expect(p.Statement).toHaveLength(1);
    const actions = p.Statement[0].Action;
    expect(actions).toEqual([...new Set(actions)].sort());
    for (const c of collectors) for (const a of c.actions) expect(actions).toContain(a);
    expect(actions).toContain("sts:GetCallerIdentity");
    expect(actions).toContain("ec2:DescribeRegions");
    expect(p.Statement[0].Resource).toBe("*");
    expect(JSON.stringify(p).length).toBeLessThan(6144); // fits a managed policy
  });
});
