/**
 * fms-retrofit-web-acl-scope-consistent: a web ACL that a Firewall Manager policy
 * retrofits ("webACLSource": "RETROFIT_EXISTING") serves resources in and out of the
 * policy's scope, so Firewall Manager neither retrofits it nor applies later policy
 * changes (GUIDANCE.md §4; article lines 4158–4198). Two of the article's three ways
 * out are automatic, chosen with the `mode` parameter:
 *
 * - `tag` (default, additive): an out-of-scope ELB load balancer that is out only
 *   because it lacks the policy's ResourceTags (ExcludeResourceTags false) gets them
 *   (elasticloadbalancing:AddTags) — all of them, or with ResourceTagLogicalOperator OR
 *   the first one whose key it lacks. Rollback removes the added keys (RemoveTags).
 *   A key the resource already has with another value is left to a person: changing it
 *   is not additive (tag-based access, cost allocation and other policies read it);
 *   `replaceTagValues: true` allows it, and the change then needs
 *   --allow-traffic-impact, because other Firewall Manager policies (security groups,
 *   Network Firewall) may select the resource by the old value (rollback puts the old
 *   values back with AddTags). The
 *   policy's scope and the load balancers' tags come from the scan's snapshot, or, when
 *   planning live, from fms:GetPolicy and elasticloadbalancing:DescribeTags. fms:GetPolicy
 *   answers only in the Firewall Manager administrator account: for a member account's
 *   web ACL, plan from an organization scan's snapshot (`rampart fix --snapshot`).
 * - `disassociate` (--allow-traffic-impact: the resources lose the web ACL's protection):
 *   wafv2:DisassociateWebACL for each out-of-scope resource; rollback AssociateWebACL.
 *
 * CloudFront distributions (their web ACL is part of the distribution configuration),
 * other resource types in tag mode, and resources out of scope for other reasons (type,
 * region, excluded tags) are left to a person with the finding's ways out. `resources`
 * narrows the fix to the listed ARNs.
 *
 * One change per finding (a web ACL and a policy) covers all its out-of-scope
 * resources. State: `{Resources: [{ResourceArn, Tags: {<key>: value | null}}]}` for
 * the policy's tag keys (tag), `{Resources: [{ResourceArn, WebACLArn: arn | null}]}`
 * (disassociate).
 */
