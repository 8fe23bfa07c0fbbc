/**
 * `rampart fix` → `--apply` → `rampart rollback` end to end for the Network Firewall, WAF
 * and Firehose remediations against the stateful loopback AWS
 * (test/e2e/fix-live-helpers.ts has the flow and the row format), and the drift refusals
 * (a resource changed between plan and apply, or between the fix and its rollback).
 *
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StubState } from "../stub/aws-stub.js";
import { A, call, logTimings, regionState, runRow, startEnv, type FixRow, type RowContext } from "./fix-live-helpers.js";

const NFW = "networkfirewall-traffic-analysis-enabled";
const WAF = "wafv2-web-acl-logging-enabled";
const FIREHOSE = "firehose-direct-put-encrypted";

const firewall = (c: RowContext): Record<string, any> => c.d.firewalls[0].firewall.Firewall;
const legacyAcl = (c: RowContext): string => c.d.acls.find((x: any) => x.summary.Name === "legacy").summary.ARN;
const stream = (c: RowContext): Record<string, any> => c.d.streams.find((x: any) => x.DeliveryStreamName === "aws-waf-logs-orders");
const REDACTED = [{ SingleHeader: { Name: "authorization" } }, { SingleHeader: { Name: "cookie" } }];

/** Network Firewall hands out a new update token after every change: AWS cannot restore it. */
function withoutFirewallTokens(s: StubState): void {
  for (const d of Object.values(s.regions) as any[]) for (const f of d.firewalls) delete f.firewall.UpdateToken;
}

const rows: FixRow[] = [
  {
    rule: NFW,
    services: "network-firewall",
    region: "us-east-1",
    failing: (c) => [firewall(c).FirewallArn],
    changes: (c) => [
      {
        resource: firewall(c).FirewallArn,
        calls: [
          call("network-firewall", "us-east-1", "UpdateFirewallAnalysisSettings", {
            FirewallArn: firewall(c).FirewallArn,
            EnabledAnalysisTypes: ["HTTP_HOST", "TLS_SNI"],
          }),
        ],
        rollbackCalls: [
          call("network-firewall", "us-east-1", "UpdateFirewallAnalysisSettings", { FirewallArn: firewall(c).FirewallArn, EnabledAnalysisTypes: [] }),
        ],
        diff: ["add /EnabledAnalysisTypes/0", "add /EnabledAnalysisTypes/1"],
      },
    ],
    applied: (s, c) => {
      const fw = regionState(s, "us-east-1").firewalls[0].firewall;
      fw.Firewall.EnabledAnalysisTypes = ["HTTP_HOST", "TLS_SNI"];
      // The token changed (and is then normalised away).
      expect(regionState(c.actual, "us-east-1").firewalls[0].firewall.UpdateToken).not.toBe(fw.UpdateToken);
    },
    normalise: withoutFirewallTokens,
  },
  {
    rule: WAF,
    services: "wafv2",
    region: "us-east-1",
    // The legacy web ACL logs nowhere (the orders one logs to the stream below).
    failing: (c) => [legacyAcl(c)],
    params: [`${WAF}.destination=${`arn:aws:firehose:us-east-1:${A}:deliverystream/aws-waf-logs-orders`}`],
    changes: (c) => [
      {
        resource: legacyAcl(c),
        calls: [
          call("wafv2", "us-east-1", "PutLoggingConfiguration", {
            LoggingConfiguration: { ResourceArn: legacyAcl(c), LogDestinationConfigs: [stream(c).DeliveryStreamARN], RedactedFields: REDACTED },
          }),
        ],
        rollbackCalls: [call("wafv2", "us-east-1", "DeleteLoggingConfiguration", { ResourceArn: legacyAcl(c) })],
        diff: ["replace /LoggingConfiguration"],
      },
    ],
    applied: (s, c) => {
      regionState(s, "us-east-1").wafLogging.push({
        ResourceArn: legacyAcl(c),
        LogDestinationConfigs: [stream(c).DeliveryStreamARN],
        RedactedFields: REDACTED,
        ManagedByFirewallManager: false,
        LogType: "WAF_LOGS",
        LogScope: "CUSTOMER",
      });
    },
  },
  {
    rule: FIREHOSE,
    services: "firehose",
    region: "us-east-1",
    failing: (c) => [stream(c).DeliveryStreamARN],
    changes: (c) => [
      {
        resource: stream(c).DeliveryStreamARN,
        calls: [
          call("firehose", "us-east-1", "StartDeliveryStreamEncryption", {
            DeliveryStreamName: "aws-waf-logs-orders",
            DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" },
          }),
        ],
        rollbackCalls: [call("firehose", "us-east-1", "StopDeliveryStreamEncryption", { DeliveryStreamName: "aws-waf-logs-orders" })],
        diff: ["replace /Encryption", "add /KeyType"],
      },
    ],
    applied: (s) => {
      // ENABLING while the verify step first read it, ENABLED since.
      regionState(s, "us-east-1").streams.find((x: any) => x.DeliveryStreamName === "aws-waf-logs-orders").DeliveryStreamEncryptionConfiguration = {
        KeyType: "AWS_OWNED_CMK",
        Status: "ENABLED",
      };
    },
  },
];

