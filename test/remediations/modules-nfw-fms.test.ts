/**
 * The Network Firewall default-deny fix and the Firewall Manager retrofit-scope fix
 * against aws-sdk-client-mock stateful fakes. The fixtures are the article's
 * configurations as the rules' examples carry them (the egress policy with its domain
 * allowlist; AlbWafPolicy with LoadBalancer1–3 and AppTeamNewWebACL). The real
 * collectors scan, the engine evaluates, the runner plans (exact calls and diff),
 * applies (journal, drift check), verifies (re-collect, re-evaluate), reads back and
 * rolls back; plus the manual cases, the risk flags and idempotence.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ElasticLoadBalancingV2Client,
  AddTagsCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  FMSClient,
  GetPolicyCommand,
  ListComplianceStatusCommand,
  ListPoliciesCommand,
  ListTagsForResourceCommand as FmsListTagsCommand,
} from "@aws-sdk/client-fms";
import {
  DescribeFirewallPolicyCommand,
  DescribeRuleGroupCommand,
  ListFirewallPoliciesCommand,
  ListFirewallsCommand,
  ListRuleGroupsCommand,
  NetworkFirewallClient,
  UpdateFirewallPolicyCommand,
} from "@aws-sdk/client-network-firewall";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  AssociateWebACLCommand,
  DisassociateWebACLCommand,
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  ListLoggingConfigurationsCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand as WafListTagsCommand,
  ListWebACLsCommand,
  WAFV2Client,
} from "@aws-sdk/client-wafv2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { elbv2 } from "../../collectors/aws/elbv2.js";
import { fms } from "../../collectors/aws/fms.js";
import { networkfirewall } from "../../collectors/aws/networkfirewall.js";
import { collect } from "../../collectors/aws/runner.js";
import type { ServiceCollector } from "../../collectors/aws/types.js";
import { wafv2 } from "../../collectors/aws/wafv2.js";
import { Engine } from "../../engine/engine.js";
import type { Finding } from "../../engine/findings.js";
import type { Snapshot } from "../../model/types.js";
import { loadPack, type PolicyPack } from "../../engine/pack.js";
import { remediation as fmsFix } from "../../remediations/aws/fms/retrofit_web_acl_scope_consistent.js";
import { AT_APPLY, remediation as nfwFix } from "../../remediations/aws/networkfirewall/policy_default_deny.js";
import { AwsClients } from "../../remediations/clients.js";
import { jsonDiff } from "../../remediations/jsondiff.js";
import { applyRun, newJournal, planFixes, rollbackRun, type Plan, type RunDeps } from "../../remediations/runner.js";
import type { Json, RiskFlag } from "../../remediations/types.js";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const CREDS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

const sts = mockClient(STSClient);
const nfw = mockClient(NetworkFirewallClient);
const waf = mockClient(WAFV2Client);
const elb = mockClient(ElasticLoadBalancingV2Client);
const fmsM = mockClient(FMSClient);

let engine: Engine;
let pack: PolicyPack;
let runsDir: string;

const fault = (name: string, message: string): Error => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

beforeAll(async () => {
  engine = await Engine.load();
  pack = loadPack();
});

beforeEach(() => {
  for (const m of [sts, nfw, waf, elb, fmsM]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/fixer` });
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-runs-"));
});

afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

const aws = (): AwsClients => new AwsClients({ credentials: CREDS, homeRegion: REGION, maxAttempts: 1 });

function scanSnapshot(cs: ServiceCollector[]): Promise<Snapshot> {
  return collect({ services: cs.map((c) => c.service), collectors: cs, regions: [REGION], homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
}

function failing(s: Snapshot, ruleId: string): Finding[] {
  return engine.evaluate(s, pack, { kind: "live" }).findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
}

async function apply(plan: Plan, cs: ServiceCollector[], allow: RiskFlag[] = []) {
  const j = newJournal(plan, { input: {}, allow, params: {}, account: ACCOUNT });
  const collectFn: RunDeps["collect"] = async (req) =>
    collect({ services: req.services, collectors: cs, regions: req.regions, homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
  await applyRun(j, { aws: aws(), runsDir, engine, pack, collect: collectFn });
  return j;
}

const pick = (x: Plan) =>
  x.changes.map((ch) => ({ target: ch.target, before: ch.before, after: ch.after, calls: ch.calls, findingIds: ch.findingIds, notes: ch.notes }));

// ---------------------------------------------------------------------------------------

describe("networkfirewall-policy-default-deny", () => {
  const RULE = "networkfirewall-policy-default-deny";
  const P = `arn:aws:network-firewall:${REGION}:${ACCOUNT}`;
  const POLICY = `${P}:firewall-policy/egress`;
  const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  // The article's domain allowlist (rules/aws/networkfirewall/policy_default_deny.examples.yaml).
  const ALLOWLIST = `${P}:stateful-rulegroup/domain-allowlist`;
  const ALLOWLIST_GROUP = {
    StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" },
    RulesSource: {
      RulesSourceList: { GeneratedRulesType: "ALLOWLIST", TargetTypes: ["TLS_SNI", "HTTP_HOST"], Targets: ["aws.com", ".aws.com", ".gov", ".mil", ".edu"] },
    },
  };
  // The article's default-deny policy.
  const ARTICLE = {
    StatelessDefaultActions: ["aws:forward_to_sfe"],
    StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
    StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
    StatefulDefaultActions: ["aws:drop_established", "aws:alert_established"],
    StatefulRuleGroupReferences: [{ ResourceArn: ALLOWLIST, Priority: 1 }],
  };
  const ALLOWLIST_NOTE = `domain-allowlist (${ALLOWLIST}) passes: TLS_SNI/HTTP_HOST to aws.com, .aws.com, .gov, .mil, .edu`;
  const DROP_NOTE =
    "After the change, traffic that no rule passes is dropped (aws:drop_established). Only these rule groups still pass traffic; everything else is dropped:";

  interface FakePolicy {
    doc: Record<string, any>;
    token: number;
    description?: string;
    encryption?: Record<string, string>;
  }
  let policy: FakePolicy;
  let groups: Map<string, { type: "STATEFUL" | "STATELESS"; ruleGroup: Record<string, any> }>;

  const orderOfGroup = (arn: string): string =>
    arn.includes(":aws-managed:")
      ? arn.endsWith("StrictOrder")
        ? "STRICT_ORDER"
        : "DEFAULT_ACTION_ORDER"
      : (groups.get(arn)?.ruleGroup.StatefulRuleOptions?.RuleOrder ?? "DEFAULT_ACTION_ORDER");

  /** What Network Firewall checks on UpdateFirewallPolicy (the ones this fix must respect). */
  function validate(doc: Record<string, any>): void {
    const order = doc.StatefulEngineOptions?.RuleOrder ?? "DEFAULT_ACTION_ORDER";
    const refs: Array<{ ResourceArn: string; Priority?: number }> = doc.StatefulRuleGroupReferences ?? [];
    for (const r of refs) {
      if (orderOfGroup(r.ResourceArn) !== order)
        throw fault("InvalidRequestException", `rule group ${r.ResourceArn} does not use the policy's rule order ${order}`);
    }
    if (order === "STRICT_ORDER") {
      const ps = refs.map((r) => r.Priority);
      if (ps.some((p) => p === undefined) || new Set(ps).size !== ps.length)
        throw fault("InvalidRequestException", "STRICT_ORDER needs a unique priority per rule group");
    } else if (doc.StatefulDefaultActions?.length) throw fault("InvalidRequestException", "stateful default actions need STRICT_ORDER");
  }

  beforeEach(() => {
    policy = { doc: copy(ARTICLE), token: 1, description: "Egress: only the allowlisted domains", encryption: { Type: "CUSTOMER_KMS", KeyId: KEY } };
    groups = new Map([[ALLOWLIST, { type: "STATEFUL", ruleGroup: copy(ALLOWLIST_GROUP) }]]);
    nfw.on(ListFirewallsCommand).resolves({ Firewalls: [] });
    nfw.on(ListFirewallPoliciesCommand).callsFake(() => ({ FirewallPolicies: [{ Name: "egress", Arn: POLICY }] }));
    nfw.on(DescribeFirewallPolicyCommand).callsFake((i: { FirewallPolicyArn: string }) => {
      if (i.FirewallPolicyArn !== POLICY) throw fault("ResourceNotFoundException", "no such policy");
      return {
        UpdateToken: `token-${policy.token}`,
        FirewallPolicyResponse: {
          FirewallPolicyName: "egress",
          FirewallPolicyArn: POLICY,
          FirewallPolicyId: "a1b2c3d4",
          FirewallPolicyStatus: "ACTIVE",
          NumberOfAssociations: 1,
          ...(policy.description ? { Description: policy.description } : {}),
          ...(policy.encryption ? { EncryptionConfiguration: policy.encryption } : {}),
        },
        FirewallPolicy: copy(policy.doc),
      };
    });
    nfw
      .on(UpdateFirewallPolicyCommand)
      .callsFake(
        (i: {
          FirewallPolicyArn: string;
          UpdateToken: string;
          FirewallPolicy: Record<string, any>;
          Description?: string;
          EncryptionConfiguration?: Record<string, string>;
        }) => {
          if (i.UpdateToken !== `token-${policy.token}`) throw fault("InvalidTokenException", "The token you provided is stale or isn't valid.");
          validate(i.FirewallPolicy);
          policy.doc = copy(i.FirewallPolicy);
          // Network Firewall keeps what the call carries: a call without them clears the description and goes back to an AWS owned key.
          policy.description = i.Description;
          policy.encryption = i.EncryptionConfiguration ?? { Type: "AWS_OWNED_KMS_KEY" };
          policy.token++;
          return {
            UpdateToken: `token-${policy.token}`,
            FirewallPolicyResponse: { FirewallPolicyName: "egress", FirewallPolicyArn: POLICY, FirewallPolicyId: "a1b2c3d4" },
          };
        },
      );
    nfw.on(ListRuleGroupsCommand).callsFake(() => ({ RuleGroups: [...groups.keys()].map((arn) => ({ Name: arn.split("/").pop(), Arn: arn })) }));
    nfw.on(DescribeRuleGroupCommand).callsFake((i: { RuleGroupArn: string; Type?: string }) => {
      const g = groups.get(i.RuleGroupArn);
      if (!g || (i.Type && i.Type !== g.type)) throw fault("ResourceNotFoundException", `no ${i.Type ?? ""} rule group ${i.RuleGroupArn}`);
      return {
        UpdateToken: "rg-token",
        RuleGroup: copy(g.ruleGroup),
        RuleGroupResponse: {
          RuleGroupArn: i.RuleGroupArn,
          RuleGroupName: i.RuleGroupArn.split("/").pop(),
          RuleGroupId: "id",
          Type: g.type,
          Capacity: 100,
          RuleGroupStatus: "ACTIVE",
          NumberOfAssociations: 1,
        },
      };
    });
  });

  const scan = async (): Promise<{ snapshot: Snapshot; findings: Finding[] }> => {
    const snapshot = await scanSnapshot([networkfirewall]);
    return { snapshot, findings: failing(snapshot, RULE) };
  };
  const update = (doc: Json): Json => ({
    service: "network-firewall",
    region: REGION,
    action: "UpdateFirewallPolicy",
    input: {
      FirewallPolicyArn: POLICY,
      UpdateToken: "<UpdateToken read at apply>",
      FirewallPolicy: doc,
      Description: "<Description read at apply>",
      EncryptionConfiguration: "<EncryptionConfiguration read at apply>",
    },
  });

  it("the article's policy passes; its 'strict order, alert only' variant gets aws:drop_established with a fresh UpdateToken, the description and key kept, and rolls back", async () => {
    expect((await scan()).findings).toEqual([]);

    policy.doc.StatefulDefaultActions = ["aws:alert_established"];
    const { findings } = await scan();
    expect(findings.map((f) => f.resource.id)).toEqual([POLICY]);
    const plan = await planFixes(findings, { aws: aws() });
    expect(plan.manual).toEqual([]);
    const c = plan.changes[0];
    const before = { ...ARTICLE, StatefulDefaultActions: ["aws:alert_established"] };
    const after = ARTICLE;
    expect(c.target).toEqual({ service: "network-firewall", region: REGION, account: ACCOUNT, key: { FirewallPolicyArn: POLICY } });
    expect(c.before).toEqual(before);
    expect(c.after).toEqual(after);
    expect(c.calls).toEqual([update(after)]);
    expect(c.rollbackCalls).toEqual([update(before)]);
    expect(AT_APPLY.UpdateToken).toBe("<UpdateToken read at apply>");
    expect(c.diff).toEqual([{ op: "add", path: "/StatefulDefaultActions/0", value: "aws:drop_established" }]);
    expect(jsonDiff(c.before, c.after)).toEqual(c.diff);
    expect(c.summary).toBe("make firewall policy egress default deny: stateful default aws:drop_established");
    expect(c.risk).toEqual({
      flag: "allow-traffic-impact",
      reason:
        "Firewall policy egress will drop all traffic that none of its rule groups passes, on every firewall that uses it; the notes list what is still passed.",
    });
    expect(c.notes).toEqual([DROP_NOTE, ALLOWLIST_NOTE]);

    // Without --allow-traffic-impact: skipped, nothing sent.
    const skipped = await apply(plan, [networkfirewall]);
    expect(skipped.steps.map((s) => s.status)).toEqual(["skipped"]);
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand)).toHaveLength(0);

    // The token the plan saw is stale by now (someone saved the policy unchanged): apply reads a fresh one.
    policy.token = 7;
    const j = await apply(plan, [networkfirewall], ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand).map((x) => x.args[0].input)).toEqual([
      {
        FirewallPolicyArn: POLICY,
        UpdateToken: "token-7",
        FirewallPolicy: after,
        Description: "Egress: only the allowlisted domains",
        EncryptionConfiguration: { Type: "CUSTOMER_KMS", KeyId: KEY },
      },
    ]);
    expect(policy.encryption).toEqual({ Type: "CUSTOMER_KMS", KeyId: KEY });
    expect(policy.description).toBe("Egress: only the allowlisted domains");
    expect(await nfwFix.read(c.target, aws())).toEqual(c.after);

    // Idempotent: nothing fails, and the old findings plan no change.
    const again = await scan();
    expect(again.findings).toEqual([]);
    expect(await nfwFix.plan(findings, { aws: aws(), params: {}, packParams: {}, regions: [] })).toEqual({ manual: [] });
    expect(await nfwFix.plan(findings, { snapshot: again.snapshot, params: {}, packParams: {}, regions: [] })).toEqual({ manual: [] });

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(policy.doc).toEqual(before);
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand)[1].args[0].input).toEqual({
      FirewallPolicyArn: POLICY,
      UpdateToken: "token-8",
      FirewallPolicy: before,
      Description: "Egress: only the allowlisted domains",
      EncryptionConfiguration: { Type: "CUSTOMER_KMS", KeyId: KEY },
    });
    expect(policy.encryption).toEqual({ Type: "CUSTOMER_KMS", KeyId: KEY });
  });

  it("the article's stateless aws:pass variant: aws:forward_to_sfe, planned the same offline (--snapshot) as live", async () => {
    policy.doc.StatelessDefaultActions = ["aws:pass"];
    delete policy.description;
    policy.encryption = { Type: "AWS_OWNED_KMS_KEY" };
    const { snapshot, findings } = await scan();
    const live = await planFixes(findings, { aws: aws() });
    const offline = await planFixes(findings, { snapshot });
    expect(pick(offline)).toEqual(pick(live));
    const c = live.changes[0];
    expect(c.diff).toEqual([{ op: "replace", path: "/StatelessDefaultActions/0", from: "aws:pass", value: "aws:forward_to_sfe" }]);
    expect(c.summary).toBe("make firewall policy egress default deny: stateless default aws:forward_to_sfe");
    expect(c.notes).toEqual([
      DROP_NOTE,
      ALLOWLIST_NOTE,
      "Packets that no stateless rule matches (StatelessDefaultActions) now go to the stateful engine (aws:forward_to_sfe) instead of being passed uninspected.",
    ]);

    const j = await apply(offline, [networkfirewall], ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    // No description to send back; the AWS owned key is sent as read.
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand)[0].args[0].input).toEqual({
      FirewallPolicyArn: POLICY,
      UpdateToken: "token-1",
      FirewallPolicy: ARTICLE,
      EncryptionConfiguration: { Type: "AWS_OWNED_KMS_KEY" },
    });
    expect(await nfwFix.read(c.target, aws())).toEqual(c.after);
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(policy.doc.StatelessDefaultActions).toEqual(["aws:pass"]);
  });

  it("a DEFAULT_ACTION_ORDER rule group (the article's failing example) leaves the policy to a person; with its STRICT_ORDER copy the order switches in one update", async () => {
    // rules/aws/networkfirewall/policy_default_deny.examples.yaml, "default action order".
    const LEGACY = `${P}:stateful-rulegroup/domain-allowlist-legacy`;
    groups.set(LEGACY, {
      type: "STATEFUL",
      ruleGroup: {
        RulesSource: { RulesSourceList: { GeneratedRulesType: "ALLOWLIST", TargetTypes: ["TLS_SNI", "HTTP_HOST"], Targets: ["aws.com", ".aws.com"] } },
      },
    });
    policy.doc = {
      StatelessDefaultActions: ["aws:forward_to_sfe"],
      StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
      StatefulRuleGroupReferences: [{ ResourceArn: LEGACY }],
    };
    const { snapshot, findings } = await scan();
    expect(findings).toHaveLength(1);

    const plan = await planFixes(findings, { aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toEqual([
      {
        findingId: findings[0].id,
        ruleId: RULE,
        resourceId: POLICY,
        reason:
          "a STRICT_ORDER policy can only reference stateful rule groups that use STRICT_ORDER, and a rule group's rule order cannot be changed after it is created; these do not: domain-allowlist-legacy (DEFAULT_ACTION_ORDER)",
        advice: `create a copy of domain-allowlist-legacy with StatefulRuleOptions.RuleOrder STRICT_ORDER (the same rules, pass rules first); give rampart the copies with --param networkfirewall-policy-default-deny.strictOrderCopies='{"${LEGACY}": "<ARN of its copy>"}', so that one update switches the order and the references together; then run \`rampart fix\` again.`,
      },
    ]);
    expect((await planFixes(findings, { snapshot })).manual).toEqual(plan.manual);

    // The article's strict-order allowlist as the copy.
    const params = { [RULE]: { strictOrderCopies: { [LEGACY]: ALLOWLIST } } };
    const fixed = await planFixes(findings, { aws: aws(), params });
    expect(fixed.manual).toEqual([]);
    const c = fixed.changes[0];
    const after = {
      StatelessDefaultActions: ["aws:forward_to_sfe"],
      StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
      StatefulRuleGroupReferences: [{ ResourceArn: ALLOWLIST, Priority: 100 }],
      StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" },
      StatefulDefaultActions: ["aws:drop_established"],
    };
    expect(c.after).toEqual(after);
    expect(c.calls).toEqual([update(after)]);
    expect(c.diff).toEqual([
      { op: "replace", path: "/StatefulRuleGroupReferences/0/ResourceArn", from: LEGACY, value: ALLOWLIST },
      { op: "add", path: "/StatefulRuleGroupReferences/0/Priority", value: 100 },
      { op: "add", path: "/StatefulEngineOptions", value: { RuleOrder: "STRICT_ORDER" } },
      { op: "add", path: "/StatefulDefaultActions", value: ["aws:drop_established"] },
    ]);
    expect(c.summary).toBe(
      "make firewall policy egress default deny: rule order STRICT_ORDER, STRICT_ORDER copies of domain-allowlist-legacy, stateful default aws:drop_established",
    );
    expect(c.notes).toEqual([
      DROP_NOTE,
      ALLOWLIST_NOTE,
      `References to domain-allowlist-legacy (${LEGACY}) are replaced by domain-allowlist (${ALLOWLIST}), given as its STRICT_ORDER copy.`,
      "The stateful engine will run the rule groups by Priority (domain-allowlist 100) and the rules of each group in their order, instead of all pass rules first, then drop, then alert (DEFAULT_ACTION_ORDER).",
    ]);
    expect(pick(await planFixes(findings, { snapshot, params }))).toEqual(pick(fixed));

    const j = await apply(fixed, [networkfirewall], ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    expect(policy.doc).toEqual(after);
    expect(await planFixes((await scan()).findings, { aws: aws(), params })).toEqual({ changes: [], manual: [] });
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(policy.doc).toEqual({
      StatelessDefaultActions: ["aws:forward_to_sfe"],
      StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
      StatefulRuleGroupReferences: [{ ResourceArn: LEGACY }],
    });
  });

  it("lists every rule group that still passes traffic (allowlist, Suricata pass, 5-tuple PASS, stateless aws:pass), keeps the other engine options and gives priorities 100, 200, … in order", async () => {
    const SURICATA = `${P}:stateful-rulegroup/suricata`;
    const TUPLE = `${P}:stateful-rulegroup/five-tuple`;
    const STATELESS = `${P}:stateless-rulegroup/ntp`;
    const MANAGED = "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/AbusedLegitMalwareDomainsActionOrder";
    const MANAGED_STRICT = "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/AbusedLegitMalwareDomainsStrictOrder";
    const rules =
      'pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:"partner.example"; endswith; sid:1;)\n# pass everything (disabled)\ndrop tcp $HOME_NET any -> $EXTERNAL_NET any (sid:2;)';
    const tuple = [
      {
        Action: "PASS",
        Header: { Protocol: "TCP", Source: "10.0.0.0/16", SourcePort: "ANY", Direction: "FORWARD", Destination: "192.0.2.10", DestinationPort: "5432" },
        RuleOptions: [{ Keyword: "sid", Settings: ["10"] }],
      },
      {
        Action: "DROP",
        Header: { Protocol: "IP", Source: "ANY", SourcePort: "ANY", Direction: "ANY", Destination: "ANY", DestinationPort: "ANY" },
        RuleOptions: [{ Keyword: "sid", Settings: ["11"] }],
      },
    ];
    const ntp = {
      RulesSource: {
        StatelessRulesAndCustomActions: {
          StatelessRules: [
            {
              Priority: 10,
              RuleDefinition: {
                Actions: ["aws:pass"],
                MatchAttributes: { Protocols: [17], Sources: [{ AddressDefinition: "10.0.0.0/16" }], DestinationPorts: [{ FromPort: 123, ToPort: 123 }] },
              },
            },
            { Priority: 20, RuleDefinition: { Actions: ["aws:drop"], MatchAttributes: { Protocols: [17] } } },
          ],
        },
      },
    };
    groups.set(SURICATA, { type: "STATEFUL", ruleGroup: { StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" }, RulesSource: { RulesString: rules } } });
    groups.set(TUPLE, { type: "STATEFUL", ruleGroup: { StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" }, RulesSource: { StatefulRules: tuple } } });
    groups.set(STATELESS, { type: "STATELESS", ruleGroup: ntp });
    // Their DEFAULT_ACTION_ORDER originals, which the policy references today.
    const legacy = (arn: string) => arn.replace("stateful-rulegroup/", "stateful-rulegroup/legacy-");
    for (const g of [ALLOWLIST, SURICATA, TUPLE]) {
      const { StatefulRuleOptions: _, ...rest } = groups.get(g)!.ruleGroup;
      groups.set(legacy(g), { type: "STATEFUL", ruleGroup: rest });
    }
    policy.doc = {
      StatelessDefaultActions: ["aws:pass"],
      StatelessFragmentDefaultActions: ["aws:pass"],
      StatelessRuleGroupReferences: [{ ResourceArn: STATELESS, Priority: 10 }],
      StatefulEngineOptions: { RuleOrder: "DEFAULT_ACTION_ORDER", FlowTimeouts: { TcpIdleTimeoutSeconds: 600 } },
      StatefulRuleGroupReferences: [
        { ResourceArn: legacy(ALLOWLIST) },
        { ResourceArn: legacy(SURICATA) },
        { ResourceArn: MANAGED },
        { ResourceArn: legacy(TUPLE), Override: { Action: "DROP_TO_ALERT" } },
      ],
    };
    const { snapshot, findings } = await scan();
    expect(findings).toHaveLength(3);

    const blocked = await planFixes(findings, { snapshot });
    expect(blocked.changes).toEqual([]);
    expect(blocked.manual.map((m) => m.reason)).toEqual(
      Array(3).fill(
        "a STRICT_ORDER policy can only reference stateful rule groups that use STRICT_ORDER, and a rule group's rule order cannot be changed after it is created; these do not: legacy-domain-allowlist (DEFAULT_ACTION_ORDER), legacy-suricata (DEFAULT_ACTION_ORDER), legacy-five-tuple (DEFAULT_ACTION_ORDER), AbusedLegitMalwareDomainsActionOrder (DEFAULT_ACTION_ORDER)",
      ),
    );
    expect(blocked.manual[0].advice).toBe(
      `create a copy of legacy-domain-allowlist, legacy-suricata, legacy-five-tuple with StatefulRuleOptions.RuleOrder STRICT_ORDER (the same rules, pass rules first); give rampart the copies and the strict-order versions of the AWS managed rule groups with --param networkfirewall-policy-default-deny.strictOrderCopies='{"${legacy(ALLOWLIST)}": "<ARN of its copy>", "${legacy(SURICATA)}": "<ARN of its copy>", "${legacy(TUPLE)}": "<ARN of its copy>", "${MANAGED}": "${MANAGED_STRICT}"}', so that one update switches the order and the references together; then run \`rampart fix\` again.`,
    );

    const params = {
      [RULE]: { strictOrderCopies: { [legacy(ALLOWLIST)]: ALLOWLIST, [legacy(SURICATA)]: SURICATA, [MANAGED]: MANAGED_STRICT, [legacy(TUPLE)]: TUPLE } },
    };
    const plan = await planFixes(findings, { snapshot, params });
    const c = plan.changes[0];
    const after = {
      StatelessDefaultActions: ["aws:forward_to_sfe"],
      StatelessFragmentDefaultActions: ["aws:forward_to_sfe"],
      StatelessRuleGroupReferences: [{ ResourceArn: STATELESS, Priority: 10 }],
      StatefulEngineOptions: { RuleOrder: "STRICT_ORDER", FlowTimeouts: { TcpIdleTimeoutSeconds: 600 } },
      StatefulRuleGroupReferences: [
        { ResourceArn: ALLOWLIST, Priority: 100 },
        { ResourceArn: SURICATA, Priority: 200 },
        { ResourceArn: MANAGED_STRICT, Priority: 300 },
        { ResourceArn: TUPLE, Override: { Action: "DROP_TO_ALERT" }, Priority: 400 },
      ],
      StatefulDefaultActions: ["aws:drop_established"],
    };
    expect(c.after).toEqual(after);
    expect(c.findingIds.sort()).toEqual(findings.map((f) => f.id).sort());
    expect(c.summary).toBe(
      "make firewall policy egress default deny: rule order STRICT_ORDER, STRICT_ORDER copies of legacy-domain-allowlist, legacy-suricata, AbusedLegitMalwareDomainsActionOrder, legacy-five-tuple, stateful default aws:drop_established, stateless default aws:forward_to_sfe",
    );
    expect(c.notes).toEqual([
      DROP_NOTE,
      ALLOWLIST_NOTE,
      `suricata (${SURICATA}) passes: pass tls $HOME_NET any -> $EXTERNAL_NET 443 (tls.sni; content:"partner.example"; endswith; sid:1;)`,
      `five-tuple (${TUPLE}) passes: PASS TCP 10.0.0.0/16 ANY -> 192.0.2.10 5432`,
      `ntp (${STATELESS}) passes without stateful inspection: rule 10: UDP from 10.0.0.0/16 to any port 123`,
      "AWS managed rule groups were not read (rampart does not inspect their rules): AbusedLegitMalwareDomainsStrictOrder.",
      `References to legacy-domain-allowlist (${legacy(ALLOWLIST)}) are replaced by domain-allowlist (${ALLOWLIST}), given as its STRICT_ORDER copy.`,
      `References to legacy-suricata (${legacy(SURICATA)}) are replaced by suricata (${SURICATA}), given as its STRICT_ORDER copy.`,
      `References to AbusedLegitMalwareDomainsActionOrder (${MANAGED}) are replaced by AbusedLegitMalwareDomainsStrictOrder (${MANAGED_STRICT}), given as its STRICT_ORDER copy.`,
      `References to legacy-five-tuple (${legacy(TUPLE)}) are replaced by five-tuple (${TUPLE}), given as its STRICT_ORDER copy.`,
      "The stateful engine will run the rule groups by Priority (domain-allowlist 100, suricata 200, AbusedLegitMalwareDomainsStrictOrder 300, five-tuple 400) and the rules of each group in their order, instead of all pass rules first, then drop, then alert (DEFAULT_ACTION_ORDER).",
      "Packets that no stateless rule matches (StatelessDefaultActions, StatelessFragmentDefaultActions) now go to the stateful engine (aws:forward_to_sfe) instead of being passed uninspected.",
    ]);
    expect(pick(await planFixes(findings, { aws: aws(), params }))).toEqual(pick(plan));

    const j = await apply(plan, [networkfirewall], ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    expect(await nfwFix.read(c.target, aws())).toEqual(after);
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(policy.doc.StatefulEngineOptions).toEqual({ RuleOrder: "DEFAULT_ACTION_ORDER", FlowTimeouts: { TcpIdleTimeoutSeconds: 600 } });
  });

  it("a policy without rule groups: the notes say everything is dropped; priorities already given are kept and the gaps skipped", async () => {
    policy.doc = { StatelessDefaultActions: ["aws:forward_to_sfe"], StatelessFragmentDefaultActions: ["aws:forward_to_sfe"] };
    const { findings } = await scan();
    const c = (await planFixes(findings, { aws: aws() })).changes[0];
    expect(c.after).toEqual({ ...policy.doc, StatefulEngineOptions: { RuleOrder: "STRICT_ORDER" }, StatefulDefaultActions: ["aws:drop_established"] });
    expect(c.notes).toEqual([
      "After the change, traffic that no rule passes is dropped (aws:drop_established), and no rule group of the policy passes anything: every connection through the firewalls using this policy is dropped.",
      "The stateful engine will run the rule groups by Priority (none referenced) and the rules of each group in their order, instead of all pass rules first, then drop, then alert (DEFAULT_ACTION_ORDER).",
    ]);

    // Two DEFAULT_ACTION_ORDER groups, one with a priority of 100 already: the other gets 200.
    const A = `${P}:stateful-rulegroup/a`;
    const B = `${P}:stateful-rulegroup/b`;
    groups.set(`${A}-legacy`, { type: "STATEFUL", ruleGroup: { RulesSource: { RulesString: "drop ip any any -> any any (sid:1;)" } } });
    groups.set(`${B}-legacy`, { type: "STATEFUL", ruleGroup: { RulesSource: { RulesString: "alert ip any any -> any any (sid:2;)" } } });
    groups.set(A, {
      type: "STATEFUL",
      ruleGroup: { StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" }, RulesSource: { RulesString: "drop ip any any -> any any (sid:1;)" } },
    });
    groups.set(B, {
      type: "STATEFUL",
      ruleGroup: { StatefulRuleOptions: { RuleOrder: "STRICT_ORDER" }, RulesSource: { RulesString: "alert ip any any -> any any (sid:2;)" } },
    });
    policy.doc.StatefulRuleGroupReferences = [{ ResourceArn: `${A}-legacy` }, { ResourceArn: `${B}-legacy`, Priority: 100 }];
    const params = { [RULE]: { strictOrderCopies: { [`${A}-legacy`]: A, [`${B}-legacy`]: B } } };
    const again = (await planFixes((await scan()).findings, { aws: aws(), params })).changes[0];
    expect((again.after as { StatefulRuleGroupReferences: Json }).StatefulRuleGroupReferences).toEqual([
      { ResourceArn: A, Priority: 200 },
      { ResourceArn: B, Priority: 100 },
    ]);

    // Two references with the same priority: which comes first cannot be told.
    policy.doc.StatefulRuleGroupReferences = [
      { ResourceArn: `${A}-legacy`, Priority: 5 },
      { ResourceArn: `${B}-legacy`, Priority: 5 },
    ];
    const dup = await planFixes((await scan()).findings, { aws: aws(), params });
    expect(dup.changes).toEqual([]);
    expect(dup.manual.map((m) => m.reason)).toEqual(["two stateful rule group references share a Priority, so their order under STRICT_ORDER cannot be told"]);
  });

  it("fixes only the parts its findings name (a suppressed finding's part is left alone)", async () => {
    policy.doc.StatefulDefaultActions = ["aws:alert_established"];
    policy.doc.StatelessFragmentDefaultActions = ["aws:pass"];
    const { findings } = await scan();
    expect(findings).toHaveLength(2);
    const stateless = findings.filter((f) => f.message.includes("StatelessFragmentDefaultActions"));
    const c = (await planFixes(stateless, { aws: aws() })).changes[0];
    expect(c.diff).toEqual([{ op: "replace", path: "/StatelessFragmentDefaultActions/0", from: "aws:pass", value: "aws:forward_to_sfe" }]);
    expect(c.findingIds).toEqual([stateless[0].id]);
  });

  it("refuses an update onto a policy that changed after the drift check (nothing sent), and a rollback over drift", async () => {
    policy.doc.StatefulDefaultActions = ["aws:alert_established"];
    const { findings } = await scan();
    const plan = await planFixes(findings, { aws: aws() });
    const c = plan.changes[0];

    // The drift check reads the planned before-state; then someone changes the policy before the update is sent.
    const a = aws();
    expect(await nfwFix.read(c.target, a)).toEqual(c.before);
    policy.doc.StatefulRuleGroupReferences = [];
    policy.token++;
    await expect(nfwFix.apply!({ calls: c.calls }, a)).rejects.toThrow(`firewall policy ${POLICY} changed after the drift check; nothing was sent`);
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand)).toHaveLength(0);

    // The runner's own drift check refuses it too.
    const drifted = await apply(plan, [networkfirewall], ["allow-traffic-impact"]);
    expect(drifted.steps.map((s) => s.status)).toEqual(["refused-drift"]);
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand)).toHaveLength(0);

    policy.doc.StatefulRuleGroupReferences = ARTICLE.StatefulRuleGroupReferences;
    const j = await apply(plan, [networkfirewall], ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    policy.doc.StatefulDefaultActions = ["aws:drop_strict"];
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rollback-refused-drift"]);
    expect(nfw.commandCalls(UpdateFirewallPolicyCommand)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------

describe("fms-retrofit-web-acl-scope-consistent", () => {
  const RULE = "fms-retrofit-web-acl-scope-consistent";
  const POLICY_ID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
  const POLICY = `arn:aws:fms:${REGION}:${ACCOUNT}:policy/${POLICY_ID}`;
  const ACL_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  const ACL = `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/webacl/AppTeamNewWebACL/${ACL_ID}`;
  const lb = (n: number): string => `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/LoadBalancer${n}/50dc6c495c0c918${n}`;
  const [LB1, LB2, LB3, LB4] = [1, 2, 3, 4].map(lb);
  // The article's policy (Figure 12), as in the rule's examples.
  const MSD =
    '{"type":"WAFV2","preProcessRuleGroups":[{"ruleGroupType":"ManagedRuleGroup","managedRuleGroupIdentifier":{"vendorName":"AWS","managedRuleGroupName":"AWSManagedRulesCommonRuleSet"},"overrideAction":{"type":"NONE"},"excludeRules":[]}],"postProcessRuleGroups":[],"defaultAction":{"type":"ALLOW"},"overrideCustomerWebACLAssociation":false,"webACLSource":"RETROFIT_EXISTING"}';
  /** The finding's ways out for one untagged out-of-scope resource, as the manual items repeat them. */
  const waysFor = (id: string): string =>
    `Ways out: (1) make ${id} in scope: add the tag(s) Tier: Production to them; (2) remove the resource-tag condition from the policy's scope; (3) disassociate ${id} from the web ACL (this changes how they are protected: confirm first).`;

  let policyScope: Record<string, unknown>;
  let tags: Map<string, Record<string, string>>;
  let assoc: Map<string, string>;

  beforeEach(() => {
    policyScope = {
      ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
      ResourceTags: [{ Key: "Tier", Value: "Production" }],
      ExcludeResourceTags: false,
    };
    // LoadBalancer1 and 2 tagged Tier: Production; LoadBalancer3 untagged; all three on AppTeamNewWebACL (lines 4158–4198).
    tags = new Map<string, Record<string, string>>([
      [LB1, { Tier: "Production", team: "app" }],
      [LB2, { Tier: "Production" }],
      [LB3, { team: "app" }],
    ]);
    assoc = new Map([LB1, LB2, LB3].map((a) => [a, ACL]));

    fmsM
      .on(ListPoliciesCommand)
      .resolves({ PolicyList: [{ PolicyArn: POLICY, PolicyId: POLICY_ID, PolicyName: "AlbWafPolicy", SecurityServiceType: "WAFV2" }] });
    fmsM.on(GetPolicyCommand).callsFake(() => ({
      PolicyArn: POLICY,
      Policy: {
        PolicyId: POLICY_ID,
        PolicyName: "AlbWafPolicy",
        SecurityServicePolicyData: { Type: "WAFV2", ManagedServiceData: MSD },
        RemediationEnabled: true,
        PolicyStatus: "ACTIVE",
        ...policyScope,
      },
    }));
    fmsM.on(FmsListTagsCommand).resolves({ TagList: [] });
    fmsM.on(ListComplianceStatusCommand).resolves({ PolicyComplianceStatusList: [] });

    waf
      .on(ListWebACLsCommand)
      .callsFake((i: { Scope: string }) => ({ WebACLs: i.Scope === "REGIONAL" ? [{ Name: "AppTeamNewWebACL", Id: ACL_ID, ARN: ACL }] : [] }));
    waf.on(GetWebACLCommand).resolves({
      WebACL: {
        Name: "AppTeamNewWebACL",
        Id: ACL_ID,
        ARN: ACL,
        DefaultAction: { Allow: {} },
        Rules: [],
        VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: "AppTeamNewWebACL" },
        ManagedByFirewallManager: false,
      },
    });
    waf.on(WafListTagsCommand).resolves({ TagInfoForResource: { ResourceARN: ACL, TagList: [] } });
    waf.on(ListResourcesForWebACLCommand).callsFake((i: { WebACLArn: string; ResourceType: string }) => ({
      ResourceArns:
        i.ResourceType === "APPLICATION_LOAD_BALANCER"
          ? [...assoc].filter(([r, a]) => a === i.WebACLArn && r.includes(":loadbalancer/app/")).map(([r]) => r)
          : [],
    }));
    waf.on(ListLoggingConfigurationsCommand).resolves({ LoggingConfigurations: [] });
    waf.on(GetWebACLForResourceCommand).callsFake((i: { ResourceArn: string }) => {
      if (!tags.has(i.ResourceArn)) throw fault("WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.");
      const a = assoc.get(i.ResourceArn);
      return a ? { WebACL: { Name: "AppTeamNewWebACL", Id: ACL_ID, ARN: a } } : {};
    });
    waf.on(DisassociateWebACLCommand).callsFake((i: { ResourceArn: string }) => {
      assoc.delete(i.ResourceArn);
      return {};
    });
    waf.on(AssociateWebACLCommand).callsFake((i: { WebACLArn: string; ResourceArn: string }) => {
      if (assoc.has(i.ResourceArn)) throw fault("WAFUnavailableEntityException", "the resource already has a web ACL");
      assoc.set(i.ResourceArn, i.WebACLArn);
      return {};
    });

    elb.on(DescribeLoadBalancersCommand).callsFake(() => ({
      LoadBalancers: [...tags.keys()].map((a) => ({
        LoadBalancerArn: a,
        LoadBalancerName: a.split("/")[2],
        Type: "application",
        Scheme: "internet-facing",
        State: { Code: "active" },
        AvailabilityZones: [{ ZoneName: "us-east-1a", SubnetId: "subnet-0a1b2c3d4e5f60001" }],
      })),
    }));
    elb.on(DescribeTagsCommand).callsFake((i: { ResourceArns: string[] }) => {
      if (i.ResourceArns.length > 20) throw fault("ValidationError", "at most 20 resources");
      return {
        TagDescriptions: i.ResourceArns.filter((a) => tags.has(a)).map((a) => ({
          ResourceArn: a,
          Tags: Object.entries(tags.get(a)!).map(([Key, Value]) => ({ Key, Value })),
        })),
      };
    });
    elb.on(AddTagsCommand).callsFake((i: { ResourceArns: string[]; Tags: Array<{ Key: string; Value: string }> }) => {
      for (const a of i.ResourceArns) for (const t of i.Tags) tags.get(a)![t.Key] = t.Value;
      return {};
    });
    elb.on(RemoveTagsCommand).callsFake((i: { ResourceArns: string[]; TagKeys: string[] }) => {
      for (const a of i.ResourceArns) for (const k of i.TagKeys) delete tags.get(a)![k];
      return {};
    });
  });

  const COLLECTORS = [fms, wafv2, elbv2];
  const scan = async (): Promise<{ snapshot: Snapshot; findings: Finding[] }> => {
    const snapshot = await scanSnapshot(COLLECTORS);
    return { snapshot, findings: failing(snapshot, RULE) };
  };
  const ctxOf = (snapshot: Snapshot | undefined, params: Record<string, unknown> = {}) => ({ snapshot, aws: aws(), params, packParams: {}, regions: [] });

  it("the article's LoadBalancer3 is tagged Tier: Production (additive, no flag), Firewall Manager's retrofit noted; verified, idempotent, rolled back with RemoveTags", async () => {
    const { snapshot, findings } = await scan();
    expect(findings.map((f) => f.resource.id)).toEqual([ACL]);
    expect(findings[0].evidence).toEqual({
      policy: POLICY,
      webACL: ACL,
      inScope: [LB1, LB2],
      outOfScope: [{ id: LB3, reason: ["it lacks the tags the policy requires (Tier=Production)"] }],
      uncertain: [],
      waysOut: [
        `make ${LB3} in scope: add the tag(s) Tier: Production to them`,
        "remove the resource-tag condition from the policy's scope",
        `disassociate ${LB3} from the web ACL (this changes how they are protected: confirm first)`,
      ],
    });

    const plan = await planFixes(findings, { snapshot, aws: aws() });
    expect(plan.manual).toEqual([]);
    const c = plan.changes[0];
    expect(c.target).toEqual({
      service: "elasticloadbalancing",
      region: REGION,
      account: ACCOUNT,
      key: { Mode: "tag", WebACLArn: ACL, Policy: POLICY, ResourceArns: JSON.stringify([LB3]), TagKeys: '["Tier"]' },
    });
    expect(c.before).toEqual({ Resources: [{ ResourceArn: LB3, Tags: { Tier: null } }] });
    expect(c.after).toEqual({ Resources: [{ ResourceArn: LB3, Tags: { Tier: "Production" } }] });
    expect(c.diff).toEqual([{ op: "replace", path: "/Resources/0/Tags/Tier", from: null, value: "Production" }]);
    expect(c.calls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3], Tags: [{ Key: "Tier", Value: "Production" }] } },
    ]);
    expect(c.rollbackCalls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "RemoveTags", input: { ResourceArns: [LB3], TagKeys: ["Tier"] } },
    ]);
    expect(c.risk).toBeUndefined();
    expect(c.summary).toBe(
      "tag LoadBalancer3 with Tier=Production so that web ACL AppTeamNewWebACL serves only resources in the scope of Firewall Manager policy AlbWafPolicy",
    );
    expect(c.notes).toEqual([
      "Firewall Manager will then retrofit web ACL AppTeamNewWebACL: the rule groups of policy AlbWafPolicy (AWSManagedRulesCommonRuleSet) will apply to every resource associated with it: LoadBalancer1, LoadBalancer2, LoadBalancer3.",
      "The tag may also bring LoadBalancer3 into the scope of other Firewall Manager policies, tag-based access conditions and cost allocation that select on Tier=Production.",
    ]);

    const j = await apply(plan, COLLECTORS);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    expect(tags.get(LB3)).toEqual({ team: "app", Tier: "Production" });
    expect(await fmsFix.read(c.target, aws())).toEqual(c.after);

    const again = await scan();
    expect(again.findings).toEqual([]);
    expect(await fmsFix.plan(findings, ctxOf(again.snapshot))).toEqual({ manual: [] });

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(tags.get(LB3)).toEqual({ team: "app" });
    expect(await fmsFix.read(c.target, aws())).toEqual(c.before);
  });

  it("tags several out-of-scope load balancers in one AddTags; with OR only the first missing tag", async () => {
    tags.set(LB4, {});
    assoc.set(LB4, ACL);
    let { snapshot, findings } = await scan();
    let c = (await planFixes(findings, { snapshot, aws: aws() })).changes[0];
    expect(c.calls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3, LB4], Tags: [{ Key: "Tier", Value: "Production" }] } },
    ]);
    expect(c.rollbackCalls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "RemoveTags", input: { ResourceArns: [LB3, LB4], TagKeys: ["Tier"] } },
    ]);

    policyScope.ResourceTags = [
      { Key: "Tier", Value: "Production" },
      { Key: "waf", Value: "central" },
    ];
    policyScope.ResourceTagLogicalOperator = "OR";
    tags.set(LB4, { Tier: "Staging" });
    ({ snapshot, findings } = await scan());
    c = (await planFixes(findings, { snapshot, aws: aws() })).changes[0];
    expect(c.before).toEqual({
      Resources: [
        { ResourceArn: LB3, Tags: { Tier: null, waf: null } },
        { ResourceArn: LB4, Tags: { Tier: "Staging", waf: null } },
      ],
    });
    expect(c.after).toEqual({
      Resources: [
        { ResourceArn: LB3, Tags: { Tier: "Production", waf: null } },
        { ResourceArn: LB4, Tags: { Tier: "Staging", waf: "central" } },
      ],
    });
    expect(c.calls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3], Tags: [{ Key: "Tier", Value: "Production" }] } },
      { service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB4], Tags: [{ Key: "waf", Value: "central" }] } },
    ]);
    const j = await apply({ changes: [c], manual: [] }, COLLECTORS);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    await rollbackRun(j, { aws: aws(), runsDir });
    expect([tags.get(LB3), tags.get(LB4)]).toEqual([{ team: "app" }, { Tier: "Staging" }]);
  });

  it("a tag with another value is left to a person, unless replaceTagValues: then --allow-traffic-impact, rolled back with the old value", async () => {
    tags.set(LB3, { Tier: "Staging" });
    const { snapshot, findings } = await scan();
    const plan = await planFixes(findings, { snapshot, aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toEqual([
      {
        findingId: findings[0].id,
        ruleId: RULE,
        resourceId: ACL,
        reason:
          "LoadBalancer3 has Tier=Staging and policy AlbWafPolicy needs Tier=Production; changing a tag's value is not additive (tag-based access, cost allocation and other policies may read it)",
        advice: `Change the tag by hand, or allow rampart to with --param ${RULE}.replaceTagValues=true (and --allow-traffic-impact). ${waysFor(LB3)}`,
      },
    ]);

    const replacing = await planFixes(findings, { snapshot, aws: aws(), params: { [RULE]: { replaceTagValues: true } } });
    const c = replacing.changes[0];
    expect(c.calls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3], Tags: [{ Key: "Tier", Value: "Production" }] } },
    ]);
    expect(c.rollbackCalls).toEqual([
      { service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3], Tags: [{ Key: "Tier", Value: "Staging" }] } },
    ]);
    expect(c.risk).toEqual({
      flag: "allow-traffic-impact",
      reason: "Tag values change on LoadBalancer3 (Tier: Staging → Production): policies and rules that select on the old values no longer apply to them.",
    });
    const skipped = await apply(replacing, COLLECTORS);
    expect(skipped.steps.map((s) => s.status)).toEqual(["skipped"]);
    expect(elb.commandCalls(AddTagsCommand)).toHaveLength(0);
    const j = await apply(replacing, COLLECTORS, ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(tags.get(LB3)).toEqual({ Tier: "Staging" });
  });

  it("disassociate mode: wafv2:DisassociateWebACL with --allow-traffic-impact (the resource loses the web ACL's protection), planned the same offline, rolled back with AssociateWebACL", async () => {
    const { snapshot, findings } = await scan();
    const params = { [RULE]: { mode: "disassociate" } };
    const plan = await planFixes(findings, { aws: aws(), params });
    expect(plan.manual).toEqual([]);
    const c = plan.changes[0];
    expect(c.target).toEqual({
      service: "wafv2",
      region: REGION,
      account: ACCOUNT,
      key: { Mode: "disassociate", WebACLArn: ACL, Policy: POLICY, ResourceArns: JSON.stringify([LB3]) },
    });
    expect(c.before).toEqual({ Resources: [{ ResourceArn: LB3, WebACLArn: ACL }] });
    expect(c.after).toEqual({ Resources: [{ ResourceArn: LB3, WebACLArn: null }] });
    expect(c.diff).toEqual([{ op: "replace", path: "/Resources/0/WebACLArn", from: ACL, value: null }]);
    expect(c.calls).toEqual([{ service: "wafv2", region: REGION, action: "DisassociateWebACL", input: { ResourceArn: LB3 } }]);
    expect(c.rollbackCalls).toEqual([{ service: "wafv2", region: REGION, action: "AssociateWebACL", input: { WebACLArn: ACL, ResourceArn: LB3 } }]);
    expect(c.summary).toBe(`disassociate LoadBalancer3 from web ACL AppTeamNewWebACL, which Firewall Manager policy ${POLICY} retrofits`);
    expect(c.risk).toEqual({
      flag: "allow-traffic-impact",
      reason:
        "LoadBalancer3 loses the protection of web ACL AppTeamNewWebACL: its requests are no longer inspected by its rules, nor by any web ACL until one is associated again.",
    });
    expect(c.notes).toEqual([
      `Firewall Manager will then retrofit web ACL AppTeamNewWebACL for the resources left in the scope of policy ${POLICY}: LoadBalancer1, LoadBalancer2.`,
      "To keep protecting LoadBalancer3, associate another web ACL with it.",
    ]);
    const offline = await planFixes(findings, { snapshot, params });
    expect(offline.changes.map((x) => ({ target: x.target, before: x.before, after: x.after, calls: x.calls }))).toEqual([
      { target: c.target, before: c.before, after: c.after, calls: c.calls },
    ]);
    expect(offline.changes[0].summary).toBe("disassociate LoadBalancer3 from web ACL AppTeamNewWebACL, which Firewall Manager policy AlbWafPolicy retrofits");

    const skipped = await apply(plan, COLLECTORS);
    expect(skipped.steps.map((s) => s.status)).toEqual(["skipped"]);
    expect(waf.commandCalls(DisassociateWebACLCommand)).toHaveLength(0);

    const j = await apply(plan, COLLECTORS, ["allow-traffic-impact"]);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    expect(assoc.has(LB3)).toBe(false);
    expect(await fmsFix.read(c.target, aws())).toEqual(c.after);
    expect(await planFixes((await scan()).findings, { aws: aws(), params })).toEqual({ changes: [], manual: [] });

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(assoc.get(LB3)).toBe(ACL);
  });

  it("refuses drift: the load balancer was tagged or disassociated by someone else after the plan", async () => {
    const { snapshot, findings } = await scan();
    const tagPlan = await planFixes(findings, { snapshot, aws: aws() });
    const disPlan = await planFixes(findings, { aws: aws(), params: { [RULE]: { mode: "disassociate" } } });
    tags.get(LB3)!.Tier = "Testing";
    assoc.delete(LB3);
    expect((await apply(tagPlan, COLLECTORS)).steps.map((s) => s.status)).toEqual(["refused-drift"]);
    expect((await apply(disPlan, COLLECTORS, ["allow-traffic-impact"])).steps.map((s) => s.status)).toEqual(["refused-drift"]);
    expect(elb.commandCalls(AddTagsCommand)).toHaveLength(0);
    expect(waf.commandCalls(DisassociateWebACLCommand)).toHaveLength(0);
    // Planned again, a resource no longer on the web ACL is not disassociated.
    const later = await fmsFix.plan(findings, ctxOf(undefined, { mode: "disassociate" }));
    expect(later).toEqual({
      manual: [
        {
          findingId: findings[0].id,
          ruleId: RULE,
          resourceId: ACL,
          reason: "LoadBalancer3 is no longer associated with web ACL AppTeamNewWebACL (it changed since the scan)",
          advice: "Scan again.",
        },
      ],
    });
  });

  it("leaves to a person: excluded tags, out of scope by account, other resource types, CloudFront, no snapshot, resources not in the allow-list", async () => {
    // The policy excludes Tier: Development, which LoadBalancer3 carries: removing a tag is not additive.
    policyScope = { ...policyScope, ResourceTags: [{ Key: "Tier", Value: "Development" }], ExcludeResourceTags: true };
    tags.set(LB1, {});
    tags.set(LB2, {});
    tags.set(LB3, { Tier: "Development" });
    let { snapshot, findings } = await scan();
    expect(findings).toHaveLength(1);
    let plan = await planFixes(findings, { snapshot, aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toEqual([
      {
        findingId: findings[0].id,
        ruleId: RULE,
        resourceId: ACL,
        reason: "LoadBalancer3 carries tags that policy AlbWafPolicy excludes (ExcludeResourceTags); removing tags is not additive",
        advice: `Ways out: (1) make ${LB3} in scope of the policy (its resource types, accounts and tags); (2) remove the resource-tag condition from the policy's scope; (3) disassociate ${LB3} from the web ACL (this changes how they are protected: confirm first).`,
      },
    ]);

    // The article's setup again.
    policyScope = {
      ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer",
      ResourceTags: [{ Key: "Tier", Value: "Production" }],
      ExcludeResourceTags: false,
    };
    tags.set(LB1, { Tier: "Production" });
    tags.set(LB2, { Tier: "Production" });
    tags.set(LB3, {});
    ({ snapshot, findings } = await scan());
    const f = findings[0];
    const withOut = (outOfScope: Array<{ id: string; reason: string[] }>): Finding => ({ ...f, evidence: { ...(f.evidence as object), outOfScope } });

    // A live scan never reports a member out of scope by account (the account decides for the whole web ACL), so the finding is made by hand.
    const byAccount = await fmsFix.plan([withOut([{ id: LB3, reason: [`account ${ACCOUNT} is not in the policy's IncludeMap`] }])], ctxOf(snapshot));
    expect(byAccount).toEqual({
      manual: [
        {
          findingId: f.id,
          ruleId: RULE,
          resourceId: ACL,
          reason: `LoadBalancer3 is out of the scope of policy AlbWafPolicy for other reasons than its tags: account ${ACCOUNT} is not in the policy's IncludeMap`,
          advice: waysFor(LB3),
        },
      ],
    });

    const STAGE = `arn:aws:apigateway:${REGION}::/restapis/a1b2c3d4e5/stages/prod`;
    const DIST = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHEXAMPLE`;
    const others = await fmsFix.plan(
      [
        withOut([
          { id: STAGE, reason: ["its type AWS::ApiGateway::Stage is not one of the policy's resource types (AWS::ElasticLoadBalancingV2::LoadBalancer)"] },
        ]),
      ],
      ctxOf(snapshot),
    );
    expect(others.manual.map((m) => m.reason)).toEqual([
      `${STAGE} is not an Elastic Load Balancing load balancer; rampart only tags load balancers (elasticloadbalancing:AddTags)`,
    ]);
    const cloudFront = await fmsFix.plan([withOut([{ id: DIST, reason: ["x"] }])], ctxOf(snapshot, { mode: "disassociate" }));
    expect(cloudFront.manual.map((m) => m.reason)).toEqual([
      `${DIST} is a CloudFront distribution: its web ACL is set in the distribution's configuration, which rampart does not change`,
    ]);

    // Tag mode without a snapshot: the policy (fms:GetPolicy) and the tags (DescribeTags) are read live, and the plan is the offline one.
    const offline = await planFixes(findings, { snapshot, aws: aws() });
    plan = await planFixes(findings, { aws: aws() });
    expect(plan.changes.map((x) => [x.calls, x.before, x.after])).toEqual(offline.changes.map((x) => [x.calls, x.before, x.after]));
    expect(plan.changes.map((x) => x.calls)).toEqual([
      [{ service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3], Tags: [{ Key: "Tier", Value: "Production" }] } }],
    ]);
    // From a member account fms:GetPolicy is refused: the finding is left to a person, with the way to plan from a snapshot.
    fmsM
      .on(GetPolicyCommand)
      .rejects(Object.assign(new Error("This operation is only allowed for the Firewall Manager administrator account"), { name: "AccessDeniedException" }));
    plan = await planFixes(findings, { aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toEqual([
      {
        findingId: f.id,
        ruleId: RULE,
        resourceId: ACL,
        reason:
          "LoadBalancer3 cannot be tagged into scope: fms:GetPolicy failed (AccessDeniedException: This operation is only allowed for the Firewall Manager administrator account); it answers only in the Firewall Manager administrator account",
        advice: `Plan from an organization scan's snapshot (\`rampart scan --org … --snapshot-out s.json\`, then \`rampart fix --snapshot s.json\`), or choose --param ${RULE}.mode=disassociate. ${waysFor(LB3)}`,
      },
    ]);

    // The resources allow-list.
    plan = await planFixes(findings, { snapshot, aws: aws(), params: { [RULE]: { resources: [LB4] } } });
    expect(plan.changes).toEqual([]);
    expect(plan.manual.map((m) => [m.reason, m.advice])).toEqual([
      ["LoadBalancer3 is not in the resources parameter", `Add it to --param ${RULE}.resources, or: ${waysFor(LB3)}`],
    ]);
    plan = await planFixes(findings, { snapshot, aws: aws(), params: { [RULE]: { resources: [LB3] } } });
    expect(plan.changes.map((x) => x.calls)).toEqual([
      [{ service: "elasticloadbalancing", region: REGION, action: "AddTags", input: { ResourceArns: [LB3], Tags: [{ Key: "Tier", Value: "Production" }] } }],
    ]);

    // Bad parameters are refused before anything is planned.
    await expect(planFixes(findings, { snapshot, params: { [RULE]: { mode: "delete" } } })).rejects.toThrow(
      /parameters of fms-retrofit-web-acl-scope-consistent/,
    );
  });
});