import { fmsPolicyProperties } from "../../../collectors/aws/fms.js";
import type { Finding } from "../../../engine/findings.js";
import type { Resource, Snapshot } from "../../../model/types.js";
import { isUnknown } from "../../../model/types.js";
import type { AwsClients } from "../../clients.js";
import { canonical } from "../../jsondiff.js";
import type { ApiCall, Json, ManualItem, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { asArray, manual } from "../common.js";

const RULE = "fms-retrofit-web-acl-scope-consistent";
const FMS_POLICY = "AWS::FMS::Policy";
const LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const WAF_ASSOCIATION = "AWS::WAFv2::WebACLAssociation";
/**
 * How the rule says a resource lacks the policy's tags (rules/lib/fms.rego, _tag_verdict).
 * Any other reason, or a changed wording, leaves the resource to a person.
 */
const LACKS_TAGS = "it lacks the tags the policy requires";
/** AddTags, RemoveTags and DescribeTags take at most 20 ARNs. */
const TAG_BATCH = 20;

type Mode = "tag" | "disassociate";

interface OutOfScope {
  id: string;
  reason: string[];
}

/** The finding's evidence (rules/aws/fms/retrofit_web_acl_scope_consistent.rego). */
interface Evidence {
  policy: string;
  webACL: string;
  inScope: string[];
  outOfScope: OutOfScope[];
  waysOut: string[];
}

interface Tag {
  Key: string;
  Value: string;
}

/** The policy's scope as the tag mode needs it. */
interface Scope {
  name: string;
  region?: string;
  types: string[];
  tags: Tag[];
  or: boolean;
  exclude: boolean;
  ruleGroups: string[];
}

/** One resource's part of the change: its values of the touched keys before and after. */
interface Tagging {
  arn: string;
  before: Record<string, string | null>;
  after: Record<string, string | null>;
  replaced: string[];
}

function evidenceOf(f: Finding): Evidence | undefined {
  const e = f.evidence as Partial<Evidence> | undefined;
  if (!e || typeof e.policy !== "string" || typeof e.webACL !== "string" || !Array.isArray(e.outOfScope)) return undefined;
  return {
    policy: e.policy,
    webACL: e.webACL,
    inScope: asArray(e.inScope),
    outOfScope: e.outOfScope.map((o) => ({ id: String(o.id), reason: asArray(o.reason as string | string[] | undefined) })),
    waysOut: asArray(e.waysOut),
  };
}

const isLoadBalancer = (arn: string): boolean => /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:[0-9]*:loadbalancer\//.test(arn);
const isCloudFront = (arn: string): boolean => /^arn:aws[a-z-]*:cloudfront:/.test(arn);

/** A load balancer's name from its ARN (…:loadbalancer/app/<name>/<id>); other resources by their id. */
function label(id: string): string {
  const m = /:loadbalancer\/(?:app|net|gwy)\/([^/]+)\//.exec(id);
  return m ? m[1] : id;
}

function waysOut(e: Evidence, f: Finding): string {
  if (e.waysOut.length === 0) return f.fix ?? `See \`rampart rules show ${RULE}\`.`;
  return `Ways out: ${e.waysOut.map((w, i) => `(${i + 1}) ${w}`).join("; ")}.`;
}

// --- the policy's scope (from the snapshot) ---------------------------------------------

function policyRuleGroups(msd: unknown): string[] {
  if (typeof msd !== "string") return [];
  try {
    const d = JSON.parse(msd) as Record<string, unknown>;
    const list = [...asArray(d.preProcessRuleGroups as unknown[] | undefined), ...asArray(d.postProcessRuleGroups as unknown[] | undefined)] as Array<
      Record<string, any>
    >;
    return list.map((g) => g.managedRuleGroupIdentifier?.managedRuleGroupName ?? g.ruleGroupArn).filter((x): x is string => typeof x === "string");
  } catch {
    return [];
  }
}

/** The policy's scope, or why it cannot be used. */
function scopeOf(s: Snapshot | undefined, policyId: string): Scope | string {
  if (!s) return "the policy's scope (its ResourceTags) is read from the scan's snapshot, and this plan has none";
  const p = s.resources.find((r) => r.type === FMS_POLICY && (r.id === policyId || r.arn === policyId));
  if (!p) return `Firewall Manager policy ${policyId} is not in the snapshot`;
  const props = p.properties;
  if ([props.ResourceTags, props.ExcludeResourceTags, props.ResourceTagLogicalOperator, props.ResourceType, props.ResourceTypeList].some(isUnknown)) {
    return `the scope of Firewall Manager policy ${p.name ?? policyId} is not known in the snapshot`;
  }
  const tags = asArray(props.ResourceTags as Array<{ Key?: unknown; Value?: unknown }> | undefined);
  if (tags.some((t) => typeof t.Key !== "string" || (t.Value !== undefined && typeof t.Value !== "string")))
    return `the ResourceTags of Firewall Manager policy ${p.name ?? policyId} are not known in the snapshot`;
  return {
    name: p.name ?? (props.PolicyName as string | undefined) ?? policyId,
    region: p.region,
    types: [
      ...asArray(props.ResourceTypeList as string[] | undefined),
      ...(typeof props.ResourceType === "string" && props.ResourceType !== "ResourceTypeList" ? [props.ResourceType] : []),
    ],
    tags: tags.map((t) => ({ Key: t.Key as string, Value: (t.Value as string | undefined) ?? "" })),
    or: String(props.ResourceTagLogicalOperator ?? "").toUpperCase() === "OR",
    exclude: props.ExcludeResourceTags === true,
    ruleGroups: policyRuleGroups((props.SecurityServicePolicyData as Record<string, unknown> | undefined)?.ManagedServiceData),
  };
}

/** Why adding tags cannot bring the resource into scope; undefined when it can. */
function notByTags(o: OutOfScope, scope: Scope, lb: Resource | undefined): string | undefined {
  const name = label(o.id);
  if (!isLoadBalancer(o.id)) return `${name} is not an Elastic Load Balancing load balancer; rampart only tags load balancers (elasticloadbalancing:AddTags)`;
  if (scope.tags.length === 0) return `${name} is out of the scope of policy ${scope.name} for other reasons than tags: ${o.reason.join("; ")}`;
  if (scope.exclude) return `${name} carries tags that policy ${scope.name} excludes (ExcludeResourceTags); removing tags is not additive`;
  if (o.reason.length !== 1 || !o.reason[0].startsWith(LACKS_TAGS) || !lb || !scope.types.includes(lb.type) || (scope.region && lb.region !== scope.region)) {
    return `${name} is out of the scope of policy ${scope.name} for other reasons than its tags: ${o.reason.join("; ")}`;
  }
  return undefined;
}

/** The tags to set on a resource that has `current`: all the policy's tags, or with OR the first whose key is missing. */
function wanted(scope: Scope, current: Record<string, string>): Tag[] {
  if (!scope.or) return scope.tags;
  const missing = scope.tags.find((t) => !(t.Key in current));
  return [missing ?? scope.tags[0]];
}

function tagging(arn: string, scope: Scope, current: Record<string, string>, keys: string[]): Tagging {
  const before = Object.fromEntries(keys.map((k) => [k, current[k] ?? null]));
  const after = { ...before };
  const replaced: string[] = [];
  for (const t of wanted(scope, current)) {
    if (current[t.Key] === t.Value) continue;
    if (t.Key in current) replaced.push(t.Key);
    after[t.Key] = t.Value;
  }
  return { arn, before, after, replaced };
}

// --- reads ----------------------------------------------------------------------------

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function liveTags(aws: AwsClients, region: string, arns: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const batch of chunks(arns, TAG_BATCH)) {
    const r = await aws.send("elasticloadbalancing", region, "DescribeTags", { ResourceArns: batch });
    for (const d of asArray(r.TagDescriptions as Array<{ ResourceArn?: string; Tags?: Array<{ Key?: string; Value?: string }> }> | undefined)) {
      if (d.ResourceArn)
        out.set(
          d.ResourceArn,
          Object.fromEntries(
            asArray(d.Tags)
              .filter((t) => t.Key !== undefined)
              .map((t) => [t.Key as string, t.Value ?? ""]),
          ),
        );
    }
  }
  for (const a of arns) if (!out.has(a)) throw new Error(`elasticloadbalancing:DescribeTags returned no tags for ${a}`);
  return out;
}

