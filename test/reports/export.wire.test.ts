/**
 * Wire level: Security Hub (REST-JSON) and AWS Config (JSON 1.1) through a loopback HTTP stub
 * that keeps state, so the SDK's real serialization runs and a second scan can be seen to
 * update findings rather than duplicate them. AWS_ENDPOINT_URL points the clients at the stub.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportToConfig } from "../../reports/export/config.js";
import { exportToSecurityHub } from "../../reports/export/securityhub.js";
import { ACCOUNT, RULES, sampleDoc } from "./fixtures.js";

const REGION = "eu-west-1";
type Json = Record<string, any>;

const hub = new Map<string, Json>(); // Security Hub's findings, by ProductArn + Id
const imports: number[] = [];
const evaluations = new Map<string, Json>(); // Config's latest evaluation per resource
const configCalls: Json[] = [];
let server: http.Server;
const saved: Record<string, string | undefined> = {};

function matches(f: Json, filters: Json): boolean {
  for (const [field, conds] of Object.entries(filters)) {
    for (const c of conds as Array<{ Value: string; Comparison: string }>) {
      const v = String(f[field] ?? "");
      if (c.Comparison === "EQUALS" && v !== c.Value) return false;
      if (c.Comparison === "PREFIX" && !v.startsWith(c.Value)) return false;
    }
  }
  return true;
}

function handle(req: http.IncomingMessage, body: Json): [number, Json] {
  const target = req.headers["x-amz-target"];
  if (target === "StarlingDoveService.PutEvaluations") {
    configCalls.push(body);
    for (const e of body.Evaluations ?? []) evaluations.set(`${e.ComplianceResourceType}|${e.ComplianceResourceId}`, e);
    return [200, { FailedEvaluations: [] }];
  }
  if (req.method === "POST" && req.url === "/findings/import") {
    imports.push(body.Findings.length);
    for (const f of body.Findings) hub.set(`${f.ProductArn}|${f.Id}`, f);
    return [200, { SuccessCount: body.Findings.length, FailedCount: 0, FailedFindings: [] }];
  }
  if (req.method === "POST" && req.url === "/findings") {
    const all = [...hub.values()].filter((f) => matches(f, body.Filters ?? {}));
    const start = Number(body.NextToken ?? 0),
      size = body.MaxResults ?? 100;
    const page = all.slice(start, start + size);
    return [200, { Findings: page, ...(start + size < all.length ? { NextToken: String(start + size) } : {}) }];
  }
  return [404, { message: `no route for ${req.method} ${req.url}` }];
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const [status, out] = handle(req, chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {});
      res.writeHead(status, { "content-type": req.headers["x-amz-target"] ? "application/x-amz-json-1.1" : "application/json" });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const env = {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_REGION: REGION,
  };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  for (const k of ["AWS_PROFILE", "AWS_SESSION_TOKEN"]) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await new Promise((r) => server.close(r));
});

describe("Security Hub over the wire", () => {
  it("imports a scan, then updates on a re-scan and archives what was resolved", async () => {
    const first = sampleDoc({ extraFails: 120 });
    const r1 = await exportToSecurityHub(
      first,
      { rules: RULES },
      { client: new SecurityHubClient({}), region: REGION, account: ACCOUNT, now: new Date("2025-06-01T10:01:00Z") },
    );
    const total = first.findings.length + first.passes!.length;
    expect(r1).toMatchObject({ imported: total, archived: 0, failed: [] });
    expect(hub.size).toBe(total);
    expect(imports).toEqual([100, total - 100]);
    const resolved = first.findings[0];
    const createdAt = hub.get(`arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default|${resolved.id}`)!.CreatedAt;

    const second = sampleDoc({ extraFails: 120, startedAt: "2025-06-02T10:00:00.000Z" });
    second.findings = second.findings.filter((f) => f.id !== resolved.id);
    const r2 = await exportToSecurityHub(
      second,
      { rules: RULES },
      { client: new SecurityHubClient({}), region: REGION, account: ACCOUNT, now: new Date("2025-06-02T10:01:00Z") },
    );
    expect(r2).toMatchObject({ imported: total - 1, archived: 1, failed: [] });
    expect(hub.size).toBe(total); // updated, not duplicated
    const all = [...hub.values()];
    expect(all.filter((f) => f.RecordState === "ARCHIVED").map((f) => f.Id)).toEqual([resolved.id]);
    const gone = all.find((f) => f.Id === resolved.id)!;
    expect(gone).toMatchObject({ Workflow: { Status: "RESOLVED" }, CreatedAt: createdAt, UpdatedAt: "2025-06-02T10:01:00.000Z" });
    const kept = all.find((f) => f.Id === second.findings[0].id)!;
    expect(kept).toMatchObject({ RecordState: "ACTIVE", CreatedAt: "2025-06-01T10:00:07.500Z", LastObservedAt: "2025-06-02T10:00:07.500Z" });

    // A third run finds nothing new to archive: the archived finding is no longer ACTIVE.
    const r3 = await exportToSecurityHub(second, { rules: RULES }, { client: new SecurityHubClient({}), region: REGION, account: ACCOUNT });
    expect(r3.archived).toBe(0);
    expect(hub.size).toBe(total);
  });
});

describe("AWS Config over the wire", () => {
  it("puts evaluations in batches of 100 with the result token; a second run replaces them", async () => {
    const doc = sampleDoc({ extraFails: 150 });
    const client = new ConfigServiceClient({});
    const r1 = await exportToConfig(doc, { client, resultToken: "token-run-1", orderingTimestamp: new Date("2025-06-01T10:00:00Z") });
    expect(configCalls.map((c) => c.Evaluations.length)).toEqual([100, r1.sent - 100]);
    expect(configCalls[0]).toMatchObject({ ResultToken: "token-run-1" });
    expect(configCalls[0].Evaluations[0].OrderingTimestamp).toBe(Date.parse("2025-06-01T10:00:00Z") / 1000);
    const count = evaluations.size;
    expect(count).toBe(r1.sent);
    const r2 = await exportToConfig(doc, { client, resultToken: "token-run-2" });
    expect(r2.sent).toBe(r1.sent);
    expect(evaluations.size).toBe(count);
    expect(evaluations.get(`AWS::IAM::Role|bulk-7`)?.ComplianceType).toBe("NON_COMPLIANT");
  });
});
