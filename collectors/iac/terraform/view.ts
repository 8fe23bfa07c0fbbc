/**
 * Helpers the mappers use to read one resource instance's planned values and write
 * CloudFormation-shaped properties: unknown values become `{"$unknown"}` markers, values
 * recoverable from configuration references become `{"$ref"}` markers.
 */
import { unknown, type Reference, type Unknown } from "../../../model/types.js";
import { isExpression, isObj, refList, Unk, type Instance, type Obj, type Plan, type Resolution, type Target } from "./plan.js";

/**
 * CloudFormation attribute names for Terraform attributes, per Terraform type.
 * `null` means the value CloudFormation's `Ref` returns (no attribute).
 */
const CFN_ATTRIBUTES: Record<string, Record<string, string | null>> = {
  aws_iam_role: { name: null, id: null, arn: "Arn", unique_id: "RoleId" },
  aws_iam_policy: { arn: null, id: null, policy_id: "PolicyId" },
  aws_iam_user: { name: null, id: null, arn: "Arn" },
  aws_iam_access_key: { id: null },
  aws_iam_instance_profile: { name: null, id: null, arn: "Arn" },
  aws_kms_key: { id: null, key_id: "KeyId", arn: "Arn" },
  aws_kms_alias: { name: null, id: null },
  aws_security_group: { id: "GroupId", name: null, vpc_id: "VpcId" },
  aws_vpc: { id: null, cidr_block: "CidrBlock" },
  aws_subnet: { id: null, availability_zone: "AvailabilityZone", cidr_block: "CidrBlock", vpc_id: "VpcId" },
  aws_emr_cluster: { id: null, master_public_dns: "MasterPublicDNS" },
  aws_networkfirewall_firewall: { arn: "FirewallArn", id: "FirewallArn", name: "FirewallName" },
  aws_networkfirewall_firewall_policy: { arn: "FirewallPolicyArn", id: "FirewallPolicyArn", name: "FirewallPolicyName" },
  aws_networkfirewall_rule_group: { arn: "RuleGroupArn", id: "RuleGroupArn", name: "RuleGroupName" },
  aws_wafv2_web_acl: { arn: "Arn", id: "Id", name: null },
  aws_lb: { arn: null, id: null, name: "LoadBalancerName", dns_name: "DNSName" },
  aws_alb: { arn: null, id: null, name: "LoadBalancerName", dns_name: "DNSName" },
  aws_kinesis_firehose_delivery_stream: { name: null, arn: "Arn", id: "Arn" },
  aws_cloudwatch_log_group: { name: null, id: null, arn: "Arn" },
  aws_s3_bucket: { bucket: null, id: null, arn: "Arn" },
  aws_sns_topic: { arn: null, id: null, name: "TopicName" },
  aws_sqs_queue: { url: null, id: null, arn: "Arn" },
  aws_lambda_function: { function_name: null, arn: "Arn" },
  aws_guardduty_detector: { id: null },
  aws_cloudwatch_event_rule: { name: null, id: null, arn: "Arn" },
  aws_secretsmanager_secret: { arn: null, id: null, name: "Name" },
  aws_rolesanywhere_trust_anchor: { arn: "TrustAnchorArn", id: "TrustAnchorId" },
  aws_rolesanywhere_profile: { arn: "ProfileArn", id: "ProfileId" },
  aws_acmpca_certificate_authority: { arn: "Arn", id: "Arn" },
  aws_eks_cluster: { name: null, id: null, arn: "Arn" },
  aws_eks_pod_identity_association: { association_arn: "AssociationArn", association_id: "AssociationId" },
  aws_msk_cluster: { arn: null, id: null },
  aws_opensearch_domain: { domain_name: null, arn: "Arn", endpoint: "DomainEndpoint" },
};

function pascal(s: string): string {
  return s
    .split("_")
    .filter((p) => p !== "")
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join("");
}

/** The CloudFormation attribute a Terraform reference `<type>.<name>.<attr>` stands for (undefined: Ref). */
export function cfnAttribute(type: string, attr: string | undefined): string | undefined {
  if (attr === undefined) return undefined;
  const known = CFN_ATTRIBUTES[type]?.[attr];
  if (known === null) return undefined;
  if (known !== undefined) return known;
  if (attr === "id") return undefined;
  return pascal(attr);
}

export function reference(t: Target): Reference {
  const a = cfnAttribute(t.type, t.attr);
  return a === undefined ? { $ref: t.address } : { $ref: t.address, attribute: a };
}