async function webAclOf(aws: AwsClients, region: string, arn: string): Promise<string | null> {
  const r = await aws.send("wafv2", region, "GetWebACLForResource", { ResourceArn: arn });
  return (r.WebACL?.ARN as string | undefined) ?? null;
}

const arnsOf = (t: Target): string[] => JSON.parse(t.key.ResourceArns) as string[];

async function read(t: Target, aws: AwsClients): Promise<Json> {
  const arns = arnsOf(t);
  if (t.key.Mode === "disassociate") {
    const out: Json[] = [];
    for (const a of arns) out.push({ ResourceArn: a, WebACLArn: await webAclOf(aws, t.region, a) });
    return { Resources: out };
  }
  const keys = JSON.parse(t.key.TagKeys) as string[];
  const tags = await liveTags(aws, t.region, arns);
  return { Resources: arns.map((a) => ({ ResourceArn: a, Tags: Object.fromEntries(keys.map((k) => [k, tags.get(a)?.[k] ?? null])) })) };
}

// --- calls ----------------------------------------------------------------------------

/** One call per distinct set of tags (at most 20 resources each), so that the usual case is one AddTags. */
function grouped(items: Array<{ arn: string; payload: Json }>, call: (arns: string[], payload: Json) => ApiCall): ApiCall[] {
  const by = new Map<string, { payload: Json; arns: string[] }>();
  for (const i of items) {
    const k = canonical(i.payload);
    const g = by.get(k) ?? { payload: i.payload, arns: [] };
    g.arns.push(i.arn);
    by.set(k, g);
  }
  return [...by.values()].flatMap((g) => chunks(g.arns, TAG_BATCH).map((arns) => call(arns, g.payload)));
}

