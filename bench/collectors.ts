// Collector benchmark: the live runner (`collect()`, default concurrency, rate limit and
// adaptive retry) against the loopback AWS of test/stub/aws-stub.ts serving an
// organization of several thousand resources, with a fixed latency per call and a share
// of calls throttled once. Prints the wall time, the API calls the stub answered, the
// lower bound the task concurrency allows (calls ÷ concurrency × latency), the bound the
// per account × region × service rate limiter allows (the busiest limiter alone, and all
// limiters together: at most `concurrency` tasks in flight, each at most `rate` calls a
// second), and the ratios. Loopback only.
import { collect } from "../collectors/aws/runner.js";
import { startAwsStub } from "../test/stub/aws-stub.js";

const ACCOUNTS = ["111122223333", "222233334444"];
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
/** Copies of every regional resource per account × region (~26 resources each). */
const SCALE = 25;
/** Extra IAM roles per account (and a quarter as many users, each with an access key). */
const IAM_EXTRA = 100;
const LATENCY_MS = 20;
const THROTTLE_RATE = 0.05;
/** The runner's defaults (collectors/aws/runner.ts), restated for the bounds. */
const DEFAULT_CONCURRENCY = 8;
const DEFAULT_RATE_PER_SECOND = 10;

export async function bench(): Promise<void> {
  const stub = await startAwsStub({
    accounts: ACCOUNTS,
    regions: REGIONS,
    scale: SCALE,
    iamExtra: IAM_EXTRA,
    latencyMs: LATENCY_MS,
    throttleRate: THROTTLE_RATE,
    seed: 42,
  });
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = stub.url;
  try {
    const t0 = performance.now();
    const snap = await collect({
      accounts: ACCOUNTS,
      roleName: "audit",
      regions: REGIONS,
      homeRegion: REGIONS[0],
      credentials: { accessKeyId: stub.accessKeyId, secretAccessKey: stub.secretAccessKey },
    });
    const wallMs = performance.now() - t0;

    const calls = stub.calls;
    const concurrencyBoundMs = (calls / DEFAULT_CONCURRENCY) * LATENCY_MS;
    // The busiest limiter: a burst of `rate` calls, then `rate` a second.
    const [busiest, busiestCalls] = [...stub.byScope.entries()].filter(([k]) => !k.endsWith("|sts")).reduce((a, b) => (b[1] > a[1] ? b : a), ["", 0]);
    const rateBoundMs = (Math.max(0, busiestCalls - DEFAULT_RATE_PER_SECOND) / DEFAULT_RATE_PER_SECOND) * 1000;
    // Every call waits for its task's limiter, and at most DEFAULT_CONCURRENCY tasks run: the runner cannot exceed concurrency × rate calls a second.
    const throughputBoundMs = (calls / (DEFAULT_CONCURRENCY * DEFAULT_RATE_PER_SECOND)) * 1000;
    const notOk = snap.coverage.filter((c) => c.status !== "ok");
    const topOps = [...stub.byOperation.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);

    console.log(
      `\nCollectors: collect() against the loopback stub — ${ACCOUNTS.length} accounts × ${REGIONS.length} regions, ${LATENCY_MS} ms per call, ${(THROTTLE_RATE * 100).toFixed(0)}% of calls throttled once; default concurrency ${DEFAULT_CONCURRENCY}, ${DEFAULT_RATE_PER_SECOND} calls/s per account × region × service`,
    );
    console.log(
      "resources | wall ms | API calls | throttled | concurrency bound ms (calls÷concurrency×latency) | wall/bound | busiest limiter (calls) | its rate bound ms | limiters bound ms (calls÷(concurrency×rate)) | wall/limiters bound | coverage not ok",
    );
    console.log(
      [
        snap.resources.length,
        wallMs.toFixed(0),
        calls,
        stub.throttled,
        concurrencyBoundMs.toFixed(0),
        `${(wallMs / concurrencyBoundMs).toFixed(2)}x`,
        `${busiest.replace(/\|/g, " ")} (${busiestCalls})`,
        rateBoundMs.toFixed(0),
        throughputBoundMs.toFixed(0),
        `${(wallMs / throughputBoundMs).toFixed(2)}x`,
        notOk.length,
      ].join(" | "),
    );
    console.log(`          most called: ${topOps.map(([op, n]) => `${op} ${n}`).join(", ")}`);
    for (const c of notOk.slice(0, 5)) console.log(`          not ok: ${c.account} ${c.region} ${c.service} ${c.status} ${c.action ?? ""} ${c.detail ?? ""}`);
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
    await stub.close();
  }
}
