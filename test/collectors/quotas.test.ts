import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { quotaOf, REQUEST_QUOTAS } from "../../collectors/aws/quotas.js";
import { createScopeLimits } from "../../collectors/aws/runner.js";

describe("AWS's published request quotas (collectors/aws/quotas.ts)", () => {
  it("EC2: a bucket of 100 refilled at 20 a second for each non-mutating API", () => {
    const source = "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html";
    expect(quotaOf("ec2:DescribeSubnets")).toEqual({ key: "ec2:DescribeSubnets", rate: 20, burst: 100, source });
    expect(quotaOf("ec2:DescribeSecurityGroups")).toEqual({ key: "ec2:DescribeSecurityGroups", rate: 20, burst: 100, source });
    expect(quotaOf("ec2:RunInstances")).toBeUndefined(); // a mutating action: not this bucket
  });

  it("Secrets Manager: the resource-policy actions share one bucket of 50 a second", () => {
    const a = quotaOf("secretsmanager:GetResourcePolicy");
    expect(a).toEqual({
      key: "secretsmanager:#0",
      rate: 50,
      burst: 50,
      source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html",
    });
    expect(quotaOf("secretsmanager:PutResourcePolicy")?.key).toBe(a?.key);
    expect(quotaOf("secretsmanager:ListSecrets")).toBeUndefined();
  });

  it("no figure where AWS publishes none (the SDK's adaptive retry finds the ceiling), and every figure names its AWS page", () => {
    for (const a of ["iam:GetAccountAuthorizationDetails", "sts:AssumeRole", "kms:ListKeys", "guardduty:ListDetectors", "wafv2:ListWebACLs", "nonsense"]) {
      expect(quotaOf(a)).toBeUndefined();
    }
    for (const rules of Object.values(REQUEST_QUOTAS)) {
      for (const r of rules) {
        expect(r.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
        expect(r.rate).toBeGreaterThan(0);
        expect(r.burst).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe("the runner's limits per account × region (createScopeLimits): the action's quota, and the --rate cap", () => {
  // Fake timers and a fake clock: the spacing is asserted exactly, not against the wall clock.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets `n` calls through `limit` at once; the times (ms from the start) each was let through. */
  async function times(limit: (action?: string) => Promise<void>, action: string | undefined, n: number): Promise<number[]> {
    const t0 = Date.now();
    const at: number[] = [];
    const all = Promise.all(Array.from({ length: n }, () => limit(action).then(() => at.push(Date.now() - t0))));
    await vi.runAllTimersAsync();
    await all;
    return at;
  }

  it("EC2 reads: a burst of 100 per API, then 20 a second; another API and another region have buckets of their own", async () => {
    const limits = createScopeLimits(undefined, () => Date.now());
    const at = await times(limits("111122223333|us-east-1", "ec2"), "ec2:DescribeSubnets", 103);
    expect(at.slice(0, 100).every((t) => t === 0)).toBe(true);
    expect(at.slice(100)).toEqual([50, 100, 150]);
    expect((await times(limits("111122223333|us-east-1", "ec2"), "ec2:DescribeSecurityGroups", 100)).every((t) => t === 0)).toBe(true);
    expect((await times(limits("111122223333|eu-west-1", "ec2"), "ec2:DescribeSubnets", 100)).every((t) => t === 0)).toBe(true);
  });

  it("no published figure and no --rate: nothing waits (the SDK's adaptive retry finds the ceiling)", async () => {
    const limits = createScopeLimits(undefined, () => Date.now());
    expect((await times(limits("111122223333|us-east-1", "kms"), "kms:ListKeys", 500)).every((t) => t === 0)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("--rate caps every action of a service in an account × region, on top of the quota", async () => {
    const limits = createScopeLimits(5, () => Date.now());
    expect(await times(limits("111122223333|us-east-1", "kms"), "kms:ListKeys", 7)).toEqual([0, 0, 0, 0, 0, 200, 400]);
    // EC2 under a cap of 5: the cap binds before the quota's burst of 100.
    expect(await times(limits("111122223333|us-east-1", "ec2"), "ec2:DescribeSubnets", 6)).toEqual([0, 0, 0, 0, 0, 200]);
    // The cap is per service: IAM in the same account × region has its own.
    expect(await times(limits("111122223333|global", "iam"), "iam:ListRoles", 5)).toEqual([0, 0, 0, 0, 0]);
  });
});
