/** GuardDuty detectors (datasources and feature resources) and EventBridge rules with their targets. */
import { isObj } from "../plan.js";
import { o, View } from "../view.js";
import type { Ctx, Emitted, Family } from "./common.js";

function status(x: unknown): unknown {
  return x === true ? "ENABLED" : x === false ? "DISABLED" : x;
}

/** The legacy `datasources` block as CloudFormation Features. */
function datasourceFeatures(v: View): unknown[] {
  if (v.computedDefault("datasources")) return [];
  const ds = v.block("datasources");
  if (!(ds instanceof View)) return ds === undefined ? [] : [ds];
  const out: unknown[] = [];
  const add = (Name: string, b: unknown) => {
    if (b instanceof View) out.push({ Name, Status: status(b.val("enable")) });
    else if (b !== undefined) out.push({ Name, Status: b });
  };
  add("S3_DATA_EVENTS", ds.block("s3_logs"));
  const k8s = ds.block("kubernetes");
  add("EKS_AUDIT_LOGS", k8s instanceof View ? k8s.block("audit_logs") : k8s);
  const mp = ds.block("malware_protection");
  const scan = mp instanceof View ? mp.block("scan_ec2_instance_with_findings") : mp;
  add("EBS_MALWARE_PROTECTION", scan instanceof View ? scan.block("ebs_volumes") : scan);
  return out;
}

function detector(v: View): Emitted {
  return {
    type: "AWS::GuardDuty::Detector",
    properties: o({
      Enable: v.val("enable") ?? true,
      FindingPublishingFrequency: v.str("finding_publishing_frequency"),
      Features: datasourceFeatures(v),
      Tags: v.tagList(),
    }),
  };
}

function feature(v: View, ctx: Ctx): undefined {
  const target = ctx.find(["aws_guardduty_detector"], v.ref("detector_id"), ["id"]);
  if (!target) {
    ctx.note(`${v.inst.address}: detector ${JSON.stringify(v.ref("detector_id"))} is not in the plan, so the feature is not modelled`);
    return undefined;
  }
  const f = o({
    Name: v.str("name"),
    Status: v.str("status"),
    AdditionalConfiguration: v.list("additional_configuration", (a) => o({ Name: a.str("name"), Status: a.str("status") })),
  });
  const list = target.properties.Features;
  if (Array.isArray(list)) {
    const i = list.findIndex((x) => isObj(x) && x.Name === f.Name);
    if (i >= 0) list[i] = f;
    else list.push(f);
  } else if (list === undefined) target.properties.Features = [f];
  return undefined;
}

function ruleState(v: View): unknown {
  const state = v.raw("state");
  if (typeof state === "string" && state !== "") return state;
  const enabled = v.raw("is_enabled");
  if (typeof enabled === "boolean") return enabled ? "ENABLED" : "DISABLED";
  if (v.computedDefault("state") && (enabled === null || enabled === undefined || v.computedDefault("is_enabled"))) return "ENABLED";
  return state !== null && state !== undefined ? v.val("state") : v.val("is_enabled");
}

function eventRule(v: View): Emitted {
  return {
    type: "AWS::Events::Rule",
    properties: o({
      Name: v.str("name"),
      Description: v.str("description"),
      EventBusName: v.str("event_bus_name"),
      EventPattern: v.json("event_pattern"),
      ScheduleExpression: v.str("schedule_expression"),
      State: ruleState(v),
      RoleArn: v.ref("role_arn"),
      Targets: [],
    }),
  };
}

function eventTarget(v: View, ctx: Ctx): undefined {
  const target = ctx.find(["aws_cloudwatch_event_rule"], v.ref("rule"), ["name", "id"]);
  if (!target) {
    ctx.note(`${v.inst.address}: rule ${JSON.stringify(v.ref("rule"))} is not in the plan, so the target is not modelled`);
    return undefined;
  }
  const t = o({ Arn: v.ref("arn"), Id: v.str("target_id"), RoleArn: v.ref("role_arn") });
  const list = target.properties.Targets;
  if (Array.isArray(list)) list.push(t);
  return undefined;
}

export const guardduty: Family = {
  primary: { aws_guardduty_detector: detector, aws_cloudwatch_event_rule: eventRule },
  secondary: { aws_guardduty_detector_feature: feature, aws_cloudwatch_event_target: eventTarget },
};
