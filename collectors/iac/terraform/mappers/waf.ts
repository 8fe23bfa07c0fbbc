/** WAFv2 web ACLs, associations and logging; load balancers; Firewall Manager policies; Firehose. */
import { isObj } from "../plan.js";
import { generic, o, oe, View } from "../view.js";
import type { Emitted, Family } from "./common.js";

/** Terraform block names that stay lists in CloudFormation (others: one block → an object). */
const RULE_LISTS = new Set([
  "rule",
  "rule_action_override",
  "excluded_rule",
  "text_transformation",
  "custom_request_handling",
  "insert_header",
  "response_header",
  "managed_rule_group_configs",
  "forwarded_ip_config",
]);
const RULE_RENAMES: Record<string, string> = {
  rule_action_override: "RuleActionOverrides",
  excluded_rule: "ExcludedRules",
  text_transformation: "TextTransformations",
  cloudwatch_metrics_enabled: "CloudWatchMetricsEnabled",
  ip_set_reference_statement: "IPSetReferenceStatement",
  managed_rule_group_configs: "ManagedRuleGroupConfigs",
  insert_header: "InsertHeaders",
  response_header: "ResponseHeaders",
};

/** and/or_statement hold a list of `statement` blocks: CloudFormation `Statements`. */
function statementLists(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(statementLists);
  if (!isObj(x) || "$unknown" in x || "$ref" in x) return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if ((k === "AndStatement" || k === "OrStatement") && isObj(v) && "Statement" in v) {
      const s = v.Statement;
      out[k] = { Statements: statementLists(Array.isArray(s) ? s : [s]) };
    } else out[k] = statementLists(v);
  }
  return out;
}

function action(b: View): unknown {
  return oe({
    Allow: b.sub("allow", () => ({})),
    Block: b.sub("block", () => ({})),
    Count: b.sub("count", () => ({})),
    Captcha: b.sub("captcha", () => ({})),
    Challenge: b.sub("challenge", () => ({})),
  });
}

function webAcl(v: View): Emitted {
  const ruleJson = v.str("rule_json");
  const rules = typeof ruleJson === "string" ? v.json("rule_json") : v.list("rule", (r) => statementLists(generic(r, RULE_LISTS, RULE_RENAMES)));
  return {
    type: "AWS::WAFv2::WebACL",
    properties: o({
      Name: v.str("name"),
      Scope: v.str("scope"),
      Description: v.str("description"),
      DefaultAction: v.sub("default_action", action),
      Rules: rules ?? [],
      VisibilityConfig: v.sub("visibility_config", (c) => generic(c, RULE_LISTS, RULE_RENAMES)),
      Tags: v.tagList(),
    }),
  };
}

function association(v: View): Emitted {
  return { type: "AWS::WAFv2::WebACLAssociation", properties: o({ ResourceArn: v.ref("resource_arn"), WebACLArn: v.ref("web_acl_arn") }) };
}

const REDACTED: Record<string, string> = { method: "Method", query_string: "QueryString", uri_path: "UriPath" };

function wafLogging(v: View): Emitted {
  return {
    type: "AWS::WAFv2::LoggingConfiguration",
    properties: o({
      ResourceArn: v.ref("resource_arn"),
      LogDestinationConfigs: v.refs("log_destination_configs") ?? [],
      RedactedFields: v.flatList("redacted_fields", (f) => {
        const out: unknown[] = [];
        const header = f.list("single_header", (h) => ({ SingleHeader: o({ Name: h.str("name") }) }));
        if (Array.isArray(header)) out.push(...header);
        else if (header !== undefined) out.push(header);
        for (const [k, name] of Object.entries(REDACTED)) {
          const b = f.raw(k);
          if (Array.isArray(b) ? b.length > 0 : b !== null && b !== undefined) out.push({ [name]: {} });
        }
        return out;
      }),
      LoggingFilter: v.sub("logging_filter", (f) => generic(f, new Set(["filter", "condition"]), { filter: "Filters", condition: "Conditions" })),
    }),
  };
}

function loadBalancer(v: View): Emitted {
  const internal = v.val("internal");
  return {
    type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
    properties: o({
      Name: v.str("name"),
      Type: v.str("load_balancer_type") ?? "application",
      Scheme: internal === true ? "internal" : internal === false || internal === undefined ? "internet-facing" : internal,
      Subnets: v.computedDefault("subnets") ? undefined : v.refs("subnets"),
      SecurityGroups: v.computedDefault("security_groups") ? undefined : v.refs("security_groups"),
      Tags: v.tagList(),
    }),
  };
}

function accountMap(b: View): unknown {
  return oe({ ACCOUNT: nonEmpty(b.val("account")), ORGUNIT: nonEmpty(b.val("orgunit")) });
}

function nonEmpty(x: unknown): unknown {
  return Array.isArray(x) && x.length === 0 ? undefined : x;
}

function fmsPolicy(v: View): Emitted {
  const tags = v.raw("resource_tags");
  return {
    type: "AWS::FMS::Policy",
    properties: o({
      PolicyName: v.str("name"),
      PolicyDescription: v.str("description"),
      ResourceType: v.str("resource_type"),
      ResourceTypeList: v.computedDefault("resource_type_list") ? undefined : nonEmpty(v.val("resource_type_list")),
      ResourceTags: isObj(tags) ? Object.keys(tags).map((Key) => ({ Key, Value: v.known(tags[Key]) ?? "" })) : v.val("resource_tags"),
      ExcludeResourceTags: v.val("exclude_resource_tags"),
      IncludeMap: v.sub("include_map", accountMap),
      ExcludeMap: v.sub("exclude_map", accountMap),
      SecurityServicePolicyData: v.sub("security_service_policy_data", (d) => o({ Type: d.str("type"), ManagedServiceData: d.str("managed_service_data") })),
      RemediationEnabled: v.val("remediation_enabled"),
      DeleteAllPolicyResources: v.val("delete_all_policy_resources"),
      ResourcesCleanUp: v.val("delete_unused_fm_managed_resources"),
      Tags: v.tagList(),
    }),
  };
}

function nonEmptyBlock(v: View, k: string): boolean {
  const x = v.raw(k);
  return Array.isArray(x) ? x.length > 0 : x !== null && x !== undefined;
}

function firehose(v: View): Emitted {
  const type = nonEmptyBlock(v, "kinesis_source_configuration")
    ? "KinesisStreamAsSource"
    : nonEmptyBlock(v, "msk_source_configuration")
      ? "MSKAsSource"
      : "DirectPut";
  return {
    type: "AWS::KinesisFirehose::DeliveryStream",
    properties: o({
      DeliveryStreamName: v.str("name"),
      DeliveryStreamType: type,
      DeliveryStreamEncryptionConfigurationInput: v.sub("server_side_encryption", (s) => {
        const enabled = s.val("enabled");
        if (enabled === false || enabled === undefined) return undefined;
        if (enabled !== true) return enabled; // unknown marker
        return o({ KeyType: s.str("key_type") ?? "AWS_OWNED_CMK", KeyARN: s.ref("key_arn") });
      }),
      Tags: v.tagList(),
    }),
  };
}

export const waf: Family = {
  primary: {
    aws_wafv2_web_acl: webAcl,
    aws_wafv2_web_acl_association: association,
    aws_wafv2_web_acl_logging_configuration: wafLogging,
    aws_lb: loadBalancer,
    aws_alb: loadBalancer,
    aws_fms_policy: fmsPolicy,
    aws_kinesis_firehose_delivery_stream: firehose,
  },
};
