/** KMS keys and their separately managed key policies. */
import { o, type View } from "../view.js";
import type { Ctx, Emitted, Family } from "./common.js";

function key(v: View): Emitted {
  return {
    type: "AWS::KMS::Key",
    properties: o({
      Description: v.str("description"),
      KeyUsage: v.str("key_usage"),
      KeySpec: v.str("customer_master_key_spec") ?? v.str("key_spec"),
      EnableKeyRotation: v.val("enable_key_rotation"),
      RotationPeriodInDays: v.computedDefault("rotation_period_in_days") ? undefined : v.val("rotation_period_in_days"),
      Enabled: v.val("is_enabled"),
      MultiRegion: v.computedDefault("multi_region") ? undefined : v.val("multi_region"),
      PendingWindowInDays: v.val("deletion_window_in_days"),
      // not configured: AWS applies the default key policy, as for a template without KeyPolicy
      KeyPolicy: v.computedDefault("policy") ? undefined : v.json("policy"),
      Tags: v.tagList(),
    }),
  };
}

function keyPolicy(v: View, ctx: Ctx): undefined {
  const target = ctx.find(["aws_kms_key"], v.ref("key_id"), ["key_id", "id", "arn"]);
  if (target) target.properties.KeyPolicy = v.json("policy");
  else ctx.note(`${v.inst.address}: key ${JSON.stringify(v.ref("key_id"))} is not in the plan, so its key policy is not modelled`);
  return undefined;
}

export const kms: Family = { primary: { aws_kms_key: key }, secondary: { aws_kms_key_policy: keyPolicy } };