function tagCalls(region: string, ts: Tagging[]): { calls: ApiCall[]; rollbackCalls: ApiCall[] } {
  const elb = (action: string, input: Record<string, Json>): ApiCall => ({ service: "elasticloadbalancing", region, action, input });
  const toTags = (m: Record<string, string | null>): Json => Object.entries(m).map(([Key, Value]) => ({ Key, Value }));
  const set = ts.map((t) => ({ arn: t.arn, payload: toTags(Object.fromEntries(Object.entries(t.after).filter(([k, v]) => v !== null && t.before[k] !== v))) }));
  const removed = ts.map((t) => ({ arn: t.arn, payload: Object.keys(t.after).filter((k) => t.before[k] === null && t.after[k] !== null) as Json }));
  const restored = ts.map((t) => ({ arn: t.arn, payload: toTags(Object.fromEntries(t.replaced.map((k) => [k, t.before[k]]))) }));
  return {
    calls: grouped(set, (arns, Tags) => elb("AddTags", { ResourceArns: arns, Tags })),
    rollbackCalls: [
      ...grouped(
        removed.filter((r) => (r.payload as string[]).length > 0),
        (arns, TagKeys) => elb("RemoveTags", { ResourceArns: arns, TagKeys }),
      ),
      ...grouped(
        restored.filter((r) => (r.payload as Json[]).length > 0),
        (arns, Tags) => elb("AddTags", { ResourceArns: arns, Tags }),
      ),
    ],
  };
}

// --- plans ----------------------------------------------------------------------------

interface Context {
  f: Finding;
  e: Evidence;
  region: string;
  acl: string;
  policy: string;
  ctx: PlanContext;
}

function targetOf(c: Context, mode: Mode, arns: string[], keys?: string[]): Target {
  return {
    service: mode === "tag" ? "elasticloadbalancing" : "wafv2",
    region: c.region,
    ...(c.f.resource.account ? { account: c.f.resource.account } : {}),
    key: { Mode: mode, WebACLArn: c.e.webACL, Policy: c.e.policy, ResourceArns: JSON.stringify(arns), ...(keys ? { TagKeys: JSON.stringify(keys) } : {}) },
  };
}

function snapshotTags(s: Snapshot, arn: string): Record<string, string> | string {
  const r = s.resources.find((x) => x.type === LOAD_BALANCER && (x.id === arn || x.arn === arn));
  if (!r) return `${label(arn)} is not in the snapshot`;
  if (isUnknown(r.tags) || Object.values(r.tags).some(isUnknown)) return `the tags of ${label(arn)} are not known in the snapshot`;
  return r.tags as Record<string, string>;
}

/**
 * Without a snapshot: the policy (fms:GetPolicy) and the out-of-scope load balancers' tags
 * (elasticloadbalancing:DescribeTags), read live into the shape of a snapshot, so that the
 * plan decides exactly as it does offline. A string says why they could not be read.
 */
