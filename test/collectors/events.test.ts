import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EVENTS_RULE, events, parseEventPattern } from "../../collectors/aws/events.js";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, COLLECTED_AT, accessDenied, serviceError, testContext } from "./fixtures.js";

const REGION = "us-east-1";
const ruleArn = (n: string): string => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${n}`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:guardduty-alerts`;
const PATTERN = '{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"]}';

let eb: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function mockAccount(): void {
  eb.on(ListRulesCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken
      ? { Rules: [{ Name: "nightly", Arn: ruleArn("nightly"), ScheduleExpression: "cron(0 2 * * ? *)", State: "DISABLED", EventBusName: "default" }] }
      : {
          Rules: [
            {
              Name: "guardduty-findings",
              Arn: ruleArn("guardduty-findings"),
              EventPattern: PATTERN,
              State: "ENABLED",
              EventBusName: "default",
              Description: "page on findings",
            },
          ],
          NextToken: "r2",
        },
  );
  eb.on(ListTargetsByRuleCommand).callsFake(({ Rule, NextToken }: { Rule: string; NextToken?: string }) =>
    Rule !== "guardduty-findings"
      ? { Targets: [] }
      : NextToken
        ? { Targets: [{ Id: "ticket", Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:open-ticket` }] }
        : { Targets: [{ Id: "sns", Arn: TOPIC, InputPath: "$.detail" }], NextToken: "t2" },
  );
}

describe("events collector", () => {
  beforeAll(() => {
    eb = mockClient(EventBridgeClient);
    sts = mockClient(STSClient);
  });
  beforeEach(() => {
    eb.reset();
    sts.reset();
    mockAccount();
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  });
  afterAll(() => {
    eb.restore();
    sts.restore();
  });

  it("lists the default bus's rules and targets (both paginated), with the event pattern parsed", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await events.collect(ctx);
    expect(ctx.gaps).toEqual([]);
    expect(eb.commandCalls(ListRulesCommand).map((c) => c.args[0].input)).toEqual([
      { EventBusName: "default", NextToken: undefined, Limit: 100 },
      { EventBusName: "default", NextToken: "r2", Limit: 100 },
    ]);
    expect(rs[0]).toEqual({
      type: EVENTS_RULE,
      id: ruleArn("guardduty-findings"),
      arn: ruleArn("guardduty-findings"),
      name: "guardduty-findings",
      account: ACCOUNT,
      region: REGION,
      tags: {},
      properties: {
        Name: "guardduty-findings",
        EventBusName: "default",
        Description: "page on findings",
        EventPattern: { source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"] },
        State: "ENABLED",
        Targets: [
          { Id: "sns", Arn: TOPIC, InputPath: "$.detail" },
          { Id: "ticket", Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:open-ticket` },
        ],
      },
      source: { kind: "aws", account: ACCOUNT, region: REGION },
    });
    expect(rs[1].properties).toEqual({ Name: "nightly", EventBusName: "default", ScheduleExpression: "cron(0 2 * * ? *)", State: "DISABLED", Targets: [] });
  });

  it("an event pattern that is not JSON becomes an unknown marker", () => {
    expect(parseEventPattern("{not json", "r")).toEqual({ $unknown: "the EventPattern of rule r is not a JSON object" });
    expect(parseEventPattern(undefined, "r")).toBeUndefined();
  });

  it("calls exactly the actions it declares", async () => {
    await events.collect(testContext({ region: REGION }));
    const called = [...new Set(eb.calls().map((c) => `events:${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`))].sort();
    expect(called).toEqual([...events.actions].sort());
  });

  it("a denied ListTargetsByRule makes Targets an unknown marker, not an empty list", async () => {
    eb.on(ListTargetsByRuleCommand).rejects(accessDenied("events:ListTargetsByRule"));
    const ctx = testContext({ region: REGION });
    const rs = await events.collect(ctx);
    expect(rs[0].properties.Targets).toEqual({ $unknown: expect.stringContaining("events:ListTargetsByRule failed for rule guardduty-findings") });
    expect(ctx.gaps[0]).toMatchObject({ action: "events:ListTargetsByRule", status: "denied", resourceTypes: [] });
  });

  it("through the runner: denied ListRules is denied coverage; throttling is error", async () => {
    const opts = {
      collectors: [events],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s" },
      homeRegion: REGION,
      ratePerSecond: 0,
      collectedAt: COLLECTED_AT,
    };
    eb.on(ListRulesCommand).rejects(accessDenied("events:ListRules"));
    expect((await collect(opts)).coverage).toEqual([
      {
        service: "events",
        account: ACCOUNT,
        region: REGION,
        status: "denied",
        action: "events:ListRules",
        detail: expect.stringContaining("AccessDeniedException"),
        resourceTypes: [EVENTS_RULE],
      },
    ]);
    eb.on(ListRulesCommand).rejects(serviceError("ThrottlingException", 400, "Rate exceeded", 6));
    expect((await collect(opts)).coverage).toEqual([
      expect.objectContaining({ status: "error", action: "events:ListRules", detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded" }),
    ]);
  });
});
