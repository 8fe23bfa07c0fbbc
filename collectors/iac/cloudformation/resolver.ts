/**
 * Resolution of CloudFormation intrinsic functions into rampart's common model.
 *
 * Pure functions over a ResolveContext built once per template: parameters (values
 * already chosen), the logical ids of resources, Mappings and Conditions. What cannot be
 * known before deployment becomes an Unknown marker with a reason (and, for strings, a
 * `template` where each unresolved part stays as `${…}`); Ref / Fn::GetAtt to a resource
 * becomes a Reference. `AWS::NoValue` removes the key or element (the NO_VALUE sentinel).
 */
import { isReference, isUnknown, unknown, type Reference, type Unknown } from "../../../model/types.js";

/** `Ref: AWS::NoValue`: the enclosing key or list element is removed. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");
export type Resolved = unknown;

/** Deeper than this, resolution stops with a NestingError (templates are limited to 200 by the parser). */
export const MAX_RESOLVE_DEPTH = 256;

export class NestingError extends Error {
  constructor() {
    super(`intrinsic functions nested deeper than ${MAX_RESOLVE_DEPTH} levels`);
    this.name = "NestingError";
  }
}

export const PSEUDO_PARAMETERS: Record<string, string> = {
  "AWS::AccountId": "the account id",
  "AWS::Region": "the region",
  "AWS::Partition": "the partition",
  "AWS::StackName": "the stack name",
  "AWS::StackId": "the stack id",
  "AWS::URLSuffix": "the URL suffix",
  "AWS::NotificationARNs": "the stack's notification ARNs",
};

export interface ResolveContext {
  /** Parameter name -> value (string, number, string[], Unknown or Reference). */
  parameters: Record<string, unknown>;
  /** Logical ids of the template's resources. */
  resourceIds: ReadonlySet<string>;
  mappings: Record<string, unknown>;
  /** Raw condition expressions of the Conditions section. */
  conditions: Record<string, unknown>;
  /** Prefix for references to this template's resources (nested stacks: "Parent/"). */
  idPrefix: string;
  /** Memo of evaluated conditions (filled lazily). */
  conditionCache: Map<string, boolean | Unknown>;
}

export interface ContextInput {
  Parameters?: unknown;
  Resources?: unknown;
  Mappings?: unknown;
  Conditions?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Placeholder text used when an Unknown without a template is spliced into a string. */
const labels = new WeakMap<object, string>();

function labelled(u: Unknown, label: string): Unknown {
  labels.set(u, label);
  return u;
}

function fnUnknown(fn: string, reason: string, label = fn): Unknown {
  return labelled(unknown(`${fn}: ${reason}`), label);
}

/** Coerces a parameter value (given on the command line or the Default) to the parameter's type. */
export function coerceParameter(type: string | undefined, raw: unknown): unknown {
  if (isUnknown(raw) || isReference(raw)) return raw;
  const t = type ?? "String";
  if (t === "CommaDelimitedList" || t.startsWith("List<")) {
    if (Array.isArray(raw)) return raw.map((x) => (typeof x === "string" ? x : String(x)));
    return String(raw)
      .split(",")
      .map((s) => s.trim());
  }
  if (t === "Number" && (typeof raw === "number" || (typeof raw === "string" && raw.trim() !== ""))) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return raw;
}

/**
 * Chooses each declared parameter's value: the given value (from --cfn-params, or a parent
 * stack), else its Default, else an Unknown. SSM parameter types are always Unknown.
 */
export function parameterValues(declared: unknown, given: Record<string, unknown> = {}, givenFrom = "--cfn-params"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(declared)) return out;
  for (const [name, decl] of Object.entries(declared)) {
    const d = isObject(decl) ? decl : {};
    const type = typeof d.Type === "string" ? d.Type : undefined;
    if (type?.startsWith("AWS::SSM::Parameter::Value")) {
      out[name] = labelled(
        unknown(`Ref to parameter ${name}, of type ${type}: its value is read from SSM Parameter Store at deploy time`, `\${${name}}`),
        name,
      );
      continue;
    }
    if (Object.hasOwn(given, name)) out[name] = coerceParameter(type, given[name]);
    else if (d.Default !== undefined && d.Default !== null) out[name] = coerceParameter(type, d.Default);
    else out[name] = labelled(unknown(`Ref to parameter ${name}, which has no default and was not given with ${givenFrom}`, `\${${name}}`), name);
  }
  return out;
}