async function liveSnapshot(aws: AwsClients, region: string, policyArn: string, outs: OutOfScope[]): Promise<Snapshot | string> {
  const [, , , policyRegion = region, account = ""] = policyArn.split(":");
  let got: Record<string, any>;
  try {
    got = await aws.send("fms", policyRegion || region, "GetPolicy", { PolicyId: policyArn.split("/").pop() ?? policyArn });
  } catch (err) {
    const name = (err as { name?: string }).name ?? "Error";
    return `fms:GetPolicy failed (${name}: ${(err as Error).message}); it answers only in the Firewall Manager administrator account`;
  }
  if (!got.Policy) return `fms:GetPolicy returned no policy for ${policyArn}`;
  const lbs = outs.map((o) => o.id).filter(isLoadBalancer);
  const tags = lbs.length > 0 ? await liveTags(aws, region, lbs) : new Map<string, Record<string, string>>();
  const src = (r: string) => ({ kind: "aws" as const, account, region: r });
  const policy: Resource = {
    type: FMS_POLICY,
    id: policyArn,
    arn: policyArn,
    name: got.Policy.PolicyName,
    account,
    region: policyRegion || region,
    tags: {},
    properties: fmsPolicyProperties(got.Policy, undefined),
    source: src(policyRegion || region),
  };
  const balancers: Resource[] = lbs.map((a) => ({
    type: LOAD_BALANCER,
    id: a,
    arn: a,
    region: a.split(":")[3],
    tags: tags.get(a) ?? {},
    properties: {},
    source: src(a.split(":")[3]),
  }));
  return { schemaVersion: "1", source: { kind: "aws", collectedAt: new Date().toISOString() }, resources: [policy, ...balancers], coverage: [] } as Snapshot;
}

async function planTags(c: Context, outs: OutOfScope[], left: ManualItem[]): Promise<PlanResult> {
  const { f, e, ctx } = c;
  const read =
    ctx.snapshot ?? (ctx.aws ? await liveSnapshot(ctx.aws, c.region, e.policy, outs) : "there is neither a snapshot nor AWS access to read the policy's scope");
  const scope = typeof read === "string" ? read : scopeOf(read, e.policy);
  if (typeof scope === "string") {
    const advice = `Plan from an organization scan's snapshot (\`rampart scan --org … --snapshot-out s.json\`, then \`rampart fix --snapshot s.json\`), or choose --param ${RULE}.mode=disassociate. ${waysOut(e, f)}`;
    return { manual: [...left, ...outs.map((o) => manual(f, `${label(o.id)} cannot be tagged into scope: ${scope}`, advice))] };
  }
  const snapshot = read as Snapshot;
  const taggable: OutOfScope[] = [];
  for (const o of outs) {
    const lb = snapshot.resources.find((r) => r.type === LOAD_BALANCER && (r.id === o.id || r.arn === o.id));
    const why = notByTags(o, scope, lb);
    if (why) left.push(manual(f, why, waysOut(e, f)));
    else taggable.push(o);
  }
  const keys = [...new Set(scope.tags.map((t) => t.Key))].sort();
  const ts: Tagging[] = [];
  for (const o of taggable) {
    const current = snapshotTags(snapshot, o.id);
    if (typeof current === "string") {
      left.push(manual(f, current, `Scan again. ${waysOut(e, f)}`));
      continue;
    }
    const t = tagging(o.id, scope, current, keys);
    if (Object.keys(t.after).every((k) => t.after[k] === t.before[k])) continue; // tagged since the scan
    if (t.replaced.length > 0 && ctx.params.replaceTagValues !== true) {
      const was = t.replaced.map((k) => `${k}=${t.before[k]}`).join(", ");
      const need = t.replaced.map((k) => `${k}=${t.after[k]}`).join(", ");
      left.push(
        manual(
          f,
          `${label(o.id)} has ${was} and policy ${scope.name} needs ${need}; changing a tag's value is not additive (tag-based access, cost allocation and other policies may read it)`,
          `Change the tag by hand, or allow rampart to with --param ${RULE}.replaceTagValues=true (and --allow-traffic-impact). ${waysOut(e, f)}`,
        ),
      );
      continue;
    }
    ts.push(t);
  }
  if (ts.length === 0) return { manual: left };
  const names = ts.map((t) => label(t.arn));
  const set = [
    ...new Set(
      ts.flatMap((t) =>
        Object.keys(t.after)
          .filter((k) => t.after[k] !== t.before[k])
          .map((k) => `${k}=${t.after[k]}`),
      ),
    ),
  ];
  const replaced = ts.filter((t) => t.replaced.length > 0);
  const { calls, rollbackCalls } = tagCalls(c.region, ts);
  const everyone = [...e.inScope, ...e.outOfScope.map((o) => o.id)].map(label);
  return {
    manual: left,
    change: {
      target: targetOf(
        c,
        "tag",
        ts.map((t) => t.arn),
        keys,
      ),
      before: { Resources: ts.map((t) => ({ ResourceArn: t.arn, Tags: t.before })) },
      after: { Resources: ts.map((t) => ({ ResourceArn: t.arn, Tags: t.after })) },
      calls,
      rollbackCalls,
      findingIds: [f.id],
      summary: `tag ${names.join(", ")} with ${set.join(", ")} so that web ACL ${c.acl} serves only resources in the scope of Firewall Manager policy ${scope.name}`,
      ...(replaced.length
        ? {
            risk: {
              flag: "allow-traffic-impact" as const,
              reason: `Tag values change on ${replaced.map((t) => `${label(t.arn)} (${t.replaced.map((k) => `${k}: ${t.before[k]} → ${t.after[k]}`).join(", ")})`).join(", ")}: policies and rules that select on the old values no longer apply to them.`,
            },
          }
        : {}),
      notes: [
        left.length === 0
          ? `Firewall Manager will then retrofit web ACL ${c.acl}: the rule groups of policy ${scope.name}${scope.ruleGroups.length ? ` (${scope.ruleGroups.join(", ")})` : ""} will apply to every resource associated with it: ${everyone.join(", ")}.`
          : `Web ACL ${c.acl} stays out of Firewall Manager's reach until the resources left to a person (see the manual items) are in scope or disassociated too.`,
        `The tag${set.length === 1 ? "" : "s"} may also bring ${names.join(", ")} into the scope of other Firewall Manager policies, tag-based access conditions and cost allocation that select on ${set.join(", ")}.`,
      ],
    },
  };
}

