/**
 * An organization scan end to end: the CLI (in-process, test/e2e/inprocess.ts) against the loopback
 * AWS of test/stub/aws-stub.ts, two member accounts entered with sts:AssumeRole, two
 * regions, every collector. The SDK clients reach the stub through AWS_ENDPOINT_URL;
 * nothing leaves 127.0.0.1.
 *
 * The CLI runs asynchronously (the stub answers from this process's event loop).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectors } from "../../collectors/aws/index.js";
import { repoRoot } from "../../model/paths.js";
import { SERVED_TYPES, startAwsStub, type AwsStub } from "../stub/aws-stub.js";
import { runCli, type CliRun } from "./inprocess.js";

const A = "111122223333";
const B = "222233334444";
const REGIONS = ["us-east-1", "eu-west-1"];
const KMS_RULE = "kms-key-policy-cross-account-scoped";

let stub: AwsStub;
let dir: string;

/** The CLI (in-process), with the stub's endpoint and test credentials only. */
function rampartAsync(args: string[]): Promise<CliRun> {
  const env: Record<string, string> = {};
  // Nothing of the developer's AWS set-up may leak in (profiles, real keys, endpoints).
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("AWS_")) env[k] = v;
  Object.assign(env, {
    NO_COLOR: "1",
    AWS_ENDPOINT_URL: stub.url,
    AWS_ACCESS_KEY_ID: stub.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stub.secretAccessKey,
    AWS_REGION: REGIONS[0],
    AWS_CONFIG_FILE: path.join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  });
  return runCli(args, { cwd: repoRoot, replaceEnv: env });
}

const orgArgs = (): string[] => ["scan", "--accounts", `${A},${B}`, "--role-name", "audit", "--regions", REGIONS.join(","), "--format", "json"];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-org-scan-"));
  stub = await startAwsStub({ accounts: [A, B], regions: REGIONS });
}, 240_000);