export function createContext(
  template: ContextInput,
  given: Record<string, unknown> = {},
  options: { idPrefix?: string; givenFrom?: string } = {},
): ResolveContext {
  const resources = isObject(template.Resources) ? Object.keys(template.Resources) : [];
  return {
    parameters: parameterValues(template.Parameters, given, options.givenFrom),
    resourceIds: new Set(resources),
    mappings: isObject(template.Mappings) ? template.Mappings : {},
    conditions: isObject(template.Conditions) ? template.Conditions : {},
    idPrefix: options.idPrefix ?? "",
    conditionCache: new Map(),
  };
}

/** True when the value contains no Unknown and no Reference (a value rules can read as is). */
export function isFullyResolved(v: unknown, depth = 0): boolean {
  if (depth > MAX_RESOLVE_DEPTH) throw new NestingError();
  if (v === NO_VALUE) return true;
  if (Array.isArray(v)) return v.every((x) => isFullyResolved(x, depth + 1));
  if (isObject(v)) {
    if (isUnknown(v) || isReference(v)) return false;
    return Object.values(v).every((x) => isFullyResolved(x, depth + 1));
  }
  return true;
}

/** Finds the first Unknown inside a value (for reasons). */
function firstUnknown(v: unknown, depth = 0): Unknown | undefined {
  if (depth > MAX_RESOLVE_DEPTH) return undefined;
  if (isUnknown(v)) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = firstUnknown(x, depth + 1);
      if (u) return u;
    }
  } else if (isObject(v) && !isReference(v)) {
    for (const x of Object.values(v)) {
      const u = firstUnknown(x, depth + 1);
      if (u) return u;
    }
  }
  return undefined;
}

function describe(v: unknown): string {
  if (isReference(v)) return v.attribute ? `attribute ${v.attribute} of resource ${v.$ref}` : `resource ${v.$ref}`;
  const u = firstUnknown(v);
  return u ? u.$unknown : "a value known only at deploy time";
}

function setKey(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/**
 * Resolves a template value. Returns NO_VALUE for `Ref: AWS::NoValue` (the caller drops
 * the key or element). Never mutates its input.
 */
export function resolve(value: unknown, ctx: ResolveContext, depth = 0): Resolved {
  if (depth > MAX_RESOLVE_DEPTH) throw new NestingError();
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const r = resolve(item, ctx, depth + 1);
      if (r !== NO_VALUE) out.push(r);
    }
    return out;
  }
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
    return resolveIntrinsic(keys[0], value[keys[0]], ctx, depth + 1);
  }
  if (Object.hasOwn(value, "Fn::Transform")) return transformUnknown(value["Fn::Transform"]);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const r = resolve(value[k], ctx, depth + 1);
    if (r !== NO_VALUE) setKey(out, k, r);
  }
  return out;
}

function transformUnknown(arg: unknown): Unknown {
  const name = isObject(arg) && typeof arg.Name === "string" ? ` ${arg.Name}` : "";
  return fnUnknown("Fn::Transform", `the macro${name} expands this value at deploy time`);
}

