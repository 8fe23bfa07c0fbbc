/**
 * Evaluation of Terraform expressions where their inputs are known. A value that cannot
 * be known from the source (an attribute computed at apply, a variable with no value, a
 * function rampart does not evaluate) is an `Unknown` naming the expression and the reason;
 * references to resources are carried as dependencies so the mappers can turn them into
 * the same `{"$ref"}` markers the plan loader produces.
 */
import type { Expr, TplPart } from "./hcl.js";
import { SPLAT_ITEM } from "./hcl.js";
import { callFunction } from "./functions.js";

/** A resource attribute a value depends on. */
export interface Dep {
  address: string;
  type: string;
  attr?: string;
}

/** A value the source does not determine. */
export class Unknown {
  constructor(
    readonly reason: string,
    readonly deps: Dep[] = [],
    /** For strings: the text with `${…}` where unknown (as CloudFormation's Fn::Sub templates). */
    readonly template?: string,
    /** An evaluation error (a wrong type, a missing key), which `try` and `can` catch. */
    readonly error = false,
    /** The value is exactly the one attribute in `deps` (a reference), not derived from it. */
    readonly exact = false,
  ) {}
}

/**
 * A JSON document (jsonencode, a policy document) with unknown parts: unknown as a string,
 * but the mappers read its structure, with unknowns only where they are.
 */
export class PartialJson extends Unknown {
  constructor(
    readonly doc: Val,
    reason: string,
    deps: Dep[],
  ) {
    super(reason, deps);
  }
}

/** An object whose attributes are evaluated on demand (resource instances, modules, data sources). */
export abstract class Lazy {
  abstract get(name: string): Val;
  /** The whole object as a value (unknown when parts are known only after apply). */
  abstract whole(): Val;
  abstract describe(): string;
}

export type Val = null | boolean | number | string | Val[] | { [k: string]: Val } | Unknown | Lazy;

export type Obj = { [k: string]: Val };

export function isObjVal(v: Val): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Lazy);
}

/** What a name resolves to in a scope. */
export interface Scope {
  /** `var`, `local`, `count`, `each`, `path`, `terraform`, resource types, `data`, `module`, iteration variables. */
  lookup(name: string, e: Expr): Val;
  /** Reads a file relative to the module folder, confined to the scan roots (file, templatefile). */
  readFile(p: string): string | Unknown;
  /** The module folder (for `path.module`). */
  moduleDir: string;
  /**
   * The folder Terraform runs in: the root module's. Relative paths given to file(), templatefile()
   * and fileexists() are relative to it, in a child module too (Terraform's working directory);
   * `${path.module}/x` names a file of the module itself.
   */
  workDir: string;
}

export class ChildScope implements Scope {
  constructor(
    private readonly parent: Scope,
    private readonly names: Record<string, Val>,
  ) {}
  get moduleDir(): string {
    return this.parent.moduleDir;
  }
  get workDir(): string {
    return this.parent.workDir;
  }
  lookup(name: string, e: Expr): Val {
    return Object.hasOwn(this.names, name) ? this.names[name] : this.parent.lookup(name, e);
  }
  readFile(p: string): string | Unknown {
    return this.parent.readFile(p);
  }
}

const MAX_DEPTH = 400;

export function err(reason: string, deps: Dep[] = []): Unknown {
  return new Unknown(reason, deps, undefined, true);
}