async function planDisassociate(c: Context, outs: OutOfScope[], left: ManualItem[]): Promise<PlanResult> {
  const { f, e, ctx } = c;
  const acting: OutOfScope[] = [];
  for (const o of outs) {
    if (isCloudFront(o.id))
      left.push(
        manual(
          f,
          `${o.id} is a CloudFront distribution: its web ACL is set in the distribution's configuration, which rampart does not change`,
          `Remove the web ACL from the distribution (cloudfront:UpdateDistribution with an empty WebACLId), or: ${waysOut(e, f)}`,
        ),
      );
    else acting.push(o);
  }
  const current = new Map<string, string | null>();
  for (const o of acting) {
    if (ctx.snapshot)
      current.set(
        o.id,
        (ctx.snapshot.resources.find((r) => r.type === WAF_ASSOCIATION && r.properties.ResourceArn === o.id)?.properties.WebACLArn as string | undefined) ??
          null,
      );
    else if (ctx.aws) current.set(o.id, await webAclOf(ctx.aws, c.region, o.id));
    else throw new Error("no snapshot and no AWS access to read the web ACL associations");
  }
  const moved = acting.filter((o) => current.get(o.id) !== e.webACL);
  for (const o of moved) left.push(manual(f, `${label(o.id)} is no longer associated with web ACL ${c.acl} (it changed since the scan)`, "Scan again."));
  const arns = acting.filter((o) => current.get(o.id) === e.webACL).map((o) => o.id);
  if (arns.length === 0) return { manual: left };
  const names = arns.map(label);
  const waf = (action: string, input: Record<string, Json>): ApiCall => ({ service: "wafv2", region: c.region, action, input });
  const staying = e.inScope.map(label);
  return {
    manual: left,
    change: {
      target: targetOf(c, "disassociate", arns),
      before: { Resources: arns.map((a) => ({ ResourceArn: a, WebACLArn: e.webACL })) },
      after: { Resources: arns.map((a) => ({ ResourceArn: a, WebACLArn: null })) },
      calls: arns.map((a) => waf("DisassociateWebACL", { ResourceArn: a })),
      rollbackCalls: arns.map((a) => waf("AssociateWebACL", { WebACLArn: e.webACL, ResourceArn: a })),
      findingIds: [f.id],
      summary: `disassociate ${names.join(", ")} from web ACL ${c.acl}, which Firewall Manager policy ${c.policy} retrofits`,
      risk: {
        flag: "allow-traffic-impact",
        reason: `${names.join(", ")} lose${names.length === 1 ? "s" : ""} the protection of web ACL ${c.acl}: ${names.length === 1 ? "its" : "their"} requests are no longer inspected by its rules, nor by any web ACL until one is associated again.`,
      },
      notes: [
        left.length === 0
          ? `Firewall Manager will then retrofit web ACL ${c.acl} for the resources left in the scope of policy ${c.policy}: ${staying.join(", ")}.`
          : `Web ACL ${c.acl} stays out of Firewall Manager's reach until the resources left to a person (see the manual items) are in scope or disassociated too.`,
        `To keep protecting ${names.join(", ")}, associate another web ACL with ${names.length === 1 ? "it" : "them"}.`,
      ],
    },
  };
}