/** Ref to a name: parameter, pseudo parameter or resource. */
export function resolveRef(name: unknown, ctx: ResolveContext): Resolved {
  if (typeof name !== "string") return fnUnknown("Ref", `the target is not a name (${JSON.stringify(name)})`, "Ref");
  if (name === "AWS::NoValue") return NO_VALUE;
  if (Object.hasOwn(ctx.parameters, name)) return ctx.parameters[name];
  if (Object.hasOwn(PSEUDO_PARAMETERS, name)) {
    return labelled(unknown(`${name} is ${PSEUDO_PARAMETERS[name]}, known only at deploy time`, `\${${name}}`), name);
  }
  if (ctx.resourceIds.has(name)) return { $ref: ctx.idPrefix + name } satisfies Reference;
  return labelled(unknown(`Ref to ${name}, which is not a parameter or resource of this template`, `\${${name}}`), name);
}

function resolveGetAtt(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  let id: unknown;
  let attr: unknown;
  if (typeof arg === "string") {
    const dot = arg.indexOf(".");
    if (dot < 0) return fnUnknown("Fn::GetAtt", `"${arg}" is not of the form Resource.Attribute`);
    id = arg.slice(0, dot);
    attr = arg.slice(dot + 1);
  } else if (Array.isArray(arg) && arg.length === 2) {
    id = resolve(arg[0], ctx, depth + 1);
    attr = resolve(arg[1], ctx, depth + 1);
  } else {
    return fnUnknown("Fn::GetAtt", "expects Resource.Attribute or [Resource, Attribute]");
  }
  if (typeof id !== "string" || typeof attr !== "string") {
    return fnUnknown("Fn::GetAtt", `the resource or attribute is not resolved (${describe(typeof id !== "string" ? id : attr)})`);
  }
  if (ctx.resourceIds.has(id)) return { $ref: ctx.idPrefix + id, attribute: attr } satisfies Reference;
  return labelled(unknown(`Fn::GetAtt to ${id}.${attr}, but ${id} is not a resource of this template`, `\${${id}.${attr}}`), `${id}.${attr}`);
}

/** Text of a resolved value inside a string (Fn::Sub / Fn::Join), or undefined when unresolved. */
function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function placeholder(v: unknown): string {
  if (isReference(v)) return v.attribute ? `\${${v.$ref}.${v.attribute}}` : `\${${v.$ref}}`;
  if (isUnknown(v)) {
    if (typeof v.template === "string") return v.template;
    const label = labels.get(v);
    if (label) return `\${${label}}`;
  }
  if (Array.isArray(v)) return "${…list…}";
  return "${?}";
}

function reasonPart(v: unknown): string {
  if (isReference(v)) return `${placeholder(v)} refers to ${describe(v)}`;
  if (isUnknown(v)) return v.$unknown;
  if (Array.isArray(v)) return "a list used as a string";
  return "a value that is not a string";
}

/** Concatenates parts; a string when all are text, else an Unknown with a template. */
function concat(fn: string, parts: unknown[]): Resolved {
  let text = "";
  let template = "";
  const reasons: string[] = [];
  for (const p of parts) {
    const t = asText(p);
    if (t !== undefined) {
      text += t;
      template += t;
    } else {
      template += placeholder(p);
      const r = reasonPart(p);
      if (!reasons.includes(r)) reasons.push(r);
    }
  }
  if (reasons.length === 0) return text;
  return unknown(`${fn} with unresolved parts: ${reasons.join("; ")}`, template);
}

type SubPiece = { text: string } | { name: string };

/** Splits a Fn::Sub string into literal text and `${Name}` variables; `${!Literal}` is literal `${Literal}`. */
export function parseSub(s: string): SubPiece[] {
  const pieces: SubPiece[] = [];
  let i = 0;
  let text = "";
  while (i < s.length) {
    const start = s.indexOf("${", i);
    if (start < 0) {
      text += s.slice(i);
      break;
    }
    text += s.slice(i, start);
    const end = s.indexOf("}", start + 2);
    if (end < 0) {
      text += s.slice(start);
      break;
    }
    const inner = s.slice(start + 2, end);
    if (inner.startsWith("!")) {
      text += "${" + inner.slice(1) + "}";
    } else {
      if (text) pieces.push({ text });
      text = "";
      pieces.push({ name: inner.trim() });
    }
    i = end + 1;
  }
  if (text) pieces.push({ text });
  return pieces;
}

