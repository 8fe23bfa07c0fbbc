import { GetDetectorCommand, GetFindingsCommand, GuardDutyClient, ListDetectorsCommand, ListFindingsCommand } from "@aws-sdk/client-guardduty";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FINDING_CRITERIA, GUARDDUTY_DETECTOR, guardduty } from "../../collectors/aws/guardduty.js";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";
import { startLoopback, type Answer, type Loopback } from "./loopback.js";

const REGION = "us-east-1";
const D1 = "12abc34d567e8fa901bc2d34e56789f0";
const D2 = "0000000000000000000000000000beef";
const arnOf = (id: string): string => `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${id}`;

const BITCOIN = {
  AccountId: ACCOUNT,
  Arn: `${arnOf(D1)}/finding/a1b2c3d4e5f60718293a4b5c6d7e8f90`,
  Id: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
  Type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
  Severity: 8,
  Title: "EC2 instance i-0123456789abcdef0 is querying a domain name that is associated with Bitcoin-related activity.",
  Region: REGION,
  Partition: "aws",
  SchemaVersion: "2.0",
  CreatedAt: "2025-06-29T10:00:00.000Z",
  UpdatedAt: "2025-06-29T10:00:00.000Z",
  Resource: { ResourceType: "Instance", InstanceDetails: { InstanceId: "i-0123456789abcdef0", LaunchTime: "2025-06-01T00:00:00.000Z" } },
  Service: { Archived: false, Count: 3, ServiceName: "guardduty", DetectorId: D1 },
};
const KEY_ABUSE = {
  ...BITCOIN,
  Id: "f0e1d2c3b4a5968778695a4b3c2d1e0f",
  Type: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
  Severity: 7.5,
  Title: "Credentials for instance role rampart used from external IP address.",
  Resource: { ResourceType: "AccessKey", AccessKeyDetails: { AccessKeyId: "ASIAEXAMPLE", UserName: "rampart", UserType: "AssumedRole" } },
};

let gd: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function mockAccount(): void {
  gd.on(ListDetectorsCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken ? { DetectorIds: [D2] } : { DetectorIds: [D1], NextToken: "p2" },
  );
  gd.on(GetDetectorCommand).callsFake(({ DetectorId }: { DetectorId: string }) =>
    DetectorId === D1
      ? {
          CreatedAt: "2024-01-01T00:00:00.000Z",
          UpdatedAt: "2025-06-01T00:00:00.000Z",
          FindingPublishingFrequency: "FIFTEEN_MINUTES",
          ServiceRole: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
          Status: "ENABLED",
          Tags: { team: "secops" },
          Features: [
            { Name: "S3_DATA_EVENTS", Status: "ENABLED", UpdatedAt: new Date("2025-01-01T00:00:00Z") },
            { Name: "EKS_AUDIT_LOGS", Status: "ENABLED", UpdatedAt: new Date("2025-01-01T00:00:00Z") },
            { Name: "RDS_LOGIN_EVENTS", Status: "DISABLED", UpdatedAt: new Date("2025-01-01T00:00:00Z") },
            {
              Name: "RUNTIME_MONITORING",
              Status: "ENABLED",
              UpdatedAt: new Date("2025-01-01T00:00:00Z"),
              AdditionalConfiguration: [{ Name: "EKS_ADDON_MANAGEMENT", Status: "ENABLED", UpdatedAt: new Date("2025-01-01T00:00:00Z") }],
            },
          ],
        }
      : { ServiceRole: "r", Status: "DISABLED", FindingPublishingFrequency: "SIX_HOURS" },
  );
  gd.on(ListFindingsCommand).callsFake(({ DetectorId, NextToken }: { DetectorId: string; NextToken?: string }) =>
    DetectorId !== D1 ? { FindingIds: [] } : NextToken ? { FindingIds: [KEY_ABUSE.Id], NextToken: "" } : { FindingIds: [BITCOIN.Id], NextToken: "f2" },
  );
  gd.on(GetFindingsCommand).callsFake(({ FindingIds }: { FindingIds: string[] }) => ({
    Findings: [BITCOIN, KEY_ABUSE].filter((f) => FindingIds.includes(f.Id)),
  }));
}

