/**
 * Reading `terraform show -json` plan output: the resource instances that will exist after
 * apply (values merged with `after_unknown`), their configuration expressions, and the
 * resolution of configuration references to resource addresses (through module inputs
 * and outputs).
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A resource attribute a value from the source depends on. */
export interface UnkDep {
  address: string;
  type: string;
  attr?: string;
}

/**
 * A value Terraform knows only after apply, at `path` ("ingress[0].cidr_blocks"). From
 * the source loader it also carries why it is unknown and the resource attributes it
 * depends on (a plan tells those through the configuration's references instead).
 */
export class Unk {
  constructor(
    readonly path: string,
    readonly reason?: string,
    readonly deps?: UnkDep[],
    readonly template?: string,
  ) {}
}

/** One module instance step: `module.net["a"]` → {name: "net", key: "a"}. */
export interface ModStep {
  name: string;
  key?: string | number;
}

export interface Instance {
  /** Full address: `module.net.aws_security_group.web["a"]`. */
  address: string;
  /** Address without this resource's own index. */
  base: string;
  /** Module instance prefix ("" at the root), e.g. `module.net["a"]`. */
  module: string;
  scope: ModStep[];
  type: string;
  name: string;
  index?: string | number;
  actions: string[];
  /** Planned values; attributes known only after apply are `Unk`. */
  values: Obj;
  /** Configuration of the resource block (undefined when the plan has no configuration for it). */
  config?: Obj;
}

export interface ConfigModule {
  resources?: Obj[];
  module_calls?: Record<string, { expressions?: Obj; module?: ConfigModule; count_expression?: unknown; for_each_expression?: unknown }>;
  outputs?: Record<string, { expression?: Obj }>;
}

const MAX_DEPTH = 200;

/** Merges `after` with `after_unknown`: unknown places become `Unk` markers. */
export function mergeUnknown(after: unknown, afterUnknown: unknown, path: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error(`values nested deeper than ${MAX_DEPTH} levels at ${path}`);
  if (afterUnknown === true) return new Unk(path);
  if (Array.isArray(afterUnknown)) {
    const arr = Array.isArray(after) ? after : [];
    const n = Math.max(arr.length, afterUnknown.length);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(mergeUnknown(arr[i] ?? null, afterUnknown[i], `${path}[${i}]`, depth + 1));
    return out;
  }
  if (isObj(afterUnknown)) {
    const src = isObj(after) ? after : {};
    const out: Obj = {};
    const keys = new Set([...Object.keys(src), ...Object.keys(afterUnknown)]);
    for (const k of keys) {
      const sub = path === "" ? k : isIdent(k) ? `${path}.${k}` : `${path}["${k}"]`;
      out[k] = mergeUnknown(src[k] ?? null, afterUnknown[k], sub, depth + 1);
    }
    return out;
  }
  return after;
}

function isIdent(k: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k);
}

const MODULE_STEP = /^module\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?\.?/;