function policyLabel(s: Snapshot | undefined, id: string): string {
  const p = s?.resources.find((r) => r.type === FMS_POLICY && (r.id === id || r.arn === id));
  return p?.name ?? id;
}

export const remediation: Remediation = {
  ruleId: RULE,
  permissions: [
    "fms:GetPolicy",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:RemoveTags",
    "wafv2:GetWebACLForResource",
    "wafv2:DisassociateWebACL",
    "wafv2:AssociateWebACL",
    // What WAF checks on the protected resource when it is associated or disassociated.
    "elasticloadbalancing:SetWebAcl",
    "apigateway:SetWebACL",
    "appsync:SetWebACL",
  ],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      mode: {
        description:
          "tag (default): add the policy's resource tags to out-of-scope load balancers; disassociate: remove the out-of-scope resources from the web ACL (needs --allow-traffic-impact).",
        enum: ["tag", "disassociate"],
      },
      resources: { description: "Act only on these out-of-scope resources (ARNs); the others are left to a person.", type: "array", items: { type: "string" } },
      replaceTagValues: {
        description: "In tag mode, also change a tag the resource has with another value (needs --allow-traffic-impact; default false).",
        type: "boolean",
      },
    },
  },
  verifyServices: ["fms", "wafv2", "elasticloadbalancing"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const mode = (ctx.params.mode as Mode | undefined) ?? "tag";
    const only = ctx.params.resources as string[] | undefined;
    const withEvidence = findings.map((f) => ({ f, e: evidenceOf(f) })).sort((a, b) => (a.e?.policy ?? "").localeCompare(b.e?.policy ?? ""));
    const left: ManualItem[] = [];
    const usable = withEvidence.filter((x): x is { f: Finding; e: Evidence } => x.e !== undefined);
    for (const x of withEvidence.filter((y) => y.e === undefined))
      left.push(manual(x.f, "the finding carries no evidence naming the out-of-scope resources", x.f.fix ?? "Scan again."));
    // One change per resource and run: a second policy's finding on the same web ACL waits for the next run.
    for (const x of usable.slice(1))
      left.push(
        manual(
          x.f,
          `another Firewall Manager policy's finding on this web ACL (${usable[0].e.policy}) is planned in this run`,
          "Apply this run, scan again and run `rampart fix` again.",
        ),
      );
    if (usable.length === 0) return { manual: left };
    const { f, e } = usable[0];
    const region = f.resource.region ?? e.webACL.split(":")[3];
    if (!region) throw new Error(`cannot tell the region of ${e.webACL}`);
    const c: Context = { f, e, region, acl: f.resource.name ?? e.webACL, policy: policyLabel(ctx.snapshot, e.policy), ctx };
    const outs: OutOfScope[] = [];
    for (const o of e.outOfScope) {
      if (only && !only.includes(o.id))
        left.push(manual(f, `${label(o.id)} is not in the resources parameter`, `Add it to --param ${RULE}.resources, or: ${waysOut(e, f)}`));
      else outs.push(o);
    }
    if (outs.length === 0) return { manual: left };
    return mode === "disassociate" ? planDisassociate(c, outs, left) : planTags(c, outs, left);
  },

  read,
};
