// Collector benchmark: the live runner (`collect()` with its defaults: task concurrency,
// its per account × region × service request rates and the
// SDK's adaptive retry) against the loopback AWS of test/stub/aws-stub.ts serving an
// organization of about 5,000 resources, with a fixed latency per call and AWS-style
// throttling: at most RATE_LIMIT requests a second per account × region × service (a token
// bucket, burst = the rate), over-limit requests answered with the service's throttling error.
//
// Prints the wall time, the API calls the stub answered and how many it throttled, and the
// bound the stub sets: no client can finish before the busiest account × region × service
// has been served at the limit ((its calls − the burst) ÷ the limit), nor before the calls
// have gone through `concurrency` tasks in flight at the latency each (calls ÷ concurrency ×
// latency); the bound is the larger. Loopback only.
import { collectDefaults, collect } from "../collectors/aws/runner.js";
import { startAwsStub } from "../test/stub/aws-stub.js";

const ACCOUNTS = ["111122223333", "222233334444"];
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
/** Copies of every regional resource per account × region (~28 resources each). */
const SCALE = 30;
/** Extra IAM roles per account (and a quarter as many users, each with an access key). */
const IAM_EXTRA = 100;
const LATENCY_MS = 20;
/** Requests a second per account × region × service the stub allows (burst = the same). */
const RATE_LIMIT = 50;

export async function bench(): Promise<void> {
  const stub = await startAwsStub({
    accounts: ACCOUNTS,
    regions: REGIONS,
    scale: SCALE,
    iamExtra: IAM_EXTRA,
    latencyMs: LATENCY_MS,
    rateLimit: RATE_LIMIT,
    seed: 42,
  });
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = stub.url;
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const snap = await collect({
      accounts: ACCOUNTS,
      roleName: "audit",
      regions: REGIONS,
      homeRegion: REGIONS[0],
      credentials: { accessKeyId: stub.accessKeyId, secretAccessKey: stub.secretAccessKey },
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // The SDK clients and the stub share this one thread: on a loaded machine its CPU time, not AWS's limits, can bind.
    const cpuMs = (cpu.user + cpu.system) / 1000;

    const calls = stub.calls;
    const concurrency = collectDefaults.concurrency;
    // Served calls per scope (a throttled request took no token); STS (entering the accounts) is not limited.
    const served = [...stub.byScope.entries()].filter(([k]) => !k.endsWith("|sts")).map(([k, n]) => [k, n - (stub.throttledByScope.get(k) ?? 0)] as const);
    const [busiest, busiestCalls] = served.reduce((a, b) => (b[1] > a[1] ? b : a), ["", 0] as readonly [string, number]);
    const rateBoundMs = (Math.max(0, busiestCalls - RATE_LIMIT) / RATE_LIMIT) * 1000;
    const servedCalls = calls - stub.throttled;
    const concurrencyBoundMs = (servedCalls / concurrency) * LATENCY_MS;
    const boundMs = Math.max(rateBoundMs, concurrencyBoundMs);
    const notOk = snap.coverage.filter((c) => c.status !== "ok");
    const topOps = [...stub.byOperation.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);

    console.log(
      `\nCollectors: collect() against the loopback stub — ${ACCOUNTS.length} accounts × ${REGIONS.length} regions, ${LATENCY_MS} ms per call, AWS-style throttling at ${RATE_LIMIT} requests/s per account × region × service; rampart's defaults (concurrency ${concurrency}, its request rates, adaptive retry)`,
    );
    console.log(
      "resources | wall ms | API calls | throttled | busiest scope (served calls) | its rate bound ms ((calls−burst)÷limit) | concurrency bound ms (served÷concurrency×latency) | stub bound ms | wall/bound | CPU ms (this thread: SDK + stub) | coverage not ok",
    );
    console.log(
      [
        snap.resources.length,
        wallMs.toFixed(0),
        calls,
        stub.throttled,
        `${busiest.replace(/\|/g, " ")} (${busiestCalls})`,
        rateBoundMs.toFixed(0),
        concurrencyBoundMs.toFixed(0),
        boundMs.toFixed(0),
        `${(wallMs / boundMs).toFixed(2)}x`,
        cpuMs.toFixed(0),
        notOk.length,
      ].join(" | "),
    );
    const throttledScopes = [...stub.throttledByScope.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
    console.log(`          most called: ${topOps.map(([op, n]) => `${op} ${n}`).join(", ")}`);
    if (throttledScopes.length > 0) console.log(`          most throttled: ${throttledScopes.map(([k, n]) => `${k.replace(/\|/g, " ")} ${n}`).join(", ")}`);
    for (const c of notOk.slice(0, 5)) console.log(`          not ok: ${c.account} ${c.region} ${c.service} ${c.status} ${c.action ?? ""} ${c.detail ?? ""}`);
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
    await stub.close();
  }
}