/** Dependencies of every unknown found in `vals`. */
export function depsOf(...vals: Val[]): Dep[] {
  const out: Dep[] = [];
  const seen = new Set<string>();
  const add = (d: Dep) => {
    const k = `${d.address}|${d.attr ?? ""}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  };
  const walk = (v: Val, depth: number) => {
    if (depth > 100) return;
    if (v instanceof Unknown) v.deps.forEach(add);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (isObjVal(v)) Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  vals.forEach((v) => walk(v, 0));
  return out;
}

/** The first unknown (at any depth) of `v`, or undefined when `v` is wholly known. */
export function findUnknown(v: Val, depth = 0): Unknown | undefined {
  if (v instanceof Unknown) return v;
  if (v instanceof Lazy) {
    const w = v.whole();
    return w instanceof Unknown ? w : findUnknown(w, depth + 1);
  }
  if (depth > 100) return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = findUnknown(x, depth + 1);
      if (u) return u;
    }
  } else if (isObjVal(v)) {
    for (const x of Object.values(v)) {
      const u = findUnknown(x, depth + 1);
      if (u) return u;
    }
  }
  return undefined;
}

/** An unknown derived from `from` by expression `e`. */
function derived(e: Expr, ...from: Val[]): Unknown {
  const us = from.filter((x): x is Unknown => x instanceof Unknown);
  const errU = us.find((u) => u.error);
  if (errU) return errU;
  const first = us[0];
  const reason = first ? first.reason : `${e.text} cannot be evaluated`;
  return new Unknown(reason, depsOf(...from));
}

export function typeName(v: Val): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (v instanceof Unknown) return "unknown";
  if (v instanceof Lazy) return "object";
  if (typeof v === "object") return "object";
  return typeof v;
}

/** Terraform's string conversion of a primitive; undefined when `v` is not a primitive. */
export function toStr(v: Val): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numStr(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return undefined;
}

export function numStr(n: number): string {
  return Number.isInteger(n) ? n.toFixed(0) : String(n);
}

export function truthy(v: Val): boolean | Unknown {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  if (v instanceof Unknown) return v;
  return err(`a condition must be true or false, not ${typeName(v)}`);
}

/** Resolves Lazy objects to their whole value (recursively in collections). */
export function materialize(v: Val, depth = 0): Val {
  if (v instanceof Lazy) return materialize(v.whole(), depth + 1);
  if (depth > MAX_DEPTH) return err("value nested too deeply");
  if (Array.isArray(v)) return v.map((x) => materialize(x, depth + 1));
  if (isObjVal(v)) {
    const o: Obj = {};
    for (const [k, x] of Object.entries(v)) o[k] = materialize(x, depth + 1);
    return o;
  }
  return v;
}

export function equal(a: Val, b: Val): boolean | Unknown {
  a = materialize(a);
  b = materialize(b);
  const ua = findUnknown(a);
  const ub = findUnknown(b);
  if (ua || ub) return new Unknown((ua ?? ub)!.reason, depsOf(a, b));
  return deepEqual(a, b);
}

function deepEqual(a: Val, b: Val): boolean {
  if (typeof a === "number" && typeof b === "string") return false;
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObjVal(a) && isObjVal(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export class Evaluator {
  constructor(readonly scope: Scope) {}

  eval(e: Expr, depth = 0): Val {
    if (depth > MAX_DEPTH) return err(`expression nested deeper than ${MAX_DEPTH} levels`);
    const d = depth + 1;
    switch (e.k) {
      case "lit":
        return e.v;
      case "tpl":
        return this.template(e.parts, e, d);
      case "tuple": {
        const out: Val[] = [];
        for (const x of e.items) out.push(this.eval(x, d));
        return out;
      }
      case "object": {
        const out: Obj = {};
        const unknownKeys: Val[] = [];
        for (const { key, value } of e.items) {
          const k = this.eval(key, d);
          const v = this.eval(value, d);
          const ks = toStr(k);
          if (ks === undefined) {
            unknownKeys.push(k instanceof Unknown ? k : err(`object key ${key.text} is ${typeName(k)}, not a string`));
            continue;
          }
          out[ks] = v;
        }
        if (unknownKeys.length > 0) return derived(e, ...unknownKeys);
        return out;
      }
      case "var":
        return this.scope.lookup(e.name, e);
      case "attr":
        return getAttr(this.eval(e.obj, d), e.name, e);
      case "index":
        return index(this.eval(e.obj, d), this.eval(e.index, d), e);
      case "splat": {
        let coll = this.eval(e.obj, d);
        if (coll instanceof Lazy) coll = coll.whole();
        if (coll instanceof Unknown) return coll;
        if (coll === null) return [];
        const items = Array.isArray(coll) ? coll : [coll];
        return items.map((item) => new Evaluator(new ChildScope(this.scope, { [SPLAT_ITEM]: item })).eval(e.each, d));
      }
      case "call":
        return this.call(e, d);
      case "cond": {
        const c = truthy(materialize(this.eval(e.c, d)));
        if (c instanceof Unknown) return derived(e, c);
        return this.eval(c ? e.t : e.f, d);
      }
      case "unary": {
        const v = materialize(this.eval(e.e, d));
        if (v instanceof Unknown) return v;
        if (e.op === "!") {
          const t = truthy(v);
          return t instanceof Unknown ? t : !t;
        }
        const n = toNum(v);
        return n === undefined ? err(`${e.text}: ${typeName(v)} is not a number`) : -n;
      }
      case "binary":
        return this.binary(e, d);
      case "for":
        return this.forExpr(e, d);
    }
  }

  private binary(e: Extract<Expr, { k: "binary" }>, d: number): Val {
    if (e.op === "&&" || e.op === "||") {
      const l = truthy(materialize(this.eval(e.l, d)));
      // short circuit on a known left side that decides
      if (l === false && e.op === "&&") return false;
      if (l === true && e.op === "||") return true;
      const r = truthy(materialize(this.eval(e.r, d)));
      if (r === false && e.op === "&&") return false;
      if (r === true && e.op === "||") return true;
      if (l instanceof Unknown || r instanceof Unknown) return derived(e, l, r);
      return r;
    }
    const l = materialize(this.eval(e.l, d));
    const r = materialize(this.eval(e.r, d));
    if (e.op === "==" || e.op === "!=") {
      const q = equal(l, r);
      if (q instanceof Unknown) return q;
      return e.op === "==" ? q : !q;
    }
    if (l instanceof Unknown || r instanceof Unknown) return derived(e, l, r);
    const a = toNum(l);
    const b = toNum(r);
    if (a === undefined || b === undefined) return err(`${e.text}: operands of ${e.op} must be numbers`);
    switch (e.op) {
      case "+":
        return a + b;
      case "-":
        return a - b;
      case "*":
        return a * b;
      case "/":
        return b === 0 ? err(`${e.text}: division by zero`) : a / b;
      case "%":
        return b === 0 ? err(`${e.text}: division by zero`) : a % b;
      case "<":
        return a < b;
      case "<=":
        return a <= b;
      case ">":
        return a > b;
      case ">=":
        return a >= b;
    }
    return err(`${e.text}: unknown operator ${e.op}`);
  }

  private forExpr(e: Extract<Expr, { k: "for" }>, d: number): Val {
    let coll = this.eval(e.coll, d);
    if (coll instanceof Lazy) coll = coll.whole();
    if (coll instanceof Unknown) return new Unknown(coll.reason, coll.deps);
    if (coll === null) return err(`${e.text}: cannot iterate over null`);
    const pairs: Array<[Val, Val]> = Array.isArray(coll)
      ? coll.map((v, i) => [i, v] as [Val, Val])
      : isObjVal(coll)
        ? Object.keys(coll)
            .sort()
            .map((k) => [k, coll[k]] as [Val, Val])
        : [];
    if (!Array.isArray(coll) && !isObjVal(coll)) return err(`${e.text}: cannot iterate over ${typeName(coll)}`);
    const tupleOut: Val[] = [];
    const objOut: Obj = {};
    const grouped: Record<string, Val[]> = {};
    const unknowns: Val[] = [];
    for (const [k, v] of pairs) {
      const names: Record<string, Val> = { [e.valVar]: v };
      if (e.keyVar) names[e.keyVar] = k;
      const ev = new Evaluator(new ChildScope(this.scope, names));
      if (e.cond) {
        const c = truthy(materialize(ev.eval(e.cond, d)));
        if (c instanceof Unknown) {
          unknowns.push(c);
          continue;
        }
        if (!c) continue;
      }
      if (!e.key) {
        tupleOut.push(ev.eval(e.val, d));
        continue;
      }
      const key = toStr(ev.eval(e.key, d));
      if (key === undefined) {
        unknowns.push(ev.eval(e.key, d));
        continue;
      }
      const val = ev.eval(e.val, d);
      if (e.group) (grouped[key] ??= []).push(val);
      else if (Object.hasOwn(objOut, key)) return err(`${e.text}: duplicate key ${JSON.stringify(key)} (use ... to group)`);
      else objOut[key] = val;
    }
    if (unknowns.length > 0) return derived(e, ...unknowns.map((u) => (u instanceof Unknown ? u : err(`${e.text}: a key is not a string`))));
    if (!e.key) return tupleOut;
    return e.group ? grouped : objOut;
  }

  private template(parts: TplPart[], e: Expr, d: number): Val {
    // a template that is one interpolation alone yields the value itself, not a string
    if (parts.length === 1 && typeof parts[0] !== "string" && parts[0].k === "interp") return this.eval(parts[0].e, d);
    let text = "";
    let tpl = "";
    const unknowns: Unknown[] = [];
    const add = (v: Val, src: Expr) => {
      v = materialize(v);
      if (v instanceof Unknown) {
        unknowns.push(v);
        tpl += v.template ?? `\${${src.text}}`;
        return;
      }
      const s = toStr(v);
      if (s === undefined) {
        unknowns.push(err(`${src.text} is ${typeName(v)}, which cannot be written in a string`));
        tpl += `\${${src.text}}`;
        return;
      }
      text += s;
      tpl += s.replace(/\$\{/g, "$${");
    };
    const walk = (ps: TplPart[], scope: Evaluator, depth: number) => {
      if (depth > 50) {
        unknowns.push(err("template directives nested too deeply"));
        return;
      }
      for (const p of ps) {
        if (typeof p === "string") {
          text += p;
          tpl += p.replace(/\$\{/g, "$${");
        } else if (p.k === "interp") add(scope.eval(p.e, d), p.e);
        else if (p.k === "if") {
          const c = truthy(materialize(scope.eval(p.c, d)));
          if (c instanceof Unknown) {
            unknowns.push(c);
            tpl += `\${${p.c.text} ? … : …}`;
          } else walk(c ? p.then : p.else, scope, depth + 1);
        } else {
          let coll = scope.eval(p.coll, d);
          if (coll instanceof Lazy) coll = coll.whole();
          if (coll instanceof Unknown) {
            unknowns.push(coll);
            tpl += `\${for … in ${p.coll.text}}`;
            continue;
          }
          const pairs: Array<[Val, Val]> = Array.isArray(coll)
            ? coll.map((v, i) => [i, v] as [Val, Val])
            : isObjVal(coll)
              ? Object.keys(coll)
                  .sort()
                  .map((k) => [k, coll[k]] as [Val, Val])
              : [];
          for (const [k, v] of pairs) {
            const names: Record<string, Val> = { [p.valVar]: v };
            if (p.keyVar) names[p.keyVar] = k;
            walk(p.body, new Evaluator(new ChildScope(scope.scope, names)), depth + 1);
          }
        }
      }
    };
    walk(parts, this, 0);
    if (unknowns.length === 0) return text;
    const errU = unknowns.find((u) => u.error);
    if (errU) return errU;
    return new Unknown(unknowns[0].reason, depsOf(...unknowns), tpl);
  }

  private call(e: Extract<Expr, { k: "call" }>, d: number): Val {
    const name = e.name.includes("::") ? e.name.split("::").pop()! : e.name;
    if (name === "try" || name === "can") {
      for (const a of e.args) {
        const v = this.eval(a, d);
        const u = findUnknown(v);
        if (u && u.error) continue;
        if (name === "can") return u ? new Unknown(u.reason, u.deps) : true;
        return v;
      }
      return name === "can" ? false : err(`${e.text}: no argument of try() could be evaluated`);
    }
    let args = e.args.map((a) => this.eval(a, d));
    if (e.expand && args.length > 0) {
      const last = materialize(args[args.length - 1]);
      if (last instanceof Unknown) return derived(e, last);
      if (!Array.isArray(last)) return err(`${e.text}: the argument before ... must be a list`);
      args = [...args.slice(0, -1), ...last];
    }
    return callFunction(name, args, e, this.scope);
  }
}

export function toNum(v: Val): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

export function getAttr(obj: Val, name: string, e: Expr): Val {
  if (obj instanceof Lazy) return obj.get(name);
  if (obj instanceof Unknown) return obj.error ? obj : new Unknown(obj.reason, obj.deps);
  if (isObjVal(obj)) {
    if (Object.hasOwn(obj, name)) return obj[name];
    return err(`${e.text}: the object has no attribute ${JSON.stringify(name)}`);
  }
  if (obj === null) return err(`${e.text}: attribute ${name} of null`);
  return err(`${e.text}: ${typeName(obj)} has no attributes`);
}

export function index(obj: Val, key: Val, e: Expr): Val {
  if (key instanceof Unknown) return derived(e, key, obj instanceof Lazy ? null : obj);
  if (obj instanceof Lazy) {
    const ks = toStr(key);
    return ks === undefined ? err(`${e.text}: invalid key`) : obj.get(ks);
  }
  if (obj instanceof Unknown) return obj.error ? obj : new Unknown(obj.reason, obj.deps);
  if (Array.isArray(obj)) {
    const i = toNum(key);
    if (i === undefined || !Number.isInteger(i)) return err(`${e.text}: a list index must be a whole number`);
    if (i < 0 || i >= obj.length) return err(`${e.text}: index ${i} out of range (${obj.length} elements)`);
    return obj[i];
  }
  if (isObjVal(obj)) {
    const ks = toStr(key);
    if (ks === undefined) return err(`${e.text}: a map key must be a string`);
    if (Object.hasOwn(obj, ks)) return obj[ks];
    return err(`${e.text}: no key ${JSON.stringify(ks)}`);
  }
  return err(`${e.text}: ${typeName(obj)} cannot be indexed`);
}
