/**
 * networkfirewall-policy-default-deny: make a firewall policy default deny with one
 * network-firewall:UpdateFirewallPolicy (GUIDANCE.md §5; article lines 826–835):
 * StatefulEngineOptions.RuleOrder becomes STRICT_ORDER (other engine options kept),
 * StatefulDefaultActions gets aws:drop_established unless a drop action is already
 * there (alert actions kept), and aws:pass in StatelessDefaultActions /
 * StatelessFragmentDefaultActions becomes aws:forward_to_sfe. The rest of the document
 * is sent back as it was read.
 *
 * The rule order of a policy can be changed, but a policy may only reference stateful
 * rule groups with its own rule order, and a rule group's order is fixed when it is
 * created. So a switch from DEFAULT_ACTION_ORDER reads every referenced stateful group
 * (AWS managed ones are told by name: their strict-order versions end in
 * "StrictOrder"); a group that is not STRICT_ORDER, or whose order cannot be told,
 * leaves the policy to a person, unless `strictOrderCopies` names a STRICT_ORDER copy
 * of it: the same update then references the copy instead (as AWS requires, the
 * order and the references change together). References without a Priority get 100,
 * 200, … in their current order.
 *
 * The fix drops what no rule passes: it always needs --allow-traffic-impact, and the
 * notes list what the referenced rule groups still pass.
 *
 * The UpdateToken is not part of the state. `apply` and `restore` read the policy again
 * right before the update, for a fresh token, and refuse when the document is no longer
 * the one the runner's drift check just read (the planned call shows placeholders).
 * Description and EncryptionConfiguration are sent back as read at that moment too: an
 * update without EncryptionConfiguration puts a policy encrypted with a customer managed
 * key back on an AWS owned key (hashicorp/terraform-provider-aws#30816).
 *
 * State: the FirewallPolicy document, as DescribeFirewallPolicy returns it.
 */