/** Drops keys whose value is undefined or null. */
export function o(obj: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

/** Like `o`, but undefined when nothing is left. */
export function oe(obj: Obj): Obj | undefined {
  const out = o(obj);
  return Object.keys(out).length === 0 ? undefined : out;
}

export function isMarker(v: unknown): v is Unknown | Reference {
  return isObj(v) && ("$unknown" in v || "$ref" in v);
}

/** Where a value a mapper read came from: the instance and the value path (`ingress[1].cidr_blocks[0]`); `json`: a parsed JSON document. */
export interface Origin {
  inst: Instance;
  path: string;
  json?: boolean;
}

/**
 * What the mappers read, for locating findings in the source: the objects they were given (by
 * identity) and the scalars (by value, per instance), each with its origin. Mappers copy and
 * rename but keep the values they read, so a property of the emitted resource leads back to
 * the attribute it came from (see locateProperty).
 */
export class Trace {
  readonly objects = new WeakMap<object, Origin>();
  readonly scalars = new Map<Instance, Array<{ path: string; value: unknown }>>();
  /** The instance each emitted resource was mapped from. */
  readonly resources = new WeakMap<object, Instance>();

  note(inst: Instance, path: string, value: unknown, json = false, depth = 0): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "object") {
      let list = this.scalars.get(inst);
      if (!list) this.scalars.set(inst, (list = []));
      list.push({ path, value });
      return;
    }
    if (this.objects.has(value)) return;
    this.objects.set(value, json ? { inst, path, json } : { inst, path });
    if (json || depth > 0 || "$unknown" in value || "$ref" in value) return;
    // one level down: the elements of a list attribute, the members of a map
    if (Array.isArray(value)) value.forEach((x, i) => this.note(inst, `${path}[${i}]`, x, false, depth + 1));
    else
      for (const [k, x] of Object.entries(value))
        this.note(inst, /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, x, false, depth + 1);
  }
}

/** Read access to one instance's values (or a nested block of them). */
export class View {
  constructor(
    readonly inst: Instance,
    readonly plan: Plan,
    readonly obj: Obj = inst.values,
    /** Path of `obj` inside the instance values, with a trailing dot ("" at the top). */
    readonly at: string = "",
    /** Records what is read (Terraform source, for finding locations). */
    readonly trace?: Trace,
  ) {}

  private traced<T>(k: string, v: T, json = false): T {
    this.trace?.note(this.inst, this.at + k, v, json);
    return v;
  }

  raw(k: string): unknown {
    return this.obj[k];
  }

  /** Whether the configuration sets attribute `k` (undefined: the plan has no configuration to tell). */
  configured(k: string): boolean | undefined {
    const e = this.plan.expressionAt(this.inst, this.at + k);
    return e === undefined ? undefined : e !== null;
  }

  /**
   * An attribute known only after apply that the configuration does not set: the provider
   * computes it (an Optional+Computed attribute left at its default).
   */
  computedDefault(k: string): boolean {
    return this.obj[k] instanceof Unk && this.configured(k) === false;
  }

  /**
   * A value written in the configuration itself: its expression refers to nothing (a literal,
   * or a function of literals such as `jsonencode({...})`). Undefined when it is set from
   * something else (`var.x`, a local, another resource, `file()`), or when the plan has no
   * configuration to tell. Secret-holding attributes are read only this way, so a secret the
   * configuration does not hold (a tfvars value, TF_VAR_*) is never copied into the model.
   */
  written(k: string): unknown {
    const e = this.plan.expressionAt(this.inst, this.at + k);
    if (!e || !isExpression(e) || refList(e).length > 0) return undefined;
    return this.str(k);
  }

  /** The value with unknown places as `{"$unknown"}` markers; null → undefined. */
  val(k: string): unknown {
    return this.traced(k, this.known(this.obj[k]));
  }

