/**
 * The loopback stub's model of AWS request throttling: a token bucket per account × region ×
 * service, answering over-limit requests with each protocol's throttling error as AWS sends
 * it, parsed by the real SDK clients as throttling.
 */
import { EC2Client, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { GuardDutyClient, ListDetectorsCommand } from "@aws-sdk/client-guardduty";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyError } from "../../collectors/aws/util.js";
import { createThrottle, startAwsStub, type AwsStub } from "./aws-stub.js";

describe("createThrottle", () => {
  it("grants a burst of `rate`, then `rate` a second; a refused request takes no token", () => {
    let t = 0;
    const th = createThrottle(5, () => t);
    const first = Array.from({ length: 7 }, () => th.take("a|us-east-1|iam", "iam"));
    expect(first).toEqual([true, true, true, true, true, false, false]);
    t = 199; // 0.995 of a token: still none
    expect(th.take("a|us-east-1|iam", "iam")).toBe(false);
    t = 200; // one token refilled (the refused requests took none)
    expect(th.take("a|us-east-1|iam", "iam")).toBe(true);
    expect(th.take("a|us-east-1|iam", "iam")).toBe(false);
    t = 10_000; // refills up to the burst, not beyond
    expect(Array.from({ length: 6 }, () => th.take("a|us-east-1|iam", "iam"))).toEqual([true, true, true, true, true, false]);
  });

  it("keeps one bucket per account × region × service, and limits only the services named", () => {
    const t = 0;
    const th = createThrottle({ iam: 1, kms: 2 }, () => t);
    expect([th.take("a|us-east-1|iam", "iam"), th.take("a|us-east-1|iam", "iam")]).toEqual([true, false]);
    expect(th.take("b|us-east-1|iam", "iam")).toBe(true); // another account
    expect([th.take("a|eu-west-1|kms", "kms"), th.take("a|eu-west-1|kms", "kms"), th.take("a|eu-west-1|kms", "kms")]).toEqual([true, true, false]);
    expect(th.take("a|us-east-1|kms", "kms")).toBe(true); // another region
    expect(Array.from({ length: 100 }, () => th.take("a|us-east-1|ec2", "ec2")).every(Boolean)).toBe(true); // not named: no limit
    expect(th.rateOf("ec2")).toBeUndefined();
  });
});

describe("the stub's throttling answers", () => {
  let stub: AwsStub;
  const ACCOUNT = "111122223333";
  beforeAll(async () => {
    stub = await startAwsStub({ accounts: [ACCOUNT], regions: ["us-east-1"], rateLimit: 2 });
  });
  afterAll(async () => {
    await stub.close();
  });

  /** A request signed (as far as the stub reads it) for the caller's account in us-east-1. */
  const raw = (service: string, init: { path?: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Response> =>
    fetch(`${stub.url}${init.path ?? "/"}`, {
      method: init.method ?? "POST",
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${stub.accessKeyId}/20261203/us-east-1/${service}/aws4_request`, ...init.headers },
      body: init.body,
    });

  it("answers each protocol's throttling error with AWS's status, code and body shape", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
    const cases = [
      {
        service: "iam",
        init: { headers: form, body: "Action=ListRoles&Version=2010-05-08" },
        status: 400,
        code: "<Code>Throttling</Code>",
        shape: "<ErrorResponse",
      },
      {
        service: "ec2",
        init: { headers: form, body: "Action=DescribeSubnets&Version=2016-11-15" },
        status: 503,
        code: "<Code>RequestLimitExceeded</Code>",
        shape: "<Response><Errors><Error>",
      },
      {
        service: "kms",
        init: { headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.ListKeys" }, body: "{}" },
        status: 400,
        code: '"__type":"ThrottlingException"',
        shape: "{",
      },
      { service: "guardduty", init: { method: "GET", path: "/detector" }, status: 429, code: '"__type":"TooManyRequestsException"', shape: "{" },
    ];
    stub.resetCounters();
    for (const c of cases) {
      // A burst of 2, then one token every 500 ms: the third request is refused unless the machine stalls; a stall only delays the refusal.
      const answers: Response[] = [];
      for (let i = 0; i < 10 && !answers.some((a) => a.status !== 200); i++) answers.push(await raw(c.service, c.init));
      expect(answers.slice(0, 2).map((a) => a.status)).toEqual([200, 200]);
      const over = answers[answers.length - 1];
      expect(over.status).toBe(c.status);
      const body = await over.text();
      expect(body).toContain(c.code);
      expect(body.startsWith(c.shape) || body.includes(c.shape)).toBe(true);
    }
    expect(stub.throttled).toBe(4);
    expect([...stub.throttledByScope.entries()].sort()).toEqual([
      [`${stub.callerAccount}|us-east-1|ec2`, 1],
      [`${stub.callerAccount}|us-east-1|guardduty`, 1],
      [`${stub.callerAccount}|us-east-1|iam`, 1],
      [`${stub.callerAccount}|us-east-1|kms`, 1],
    ]);
  });

  it("the SDK clients read them as throttling (one attempt each, so nothing retries)", async () => {
    stub.resetCounters();
    const config = {
      region: "us-east-1",
      endpoint: stub.url,
      credentials: { accessKeyId: stub.accessKeyId, secretAccessKey: stub.secretAccessKey },
      maxAttempts: 1,
    };
    const fail = async (send: () => Promise<unknown>): Promise<{ name: string; status?: number; detail: string }> => {
      for (let i = 0; i < 10; i++) {
        try {
          await send();
        } catch (err) {
          const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
          return { name: e.name, status: e.$metadata?.httpStatusCode, detail: classifyError(err).detail };
        }
      }
      throw new Error("not throttled");
    };
    const iam = new IAMClient(config);
    const ec2 = new EC2Client(config);
    const kms = new KMSClient(config);
    const gd = new GuardDutyClient(config);
    try {
      expect(await fail(() => iam.send(new ListRolesCommand({})))).toEqual({ name: "Throttling", status: 400, detail: "throttled: Throttling: Rate exceeded" });
      expect(await fail(() => ec2.send(new DescribeSubnetsCommand({})))).toEqual({
        name: "RequestLimitExceeded",
        status: 503,
        detail: "throttled: RequestLimitExceeded: Request limit exceeded.",
      });
      expect(await fail(() => kms.send(new ListKeysCommand({})))).toEqual({
        name: "ThrottlingException",
        status: 400,
        detail: "throttled: ThrottlingException: Rate exceeded",
      });
      expect(await fail(() => gd.send(new ListDetectorsCommand({})))).toEqual({
        name: "TooManyRequestsException",
        status: 429,
        detail: "throttled: TooManyRequestsException: Rate exceeded",
      });
    } finally {
      for (const c of [iam, ec2, kms, gd]) c.destroy();
    }
  });
});