export function parseModulePath(p: string): ModStep[] {
  const steps: ModStep[] = [];
  let rest = p;
  while (rest.length > 0) {
    const m = MODULE_STEP.exec(rest);
    if (!m) break;
    steps.push(m[2] === undefined ? { name: m[1] } : { name: m[1], key: parseKey(m[2]) });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

function parseKey(k: string): string | number {
  return k.startsWith('"') ? (JSON.parse(k) as string) : Number(k);
}

export function keySuffix(key: string | number | undefined): string {
  if (key === undefined || key === null) return "";
  return typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

export function modulePrefix(scope: ModStep[]): string {
  return scope.map((s) => `module.${s.name}${keySuffix(s.key)}`).join(".");
}

function joinAddr(prefix: string, rest: string): string {
  return prefix === "" ? rest : `${prefix}.${rest}`;
}

/** A reference resolved to a resource instance (or a resource block not in the plan). */
export interface Target {
  address: string;
  type: string;
  /** The Terraform attribute referred to, when the reference names one. */
  attr?: string;
  instance?: Instance;
}

export interface Resolution {
  targets: Target[];
  /** References that lead to something other than a resource (var at the root, local, data …). */
  unresolved: string[];
}

const RESOURCE_REF = /^([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?(?:\.([A-Za-z_][A-Za-z0-9_-]*))?/;
const NEUTRAL_ROOTS = new Set(["count", "each", "path", "terraform", "self"]);

export class Plan {
  readonly instances: Instance[] = [];
  private readonly byAddress = new Map<string, Instance>();
  private readonly byBase = new Map<string, Instance[]>();
  readonly warnings: string[] = [];

  constructor(
    readonly doc: Obj,
    private readonly root: ConfigModule | undefined,
  ) {}

  add(inst: Instance): void {
    if (this.byAddress.has(inst.address)) return;
    inst.config ??= this.resourceConfig(inst.scope, inst.type, inst.name);
    this.instances.push(inst);
    this.byAddress.set(inst.address, inst);
    const list = this.byBase.get(inst.base) ?? [];
    list.push(inst);
    this.byBase.set(inst.base, list);
  }

  get(address: string): Instance | undefined {
    return this.byAddress.get(address);
  }

  /**
   * The provider's `default_tags` for an instance: a map when constant, null when the
   * provider sets none, undefined when they cannot be read.
   */
  defaultTags(inst: Instance): Obj | null | undefined {
    const conf = isObj(this.doc.configuration) && isObj(this.doc.configuration.provider_config) ? this.doc.configuration.provider_config : undefined;
    const key = inst.config?.provider_config_key;
    if (!conf || typeof key !== "string") return undefined;
    const p = conf[key];
    if (!isObj(p)) return undefined;
    const dt = isObj(p.expressions) ? p.expressions.default_tags : undefined;
    if (dt === undefined) return null;
    const block = Array.isArray(dt) ? dt[0] : dt;
    if (!isObj(block) || block.tags === undefined) return null;
    const tags = block.tags;
    return isObj(tags) && isObj(tags.constant_value) ? tags.constant_value : undefined;
  }

  get hasConfiguration(): boolean {
    return this.root !== undefined;
  }

  private configModule(scope: ModStep[]): ConfigModule | undefined {
    let m = this.root;
    for (const s of scope) {
      m = m?.module_calls?.[s.name]?.module;
      if (!m) return undefined;
    }
    return m;
  }

  private resourceConfig(scope: ModStep[], type: string, name: string): Obj | undefined {
    const m = this.configModule(scope);
    return m?.resources?.find((r) => r.address === `${type}.${name}` && (r.mode ?? "managed") === "managed");
  }

  /**
   * The configuration expression at a value path of an instance ("egress[0].cidr_blocks[1]"):
   * undefined when the plan has no configuration for the resource, null when the attribute
   * is not set in the configuration.
   */
  expressionAt(inst: Instance, path: string): Obj | null | undefined {
    if (!inst.config) return undefined;
    let node: unknown = inst.config.expressions ?? {};
    for (const tok of pathTokens(path)) {
      if (isExpression(node)) return node;
      if (typeof tok === "number") {
        if (!Array.isArray(node)) return null;
        node = node[tok] ?? (node.length === 1 ? node[0] : undefined);
      } else {
        if (!isObj(node)) return null;
        node = node[tok];
      }
      if (node === undefined || node === null) return null;
    }
    if (isExpression(node)) return node;
    // a nested block (or list of blocks) is configured: no single expression for it
    return isObj(node) || Array.isArray(node) ? { references: collectRefs(node) } : null;
  }

  /** Resolves configuration references made in module `scope` to resource instances. */
  resolve(refs: string[], scope: ModStep[], depth = 0): Resolution {
    const out: Resolution = { targets: [], unresolved: [] };
    if (depth > 20) {
      out.unresolved.push(...refs);
      return out;
    }
    const parsed = refs.map((r) => ({ raw: r, parts: r.split(".") }));
    // drop a bare reference when a more specific one to the same object is present
    const specific = parsed.filter((p) => !parsed.some((q) => q.raw !== p.raw && (q.raw.startsWith(`${p.raw}.`) || q.raw.startsWith(`${p.raw}[`))));
    for (const { raw, parts } of specific) {
      const head = parts[0];
      if (NEUTRAL_ROOTS.has(head)) continue;
      if (head === "var") {
        if (scope.length === 0) {
          out.unresolved.push(raw);
          continue;
        }
        const parentScope = scope.slice(0, -1);
        const call = this.configModule(parentScope)?.module_calls?.[scope[scope.length - 1].name];
        const expr = call?.expressions?.[parts[1]];
        if (!isObj(expr)) {
          out.unresolved.push(raw);
          continue;
        }
        merge(out, this.resolve(refList(expr), parentScope, depth + 1));
        continue;
      }
      if (head === "module") {
        const m = /^module\.([A-Za-z0-9_-]+)(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(raw);
        const call = m ? this.configModule(scope)?.module_calls?.[m[1]] : undefined;
        const output = m ? call?.module?.outputs?.[m[3]] : undefined;
        if (!m || !output?.expression) {
          out.unresolved.push(raw);
          continue;
        }
        const step: ModStep = m[2] ? { name: m[1], key: parseKey(m[2].slice(1, -1)) } : { name: m[1] };
        merge(out, this.resolve(refList(output.expression), [...scope, step], depth + 1));
        continue;
      }
      if (head === "local" || head === "data") {
        out.unresolved.push(raw);
        continue;
      }
      const m = RESOURCE_REF.exec(raw);
      if (!m) {
        out.unresolved.push(raw);
        continue;
      }
      const [, type, name, idx, attr] = m;
      const base = joinAddr(modulePrefix(scope), `${type}.${name}`);
      let inst: Instance | undefined;
      if (idx) inst = this.byAddress.get(base + idx);
      else {
        const cands = this.byBase.get(base) ?? [];
        if (cands.length > 1) {
          out.unresolved.push(`${raw} (one of ${cands.length} instances)`);
          continue;
        }
        inst = cands[0];
      }
      if (!inst) {
        out.unresolved.push(`${raw} (not in the plan)`);
        continue;
      }
      const t: Target = { address: inst.address, type, instance: inst };
      if (attr !== undefined) t.attr = attr;
      if (!out.targets.some((x) => x.address === t.address && x.attr === t.attr)) out.targets.push(t);
    }
    return out;
  }
}

function merge(into: Resolution, from: Resolution): void {
  for (const t of from.targets) if (!into.targets.some((x) => x.address === t.address && x.attr === t.attr)) into.targets.push(t);
  into.unresolved.push(...from.unresolved);
}

export function isExpression(node: unknown): node is Obj {
  return isObj(node) && ("references" in node || "constant_value" in node || Object.keys(node).length === 0);
}

export function refList(expr: Obj): string[] {
  return Array.isArray(expr.references) ? expr.references.filter((r): r is string => typeof r === "string") : [];
}

function collectRefs(node: unknown, acc: string[] = [], depth = 0): string[] {
  if (depth > MAX_DEPTH) return acc;
  if (Array.isArray(node)) for (const x of node) collectRefs(x, acc, depth + 1);
  else if (isObj(node)) {
    if (isExpression(node)) acc.push(...refList(node));
    else for (const x of Object.values(node)) collectRefs(x, acc, depth + 1);
  }
  return acc;
}

export function pathTokens(path: string): Array<string | number> {
  const toks: Array<string | number> = [];
  const re = /([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) toks.push(m[1]);
    else if (m[2] !== undefined) toks.push(Number(m[2]));
    else toks.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return toks;
}

function isAwsProvider(providerName: unknown, type: string): boolean {
  if (!type.startsWith("aws_")) return false;
  if (typeof providerName !== "string") return true;
  return /(^|\/)aws$/.test(providerName);
}

const GONE = new Set(["delete", "forget"]);

/** Builds the plan model from a parsed plan document. */
export function readPlan(doc: Obj): Plan {
  const configuration = isObj(doc.configuration) ? doc.configuration : undefined;
  const root = configuration && isObj(configuration.root_module) ? (configuration.root_module as ConfigModule) : undefined;
  const plan = new Plan(doc, root);
  if (doc.errored === true) plan.warnings.push("the plan is marked errored: Terraform could not finish planning, so it may be incomplete");

  const changes = Array.isArray(doc.resource_changes) ? doc.resource_changes : [];
  const seen = new Set<string>();
  for (const rc of changes) {
    if (!isObj(rc) || typeof rc.address !== "string" || typeof rc.type !== "string") continue;
    seen.add(rc.address);
    if ((rc.mode ?? "managed") !== "managed" || rc.deposed !== undefined) continue;
    if (!isAwsProvider(rc.provider_name, rc.type)) continue;
    const change = isObj(rc.change) ? rc.change : {};
    const actions = Array.isArray(change.actions) ? change.actions.filter((a): a is string => typeof a === "string") : [];
    if (actions.length > 0 && actions.every((a) => GONE.has(a))) continue;
    const values = mergeUnknown(change.after ?? null, change.after_unknown ?? {}, "");
    const module = typeof rc.module_address === "string" ? rc.module_address : "";
    plan.add(instance(rc.address, module, rc.type, String(rc.name ?? ""), rc.index as string | number | undefined, actions, isObj(values) ? values : {}));
  }

  // resources in planned_values that resource_changes does not list (or plans without resource_changes)
  const pv = isObj(doc.planned_values) ? doc.planned_values : undefined;
  if (pv && isObj(pv.root_module)) walkModule(pv.root_module, plan, seen, 0);
  return plan;
}

function walkModule(mod: Obj, plan: Plan, seen: Set<string>, depth: number): void {
  if (depth > 50) return;
  const module = typeof mod.address === "string" ? mod.address : "";
  for (const r of Array.isArray(mod.resources) ? mod.resources : []) {
    if (!isObj(r) || typeof r.address !== "string" || typeof r.type !== "string" || seen.has(r.address)) continue;
    seen.add(r.address);
    if ((r.mode ?? "managed") !== "managed" || !isAwsProvider(r.provider_name, r.type)) continue;
    plan.add(instance(r.address, module, r.type, String(r.name ?? ""), r.index as string | number | undefined, [], isObj(r.values) ? r.values : {}));
  }
  for (const c of Array.isArray(mod.child_modules) ? mod.child_modules : []) if (isObj(c)) walkModule(c, plan, seen, depth + 1);
}

function instance(address: string, module: string, type: string, name: string, index: string | number | undefined, actions: string[], values: Obj): Instance {
  if (module === "") {
    const m = /^((?:module\.[A-Za-z0-9_-]+(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.)*)/.exec(address);
    module = m && m[1] ? m[1].slice(0, -1) : "";
  }
  const base = joinAddr(module, `${type}.${name}`);
  const inst: Instance = { address, base, module, scope: parseModulePath(module), type, name, actions, values };
  if (index !== undefined && index !== null) inst.index = index;
  return inst;
}