  known(v: unknown, depth = 0): unknown {
    if (v === null || v === undefined) return undefined;
    if (v instanceof Unk) return this.unknownOf(v);
    if (depth > 200) return unknown("value nested too deeply");
    if (Array.isArray(v)) return v.map((x) => this.known(x, depth + 1) ?? null);
    if (isObj(v)) {
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        const y = this.known(x, depth + 1);
        if (y !== undefined) out[k] = y;
      }
      return out;
    }
    return v;
  }

  /** A string/number/bool value, or undefined when empty/null. Unknown → marker. */
  str(k: string): unknown {
    const v = this.val(k);
    return v === "" ? undefined : v;
  }

  unknownOf(u: Unk): Unknown {
    if (u.reason !== undefined) return unknown(`${this.inst.address} ${u.path}: ${u.reason}`, u.template);
    const res = this.resolution(u);
    const deps = res ? [...res.targets.map((t) => `${t.address}${t.attr ? `.${t.attr}` : ""}`), ...res.unresolved] : [];
    return unknown(`known after apply: ${u.path}${deps.length > 0 ? ` (depends on ${deps.join(", ")})` : ""}`);
  }

  private resolution(u: Unk): Resolution | undefined {
    if (u.reason !== undefined) {
      // from the source: only a value that is exactly another resource's attribute has dependencies
      if (!u.deps || u.deps.length === 0) return undefined;
      const targets: Target[] = u.deps.map((d) => {
        const t: Target = { address: d.address, type: d.type };
        if (d.attr !== undefined) t.attr = d.attr;
        const inst = this.plan.get(d.address);
        if (inst) t.instance = inst;
        return t;
      });
      return { targets, unresolved: [] };
    }
    const expr = this.plan.expressionAt(this.inst, u.path);
    if (!expr) return undefined;
    const refs = Array.isArray(expr.references) ? expr.references.filter((r): r is string => typeof r === "string") : [];
    return this.plan.resolve(refs, this.inst.scope);
  }

  /** Targets that can explain an unknown value: resolved, and whose referenced attribute is itself unknown. */
  private liveTargets(u: Unk): Target[] | undefined {
    const res = this.resolution(u);
    if (!res || res.unresolved.length > 0 || res.targets.length === 0) return undefined;
    return res.targets.filter((t) => {
      if (!t.instance || t.attr === undefined) return true;
      const v = t.instance.values[t.attr];
      return v instanceof Unk || v === undefined;
    });
  }

  /** A scalar that may refer to another resource: known → itself; unknown → `$ref` if recoverable, else marker. */
  ref(k: string): unknown {
    return this.traced(k, this.refOf(this.obj[k]));
  }

  refOf(v: unknown): unknown {
    if (v instanceof Unk) {
      const live = this.liveTargets(v);
      return live && live.length === 1 ? reference(live[0]) : this.unknownOf(v);
    }
    if (v === "" || v === null) return undefined;
    return this.known(v);
  }

  /** A map whose values may refer to other resources. */
  refMap(k: string): unknown {
    const m = this.obj[k];
    if (!isObj(m)) return this.traced(k, this.refOf(m));
    const out: Obj = {};
    for (const [key, x] of Object.entries(m)) {
      const y = this.refOf(x);
      if (y !== undefined) out[key] = y;
    }
    return this.traced(k, out);
  }

  /** A list of scalars that may refer to other resources. */
  refs(k: string): unknown {
    return this.traced(k, this.refsOf(this.obj[k]));
  }

  refsOf(v: unknown): unknown {
    if (v === null || v === undefined) return undefined;
    if (v instanceof Unk) {
      const live = this.liveTargets(v);
      return live && live.length > 0 ? live.map(reference) : this.unknownOf(v);
    }
    if (!Array.isArray(v)) return [this.refOf(v)];
    const unk = v.filter((x): x is Unk => x instanceof Unk);
    let assigned: unknown[] | undefined;
    if (unk.length > 0) {
      const live = this.liveTargets(unk[0]);
      if (live && live.length === unk.length) assigned = live.map(reference);
    }
    // from the source each unknown element carries its own dependencies
    if (unk.length > 0 && unk.every((x) => x.reason !== undefined)) return v.filter((x) => x !== null && x !== "").map((x) => this.refOf(x));
    let i = 0;
    return v.filter((x) => x !== null && x !== "").map((x) => (x instanceof Unk ? (assigned ? assigned[i++] : this.unknownOf(x)) : this.known(x)));
  }

  /** A JSON document attribute (policies, event patterns): parsed; unknown → marker. */
  json(k: string): unknown {
    const v = this.obj[k];
    if (v instanceof Unk) return this.traced(k, this.unknownOf(v));
    if (typeof v !== "string") return this.traced(k, this.known(v), true);
    if (v.trim() === "") return undefined;
    try {
      return this.traced(k, JSON.parse(v) as unknown, true);
    } catch (e) {
      return this.traced(k, unknown(`${this.at}${k} is not valid JSON (${(e as Error).message})`));
    }
  }

  /** The first element of a nested block list, as a View; unknown → marker; absent → undefined. */
  block(k: string): View | Unknown | undefined {
    const v = this.obj[k];
    if (v instanceof Unk) return this.unknownOf(v);
    const first = Array.isArray(v) ? v[0] : v;
    if (first instanceof Unk) return this.unknownOf(first);
    if (!isObj(first)) return undefined;
    return new View(this.inst, this.plan, first, `${this.at}${k}${Array.isArray(v) ? "[0]" : ""}.`, this.trace);
  }

  /** Maps the first nested block with `fn`; passes markers through. */
  sub(k: string, fn: (b: View) => unknown): unknown {
    const b = this.block(k);
    if (b === undefined) return undefined;
    return b instanceof View ? b.made(fn(b)) : this.traced(k, b);
  }

  /** What a mapper made of this nested block (an object, or a list of them) comes from the block. */
  private made<T>(x: T): T {
    if (!this.trace) return x;
    const origin: Origin = { inst: this.inst, path: this.at.slice(0, -1) };
    for (const y of Array.isArray(x) ? [x, ...(x as unknown[])] : [x]) if (isObj(y) && !this.trace.objects.has(y)) this.trace.objects.set(y, origin);
    return x;
  }

  /** Maps every nested block of `k` with `fn`; unknown list → marker; absent → undefined. */
  list(k: string, fn: (b: View, i: number) => unknown): unknown {
    const v = this.obj[k];
    if (v instanceof Unk) return this.unknownOf(v);
    if (!Array.isArray(v)) return isObj(v) ? [this.each(v, `${this.at}${k}.`, 0, fn)] : undefined;
    return v.map((x, i) => (x instanceof Unk ? this.unknownOf(x) : isObj(x) ? this.each(x, `${this.at}${k}[${i}].`, i, fn) : this.known(x)));
  }

  private each(x: Obj, at: string, i: number, fn: (b: View, i: number) => unknown): unknown {
    const b = new View(this.inst, this.plan, x, at, this.trace);
    return b.made(fn(b, i));
  }

  /** Like `list`, but flattens arrays returned by `fn`. */
  flatList(k: string, fn: (b: View, i: number) => unknown[]): unknown {
    const r = this.list(k, fn);
    return Array.isArray(r) ? r.flatMap((x) => (Array.isArray(x) ? x : [x])) : r;
  }

  /** `tags_all` (or `tags`) as CloudFormation Tags [{Key, Value}]. */
  tagList(): unknown {
    const t = this.tagsMap();
    if (t === undefined) return undefined;
    if (!isObj(t) || "$unknown" in t) return t;
    const list = Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
    return list.length === 0 ? undefined : list;
  }

  /** Effective tags (`tags_all`, else provider default_tags ∪ `tags`) as a map; values may be markers; a wholly unknown map → marker. */
  tagsMap(): Obj | Unknown | undefined {
    if (!("tags" in this.obj) && !("tags_all" in this.obj)) return undefined;
    let src = this.obj.tags_all;
    const own = this.obj.tags;
    if ((src instanceof Unk || src === undefined || src === null) && !(own instanceof Unk)) {
      // tags_all is computed from the provider's default_tags and the resource's tags
      const defaults = this.plan.defaultTags(this.inst);
      if (defaults !== undefined) src = { ...(defaults ?? {}), ...(isObj(own) ? own : {}) };
      else if (!(src instanceof Unk)) src = own;
    }
    if (src === null || src === undefined) return undefined;
    if (src instanceof Unk) return this.unknownOf(src);
    if (!isObj(src)) return undefined;
    const out: Obj = {};
    for (const [k, x] of Object.entries(src)) {
      if (x === null) continue;
      out[k] = x instanceof Unk ? this.unknownOf(x) : typeof x === "string" ? x : String(x);
    }
    return out;
  }
}

/** Generic Terraform block → CloudFormation shape: snake_case keys to PascalCase, one-element block lists to objects except `lists`. */
export function generic(view: View, lists: Set<string>, renames: Record<string, string> = {}, depth = 0): Obj {
  const out: Obj = {};
  for (const k of Object.keys(view.obj)) {
    const v = view.obj[k];
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0 && !lists.has(k))) continue;
    const name = renames[k] ?? pascal(k);
    if (depth > 50) {
      out[name] = view.val(k);
      continue;
    }
    if (Array.isArray(v) && v.length > 0 && v.every((x) => isObj(x))) {
      const items = view.list(k, (b) => generic(b, lists, renames, depth + 1)) as unknown[];
      out[name] = lists.has(k) ? items : items.length === 1 ? items[0] : items;
    } else if (isObj(v) && !(v instanceof Unk)) {
      out[name] = view.val(k);
    } else {
      out[name] = view.ref(k);
    }
    if (out[name] === undefined) delete out[name];
  }
  return out;
}