function resolveSubVariable(name: string, vars: Record<string, unknown>, ctx: ResolveContext): unknown {
  if (Object.hasOwn(vars, name)) return vars[name];
  if (Object.hasOwn(ctx.parameters, name) || Object.hasOwn(PSEUDO_PARAMETERS, name) || ctx.resourceIds.has(name)) {
    const r = resolveRef(name, ctx);
    return r === NO_VALUE ? "" : r;
  }
  if (name === "AWS::NoValue") return "";
  const dot = name.indexOf(".");
  if (dot > 0 && ctx.resourceIds.has(name.slice(0, dot))) {
    return { $ref: ctx.idPrefix + name.slice(0, dot), attribute: name.slice(dot + 1) } satisfies Reference;
  }
  return labelled(unknown(`\${${name}} is not a parameter, resource or attribute of this template`, `\${${name}}`), name);
}

function resolveSub(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  let str: unknown;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    if (arg.length < 1 || arg.length > 2) return fnUnknown("Fn::Sub", "expects a string or [string, {variables}]");
    str = resolve(arg[0], ctx, depth + 1);
    if (arg.length === 2) {
      const v = resolve(arg[1], ctx, depth + 1);
      if (!isObject(v) || isUnknown(v) || isReference(v)) return fnUnknown("Fn::Sub", `the variable map is not resolved (${describe(v)})`);
      vars = v;
    }
  } else {
    str = arg;
  }
  if (typeof str !== "string") return fnUnknown("Fn::Sub", `the string is not resolved (${describe(str)})`);
  const parts = parseSub(str).map((p) => ("text" in p ? p.text : resolveSubVariable(p.name, vars, ctx)));
  return concat("Fn::Sub", parts);
}

function resolveJoin(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  if (!Array.isArray(arg) || arg.length !== 2) return fnUnknown("Fn::Join", "expects [delimiter, [values]]");
  const delim = resolve(arg[0], ctx, depth + 1);
  const list = resolve(arg[1], ctx, depth + 1);
  if (typeof delim !== "string") return fnUnknown("Fn::Join", `the delimiter is not resolved (${describe(delim)})`);
  if (!Array.isArray(list)) return fnUnknown("Fn::Join", `the list is not resolved (${describe(list)})`);
  const parts: unknown[] = [];
  list.forEach((item, i) => {
    if (i > 0) parts.push(delim);
    parts.push(item);
  });
  return concat("Fn::Join", parts);
}

function resolveSelect(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  if (!Array.isArray(arg) || arg.length !== 2) return fnUnknown("Fn::Select", "expects [index, [values]]");
  const idx = resolve(arg[0], ctx, depth + 1);
  const list = resolve(arg[1], ctx, depth + 1);
  const n = typeof idx === "number" ? idx : typeof idx === "string" && /^\d+$/.test(idx.trim()) ? Number(idx) : NaN;
  if (!Number.isInteger(n) || n < 0)
    return fnUnknown("Fn::Select", `the index is not resolved to a whole number (${isFullyResolved(idx) ? JSON.stringify(idx) : describe(idx)})`);
  if (!Array.isArray(list)) return fnUnknown("Fn::Select", `the list is not resolved (${describe(list)})`);
  if (n >= list.length) return fnUnknown("Fn::Select", `index ${n} is out of range for a list of ${list.length}`);
  return list[n];
}

function resolveSplit(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  if (!Array.isArray(arg) || arg.length !== 2) return fnUnknown("Fn::Split", "expects [delimiter, string]");
  const delim = resolve(arg[0], ctx, depth + 1);
  const src = resolve(arg[1], ctx, depth + 1);
  if (typeof delim !== "string" || delim === "") return fnUnknown("Fn::Split", `the delimiter is not resolved (${describe(delim)})`);
  const text = asText(src);
  if (text === undefined) return fnUnknown("Fn::Split", `the string is not resolved (${describe(src)})`);
  return text.split(delim);
}

