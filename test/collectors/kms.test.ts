import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  KMSServiceException,
  ListKeysCommand,
  ListResourceTagsCommand,
  type KeyMetadata,
} from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { kms } from "../../collectors/aws/kms.js";
import { collect } from "../../collectors/aws/runner.js";
import { classifyError } from "../../collectors/aws/util.js";
import type { Resource } from "../../model/types.js";
import { ACCOUNT, COLLECTED_AT, testContext } from "./fixtures.js";
import { startLoopback, type Loopback } from "./loopback.js";

const REGION = "eu-west-1";
const arnOf = (id: string): string => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
const CMK = "1234abcd-12ab-34cd-56ef-1234567890ab";
const AWS_KEY = "0987dcba-09fe-87dc-65ba-ab0987654321";
const RSA_KEY = "aaaa1111-2222-3333-4444-555566667777";

/** The article's cross-account key policy shape: one statement for "*" limited by kms:CallerAccount and kms:ViaService. */
const KEY_POLICY = JSON.stringify(
  {
    Version: "2012-10-17",
    Id: "key-consolepolicy-3",
    Statement: [
      { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "Allow use through Secrets Manager",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT, "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
      },
    ],
  },
  null,
  2,
);

const META: Record<string, KeyMetadata> = {
  [CMK]: {
    AWSAccountId: ACCOUNT,
    KeyId: CMK,
    Arn: arnOf(CMK),
    CreationDate: new Date("2024-03-01T10:00:00Z"),
    Enabled: true,
    Description: "secrets",
    KeyUsage: "ENCRYPT_DECRYPT",
    KeyState: "Enabled",
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
    KeySpec: "SYMMETRIC_DEFAULT",
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    MultiRegion: false,
  },
  [AWS_KEY]: {
    AWSAccountId: ACCOUNT,
    KeyId: AWS_KEY,
    Arn: arnOf(AWS_KEY),
    Enabled: true,
    Description: "Default key that protects my Secrets Manager data when no other key is defined",
    KeyUsage: "ENCRYPT_DECRYPT",
    KeyState: "Enabled",
    Origin: "AWS_KMS",
    KeyManager: "AWS",
    KeySpec: "SYMMETRIC_DEFAULT",
  },
  [RSA_KEY]: {
    AWSAccountId: ACCOUNT,
    KeyId: RSA_KEY,
    Arn: arnOf(RSA_KEY),
    Enabled: false,
    Description: "",
    KeyUsage: "SIGN_VERIFY",
    KeyState: "Disabled",
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    KeySpec: "RSA_2048",
  },
};

const kmsMock = mockClient(KMSClient);
const stsMock = mockClient(STSClient);
const err = (name: string, status: number, message: string, attempts = 1): Error =>
  new KMSServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, attempts }, message });

function mockAccount(): void {
  kmsMock.on(ListKeysCommand).callsFake(({ Marker }: { Marker?: string }) =>
    Marker === undefined
      ? {
          Keys: [
            { KeyId: CMK, KeyArn: arnOf(CMK) },
            { KeyId: AWS_KEY, KeyArn: arnOf(AWS_KEY) },
          ],
          Truncated: true,
          NextMarker: "page-2",
        }
      : { Keys: [{ KeyId: RSA_KEY, KeyArn: arnOf(RSA_KEY) }], Truncated: false },
  );
  kmsMock.on(DescribeKeyCommand).callsFake(({ KeyId }: { KeyId: string }) => ({ KeyMetadata: META[KeyId] }));
  kmsMock.on(GetKeyPolicyCommand).callsFake(({ KeyId }: { KeyId: string }) => ({
    PolicyName: "default",
    Policy: KeyId === AWS_KEY ? '{"Version":"2012-10-17","Statement":[]}' : KEY_POLICY,
  }));
  kmsMock.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  kmsMock
    .on(ListResourceTagsCommand)
    .callsFake(({ KeyId, Marker }: { KeyId: string; Marker?: string }) =>
      KeyId === CMK && Marker === undefined
        ? { Tags: [{ TagKey: "team", TagValue: "payments" }], Truncated: true, NextMarker: "t2" }
        : { Tags: KeyId === CMK ? [{ TagKey: "env", TagValue: "prod" }] : [], Truncated: false },
    );
}

const byId = (rs: Resource[], id: string): Resource => {
  const r = rs.find((x) => x.id === id);
  if (!r) throw new Error(`no resource ${id} in ${rs.map((x) => x.id).join(", ")}`);
  return r;
};