import type { Finding } from "../../../engine/findings.js";
import type { Snapshot } from "../../../model/types.js";
import { isUnknown } from "../../../model/types.js";
import type { AwsClients } from "../../clients.js";
import { jsonEqual } from "../../jsondiff.js";
import type { ApiCall, Json, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { asArray, clone, findingKey, known, manual, snapshotResource } from "../common.js";

const RULE_GROUP = "AWS::NetworkFirewall::RuleGroup";
const STRICT = "STRICT_ORDER";
const ACTION_ORDER = "DEFAULT_ACTION_ORDER";
const DROP = "aws:drop_established";
const DROPS = ["aws:drop_established", "aws:drop_strict"];
const STATELESS_DEFAULTS = ["StatelessDefaultActions", "StatelessFragmentDefaultActions"];
const PRIORITY_STEP = 100;

/** What the planned UpdateFirewallPolicy shows for the values read right before it is sent. */
export const AT_APPLY = {
  UpdateToken: "<UpdateToken read at apply>",
  Description: "<Description read at apply>",
  EncryptionConfiguration: "<EncryptionConfiguration read at apply>",
} as const;

type Doc = { [k: string]: Json };

interface Reference {
  ResourceArn: string;
  Priority?: number;
}

/** A referenced rule group as far as the fix needs it. */
interface Group {
  arn: string;
  name: string;
  type: "STATEFUL" | "STATELESS";
  managed: boolean;
  /** Stateful groups: the rule order, when it can be told. */
  order?: string;
  /** What the group passes; undefined when its rules were not read (`unread` says why). */
  passes?: string[];
  unread?: string;
  /** The referenced group this one replaces as its STRICT_ORDER copy (`strictOrderCopies`). */
  replaces?: string;
}

const isManaged = (arn: string): boolean => arn.includes(":aws-managed:");
const nameOf = (arn: string): string => arn.split("/").pop() ?? arn;

function normalize(v: unknown): Doc {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("the firewall policy document is not an object");
  return JSON.parse(JSON.stringify(v)) as Doc;
}

function target(f: Finding): Target {
  const arn = f.resource.arn ?? f.resource.id;
  const region = f.resource.region ?? arn.split(":")[3];
  if (!region) throw new Error(`cannot tell the region of ${f.resource.id}`);
  return { service: "network-firewall", region, ...(f.resource.account ? { account: f.resource.account } : {}), key: { FirewallPolicyArn: arn } };
}

interface Described {
  doc: Doc;
  token: string;
  description?: string;
  encryption?: Json;
}

async function describe(aws: AwsClients, region: string, arn: string): Promise<Described> {
  const r = await aws.send("network-firewall", region, "DescribeFirewallPolicy", { FirewallPolicyArn: arn });
  if (!r.FirewallPolicy || typeof r.UpdateToken !== "string")
    throw new Error(`network-firewall:DescribeFirewallPolicy returned no policy or no UpdateToken for ${arn}`);
  const meta = (r.FirewallPolicyResponse ?? {}) as { Description?: string; EncryptionConfiguration?: unknown };
  return {
    doc: normalize(r.FirewallPolicy),
    token: r.UpdateToken,
    ...(meta.Description ? { description: meta.Description } : {}),
    ...(meta.EncryptionConfiguration ? { encryption: normalize(meta.EncryptionConfiguration) } : {}),
  };
}

/**
 * The document each client's latest `read` returned, by policy ARN. The runner reads
 * (its drift check) right before apply and restore; they send their update only onto
 * that same document, so the fresh UpdateToken cannot carry a change made in between.
 */
const lastRead = new WeakMap<AwsClients, Map<string, Doc>>();

async function read(t: Target, aws: AwsClients): Promise<Json> {
  const d = await describe(aws, t.region, t.key.FirewallPolicyArn);
  const seen = lastRead.get(aws) ?? new Map<string, Doc>();
  seen.set(t.key.FirewallPolicyArn, d.doc);
  lastRead.set(aws, seen);
  return d.doc;
}

function update(t: Target, doc: Doc): ApiCall {
  return {
    service: "network-firewall",
    region: t.region,
    action: "UpdateFirewallPolicy",
    input: {
      FirewallPolicyArn: t.key.FirewallPolicyArn,
      UpdateToken: AT_APPLY.UpdateToken,
      FirewallPolicy: doc,
      Description: AT_APPLY.Description,
      EncryptionConfiguration: AT_APPLY.EncryptionConfiguration,
    },
  };
}

/** Sends the calls, filling each UpdateFirewallPolicy with a fresh token and the policy's current Description and EncryptionConfiguration. */
async function sendFresh(calls: ApiCall[], aws: AwsClients): Promise<void> {
  for (const c of calls) {
    if (c.action !== "UpdateFirewallPolicy") {
      await aws.call(c);
      continue;
    }
    const arn = c.input.FirewallPolicyArn as string;
    const now = await describe(aws, c.region, arn);
    const checked = lastRead.get(aws)?.get(arn);
    if (checked && !jsonEqual(checked, now.doc)) throw new Error(`firewall policy ${arn} changed after the drift check; nothing was sent`);
    const { Description: _d, EncryptionConfiguration: _e, ...input } = c.input;
    await aws.call({
      ...c,
      input: {
        ...input,
        UpdateToken: now.token,
        ...(now.description ? { Description: now.description } : {}),
        ...(now.encryption ? { EncryptionConfiguration: now.encryption } : {}),
      },
    });
  }
}

// --- the fixed document ------------------------------------------------------------

const ruleOrder = (doc: Doc): string => ((doc.StatefulEngineOptions as Doc | undefined)?.RuleOrder as string | undefined) ?? ACTION_ORDER;

function references(doc: Doc, prop: "StatefulRuleGroupReferences" | "StatelessRuleGroupReferences"): Reference[] {
  return asArray(doc[prop] as unknown as Reference[] | undefined).filter((r) => typeof r?.ResourceArn === "string");
}

/**
 * The Priority of each stateful reference under STRICT_ORDER: its own, or for those
 * without one 100, 200, … in their current order, skipping values already taken.
 * Undefined when two references share one (which comes first cannot be told).
 */
function priorities(refs: Reference[]): number[] | undefined {
  const taken = refs.map((r) => r.Priority).filter((p): p is number => typeof p === "number");
  if (new Set(taken).size !== taken.length) return undefined;
  const used = new Set(taken);
  let next = PRIORITY_STEP;
  return refs.map((r) => {
    if (typeof r.Priority === "number") return r.Priority;
    while (used.has(next)) next += PRIORITY_STEP;
    used.add(next);
    return next;
  });
}

/** Which parts of the document the findings ask to fix. */
interface Parts {
  order: boolean;
  drop: boolean;
  stateless: string[];
}

const KEYS = ["rule-order", "default-action", ...STATELESS_DEFAULTS.map((p) => `stateless:${p}`)];

/**
 * The parts named by the findings' keys. A finding suppressed by an exception is not
 * planned, so its part is left alone; a finding whose key cannot be told fixes all.
 * Switching the order always brings the drop default with it: STRICT_ORDER alone
 * passes what no rule matches, just as before.
 */
function partsOf(findings: Finding[]): Parts {
  const keys = findings.map((f) => findingKey(f, KEYS));
  const all = keys.includes(undefined);
  const order = all || keys.includes("rule-order");
  return {
    order,
    drop: order || keys.includes("default-action"),
    stateless: STATELESS_DEFAULTS.filter((p) => all || keys.includes(`stateless:${p}`)),
  };
}

/** The fixed document; `given` (priorities) and `copies` apply when the order switches. */
function fixed(before: Doc, parts: Parts, given: number[], copies: Record<string, string>): Doc {
  const doc = clone(before);
  if (parts.order) doc.StatefulEngineOptions = { ...((before.StatefulEngineOptions as Doc | undefined) ?? {}), RuleOrder: STRICT };
  const defaults = asArray(before.StatefulDefaultActions as string[] | undefined);
  if (parts.drop && !defaults.some((a) => DROPS.includes(a))) doc.StatefulDefaultActions = [DROP, ...defaults];
  for (const prop of parts.stateless) {
    if (!Array.isArray(before[prop])) continue;
    doc[prop] = [...new Set((before[prop] as string[]).map((a) => (a === "aws:pass" ? "aws:forward_to_sfe" : a)))];
  }
  if (parts.order && ruleOrder(before) !== STRICT && Array.isArray(before.StatefulRuleGroupReferences)) {
    const refs = before.StatefulRuleGroupReferences as Doc[];
    doc.StatefulRuleGroupReferences = refs.map((r, i) => {
      const copy = copies[r.ResourceArn as string];
      return { ...r, ...(copy ? { ResourceArn: copy } : {}), Priority: given[i] };
    });
  }
  return doc;
}

// --- the referenced rule groups ---------------------------------------------------------

const PROTOCOLS: Record<number, string> = { 1: "ICMP", 6: "TCP", 17: "UDP" };

function ports(list: unknown): string {
  const ps = asArray(list as Array<{ FromPort?: number; ToPort?: number }> | undefined).map((p) =>
    p.FromPort === p.ToPort ? `${p.FromPort}` : `${p.FromPort}-${p.ToPort}`,
  );
  return ps.length ? ` port ${ps.join(",")}` : "";
}

function addresses(list: unknown): string {
  const a = asArray(list as Array<{ AddressDefinition?: string }> | undefined).map((x) => x.AddressDefinition);
  return a.length ? a.join(",") : "any";
}

/** A stateless rule's match, e.g. "TCP from 10.0.0.0/8 to any port 443". */
function statelessMatch(m: Record<string, unknown> | undefined): string {
  const protos = asArray(m?.Protocols as number[] | undefined).map((p) => PROTOCOLS[p] ?? `protocol ${p}`);
  return `${protos.length ? protos.join("/") : "any protocol"} from ${addresses(m?.Sources)}${ports(m?.SourcePorts)} to ${addresses(m?.Destinations)}${ports(m?.DestinationPorts)}`;
}

/** What the rules of a group pass, one entry per rule (or per domain list). */
function passes(rg: Record<string, any>, type: Group["type"]): string[] {
  const src = (rg.RulesSource ?? {}) as Record<string, any>;
  if (type === "STATELESS") {
    const rules = asArray(src.StatelessRulesAndCustomActions?.StatelessRules as Array<Record<string, any>> | undefined);
    return rules
      .filter((r) => asArray(r.RuleDefinition?.Actions as string[] | undefined).includes("aws:pass"))
      .map((r) => `rule ${r.Priority}: ${statelessMatch(r.RuleDefinition?.MatchAttributes)}`);
  }
  const out: string[] = [];
  const list = src.RulesSourceList as { GeneratedRulesType?: string; TargetTypes?: string[]; Targets?: string[] } | undefined;
  if (list?.GeneratedRulesType === "ALLOWLIST") out.push(`${asArray(list.TargetTypes).join("/")} to ${asArray(list.Targets).join(", ")}`);
  if (typeof src.RulesString === "string") {
    for (const line of src.RulesString.split("\n").map((l: string) => l.trim())) if (/^pass\s/i.test(line)) out.push(line);
  }
  for (const r of asArray(src.StatefulRules as Array<Record<string, any>> | undefined)) {
    if (r.Action !== "PASS") continue;
    const h = (r.Header ?? {}) as Record<string, string>;
    out.push(`PASS ${h.Protocol} ${h.Source} ${h.SourcePort} ${h.Direction === "ANY" ? "<>" : "->"} ${h.Destination} ${h.DestinationPort}`);
  }
  return out;
}

function fromRuleGroup(arn: string, type: Group["type"], name: string, rg: unknown): Group {
  if (isUnknown(rg)) return { arn, name, type, managed: false, unread: `its rules are not known (${rg.$unknown})` };
  const doc = (rg ?? {}) as Record<string, any>;
  return {
    arn,
    name,
    type,
    managed: false,
    ...(type === "STATEFUL" ? { order: (doc.StatefulRuleOptions?.RuleOrder as string | undefined) ?? ACTION_ORDER } : {}),
    passes: passes(doc, type),
  };
}

async function group(arn: string, type: Group["type"], region: string, ctx: PlanContext): Promise<Group> {
  if (isManaged(arn)) {
    // Managed rule groups publish no rules; their strict-order versions are named …StrictOrder.
    return {
      arn,
      name: nameOf(arn),
      type,
      managed: true,
      ...(type === "STATEFUL" ? { order: nameOf(arn).endsWith("StrictOrder") ? STRICT : ACTION_ORDER } : {}),
      unread: "AWS managed",
    };
  }
  if (ctx.snapshot) {
    const r = ctx.snapshot.resources.find((x) => x.type === RULE_GROUP && (x.id === arn || x.arn === arn));
    if (!r) return { arn, name: nameOf(arn), type, managed: false, unread: "it is not in the snapshot" };
    return fromRuleGroup(arn, type, r.name ?? nameOf(arn), r.properties.RuleGroup);
  }
  if (!ctx.aws) throw new Error("no snapshot and no AWS access to read the rule groups");
  const d = await ctx.aws.send("network-firewall", region, "DescribeRuleGroup", { RuleGroupArn: arn, Type: type });
  return fromRuleGroup(arn, type, d.RuleGroupResponse?.RuleGroupName ?? nameOf(arn), d.RuleGroup);
}

/** The groups the fixed policy references: the stateful ones (or the copies that replace them), then the stateless ones. */
async function groups(doc: Doc, region: string, ctx: PlanContext, copies: Record<string, string>): Promise<Group[]> {
  const out: Group[] = [];
  for (const r of references(doc, "StatefulRuleGroupReferences")) {
    const copy = copies[r.ResourceArn];
    out.push({ ...(await group(copy ?? r.ResourceArn, "STATEFUL", region, ctx)), ...(copy ? { replaces: r.ResourceArn } : {}) });
  }
  for (const r of references(doc, "StatelessRuleGroupReferences")) out.push(await group(r.ResourceArn, "STATELESS", region, ctx));
  return out;
}

/** The strict-order version of an AWS managed rule group's ARN. */
const strictVersion = (arn: string): string => `${arn.replace(/ActionOrder$/, "")}StrictOrder`;

/** Why the policy cannot switch to STRICT_ORDER, and what a person should do; undefined when it can. */
function blocked(gs: Group[]): { reason: string; advice: string } | undefined {
  const stateful = gs.filter((g) => g.type === "STATEFUL");
  const own = stateful.filter((g) => !g.managed && g.order !== undefined && g.order !== STRICT);
  const managed = stateful.filter((g) => g.managed && g.order !== STRICT);
  const unknown = stateful.filter((g) => g.order === undefined);
  if (own.length + managed.length + unknown.length === 0) return undefined;
  const named = [...own, ...managed].map((g) => `${g.name} (${g.order})`).concat(unknown.map((g) => `${g.name} (rule order not known: ${g.unread})`));
  const copies = [
    ...own.map((g) => `"${g.replaces ?? g.arn}": "<ARN of its copy>"`),
    ...managed.map((g) => `"${g.replaces ?? g.arn}": "${strictVersion(g.arn)}"`),
  ];
  const advice = [
    ...(own.length
      ? [`create a copy of ${own.map((g) => g.name).join(", ")} with StatefulRuleOptions.RuleOrder STRICT_ORDER (the same rules, pass rules first)`]
      : []),
    ...(copies.length
      ? [
          `give rampart the copies${managed.length ? " and the strict-order versions of the AWS managed rule groups" : ""} with --param networkfirewall-policy-default-deny.strictOrderCopies='{${copies.join(", ")}}', so that one update switches the order and the references together`,
        ]
      : []),
    ...(unknown.length ? [`let rampart read ${unknown.map((g) => g.name).join(", ")} (network-firewall:DescribeRuleGroup) and scan again`] : []),
  ];
  return {
    reason: `a STRICT_ORDER policy can only reference stateful rule groups that use STRICT_ORDER, and a rule group's rule order cannot be changed after it is created; these do not: ${named.join(", ")}`,
    advice: `${advice.join("; ")}; then run \`rampart fix\` again.`,
  };
}

// --- what the plan says ---------------------------------------------------------------

function passNotes(gs: Group[], drop: string): string[] {
  const passing = gs.filter((g) => (g.passes?.length ?? 0) > 0);
  const out = passing.length
    ? [`After the change, traffic that no rule passes is dropped (${drop}). Only these rule groups still pass traffic; everything else is dropped:`]
    : [
        `After the change, traffic that no rule passes is dropped (${drop}), and no rule group of the policy passes anything: every connection through the firewalls using this policy is dropped.`,
      ];
  for (const g of passing) {
    const what = g.type === "STATELESS" ? "passes without stateful inspection" : "passes";
    out.push(`${g.name} (${g.arn}) ${what}: ${(g.passes as string[]).join("; ")}`);
  }
  const managed = gs.filter((g) => g.managed);
  if (managed.length) out.push(`AWS managed rule groups were not read (rampart does not inspect their rules): ${managed.map((g) => g.name).join(", ")}.`);
  for (const g of gs.filter((x) => !x.managed && x.passes === undefined))
    out.push(`Rule group ${g.name} (${g.arn}) was not read (${g.unread}): check what it passes before applying.`);
  return out;
}

function changeNotes(before: Doc, after: Doc, gs: Group[]): string[] {
  const out = passNotes(gs, asArray(after.StatefulDefaultActions as string[] | undefined).find((a) => DROPS.includes(a)) ?? DROP);
  for (const g of gs.filter((x) => x.replaces))
    out.push(`References to ${nameOf(g.replaces as string)} (${g.replaces}) are replaced by ${g.name} (${g.arn}), given as its STRICT_ORDER copy.`);
  if (ruleOrder(before) !== ruleOrder(after)) {
    const refs = references(after, "StatefulRuleGroupReferences").map((r) => `${nameOf(r.ResourceArn)} ${r.Priority}`);
    out.push(
      `The stateful engine will run the rule groups by Priority (${refs.join(", ") || "none referenced"}) and the rules of each group in their order, instead of all pass rules first, then drop, then alert (DEFAULT_ACTION_ORDER).`,
    );
  }
  const stateless = STATELESS_DEFAULTS.filter((p) => !jsonEqual(before[p] ?? null, after[p] ?? null));
  if (stateless.length)
    out.push(
      `Packets that no stateless rule matches (${stateless.join(", ")}) now go to the stateful engine (aws:forward_to_sfe) instead of being passed uninspected.`,
    );
  return out;
}

function changed(before: Doc, after: Doc): string[] {
  const parts: string[] = [];
  if (ruleOrder(before) !== ruleOrder(after)) parts.push("rule order STRICT_ORDER");
  const swapped = references(before, "StatefulRuleGroupReferences").filter(
    (r, i) => references(after, "StatefulRuleGroupReferences")[i]?.ResourceArn !== r.ResourceArn,
  );
  if (swapped.length) parts.push(`STRICT_ORDER copies of ${swapped.map((r) => nameOf(r.ResourceArn)).join(", ")}`);
  if (!jsonEqual(before.StatefulDefaultActions ?? null, after.StatefulDefaultActions ?? null)) parts.push(`stateful default ${DROP}`);
  if (STATELESS_DEFAULTS.some((p) => !jsonEqual(before[p] ?? null, after[p] ?? null))) parts.push("stateless default aws:forward_to_sfe");
  return parts;
}

function fromSnapshot(s: Snapshot, f: Finding): Doc {
  return normalize(known(snapshotResource(s, f).properties.FirewallPolicy, "FirewallPolicy"));
}

export const remediation: Remediation = {
  ruleId: "networkfirewall-policy-default-deny",
  permissions: ["network-firewall:DescribeFirewallPolicy", "network-firewall:DescribeRuleGroup", "network-firewall:UpdateFirewallPolicy"],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      strictOrderCopies: {
        description:
          "For a policy in DEFAULT_ACTION_ORDER: a map from the ARN of each stateful rule group it references to the ARN of a STRICT_ORDER rule group with the same rules (for AWS managed groups, their …StrictOrder version). The update references the copies instead.",
        type: "object",
        additionalProperties: { type: "string", pattern: "^arn:aws[a-z-]*:network-firewall:[a-z0-9-]+:([0-9]{12}|aws-managed):stateful-rulegroup/.+$" },
      },
    },
  },
  verifyServices: ["network-firewall"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f = findings[0];
    const t = target(f);
    const arn = t.key.FirewallPolicyArn;
    const label = f.resource.name ?? nameOf(arn);
    let before: Doc;
    if (ctx.snapshot) before = fromSnapshot(ctx.snapshot, f);
    else if (ctx.aws) before = (await read(t, ctx.aws)) as Doc;
    else throw new Error("no snapshot and no AWS access to read the firewall policy");

    const parts = partsOf(findings);
    const switching = parts.order && ruleOrder(before) !== STRICT;
    const copies = switching ? ((ctx.params.strictOrderCopies ?? {}) as Record<string, string>) : {};
    const gs = await groups(before, t.region, ctx, copies);
    if (switching) {
      const b = blocked(gs);
      if (b) return { manual: findings.map((x) => manual(x, b.reason, b.advice)) };
    }
    const given = switching ? priorities(references(before, "StatefulRuleGroupReferences")) : [];
    if (!given) {
      return {
        manual: findings.map((x) =>
          manual(
            x,
            "two stateful rule group references share a Priority, so their order under STRICT_ORDER cannot be told",
            "Give every stateful rule group reference its own Priority (lower runs first), then run `rampart fix` again.",
          ),
        ),
      };
    }
    const after = fixed(before, parts, given, copies);
    if (jsonEqual(before, after)) return { manual: [] };
    return {
      manual: [],
      change: {
        target: t,
        before,
        after,
        calls: [update(t, after)],
        rollbackCalls: [update(t, before)],
        findingIds: findings.map((x) => x.id),
        summary: `make firewall policy ${label} default deny: ${changed(before, after).join(", ")}`,
        risk: {
          flag: "allow-traffic-impact",
          reason: `Firewall policy ${label} will drop all traffic that none of its rule groups passes, on every firewall that uses it; the notes list what is still passed.`,
        },
        notes: changeNotes(before, after, gs),
      },
    };
  },

  read,

  async apply(change: { calls: ApiCall[] }, aws: AwsClients): Promise<void> {
    await sendFresh(change.calls, aws);
  },

  async restore(change, aws: AwsClients): Promise<void> {
    await sendFresh(change.rollbackCalls, aws);
  },
};