function resolveFindInMap(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  if (!Array.isArray(arg) || arg.length < 3 || arg.length > 4) return fnUnknown("Fn::FindInMap", "expects [map, top-level key, second-level key]");
  const keys = arg.slice(0, 3).map((k) => resolve(k, ctx, depth + 1));
  const opt = arg.length === 4 ? arg[3] : undefined;
  const hasDefault = isObject(opt) && Object.hasOwn(opt, "DefaultValue");
  for (const k of keys) {
    if (asText(k) === undefined) return fnUnknown("Fn::FindInMap", `a key is not resolved (${describe(k)})`);
  }
  const [m, top, second] = keys.map((k) => asText(k) as string);
  const map = ctx.mappings[m];
  const row = isObject(map) && Object.hasOwn(map, top) ? map[top] : undefined;
  if (isObject(row) && Object.hasOwn(row, second)) return resolve(row[second], ctx, depth + 1);
  if (hasDefault) return resolve((opt as Record<string, unknown>).DefaultValue, ctx, depth + 1);
  return fnUnknown("Fn::FindInMap", `mapping ${m} has no entry ${top}/${second}`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = asText(a);
  const tb = asText(b);
  if (ta !== undefined && tb !== undefined) return ta === tb;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Evaluates a condition expression: true, false, or an Unknown saying why it cannot be decided. */
export function evaluateConditionExpr(expr: unknown, ctx: ResolveContext, depth = 0, seen: string[] = []): boolean | Unknown {
  if (depth > MAX_RESOLVE_DEPTH) throw new NestingError();
  if (typeof expr === "boolean") return expr;
  if (typeof expr === "string" && (expr === "true" || expr === "false")) return expr === "true";
  if (!isObject(expr)) return unknown(`condition expression ${JSON.stringify(expr)} is not a condition function`);
  const keys = Object.keys(expr);
  if (keys.length !== 1) return unknown("a condition expression must have exactly one function");
  const fn = keys[0];
  const arg = expr[fn];
  const list = Array.isArray(arg) ? arg : [arg];
  switch (fn) {
    case "Condition":
      return typeof arg === "string" ? evaluateCondition(arg, ctx, seen) : unknown("Condition expects a condition name");
    case "Fn::Equals": {
      if (!Array.isArray(arg) || arg.length !== 2) return unknown("Fn::Equals expects two values");
      const a = resolve(arg[0], ctx, depth + 1);
      const b = resolve(arg[1], ctx, depth + 1);
      if (!isFullyResolved(a) || !isFullyResolved(b) || a === NO_VALUE || b === NO_VALUE) {
        return unknown(`Fn::Equals cannot be decided: ${describe(isFullyResolved(a) ? b : a)}`);
      }
      return deepEqual(a, b);
    }
    case "Fn::Not": {
      const v = evaluateConditionExpr(list[0], ctx, depth + 1, seen);
      return typeof v === "boolean" ? !v : v;
    }
    case "Fn::And":
    case "Fn::Or": {
      const shortCircuit = fn === "Fn::Or";
      let pending: Unknown | undefined;
      for (const item of list) {
        const v = evaluateConditionExpr(item, ctx, depth + 1, seen);
        if (v === shortCircuit) return shortCircuit;
        if (typeof v !== "boolean") pending ??= v;
      }
      return pending ?? !shortCircuit;
    }
    default:
      return unknown(`${fn} is not a condition function`);
  }
}

/** Evaluates a named condition of the Conditions section (memoised, cycle-safe). */
export function evaluateCondition(name: string, ctx: ResolveContext, seen: string[] = []): boolean | Unknown {
  const cached = ctx.conditionCache.get(name);
  if (cached !== undefined) return cached;
  if (!Object.hasOwn(ctx.conditions, name)) return unknown(`condition ${name} is not defined in Conditions`);
  if (seen.includes(name)) return unknown(`condition ${name} refers to itself`);
  const v = evaluateConditionExpr(ctx.conditions[name], ctx, 0, [...seen, name]);
  const result = typeof v === "boolean" ? v : unknown(`condition ${name} cannot be decided: ${v.$unknown}`);
  ctx.conditionCache.set(name, result);
  return result;
}

function resolveIf(arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  if (!Array.isArray(arg) || arg.length !== 3) return fnUnknown("Fn::If", "expects [condition, value if true, value if false]");
  const name = resolve(arg[0], ctx, depth + 1);
  if (typeof name !== "string") return fnUnknown("Fn::If", "the condition is not a name");
  const c = evaluateCondition(name, ctx);
  if (c === true) return resolve(arg[1], ctx, depth + 1);
  if (c === false) return resolve(arg[2], ctx, depth + 1);
  const a = resolve(arg[1], ctx, depth + 1);
  const b = resolve(arg[2], ctx, depth + 1);
  if (a !== NO_VALUE && b !== NO_VALUE && isFullyResolved(a) && isFullyResolved(b) && deepEqual(a, b)) return a;
  return fnUnknown("Fn::If", `either branch may apply, because ${c.$unknown}`);
}

function resolveIntrinsic(fn: string, arg: unknown, ctx: ResolveContext, depth: number): Resolved {
  switch (fn) {
    case "Ref":
      return resolveRef(typeof arg === "string" ? arg : resolve(arg, ctx, depth + 1), ctx);
    case "Fn::GetAtt":
      return resolveGetAtt(arg, ctx, depth);
    case "Fn::Sub":
      return resolveSub(arg, ctx, depth);
    case "Fn::Join":
      return resolveJoin(arg, ctx, depth);
    case "Fn::Select":
      return resolveSelect(arg, ctx, depth);
    case "Fn::Split":
      return resolveSplit(arg, ctx, depth);
    case "Fn::FindInMap":
      return resolveFindInMap(arg, ctx, depth);
    case "Fn::If":
      return resolveIf(arg, ctx, depth);
    case "Fn::Equals":
    case "Fn::And":
    case "Fn::Or":
    case "Fn::Not": {
      const v = evaluateConditionExpr({ [fn]: arg }, ctx, depth + 1);
      return typeof v === "boolean" ? v : fnUnknown(fn, v.$unknown);
    }
    case "Fn::Length": {
      const list = resolve(arg, ctx, depth + 1);
      return Array.isArray(list) ? list.length : fnUnknown("Fn::Length", `the list is not resolved (${describe(list)})`);
    }
    case "Fn::ToJsonString": {
      const v = resolve(arg, ctx, depth + 1);
      return isFullyResolved(v) && v !== NO_VALUE ? JSON.stringify(v) : fnUnknown("Fn::ToJsonString", `the value is not resolved (${describe(v)})`);
    }
    case "Fn::Base64":
      return fnUnknown("Fn::Base64", "the value is encoded at deploy time and not decoded by rampart");
    case "Fn::GetAZs":
      return fnUnknown("Fn::GetAZs", "the availability zones are known only at deploy time");
    case "Fn::Cidr":
      return fnUnknown("Fn::Cidr", "the address blocks are not computed by rampart");
    case "Fn::ImportValue": {
      const name = resolve(arg, ctx, depth + 1);
      const text = asText(name);
      return text !== undefined
        ? fnUnknown("Fn::ImportValue", `the export ${text} of another stack is known only at deploy time`, `Fn::ImportValue:${text}`)
        : fnUnknown("Fn::ImportValue", "the export of another stack is known only at deploy time");
    }
    case "Fn::Transform":
      return transformUnknown(arg);
    case "Fn::GetParam":
      return fnUnknown("Fn::GetParam", "a CodePipeline artifact value, known only at deploy time");
    default:
      return fnUnknown(fn, "this intrinsic function is not supported by rampart");
  }
}