describe("kms collector (mocked SDK)", () => {
  beforeEach(() => {
    kmsMock.reset();
    stsMock.reset();
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
    mockAccount();
  });
  afterEach(() => kmsMock.reset());

  it("follows ListKeys' NextMarker and translates a customer key into the CloudFormation shape", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await kms.collect(ctx);
    expect(kmsMock.commandCalls(ListKeysCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, "page-2"]);
    expect(rs.map((r) => r.id).sort()).toEqual([arnOf(CMK), arnOf(AWS_KEY), arnOf(RSA_KEY)].sort());
    const key = byId(rs, arnOf(CMK));
    expect(key).toMatchObject({
      type: "AWS::KMS::Key",
      arn: arnOf(CMK),
      account: ACCOUNT,
      region: REGION,
      tags: { team: "payments", env: "prod" },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(key.properties).toEqual({
      Description: "secrets",
      KeyPolicy: JSON.parse(KEY_POLICY),
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      Enabled: true,
      EnableKeyRotation: true,
      MultiRegion: false,
      Origin: "AWS_KMS",
      Tags: [
        { Key: "team", Value: "payments" },
        { Key: "env", Value: "prod" },
      ],
    });
    expect(key.observed).toMatchObject({ KeyManager: "CUSTOMER", KeyState: "Enabled", KeyId: CMK, CreationDate: "2024-03-01T10:00:00.000Z" });
    expect(kmsMock.commandCalls(GetKeyPolicyCommand).every((c) => c.args[0].input.PolicyName === "default")).toBe(true);
    expect(ctx.gaps).toEqual([]);
    expect(ctx.calls).toBe(kmsMock.calls().length);
  });

  it("reports AWS managed keys with KeyManager and no tag call; asymmetric keys without a rotation call", async () => {
    const rs = await kms.collect(testContext({ region: REGION }));
    expect(byId(rs, arnOf(AWS_KEY)).observed).toMatchObject({ KeyManager: "AWS" });
    expect(byId(rs, arnOf(AWS_KEY)).properties.Tags).toEqual([]);
    expect(kmsMock.commandCalls(ListResourceTagsCommand).map((c) => c.args[0].input.KeyId)).not.toContain(AWS_KEY);
    expect(
      kmsMock
        .commandCalls(GetKeyRotationStatusCommand)
        .map((c) => c.args[0].input.KeyId)
        .sort(),
    ).toEqual([AWS_KEY, CMK].sort());
    expect(byId(rs, arnOf(RSA_KEY)).properties).not.toHaveProperty("EnableKeyRotation");
    expect(byId(rs, arnOf(RSA_KEY)).properties).toMatchObject({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY", Enabled: false });
  });

  it("a denied GetKeyPolicy leaves that key's policy unknown and records a denied gap", async () => {
    kmsMock
      .on(GetKeyPolicyCommand, { KeyId: CMK })
      .rejects(
        err(
          "AccessDeniedException",
          400,
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/rampart-scan/x is not authorized to perform: kms:GetKeyPolicy on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access`,
        ),
      );
    const ctx = testContext({ region: REGION });
    const rs = await kms.collect(ctx);
    expect(byId(rs, arnOf(CMK)).properties.KeyPolicy).toEqual({ $unknown: expect.stringContaining("kms:GetKeyPolicy failed") });
    expect(byId(rs, arnOf(RSA_KEY)).properties.KeyPolicy).toEqual(JSON.parse(KEY_POLICY));
    expect(ctx.gaps).toEqual([{ action: "kms:GetKeyPolicy", status: "denied", detail: expect.stringMatching(/^AccessDeniedException: /), resourceTypes: [] }]);
  });

  it("a policy that is not JSON becomes an unknown marker, never a guess", async () => {
    kmsMock.on(GetKeyPolicyCommand).resolves({ Policy: "not json" });
    const rs = await kms.collect(testContext({ region: REGION }));
    expect(byId(rs, arnOf(CMK)).properties.KeyPolicy).toEqual({ $unknown: expect.stringContaining("not valid JSON") });
  });

  it("a denied ListKeys stops the service (denied coverage); throttling after retries is an error", async () => {
    kmsMock.on(ListKeysCommand).rejects(err("AccessDeniedException", 400, "not authorized to perform: kms:ListKeys"));
    const denied = await kms.collect(testContext({ region: REGION })).catch((e: unknown) => e);
    expect(classifyError(denied)).toMatchObject({ status: "denied" });

    kmsMock.on(ListKeysCommand).rejects(err("ThrottlingException", 400, "Rate exceeded", 6));
    const throttled = await kms.collect(testContext({ region: REGION })).catch((e: unknown) => e);
    expect(classifyError(throttled)).toEqual({ status: "error", detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded" });
  });

  it("the runner turns a denied ListKeys into a denied coverage entry for AWS::KMS::Key", async () => {
    kmsMock.on(ListKeysCommand).rejects(err("AccessDeniedException", 400, "not authorized to perform: kms:ListKeys"));
    const snap = await collect({
      collectors: [kms],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      homeRegion: REGION,
      collectedAt: COLLECTED_AT,
      ratePerSecond: 0,
    });
    expect(snap.coverage).toEqual([
      {
        service: "kms",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "kms:ListKeys",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: ["AWS::KMS::Key"],
      },
    ]);
  });
});

// --- wire level: JSON 1.1 through a loopback stub ------------------------------------------

describe("KMS over the JSON 1.1 wire protocol (loopback stub)", () => {
  interface Seen {
    target?: string;
    contentType?: string;
    authorization?: string;
    body: Record<string, unknown>;
  }
  const seen: Seen[] = [];
  let server: Loopback;

  const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  const json = (status: number, body: unknown): { status: number; type: string; body: string } => ({
    status,
    type: "application/x-amz-json-1.1",
    body: JSON.stringify(body),
  });

  function respond(target: string | undefined, body: Record<string, unknown>, form: URLSearchParams): { status: number; type: string; body: string } {
    if (!target && form.get("Action") === "GetCallerIdentity") {
      return {
        status: 200,
        type: "text/xml",
        body: `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/scanner</Arn><UserId>AIDAEXAMPLE</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      };
    }
    switch (target) {
      case "TrentService.ListKeys":
        return body.Marker === undefined
          ? json(200, { Keys: [{ KeyId: CMK, KeyArn: arnOf(CMK) }], Truncated: true, NextMarker: "AE0AAAACAHVzAAAAAQAAAAABAAAAQ+/v" })
          : json(200, { Keys: [{ KeyId: RSA_KEY, KeyArn: arnOf(RSA_KEY) }], Truncated: false });
      case "TrentService.DescribeKey":
        // Dates on the JSON wire are epoch seconds.
        return json(200, { KeyMetadata: { ...META[body.KeyId as string], CreationDate: 1709287200 } });
      case "TrentService.GetKeyPolicy":
        return body.KeyId === RSA_KEY
          ? json(400, { __type: "AccessDeniedException", message: "User is not authorized to perform: kms:GetKeyPolicy" })
          : json(200, { Policy: KEY_POLICY, PolicyName: "default" });
      case "TrentService.GetKeyRotationStatus":
        return json(200, { KeyRotationEnabled: false });
      case "TrentService.ListResourceTags":
        return json(200, { Tags: [{ TagKey: "team", TagValue: "payments" }], Truncated: false });
      default:
        return json(400, { __type: "UnknownOperationException", message: `unexpected ${target}` });
    }
  }

  beforeAll(async () => {
    stsMock.restore();
    kmsMock.restore();
    server = await startLoopback(
      (req, raw) => {
        const target = req.headers["x-amz-target"] as string | undefined;
        const body = target ? (JSON.parse(raw || "{}") as Record<string, unknown>) : {};
        seen.push({ target, contentType: req.headers["content-type"], authorization: req.headers.authorization, body });
        const r = respond(target, body, new URLSearchParams(target ? "" : raw));
        return { status: r.status, headers: { "content-type": r.type, "x-amzn-requestid": "0c1d2e3f-EXAMPLE" }, body: r.body };
      },
      { sdkEndpoint: true },
    );
  });

  afterAll(() => server.close());

  it("serializes ListKeys / GetKeyPolicy as JSON 1.1, follows the marker and parses the policy and errors", async () => {
    const snap = await collect({
      services: ["kms"],
      homeRegion: REGION,
      credentials: { accessKeyId: "AKIDLOOPBACKTEST", secretAccessKey: "loopback-secret" },
      maxAttempts: 1,
      collectedAt: COLLECTED_AT,
    });
    const kmsCalls = seen.filter((s) => s.target?.startsWith("TrentService."));
    const listKeys = kmsCalls.filter((s) => s.target === "TrentService.ListKeys");
    expect(listKeys.map((s) => s.body.Marker)).toEqual([undefined, "AE0AAAACAHVzAAAAAQAAAAABAAAAQ+/v"]);
    expect(listKeys[0].contentType).toBe("application/x-amz-json-1.1");
    expect(listKeys[0].authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACKTEST/\\d{8}/${REGION}/kms/aws4_request`));
    expect(
      kmsCalls
        .filter((s) => s.target === "TrentService.GetKeyPolicy")
        .map((s) => s.body)
        .sort((a, b) => String(a.KeyId).localeCompare(String(b.KeyId))),
    ).toEqual([
      { KeyId: CMK, PolicyName: "default" },
      { KeyId: RSA_KEY, PolicyName: "default" },
    ]);

    const cmk = snap.resources.find((r) => r.id === arnOf(CMK));
    expect(cmk).toMatchObject({
      type: "AWS::KMS::Key",
      tags: { team: "payments" },
      properties: { KeyPolicy: JSON.parse(KEY_POLICY), EnableKeyRotation: false, KeySpec: "SYMMETRIC_DEFAULT" },
      observed: { KeyManager: "CUSTOMER", CreationDate: "2024-03-01T10:00:00.000Z" },
    });
    expect(snap.resources.find((r) => r.id === arnOf(RSA_KEY))?.properties.KeyPolicy).toEqual({ $unknown: expect.stringContaining("kms:GetKeyPolicy") });
    expect(snap.coverage).toEqual([
      {
        service: "kms",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "kms:GetKeyPolicy",
        detail: expect.stringMatching(/^AccessDeniedException: /),
        resourceTypes: [],
      },
      { service: "kms", account: ACCOUNT, region: REGION, status: "ok", resourceTypes: ["AWS::KMS::Key"] },
    ]);
  });
});
