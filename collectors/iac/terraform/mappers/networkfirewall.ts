/** Network Firewall: policies, rule groups, firewalls and logging configurations. */
import { o, oe, type View } from "../view.js";
import type { Emitted, Family } from "./common.js";

function policy(v: View): Emitted {
  return {
    type: "AWS::NetworkFirewall::FirewallPolicy",
    properties: o({
      FirewallPolicyName: v.str("name"),
      Description: v.str("description"),
      FirewallPolicy: v.sub("firewall_policy", (p) =>
        o({
          StatelessDefaultActions: p.val("stateless_default_actions"),
          StatelessFragmentDefaultActions: p.val("stateless_fragment_default_actions"),
          StatefulDefaultActions: p.val("stateful_default_actions"),
          StatefulEngineOptions: p.sub("stateful_engine_options", (e) =>
            oe({ RuleOrder: e.str("rule_order"), StreamExceptionPolicy: e.str("stream_exception_policy") }),
          ),
          StatefulRuleGroupReferences: p.list("stateful_rule_group_reference", (r) =>
            o({ ResourceArn: r.ref("resource_arn"), Priority: r.val("priority"), Override: r.sub("override", (x) => oe({ Action: x.str("action") })) }),
          ),
          StatelessRuleGroupReferences: p.list("stateless_rule_group_reference", (r) => o({ ResourceArn: r.ref("resource_arn"), Priority: r.val("priority") })),
          TLSInspectionConfigurationArn: p.ref("tls_inspection_configuration_arn"),
        }),
      ),
      Tags: v.tagList(),
    }),
  };
}

function statefulRule(r: View): Record<string, unknown> {
  return o({
    Action: r.str("action"),
    Header: r.sub("header", (h) =>
      o({
        Destination: h.str("destination"),
        DestinationPort: h.str("destination_port"),
        Direction: h.str("direction"),
        Protocol: h.str("protocol"),
        Source: h.str("source"),
        SourcePort: h.str("source_port"),
      }),
    ),
    RuleOptions: r.list("rule_option", (x) => o({ Keyword: x.str("keyword"), Settings: x.val("settings") })),
  });
}

function ruleGroup(v: View): Emitted {
  const rulesString = v.str("rules");
  return {
    type: "AWS::NetworkFirewall::RuleGroup",
    properties: o({
      RuleGroupName: v.str("name"),
      Type: v.str("type"),
      Capacity: v.val("capacity"),
      Description: v.str("description"),
      RuleGroup:
        v.sub("rule_group", (g) =>
          o({
            RulesSource: g.sub("rules_source", (s) =>
              o({
                RulesSourceList: s.sub("rules_source_list", (l) =>
                  o({ GeneratedRulesType: l.str("generated_rules_type"), TargetTypes: l.val("target_types"), Targets: l.val("targets") }),
                ),
                RulesString: s.str("rules_string") ?? rulesString,
                StatefulRules: s.list("stateful_rule", statefulRule),
              }),
            ),
            StatefulRuleOptions: g.sub("stateful_rule_options", (x) => oe({ RuleOrder: x.str("rule_order") })),
          }),
        ) ?? (rulesString !== undefined ? { RulesSource: { RulesString: rulesString } } : undefined),
      Tags: v.tagList(),
    }),
  };
}

function firewall(v: View): Emitted {
  return {
    type: "AWS::NetworkFirewall::Firewall",
    properties: o({
      FirewallName: v.str("name"),
      Description: v.str("description"),
      FirewallPolicyArn: v.ref("firewall_policy_arn"),
      VpcId: v.ref("vpc_id"),
      SubnetMappings: v.list("subnet_mapping", (m) => o({ SubnetId: m.ref("subnet_id"), IPAddressType: m.str("ip_address_type") })),
      EnabledAnalysisTypes: v.computedDefault("enabled_analysis_types") ? undefined : v.val("enabled_analysis_types"),
      DeleteProtection: v.val("delete_protection"),
      Tags: v.tagList(),
    }),
  };
}

function logging(v: View): Emitted {
  return {
    type: "AWS::NetworkFirewall::LoggingConfiguration",
    properties: o({
      FirewallArn: v.ref("firewall_arn"),
      LoggingConfiguration: v.sub("logging_configuration", (c) =>
        o({
          LogDestinationConfigs:
            c.list("log_destination_config", (d) =>
              o({ LogType: d.str("log_type"), LogDestinationType: d.str("log_destination_type"), LogDestination: d.refMap("log_destination") }),
            ) ?? [],
        }),
      ),
    }),
  };
}

export const networkfirewall: Family = {
  primary: {
    aws_networkfirewall_firewall_policy: policy,
    aws_networkfirewall_rule_group: ruleGroup,
    aws_networkfirewall_firewall: firewall,
    aws_networkfirewall_logging_configuration: logging,
  },
};