afterAll(async () => {
  await stub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("rampart scan of a two-account, two-region organization (loopback AWS)", () => {
  let snapshotFile: string;
  let live: any;
  let snap: any;

  beforeAll(async () => {
    snapshotFile = path.join(dir, "org.json");
    const run = await rampartAsync([...orgArgs(), "--snapshot-out", snapshotFile]);
    expect(run.stderr).not.toMatch(/Error|rampart:/);
    // High-severity failures exist in the organization: the default --fail-on high exits 1.
    expect(run.code).toBe(1);
    live = JSON.parse(run.stdout);
    snap = JSON.parse(fs.readFileSync(snapshotFile, "utf8"));
  }, 180_000);

  it("enters both accounts with sts:AssumeRole and collects every resource type in each", () => {
    expect(snap.source.accounts).toEqual([A, B]);
    expect(snap.source.regions).toEqual(["eu-west-1", "global", "us-east-1"]);
    for (const account of [A, B]) {
      const types = new Set(snap.resources.filter((r: any) => r.account === account).map((r: any) => r.type));
      expect(
        [...SERVED_TYPES].filter((t) => !types.has(t)),
        `types missing in ${account}`,
      ).toEqual([]);
      // Every regional type in both regions.
      for (const region of REGIONS) {
        const here = new Set(snap.resources.filter((r: any) => r.account === account && r.region === region).map((r: any) => r.type));
        expect(
          SERVED_TYPES.filter((t) => !t.startsWith("AWS::IAM::") && !here.has(t)),
          `${account} ${region}`,
        ).toEqual([]);
      }
    }
    // The collectors produce no type the stub does not serve (the list is complete).
    expect([...new Set(collectors.flatMap((c) => c.resourceTypes))].sort()).toEqual([...SERVED_TYPES].sort());
    // Resources carry the account that was entered, not the caller's.
    expect(snap.resources.every((r: any) => r.account === A || r.account === B)).toBe(true);
    expect(snap.resources.find((r: any) => r.id === `arn:aws:iam::${B}:role/onprem-batch`)).toMatchObject({
      account: B,
      region: "global",
      source: { kind: "aws", account: B },
    });
  });

  it("has an ok coverage entry for every account × region × service and no gap", () => {
    const ok = new Set(snap.coverage.filter((c: any) => c.status === "ok").map((c: any) => `${c.account} ${c.region} ${c.service}`));
    const missing: string[] = [];
    for (const account of [A, B]) {
      for (const c of collectors) {
        for (const region of c.global ? ["global"] : REGIONS)
          if (!ok.has(`${account} ${region} ${c.service}`)) missing.push(`${account} ${region} ${c.service}`);
      }
    }
    expect(missing).toEqual([]);
    expect(snap.coverage.filter((c: any) => c.status !== "ok")).toEqual([]);
    expect(live.scan.incomplete).toBe(false);
    expect(live.coverage).toEqual(snap.coverage);
  });

  it("judges MSK clusters and OpenSearch domains (issue 15: both rules declare live input)", () => {
    const of = (rule: string) => [...new Set(live.findings.filter((f: any) => f.ruleId === rule).map((f: any) => `${f.status} ${f.resource.id}`))].sort();
    const expected = (make: (account: string, region: string) => string) =>
      [A, B].flatMap((account) => REGIONS.map((region) => `fail ${make(account, region)}`)).sort();
    // In each account × region: the open cluster / the domain without fine-grained access fail, the others pass.
    expect(of("msk-cluster-authentication-required").map((x) => String(x).replace(/\/[^/]+$/, ""))).toEqual(
      expected((account, region) => `arn:aws:kafka:${region}:${account}:cluster/legacy-events`),
    );
    expect(of("opensearch-domain-fine-grained-access")).toEqual(expected((account, region) => `arn:aws:es:${region}:${account}:domain/legacy-search`));
    const msk = snap.resources.filter((r: any) => r.type === "AWS::MSK::Cluster");
    expect(msk.map((r: any) => r.name).sort()).toEqual(Array(4).fill(["legacy-events", "orders-events"]).flat().sort());
    expect(snap.resources.filter((r: any) => r.type === "AWS::OpenSearchService::Domain").length).toBe(8);
  });

  it("finds the same findings when the saved snapshot is scanned again", async () => {
    const again = await rampartAsync(["scan", "--snapshot", snapshotFile, "--format", "json"]);
    expect(again.code).toBe(1);
    const doc = JSON.parse(again.stdout);
    const ids = (d: any): string[] => d.findings.map((f: any) => f.id).sort();
    expect(live.findings.length).toBeGreaterThan(0);
    expect(ids(doc)).toEqual(ids(live));
    expect(doc.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`)).toEqual(
      live.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`),
    );
  });

  it("reports the organization's known problems on the right resources", () => {
    const keys = new Set(live.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`));
    for (const account of [A, B]) {
      // The Roles Anywhere trust without certificate or trust-anchor conditions; the article's own one passes.
      expect(keys).toContain(`fail iam-rolesanywhere-trust-scoped arn:aws:iam::${account}:role/onprem-batch`);
      expect([...keys].filter((k) => (k as string).includes(`iam-rolesanywhere-trust-scoped arn:aws:iam::${account}:role/iamra-issuer`))).toEqual([]);
      // A long-lived access key.
      expect(keys).toContain(`fail iam-no-long-term-access-keys AKIA${account}0000`);
      for (const region of REGIONS) {
        // A GuardDuty high-severity finding on the detector of each region.
        expect([...keys].some((k) => (k as string).startsWith(`fail guardduty-high-severity-findings arn:aws:guardduty:${region}:${account}:detector/`))).toBe(
          true,
        );
        // Egress open to the world.
        expect(
          [...keys].some((k) => (k as string).startsWith(`fail ec2-security-group-egress-restricted arn:aws:ec2:${region}:${account}:security-group/`)),
        ).toBe(true);
      }
    }
    const trust = live.findings.find((f: any) => f.ruleId === "iam-rolesanywhere-trust-scoped" && f.resource.id === `arn:aws:iam::${A}:role/onprem-batch`);
    expect(trust).toMatchObject({ status: "fail", severity: "high", resource: { type: "AWS::IAM::Role", account: A, region: "global" } });
  });
});

describe("the same scan with KMS denied in one account and region", () => {
  it("reports the denied coverage, an incomplete scan, the KMS rule unknown there, and exits 3 with --fail-on-unknown", async () => {
    stub.deny({ service: "kms", account: B, region: "eu-west-1" });
    try {
      const run = await rampartAsync([...orgArgs(), "--fail-on", "none", "--fail-on-unknown"]);
      expect(run.code).toBe(3);
      const doc = JSON.parse(run.stdout);
      expect(doc.scan.incomplete).toBe(true);
      expect(doc.coverage.filter((c: any) => c.status !== "ok")).toEqual([
        {
          service: "kms",
          account: B,
          region: "eu-west-1",
          status: "denied",
          action: "kms:ListKeys",
          detail: expect.stringMatching(/^AccessDeniedException: .*kms:ListKeys/),
          resourceTypes: ["AWS::KMS::Key"],
        },
      ]);
      // Everywhere else KMS was read.
      const kmsOk = doc.coverage
        .filter((c: any) => c.service === "kms" && c.status === "ok")
        .map((c: any) => `${c.account} ${c.region}`)
        .sort();
      expect(kmsOk).toEqual([`${A} eu-west-1`, `${A} us-east-1`, `${B} us-east-1`]);

      const unknown = doc.findings.filter((f: any) => f.ruleId === KMS_RULE && f.status === "unknown");
      expect(unknown.map((f: any) => f.resource.id)).toEqual([`kms:${B}/eu-west-1`]);
      expect(unknown[0]).toMatchObject({
        resource: { type: "rampart::coverage::gap", account: B, region: "eu-west-1" },
        message: expect.stringContaining("denied (kms:ListKeys)"),
      });
      // No KMS key of that account and region was judged; the others were.
      expect(doc.findings.some((f: any) => f.resource.type === "AWS::KMS::Key" && f.resource.account === B && f.resource.region === "eu-west-1")).toBe(false);
      expect(doc.findings.some((f: any) => f.ruleId === KMS_RULE && f.status === "fail" && f.resource.account === A)).toBe(true);
    } finally {
      stub.allowAll();
    }
  }, 180_000);
});