describe("rampart fix / rollback of the Network Firewall, WAF and Firehose remediations against the loopback AWS", () => {
  for (const row of rows) {
    it(`${row.rule}: scan, plan, apply, verify, idempotent, roll back`, { timeout: 240_000 }, async () => {
      logTimings(row.rule, await runRow(row));
    });
  }
});

describe("drift", () => {
  it(
    "refuses to apply when the resource changed after a snapshot plan, and to roll back when it changed after the fix; nothing is sent",
    { timeout: 240_000 },
    async () => {
      const env = await startEnv();
      try {
        const live = (): Record<string, any> => env.stub.region(A, "us-east-1").firewalls[0].firewall.Firewall;
        const arn = live().FirewallArn as string;
        const scan = await env.rampart([
          "scan",
          "--services",
          "network-firewall",
          "--regions",
          "us-east-1",
          "--format",
          "json",
          "--output",
          "findings.json",
          "--snapshot-out",
          "snapshot.json",
          "--fail-on",
          "none",
        ]);
        expect(scan.code, scan.stderr).toBe(0);

        // Planned offline against the snapshot: EnabledAnalysisTypes [] → [HTTP_HOST, TLS_SNI].
        const plan = await env.rampart(["fix", "--snapshot", "snapshot.json", "--rule", NFW, "--format", "json"]);
        expect(plan.code, plan.stderr).toBe(0);
        expect(JSON.parse(plan.stdout).changes.map((c: any) => [c.before, c.after])).toEqual([
          [
            { FirewallArn: arn, EnabledAnalysisTypes: [] },
            { FirewallArn: arn, EnabledAnalysisTypes: ["HTTP_HOST", "TLS_SNI"] },
          ],
        ]);

        // Someone turns on TLS_SNI meanwhile.
        live().EnabledAnalysisTypes = ["TLS_SNI"];
        const drifted = env.stub.state();
        env.stub.resetCounters();
        const apply = await env.rampart(["fix", "--snapshot", "snapshot.json", "--rule", NFW, "--apply", "--yes"]);
        expect(apply.code, apply.stdout + apply.stderr).toBe(1);
        expect(apply.stdout).toMatch(new RegExp(`\\[1\\] refused \\(drift\\)\\s+${NFW}  ${arn}`));
        expect(apply.stdout).toContain('the resource changed since the plan: + /EnabledAnalysisTypes/0: "TLS_SNI"');
        expect(apply.stdout).toContain("summary: 1 refused (drift)");
        const runId = /run (\S+) \(journal/.exec(apply.stdout)?.[1] ?? "";
        const j = JSON.parse(fs.readFileSync(path.join(env.dir, ".rampart", "runs", runId, "journal.json"), "utf8"));
        expect(j.steps.map((s: any) => s.history.map((h: any) => h.status))).toEqual([["planned", "applying", "refused-drift"]]);
        expect(j.steps[0].observedBefore).toEqual({ FirewallArn: arn, EnabledAnalysisTypes: ["TLS_SNI"] });
        // Read, never written.
        expect(env.stub.byOperation.get("network-firewall:DescribeFirewall")).toBeGreaterThan(0);
        expect([...env.stub.byOperation.keys()].filter((k) => !/:(Describe|List|Get)/.test(k))).toEqual([]);
        expect(env.stub.state()).toEqual(drifted);
        const nothing = await env.rampart(["rollback", runId, "--yes"]);
        expect(nothing.code).toBe(0);
        expect(nothing.stderr).toContain(`run ${runId} has nothing to roll back`);

        // Fixed against the live state (TLS_SNI kept, HTTP_HOST added), then changed again by someone.
        const fix = await env.rampart(["fix", "--findings", "findings.json", "--rule", NFW, "--apply", "--yes"]);
        expect(fix.code, fix.stdout + fix.stderr).toBe(0);
        expect(fix.stdout).toMatch(new RegExp(`\\[1\\] fixed\\s+${NFW}`));
        expect(live().EnabledAnalysisTypes).toEqual(["HTTP_HOST", "TLS_SNI"]);
        const fixId = /run (\S+) \(journal/.exec(fix.stdout)?.[1] ?? "";
        live().EnabledAnalysisTypes = ["HTTP_HOST"];
        const changed = env.stub.state();
        env.stub.resetCounters();
        const rollback = await env.rampart(["rollback", fixId, "--yes"]);
        expect(rollback.code, rollback.stdout + rollback.stderr).toBe(1);
        expect(rollback.stdout).toMatch(new RegExp(`\\[1\\] rollback refused \\(drift\\)\\s+${NFW}  ${arn}`));
        expect(rollback.stdout).toContain('the resource changed since the fix: - /EnabledAnalysisTypes/1: "TLS_SNI"');
        expect([...env.stub.byOperation.keys()].filter((k) => !/:(Describe|List|Get)/.test(k))).toEqual([]);
        expect(env.stub.state()).toEqual(changed);
      } finally {
        await env.close();
      }
    },
  );
});