describe("guardduty collector (aws-sdk-client-mock)", () => {
  beforeAll(() => {
    gd = mockClient(GuardDutyClient);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    gd.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    gd.restore();
    sts.restore();
  });

  it("pages through detectors and findings; Features without UpdatedAt; findings ≥ 7 unarchived", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await guardduty.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(gd.commandCalls(ListDetectorsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "p2"]);
    const lf = gd.commandCalls(ListFindingsCommand).filter((c) => c.args[0].input.DetectorId === D1);
    expect(lf.map((c) => c.args[0].input)).toEqual([
      { DetectorId: D1, FindingCriteria: FINDING_CRITERIA, MaxResults: 50, NextToken: undefined },
      { DetectorId: D1, FindingCriteria: FINDING_CRITERIA, MaxResults: 50, NextToken: "f2" },
    ]);
    expect(FINDING_CRITERIA).toEqual({ Criterion: { severity: { Gte: 7 }, "service.archived": { Eq: ["false"] } } });

    expect(rs[0]).toEqual({
      type: GUARDDUTY_DETECTOR,
      id: arnOf(D1),
      arn: arnOf(D1),
      name: D1,
      account: ACCOUNT,
      region: REGION,
      tags: { team: "secops" },
      properties: {
        Enable: true,
        FindingPublishingFrequency: "FIFTEEN_MINUTES",
        Features: [
          { Name: "S3_DATA_EVENTS", Status: "ENABLED" },
          { Name: "EKS_AUDIT_LOGS", Status: "ENABLED" },
          { Name: "RDS_LOGIN_EVENTS", Status: "DISABLED" },
          { Name: "RUNTIME_MONITORING", Status: "ENABLED", AdditionalConfiguration: [{ Name: "EKS_ADDON_MANAGEMENT", Status: "ENABLED" }] },
        ],
        Tags: [{ Key: "team", Value: "secops" }],
      },
      observed: {
        DetectorId: D1,
        Status: "ENABLED",
        ServiceRole: expect.stringContaining("AWSServiceRoleForAmazonGuardDuty"),
        CreatedAt: "2024-01-01T00:00:00.000Z",
        UpdatedAt: "2025-06-01T00:00:00.000Z",
        findings: [
          { Id: BITCOIN.Id, Type: BITCOIN.Type, Severity: 8, Title: BITCOIN.Title, Resource: BITCOIN.Resource, Archived: false },
          { Id: KEY_ABUSE.Id, Type: KEY_ABUSE.Type, Severity: 7.5, Title: KEY_ABUSE.Title, Resource: KEY_ABUSE.Resource, Archived: false },
        ],
      },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    // A disabled detector with no findings: Enable false, findings [] (read, and empty).
    expect(rs[1]).toMatchObject({ id: arnOf(D2), properties: { Enable: false }, observed: { findings: [] } });
    expect(rs[1].properties.Features).toBeUndefined();
  });

  it("calls exactly the actions it declares", async () => {
    await guardduty.collect(testContext({ region: REGION }));
    const called = [...new Set(gd.calls().map((c) => `guardduty:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...guardduty.actions].sort());
  });

  it("a denied ListFindings makes observed.findings an unknown marker and a denied gap on the detector type", async () => {
    gd.on(ListFindingsCommand).rejects(accessDenied("guardduty:ListFindings"));
    const ctx = testContext({ region: REGION });
    const rs = await guardduty.collect(ctx);
    expect(rs.map((r) => r.observed?.findings)).toEqual([
      { $unknown: expect.stringMatching(/^guardduty:ListFindings was denied: AccessDeniedException/) },
      { $unknown: expect.stringMatching(/^guardduty:ListFindings was denied/) },
    ]);
    expect(ctx.gaps[0]).toMatchObject({ action: "guardduty:ListFindings", status: "denied", resourceTypes: [GUARDDUTY_DETECTOR] });
  });

  it("a region without a detector yields nothing, with ok coverage", async () => {
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const snap = await collect({
      collectors: [guardduty],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    });
    expect(snap.resources).toEqual([]);
    expect(snap.coverage).toEqual([{ service: "guardduty", account: ACCOUNT, region: REGION, status: "ok", resourceTypes: [GUARDDUTY_DETECTOR] }]);
  });

  it("through the runner: AccessDenied on ListDetectors is denied coverage, throttling on GetDetector is error", async () => {
    const opts = {
      collectors: [guardduty],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    gd.on(ListDetectorsCommand).rejects(accessDenied("guardduty:ListDetectors"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "guardduty",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "guardduty:ListDetectors",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: [GUARDDUTY_DETECTOR],
      },
    ]);
    gd.on(ListDetectorsCommand).resolves({ DetectorIds: [D1] });
    gd.on(GetDetectorCommand).rejects(serviceError("TooManyRequestsException", 429, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "guardduty",
        account: ACCOUNT,
        region: REGION,
        status: "error",
        action: "guardduty:GetDetector",
        detail: "throttled after 6 attempts: TooManyRequestsException: Rate exceeded",
        resourceTypes: [GUARDDUTY_DETECTOR],
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------
// Wire level: REST-JSON through a loopback stub (real URI binding, query strings,
// JSON member names, error headers).

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  body: unknown;
}

describe("guardduty over the REST-JSON wire protocol (loopback stub)", () => {
  const seen: Seen[] = [];
  let server: Loopback;
  let endpoint: string;

  function respond(method: string, url: URL, body: Record<string, unknown>): { status: number; headers?: Record<string, string>; body: unknown } {
    const path = url.pathname;
    if (method === "GET" && path === "/detector") {
      return url.searchParams.get("nextToken") === "page/2+"
        ? { status: 200, body: { detectorIds: [] } }
        : { status: 200, body: { detectorIds: [D1], nextToken: "page/2+" } };
    }
    if (method === "GET" && path === `/detector/${D1}`) {
      return {
        status: 200,
        body: {
          createdAt: "2024-01-01T00:00:00.000Z",
          findingPublishingFrequency: "FIFTEEN_MINUTES",
          serviceRole: "arn:aws:iam::012345678912:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
          status: "ENABLED",
          updatedAt: "2025-06-01T00:00:00.000Z",
          tags: { team: "secops" },
          features: [
            { name: "S3_DATA_EVENTS", status: "ENABLED", updatedAt: 1735689600 },
            {
              name: "RUNTIME_MONITORING",
              status: "ENABLED",
              updatedAt: 1735689600,
              additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "DISABLED", updatedAt: 1735689600 }],
            },
          ],
        },
      };
    }
    if (method === "POST" && path === `/detector/${D1}/findings`) {
      return { status: 200, body: { findingIds: [BITCOIN.Id] } };
    }
    if (method === "POST" && path === `/detector/${D1}/findings/get`) {
      return {
        status: 200,
        body: {
          findings: [
            {
              accountId: ACCOUNT,
              arn: BITCOIN.Arn,
              id: BITCOIN.Id,
              type: BITCOIN.Type,
              severity: 8,
              title: BITCOIN.Title,
              region: REGION,
              partition: "aws",
              schemaVersion: "2.0",
              createdAt: "2025-06-29T10:00:00.000Z",
              updatedAt: "2025-06-29T10:00:00.000Z",
              resource: { resourceType: "Instance", instanceDetails: { instanceId: "i-0123456789abcdef0" } },
              service: { archived: false, count: 3, serviceName: "guardduty", detectorId: D1 },
            },
          ],
        },
      };
    }
    return {
      status: 400,
      headers: { "x-amzn-errortype": "BadRequestException" },
      body: { message: `unexpected ${method} ${path} ${JSON.stringify(body)}`, __type: "InvalidInputException" },
    };
  }

  beforeAll(async () => {
    server = await startLoopback((req, raw) => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      const r = respond(req.method ?? "", new URL(req.url ?? "/", "http://stub"), body);
      return {
        status: r.status,
        headers: { "content-type": "application/json", "x-amzn-requestid": "00000000-0000-4000-8000-00000000cafe", ...r.headers },
        body: JSON.stringify(r.body),
      };
    });
    endpoint = server.url;
  });
  afterAll(() => server.close());

  it("binds ListDetectors' query string and GetDetector's path, sends the finding criteria as JSON and parses the responses", async () => {
    const ctx = testContext({ region: REGION, clientConfig: { ...testContext().clientConfig, region: REGION, endpoint } });
    const rs = await guardduty.collect(ctx);
    expect(ctx.gaps).toEqual([]);

    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /detector?maxResults=50",
      "GET /detector?maxResults=50&nextToken=page%2F2%2B",
      `GET /detector/${D1}`,
      `POST /detector/${D1}/findings`,
      `POST /detector/${D1}/findings/get`,
    ]);
    expect(seen[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/guardduty\/aws4_request/);
    expect(seen[3].body).toEqual({ findingCriteria: { criterion: { severity: { gte: 7 }, "service.archived": { eq: ["false"] } } }, maxResults: 50 });
    expect(seen[4].body).toEqual({ findingIds: [BITCOIN.Id] });

    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({
      id: arnOf(D1),
      tags: { team: "secops" },
      properties: {
        Enable: true,
        FindingPublishingFrequency: "FIFTEEN_MINUTES",
        Features: [
          { Name: "S3_DATA_EVENTS", Status: "ENABLED" },
          { Name: "RUNTIME_MONITORING", Status: "ENABLED", AdditionalConfiguration: [{ Name: "EKS_ADDON_MANAGEMENT", Status: "DISABLED" }] },
        ],
      },
      observed: {
        findings: [
          {
            Id: BITCOIN.Id,
            Type: BITCOIN.Type,
            Severity: 8,
            Title: BITCOIN.Title,
            Resource: { ResourceType: "Instance", InstanceDetails: { InstanceId: "i-0123456789abcdef0" } },
            Archived: false,
          },
        ],
      },
    });
  });

  it("parses a REST-JSON AccessDeniedException into denied coverage through the runner", async () => {
    const deny = await startLoopback(
      (req): Answer => {
        const isSts = req.headers["content-type"]?.includes("x-www-form-urlencoded");
        if (isSts) {
          return {
            status: 200,
            headers: { "content-type": "text/xml" },
            body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/scanner</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          };
        }
        return {
          status: 403,
          headers: {
            "content-type": "application/json",
            "x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/coral/com.amazonaws.guardduty/",
          },
          body: JSON.stringify({
            message: `User: arn:aws:iam::${ACCOUNT}:user/scanner is not authorized to perform: guardduty:ListDetectors`,
            __type: "AccessDeniedException",
          }),
        };
      },
      { sdkEndpoint: true },
    );
    try {
      const snap = await collect({
        collectors: [guardduty],
        credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
        homeRegion: REGION,
        maxAttempts: 1,
        collectedAt: COLLECTED_AT,
      });
      expect(snap.coverage).toEqual([
        {
          service: "guardduty",
          account: ACCOUNT,
          region: REGION,
          status: "denied",
          action: "guardduty:ListDetectors",
          detail: `AccessDeniedException: User: arn:aws:iam::${ACCOUNT}:user/scanner is not authorized to perform: guardduty:ListDetectors`,
          resourceTypes: [GUARDDUTY_DETECTOR],
        },
      ]);
    } finally {
      await deny.close();
    }
  });
});
