/** Loopback EventBridge (JSON 1.1): the rule alerting on GuardDuty findings. */

import type { StubService } from "../service.js";
import { page, StubError, unsupported } from "../wire.js";

declare module "../service.js" {
  interface RegionData {
    rules: { rule: Record<string, unknown>; targets: Record<string, unknown>[] }[];
  }
}

export const events: StubService = {
  name: "events",
  types: ["AWS::Events::Rule"],
  emptyRegion: () => ({ rules: [] }),
  seed(d, c) {
    const { account, region, sfx, arn } = c;
    d.rules.push({
      rule: {
        Name: `guardduty-high${sfx}`,
        Arn: arn("events", `rule/guardduty-high${sfx}`),
        EventBusName: "default",
        State: "ENABLED",
        EventPattern: JSON.stringify({ source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: [{ numeric: [">=", 7] }] } }),
      },
      targets: [{ Id: "sns", Arn: `arn:aws:sns:${region}:${account}:secops-alerts` }],
    });
  },
  call(op, x) {
    const { b, d } = x;
    const tok = (name = "NextToken") => b[name] as string | undefined;
    switch (op) {
      case "ListRules": {
        const pg = page(d.rules, tok(), b.Limit);
        return { Rules: pg.items.map((x) => x.rule), NextToken: pg.next };
      }
      case "ListTargetsByRule": {
        const x = d.rules.find((y) => y.rule.Name === b.Rule);
        if (!x) throw new StubError(400, "ResourceNotFoundException", `Rule ${String(b.Rule)} does not exist on EventBus default.`);
        return { Targets: x.targets };
      }
      default:
        throw unsupported(x.r, op);
    }
  },
};
