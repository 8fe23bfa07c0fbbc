/**
 * The Terraform source loader: a folder of `.tf` files (a module) → the same resource
 * instances the plan loader reads from `terraform show -json`, evaluated from the source,
 * then mapped by the same `aws_*` mappers (one mapping, two front ends).
 *
 * - files of a folder are merged as Terraform does (one module);
 * - variables: defaults < `TF_VAR_*` < `terraform.tfvars` < `*.auto.tfvars` (lexical) <
 *   `--tf-var-file` < `--tf-var`;
 * - locals, `count`, `for_each` (instance addresses `x[0]`, `x["k"]`), `dynamic` blocks;
 * - `data "aws_caller_identity" / "aws_partition" / "aws_region"` are the deploy account,
 *   partition and region (`--account` gives the account); `data "aws_iam_policy_document"`
 *   is evaluated into its JSON; other data sources are unknown (read at plan time);
 * - local modules (`source = "./…"`) are loaded with their inputs at `module.<name>.`;
 *   registry and git modules from `.terraform/modules/modules.json` when `terraform init`
 *   has run, otherwise named as not scanned;
 * - references to attributes known only after apply are unknowns that carry the resource
 *   they depend on, which the mappers turn into `{"$ref": address, "attribute"}` markers.
 */
import fs from "node:fs";
import path from "node:path";
import { exprRange, parseHcl, HclError, initHcl, type Attribute, type Block, type Body, type Expr, type HclFile, type Range } from "./hcl.js";
import { ChildScope, err, Evaluator, isObjVal, Lazy, materialize, PartialJson, toStr, Unknown, type Dep, type Obj, type Scope, type Val } from "./evaluate.js";
import { setTemplateRenderer } from "./functions.js";
import { keySuffix, Plan, Unk, type Instance, type ModStep, type Obj as PlanObj } from "./plan.js";
import { policyDocument } from "./policydoc.js";
import { walkTree } from "../tree.js";

export interface SourceOptions {
  /** `--tf-var k=v` in order (later wins). */
  vars?: string[];
  /** `--tf-var-file F` in order. */
  varFiles?: string[];
  /** The deploy account (`--account`). */
  account?: string;
  /** Environment (for `TF_VAR_*`); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** May the loader read this path (module sources, file(), templatefile())? Returns a reason when not. */
  confine?: (p: string) => string | undefined;
  /** Parsed files by path, shared by the root modules of one scan (a module called by several roots is parsed once). */
  parsed?: Map<string, HclFile>;
}

export interface SourceInstance extends Instance {
  file: string;
  line: number;
  /** The resource block. */
  range?: Range;
  /** Its attributes and nested blocks by value path. */
  spots?: Spots;
}

export interface ModuleLoad {
  dir: string;
  files: string[];
  plan: Plan;
  instances: SourceInstance[];
  notes: string[];
  /** Folders loaded as modules of this one (so they are not loaded again as roots). */
  moduleDirs: string[];
  comments: Array<{ file: string; line: number; text: string }>;
  /** Paths the module names that were not read (outside the scan roots): counted skips. */
  skipped: Array<{ file: string; reason: string }>;
  /** Module calls whose source folder was not read (outside the scan roots): the resources they would make are not judged. */
  unread: UnreadModule[];
}

/** A module call whose source was not read: `module` is its address (module.a.module.b), at the call's file and line. */
export interface UnreadModule {
  module: string;
  file: string;
  line: number;
  reason: string;
}

/** A source-loading error that names the file and line: the caller reports it and exits 2. */
export class SourceError extends Error {}

const MAX_MODULE_DEPTH = 32;
const MAX_INSTANCES = 10_000;
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const META_ATTRS = new Set(["count", "for_each", "provider", "depends_on"]);
const META_BLOCKS = new Set(["lifecycle", "provisioner", "connection"]);

export function isTerraformSource(file: string): boolean {
  return file.endsWith(".tf") || file.endsWith(".tf.json");
}

function readText(file: string): string {
  const st = fs.statSync(file);
  if (st.size > MAX_FILE_BYTES) throw new SourceError(`${file}: larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit for a .tf file (${st.size} bytes)`);
  const buf = fs.readFileSync(file);
  if (buf.includes(0)) throw new SourceError(`${file}: binary content (a NUL byte), not HCL`);
  const text = buf.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseFile(file: string, cache?: Map<string, HclFile>): HclFile {
  const hit = cache?.get(file);
  if (hit) return hit;
  try {
    const f = parseHcl(readText(file), file);
    cache?.set(file, f);
    return f;
  } catch (e) {
    if (e instanceof HclError || e instanceof SourceError) throw new SourceError(e.message);
    throw new SourceError(`${file}: cannot be read (${(e as Error).message})`);
  }
}

/** Parses `k=v` (--tf-var): the value is HCL when it parses as an expression, else a string. */
function parseVarAssignment(s: string, what: string): [string, Expr | string] {
  const eq = s.indexOf("=");
  if (eq <= 0) throw new SourceError(`${what} ${JSON.stringify(s)}: expected NAME=VALUE`);
  const name = s.slice(0, eq).trim();
  const raw = s.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new SourceError(`${what} ${JSON.stringify(s)}: ${JSON.stringify(name)} is not a variable name`);
  return [name, raw];
}

/** A variable value given as text (TF_VAR_*, --tf-var): HCL for lists/maps, otherwise the literal string. */
function varFromText(raw: string, origin: string): Expr | string {
  const t = raw.trim();
  if (t.startsWith("[") || t.startsWith("{") || t.startsWith('"')) {
    try {
      const f = parseHcl(`v = ${raw}\n`, origin);
      const a = f.body.attrs.get("v");
      if (a) return a.expr;
    } catch {
      // not HCL: the literal text
    }
  }
  return raw;
}

interface Ctx {
  opts: SourceOptions;
  rootDir: string;
  instances: SourceInstance[];
  notes: string[];
  moduleDirs: Set<string>;
  comments: ModuleLoad["comments"];
  providers: Record<string, PlanObj>;
  modulesJson?: Array<{ Key: string; Source: string; Dir: string }>;
  files: string[];
  /** Paths a module source, file() or templatefile() names that were not read (outside the scan roots). */
  skipped: Array<{ file: string; reason: string }>;
  unread: UnreadModule[];
}

/** Loads the module in folder `dir` as a root module. */
export async function loadTerraformModule(dir: string, opts: SourceOptions = {}): Promise<ModuleLoad> {
  await initHcl();
  const ctx: Ctx = { opts, rootDir: dir, instances: [], notes: [], moduleDirs: new Set(), comments: [], providers: {}, files: [], skipped: [], unread: [] };
  ctx.modulesJson = readModulesJson(dir);
  const root = new Module(ctx, dir, [], undefined, 0);
  root.setRootVariables();
  root.collect();
  const plan = new Plan({ format_version: "1.2", configuration: { provider_config: ctx.providers } }, undefined);
  for (const inst of ctx.instances) plan.add(inst);
  return {
    dir,
    files: ctx.files,
    plan,
    instances: ctx.instances,
    notes: ctx.notes,
    moduleDirs: [...ctx.moduleDirs],
    comments: ctx.comments,
    skipped: ctx.skipped,
    unread: ctx.unread,
  };
}

function readModulesJson(dir: string): Ctx["modulesJson"] {
  const f = path.join(dir, ".terraform", "modules", "modules.json");
  try {
    const doc = JSON.parse(fs.readFileSync(f, "utf8")) as { Modules?: unknown };
    return Array.isArray(doc.Modules) ? (doc.Modules as Ctx["modulesJson"]) : undefined;
  } catch {
    return undefined;
  }
}

interface ResourceDecl {
  mode: "managed" | "data";
  type: string;
  name: string;
  block: Block;
  value?: Val;
}

interface ModuleCall {
  name: string;
  block: Block;
  value?: Val;
}

class Module implements Scope {
  readonly files: HclFile[] = [];
  readonly variables = new Map<string, Block>();
  readonly locals = new Map<string, Attribute>();
  readonly outputs = new Map<string, Attribute>();
  readonly resources = new Map<string, ResourceDecl>();
  readonly data = new Map<string, ResourceDecl>();
  readonly calls = new Map<string, ModuleCall>();
  readonly providerBlocks: Block[] = [];
  private varValues = new Map<string, Val>();
  private localValues = new Map<string, Val>();
  private outputValues = new Map<string, Val>();
  private evaluating = new Set<string>();
  readonly prefix: string;

  constructor(
    readonly ctx: Ctx,
    readonly moduleDir: string,
    readonly steps: ModStep[],
    /** Input values from the caller (undefined at the root). */
    private readonly inputs: Map<string, Val> | undefined,
    readonly depth: number,
    /** The folders of the modules that call this one, outermost first (a module cycle is an error). */
    readonly callers: readonly string[] = [],
  ) {
    this.prefix = steps.map((s) => `module.${s.name}${keySuffix(s.key)}`).join(".");
    let names: string[];
    try {
      names = fs.readdirSync(moduleDir).filter((n) => n.endsWith(".tf"));
    } catch (e) {
      throw new SourceError(`${moduleDir}: cannot be read as a module folder (${(e as Error).message})`);
    }
    names.sort();
    // override files are merged last (Terraform's _override.tf)
    const overrides = names.filter((n) => /(^|_)override\.tf(\.json)?$/.test(n));
    for (const n of [...names.filter((x) => !overrides.includes(x)), ...overrides]) {
      const file = path.join(moduleDir, n);
      if (!fs.statSync(file).isFile()) continue;
      const f = parseFile(file, ctx.opts.parsed);
      this.files.push(f);
      if (depth === 0 || !ctx.files.includes(file)) ctx.files.push(file);
      for (const c of f.comments) ctx.comments.push({ file, line: c.line, text: c.text });
    }
    for (const f of this.files) this.declare(f.body, overrides.includes(path.basename(f.file)));
  }

  private declare(body: Body, override: boolean): void {
    for (const b of body.blocks) {
      const where = `${b.file}:${b.line}`;
      switch (b.type) {
        case "variable":
          if (b.labels.length !== 1) throw new SourceError(`${where}: a variable block needs one name`);
          this.variables.set(b.labels[0], b);
          break;
        case "locals":
          for (const [k, a] of b.body.attrs) {
            if (this.locals.has(k) && !override) throw new SourceError(`${where}: local.${k} is defined twice`);
            this.locals.set(k, a);
          }
          break;
        case "output":
          if (b.labels.length === 1 && b.body.attrs.has("value")) this.outputs.set(b.labels[0], b.body.attrs.get("value")!);
          break;
        case "resource":
        case "data": {
          if (b.labels.length !== 2) throw new SourceError(`${where}: a ${b.type} block needs a type and a name`);
          const [type, name] = b.labels;
          const map = b.type === "resource" ? this.resources : this.data;
          const key = `${type}.${name}`;
          if (map.has(key) && !override) throw new SourceError(`${where}: ${b.type === "data" ? "data." : ""}${key} is declared twice`);
          map.set(key, { mode: b.type === "resource" ? "managed" : "data", type, name, block: b });
          break;
        }
        case "module":
          if (b.labels.length !== 1) throw new SourceError(`${where}: a module block needs one name`);
          if (this.calls.has(b.labels[0]) && !override) throw new SourceError(`${where}: module.${b.labels[0]} is declared twice`);
          this.calls.set(b.labels[0], { name: b.labels[0], block: b });
          break;
        case "provider":
          this.providerBlocks.push(b);
          break;
        default:
          break;
      }
    }
  }

  // ---- variables ----

  /** Root module variables in Terraform's precedence order (later wins). */
  setRootVariables(): void {
    const env = this.ctx.opts.env ?? process.env;
    const given = new Map<string, { v: Expr | string; origin: string; scope: "file" | "text" }>();
    for (const [k, v] of Object.entries(env)) {
      if (k.startsWith("TF_VAR_") && v !== undefined)
        given.set(k.slice(7), { v: varFromText(v, `TF_VAR_${k.slice(7)}`), origin: `TF_VAR_${k.slice(7)}`, scope: "text" });
    }
    const fromFile = (file: string) => {
      const f = parseFile(file);
      for (const [k, a] of f.body.attrs) given.set(k, { v: a.expr, origin: `${file}:${a.line}`, scope: "file" });
    };
    const tfvars = path.join(this.moduleDir, "terraform.tfvars");
    if (fs.existsSync(tfvars)) fromFile(tfvars);
    const autos = fs
      .readdirSync(this.moduleDir)
      .filter((n) => n.endsWith(".auto.tfvars"))
      .sort();
    for (const n of autos) fromFile(path.join(this.moduleDir, n));
    for (const f of this.ctx.opts.varFiles ?? []) {
      if (!fs.existsSync(f)) throw new SourceError(`--tf-var-file ${f}: no such file`);
      if (f.endsWith(".json")) throw new SourceError(`--tf-var-file ${f}: JSON variable files are not read yet; give HCL (.tfvars)`);
      fromFile(f);
    }
    for (const s of this.ctx.opts.vars ?? []) {
      const [k, raw] = parseVarAssignment(s, "--tf-var");
      given.set(k, { v: varFromText(raw as string, `--tf-var ${k}`), origin: `--tf-var ${k}`, scope: "text" });
    }
    const constants = new Evaluator(new ConstScope(this.moduleDir));
    for (const [k, g] of given) {
      if (!this.variables.has(k)) continue; // Terraform warns about values for undeclared variables
      this.varValues.set(k, typeof g.v === "string" ? g.v : constants.eval(g.v));
    }
  }

  private variable(name: string, e: Expr): Val {
    if (this.varValues.has(name)) return this.varValues.get(name)!;
    const decl = this.variables.get(name);
    if (!decl) return err(`${e.text}: no variable ${JSON.stringify(name)} is declared in ${this.moduleDir}`);
    let v: Val;
    if (this.inputs?.has(name)) v = this.inputs.get(name)!;
    else if (decl.body.attrs.has("default")) v = new Evaluator(new ConstScope(this.moduleDir)).eval(decl.body.attrs.get("default")!.expr);
    else if (this.inputs) v = new Unknown(`var.${name} of ${this.prefix} has no value (the module call does not set it and it has no default)`);
    else v = new Unknown(`var.${name} has no value (no default; give it with --tf-var ${name}=… or a .tfvars file)`, [], `\${var.${name}}`);
    this.varValues.set(name, v);
    return v;
  }

  // ---- scope ----

  get workDir(): string {
    return this.ctx.rootDir;
  }

  lookup(name: string, e: Expr): Val {
    switch (name) {
      case "var":
        return new NamedLazy("var", (n, x) => this.variable(n, x), e);
      case "local":
        return new NamedLazy("local", (n, x) => this.local(n, x), e);
      case "path":
        // absolute, so that file("${path.module}/x") names the same file whatever the scan's working
        // directory (a relative path.module was joined to the module folder a second time)
        return { module: path.resolve(this.moduleDir), root: path.resolve(this.ctx.rootDir), cwd: path.resolve(this.ctx.rootDir) };
      case "terraform":
        return { workspace: "default" };
      case "data":
        return new NamedLazy("data", (type) => new NamedLazy(`data.${type}`, (n, x) => this.resourceValue(this.data, `${type}.${n}`, x), e), e);
      case "module":
        return new NamedLazy("module", (n, x) => this.moduleValue(n, x), e);
      case "count":
      case "each":
      case "self":
        return err(`${e.text}: ${name} is not available here`);
      default: {
        const hasType = [...this.resources.values()].some((r) => r.type === name);
        if (hasType) return new NamedLazy(name, (n, x) => this.resourceValue(this.resources, `${name}.${n}`, x), e);
        return err(`${e.text}: ${name} is not a variable, local, resource type, data source or module here`);
      }
    }
  }

  /** Records a path that is not read; its values are unknown with `reason`. */
  /** A module call not read: a coverage gap at the call (once per address). */
  private unread(module: string, b: Block, reason: string): void {
    if (!this.ctx.unread.some((u) => u.module === module)) this.ctx.unread.push({ module, file: b.file, line: b.line, reason });
  }

  skip(p: string, reason: string): void {
    // named as the scan paths are (path.module is absolute): relative to the working folder when below it
    const rel = path.isAbsolute(p) ? path.relative(process.cwd(), p) : p;
    const file = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
    if (!this.ctx.skipped.some((x) => x.file === file)) this.ctx.skipped.push({ file, reason });
  }

  readFile(p: string): string | Unknown {
    const reason = this.ctx.opts.confine?.(p);
    if (reason) {
      this.skip(p, reason);
      return err(`${p} ${reason}`);
    }
    try {
      const st = fs.statSync(p);
      if (st.size > MAX_FILE_BYTES) return err(`${p} is larger than ${MAX_FILE_BYTES} bytes`);
      return fs.readFileSync(p, "utf8");
    } catch (x) {
      return err(`${p} cannot be read (${(x as NodeJS.ErrnoException).code ?? (x as Error).message})`);
    }
  }

  private guard<T extends Val>(key: string, compute: () => T, e: Expr): Val {
    if (this.evaluating.has(key)) return err(`${e.text}: ${key} refers to itself (a cycle)`);
    this.evaluating.add(key);
    try {
      return compute();
    } finally {
      this.evaluating.delete(key);
    }
  }

  private local(name: string, e: Expr): Val {
    if (this.localValues.has(name)) return this.localValues.get(name)!;
    const a = this.locals.get(name);
    if (!a) return err(`${e.text}: local.${name} is not defined`);
    const v = this.guard(`local.${name}`, () => new Evaluator(this).eval(a.expr), e);
    this.localValues.set(name, v);
    return v;
  }

  // ---- resources and data sources ----

  private address(mode: "managed" | "data", type: string, name: string): string {
    const own = `${mode === "data" ? "data." : ""}${type}.${name}`;
    return this.prefix === "" ? own : `${this.prefix}.${own}`;
  }

  /** The instance keys of a block with count / for_each: undefined when it has neither. */
  private expansion(b: Block, what: string): { keys: Array<{ key: number | string; each?: Val }> } | { unknown: Unknown } | undefined {
    const count = b.body.attrs.get("count");
    const forEach = b.body.attrs.get("for_each");
    if (count) {
      const c = materialize(new Evaluator(this).eval(count.expr));
      if (c instanceof Unknown) return { unknown: new Unknown(`the count of ${what} is unknown (${c.reason})`, c.deps) };
      if (typeof c !== "number" || !Number.isInteger(c) || c < 0)
        return { unknown: err(`${b.file}:${count.line}: count must be a whole number, not ${JSON.stringify(c)}`) };
      if (c > MAX_INSTANCES) throw new SourceError(`${b.file}:${count.line}: count ${c} is more than ${MAX_INSTANCES} instances`);
      return { keys: Array.from({ length: c }, (_, i) => ({ key: i })) };
    }
    if (forEach) {
      const f = materialize(new Evaluator(this).eval(forEach.expr));
      if (f instanceof Unknown) return { unknown: new Unknown(`the for_each of ${what} is unknown (${f.reason})`, f.deps) };
      if (Array.isArray(f)) {
        const keys: Array<{ key: string; each: Val }> = [];
        for (const x of f) {
          const s = toStr(x);
          if (s === undefined) return { unknown: err(`${b.file}:${forEach.line}: for_each over a set needs strings, not ${JSON.stringify(x)}`) };
          if (!keys.some((k) => k.key === s)) keys.push({ key: s, each: s });
        }
        return { keys: keys.sort((a, z) => (a.key < z.key ? -1 : a.key > z.key ? 1 : 0)) };
      }
      if (isObjVal(f))
        return {
          keys: Object.keys(f)
            .sort()
            .map((k) => ({ key: k, each: f[k] })),
        };
      if (f === null) return { keys: [] };
      return { unknown: err(`${b.file}:${forEach.line}: for_each must be a map or a set of strings`) };
    }
    return undefined;
  }

  private instanceScope(key: number | string | undefined, each: Val | undefined, unknownKey?: Unknown): Scope {
    if (unknownKey) return new ChildScope(this, { count: { index: unknownKey }, each: { key: unknownKey, value: unknownKey } });
    if (key === undefined) return this;
    if (typeof key === "number") return new ChildScope(this, { count: { index: key } });
    return new ChildScope(this, { each: { key, value: each ?? null } });
  }

  private resourceValue(map: Map<string, ResourceDecl>, key: string, e: Expr): Val {
    const decl = map.get(key);
    if (!decl) return err(`${e.text}: ${map === this.data ? "data." : ""}${key} is not declared in ${this.moduleDir}`);
    if (decl.value !== undefined) return decl.value;
    const v = this.guard(`${decl.mode}:${key}`, () => this.expandResource(decl), e);
    decl.value = v;
    return v;
  }

  private expandResource(decl: ResourceDecl): Val {
    const base = this.address(decl.mode, decl.type, decl.name);
    const ex = this.expansion(decl.block, base);
    const make = (key: number | string | undefined, each: Val | undefined, unknownKey?: Unknown) => {
      const address = unknownKey ? `${base}[*]` : base + keySuffix(key);
      const scope = this.instanceScope(key, each, unknownKey);
      return decl.mode === "data" ? dataInstance(this.ctx, decl, address, scope) : new ResourceInstance(decl, address, scope);
    };
    if (ex === undefined) return make(undefined, undefined);
    if ("unknown" in ex) return ex.unknown;
    if (decl.block.body.attrs.has("count")) return ex.keys.map((k) => make(k.key, undefined));
    const out: Obj = {};
    for (const k of ex.keys) out[String(k.key)] = make(k.key, k.each);
    return out;
  }

  // ---- module calls ----

  private moduleValue(name: string, e: Expr): Val {
    const call = this.calls.get(name);
    if (!call) return err(`${e.text}: module.${name} is not declared in ${this.moduleDir}`);
    if (call.value !== undefined) return call.value;
    const v = this.guard(`module.${name}`, () => this.expandModule(call), e);
    call.value = v;
    return v;
  }

  private moduleSourceDir(call: ModuleCall): string | Unknown {
    const b = call.block;
    const src = b.body.attrs.get("source");
    const s = src ? materialize(new Evaluator(new ConstScope(this.moduleDir)).eval(src.expr)) : undefined;
    if (typeof s !== "string") throw new SourceError(`${b.file}:${b.line}: module.${call.name} needs a constant source string`);
    if (s.startsWith("./") || s.startsWith("../") || s === "." || s === "..") {
      // joined, not resolved: a module's files are named relative to the scan path like the root's
      // (file names are in locations and finding fingerprints, which must not depend on the checkout folder)
      const dir = path.join(this.moduleDir, s);
      const reason = this.ctx.opts.confine?.(dir);
      if (reason) {
        // a module outside the scan roots is not read: a counted skip, and its outputs are unknown
        this.skip(dir, reason);
        const what = this.prefix === "" ? `module.${call.name}` : `${this.prefix}.module.${call.name}`;
        const why = `${what} (source ${JSON.stringify(s)}) is not scanned: the folder ${reason}`;
        if (!this.ctx.notes.includes(why)) this.ctx.notes.push(why);
        this.unread(what, b, why);
        return new Unknown(why);
      }
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
        throw new SourceError(`${b.file}:${src!.line}: module.${call.name} source ${s}: no such folder`);
      return dir;
    }
    const key = [...this.steps.map((st) => st.name), call.name].join(".");
    const entry = this.ctx.modulesJson?.find((m) => m.Key === key);
    if (entry && typeof entry.Dir === "string") {
      const dir = path.join(this.ctx.rootDir, entry.Dir);
      const reason = this.ctx.opts.confine?.(dir);
      if (reason) {
        this.skip(dir, reason);
        const what = this.prefix === "" ? `module.${call.name}` : `${this.prefix}.module.${call.name}`;
        const why = `${what} (source ${JSON.stringify(s)}) is not scanned: its downloaded folder ${entry.Dir} ${reason}`;
        if (!this.ctx.notes.includes(why)) this.ctx.notes.push(why);
        this.unread(what, b, why);
        return new Unknown(why);
      }
      if (fs.existsSync(dir)) return dir;
    }
    const what = this.prefix === "" ? `module.${call.name}` : `${this.prefix}.module.${call.name}`;
    const why = `${what} (source ${JSON.stringify(s)}) is not scanned: it is not a local folder and \`terraform init\` has not downloaded it (.terraform/modules/modules.json)`;
    if (!this.ctx.notes.includes(why)) this.ctx.notes.push(why);
    return new Unknown(why);
  }

  private expandModule(call: ModuleCall): Val {
    if (this.depth + 1 > MAX_MODULE_DEPTH)
      throw new SourceError(`${call.block.file}:${call.block.line}: modules nested deeper than ${MAX_MODULE_DEPTH} levels (a module cycle?)`);
    const dir = this.moduleSourceDir(call);
    if (dir instanceof Unknown) return dir;
    const chain = [...this.callers, this.moduleDir];
    if (chain.includes(dir)) {
      const names = [...chain.slice(chain.indexOf(dir)), dir].map((d) => path.relative(this.ctx.rootDir, d) || ".");
      throw new SourceError(`${call.block.file}:${call.block.line}: module.${call.name} makes a module cycle (${names.join(" → ")})`);
    }
    if (this.steps.length > 0 || dir !== this.moduleDir) this.ctx.moduleDirs.add(dir);
    const ex = this.expansion(call.block, `module.${call.name}`);
    const make = (key: number | string | undefined, each: Val | undefined): Val => {
      const scope = this.instanceScope(key, each);
      const inputs = new Map<string, Val>();
      for (const [k, a] of call.block.body.attrs) {
        if (["source", "version", "count", "for_each", "providers", "depends_on"].includes(k)) continue;
        inputs.set(k, new Evaluator(scope).eval(a.expr));
      }
      const step: ModStep = key === undefined ? { name: call.name } : { name: call.name, key };
      const child = new Module(this.ctx, dir, [...this.steps, step], inputs, this.depth + 1, chain);
      child.collect();
      return new ModuleOutputs(child);
    };
    if (ex === undefined) return make(undefined, undefined);
    if ("unknown" in ex) {
      this.ctx.notes.push(`module.${call.name} is not scanned: ${ex.unknown.reason}`);
      return ex.unknown;
    }
    if (call.block.body.attrs.has("count")) return ex.keys.map((k) => make(k.key, undefined));
    const out: Obj = {};
    for (const k of ex.keys) out[String(k.key)] = make(k.key, k.each);
    return out;
  }

  output(name: string, e: Expr): Val {
    const a = this.outputs.get(name);
    if (!a) return err(`${e.text}: ${this.prefix} has no output ${JSON.stringify(name)}`);
    const done = this.outputValues.get(name);
    if (done !== undefined) return done;
    const v = this.guard(`output.${name}`, () => new Evaluator(this).eval(a.expr), e);
    this.outputValues.set(name, v);
    return v;
  }

  // ---- collecting instances ----

  /** Evaluates every managed resource (and module) of this module into ctx.instances. */
  collect(): void {
    if (this.steps.length === 0) this.collectProviders();
    for (const call of this.calls.values()) this.moduleValue(call.name, { k: "var", name: call.name, line: call.block.line, text: `module.${call.name}` });
    for (const decl of this.resources.values()) {
      if (!decl.type.startsWith("aws_")) continue;
      const v = this.resourceValue(this.resources, `${decl.type}.${decl.name}`, {
        k: "var",
        name: decl.name,
        line: decl.block.line,
        text: `${decl.type}.${decl.name}`,
      });
      const insts: ResourceInstance[] = [];
      if (v instanceof ResourceInstance) insts.push(v);
      else if (Array.isArray(v)) insts.push(...v.filter((x): x is ResourceInstance => x instanceof ResourceInstance));
      else if (isObjVal(v)) insts.push(...Object.values(v).filter((x): x is ResourceInstance => x instanceof ResourceInstance));
      else if (v instanceof Unknown) {
        // count / for_each unknown: one representative instance whose index is unknown
        const u = new Unknown(v.reason, v.deps);
        insts.push(new ResourceInstance(decl, `${this.address("managed", decl.type, decl.name)}[*]`, this.instanceScope(undefined, undefined, u)));
        this.ctx.notes.push(`${this.address("managed", decl.type, decl.name)}: ${v.reason}; judged as one instance`);
      }
      for (const inst of insts) this.ctx.instances.push(inst.toInstance(this));
    }
  }

  private collectProviders(): void {
    for (const b of this.providerBlocks) {
      if (b.labels[0] !== "aws") continue;
      const alias = b.body.attrs.get("alias");
      const aliasName = alias ? toStr(materialize(new Evaluator(this).eval(alias.expr))) : undefined;
      const key = aliasName ? `aws.${aliasName}` : "aws";
      const expressions: PlanObj = {};
      const region = b.body.attrs.get("region");
      if (region) {
        const r = materialize(new Evaluator(this).eval(region.expr));
        if (typeof r === "string") expressions.region = { constant_value: r };
      }
      const dt = b.body.blocks.find((x) => x.type === "default_tags");
      if (dt) {
        const t = dt.body.attrs.get("tags");
        const tv = t ? materialize(new Evaluator(this).eval(t.expr)) : {};
        expressions.default_tags = [{ tags: isObjVal(tv) && !findUnknownShallow(tv) ? { constant_value: tv } : { references: [] } }];
      }
      this.ctx.providers[key] = { name: "aws", expressions };
    }
  }

  /** The region of the provider a resource uses, when constant. */
  providerRegion(key: string): string | undefined {
    const p = this.ctx.providers[key] as { expressions?: { region?: { constant_value?: unknown } } } | undefined;
    const r = p?.expressions?.region?.constant_value;
    return typeof r === "string" ? r : undefined;
  }
}

function findUnknownShallow(o: Obj): boolean {
  return Object.values(o).some((v) => v instanceof Unknown);
}

/** Scope for variable defaults and tfvars: constants only. */
class ConstScope implements Scope {
  constructor(readonly moduleDir: string) {}
  get workDir(): string {
    return this.moduleDir;
  }
  lookup(name: string, e: Expr): Val {
    return err(`${e.text}: ${name} cannot be used here (only constant values)`);
  }
  readFile(): string | Unknown {
    return err("files cannot be read here");
  }
}

/** `var`, `local`, `data`, `module`, `<type>`: attribute access names the member. */
class NamedLazy extends Lazy {
  constructor(
    private readonly label: string,
    private readonly member: (name: string, e: Expr) => Val,
    private readonly e: Expr,
  ) {
    super();
  }
  get(name: string): Val {
    return this.member(name, this.e);
  }
  whole(): Val {
    return err(`${this.label} cannot be used as a whole value`);
  }
  describe(): string {
    return this.label;
  }
}

class ModuleOutputs extends Lazy {
  constructor(private readonly mod: Module) {
    super();
  }
  get(name: string): Val {
    return this.mod.output(name, { k: "var", name, line: 0, text: `${this.mod.prefix}.${name}` });
  }
  whole(): Val {
    const o: Obj = {};
    for (const k of this.mod.outputs.keys()) o[k] = this.get(k);
    return o;
  }
  describe(): string {
    return this.mod.prefix;
  }
}

/** Functions whose result is not written in the configuration: a file's content, a fresh id or time. */
const NOT_WRITTEN = new Set(["file", "filebase64", "templatefile", "uuid", "timestamp", "plantimestamp"]);

/**
 * What an attribute's expression refers to, as a plan's configuration says (`references`): the
 * names it reads (var, local, each, a resource type...) and the calls whose value is not written
 * in the configuration (`file()`). Empty: the value is written in the configuration itself.
 */
function expressionRefs(expr: Expr): string[] {
  const out = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 200 || typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) {
      for (const x of node) visit(x, depth + 1);
      return;
    }
    const n = node as { k?: unknown; name?: unknown };
    if (n.k === "var" && typeof n.name === "string") out.add(n.name);
    if (n.k === "call" && typeof n.name === "string" && NOT_WRITTEN.has(n.name)) out.add(`${n.name}()`);
    for (const x of Object.values(node)) visit(x, depth + 1);
  };
  visit(expr, 0);
  return [...out].sort();
}

/** An evaluated block body: attribute values and nested blocks (lists of objects). */
interface Evaluated {
  values: Obj;
  /** The configuration skeleton: which attributes and blocks are set (for View.configured). */
  expressions: PlanObj;
}

/** Where the parts of an instance's values are written: value paths (`ingress[1].cidr_blocks`, as View's) → the attribute or block. */
export type Spots = Map<string, { range?: Range; expr?: Expr }>;

function evalBody(body: Body, scope: Scope, depth = 0, at = "", spots?: Spots): Evaluated {
  const values: Obj = {};
  const expressions: PlanObj = {};
  if (depth > 50) return { values: { _: err("blocks nested too deeply") }, expressions };
  const ev = new Evaluator(scope);
  for (const [k, a] of body.attrs) {
    if (depth === 0 && META_ATTRS.has(k)) continue;
    values[k] = ev.eval(a.expr);
    expressions[k] = { references: expressionRefs(a.expr) };
    spots?.set(at + k, { range: a.range, expr: a.expr });
  }
  const push = (type: string, b: Block, e: (at: string) => Evaluated) => {
    // blocks of a type whose dynamic part is unknown: the whole list stays unknown
    if (values[type] instanceof Unknown) return;
    const list = (values[type] ??= []) as Val[];
    const here = `${at}${type}[${list.length}]`;
    spots?.set(here, { range: b.range });
    const x = e(`${here}.`);
    list.push(x.values);
    ((expressions[type] ??= []) as unknown[]).push(x.expressions);
  };
  for (const b of body.blocks) {
    if (depth === 0 && META_BLOCKS.has(b.type)) continue;
    if (b.type === "dynamic" && b.labels.length === 1) {
      const type = b.labels[0];
      const fe = b.body.attrs.get("for_each");
      const content = b.body.blocks.find((x) => x.type === "content");
      if (!fe || !content) continue;
      const itName = b.body.attrs.get("iterator");
      const it = itName && itName.expr.k === "var" ? itName.expr.name : type;
      const coll = materialize(ev.eval(fe.expr));
      if (coll instanceof Unknown) {
        if (values[type] instanceof Unknown) continue;
        values[type] = new Unknown(`the dynamic "${type}" blocks are unknown (${coll.reason})`, coll.deps);
        expressions[type] = {};
        spots?.set(at + type, { range: b.range });
        continue;
      }
      const pairs: Array<[Val, Val]> = Array.isArray(coll)
        ? coll.map((v, i) => [i, v])
        : isObjVal(coll)
          ? Object.keys(coll)
              .sort()
              .map((k) => [k, coll[k]])
          : [];
      // a generated block is where its dynamic block is; its attributes are those of the content block
      for (const [key, value] of pairs)
        push(type, b, (here) => evalBody(content.body, new ChildScope(scope, { [it]: { key, value } }), depth + 1, here, spots));
      if (pairs.length === 0 && values[type] === undefined) {
        values[type] = [];
        expressions[type] = [];
      }
      continue;
    }
    push(b.type, b, (here) => evalBody(b.body, scope, depth + 1, here, spots));
  }
  return { values, expressions };
}

class ResourceInstance extends Lazy {
  private cache = new Map<string, Val>();
  readonly spots: Spots = new Map();
  private evaluated?: Evaluated;
  constructor(
    readonly decl: ResourceDecl,
    readonly address: string,
    readonly scope: Scope,
  ) {
    super();
  }
  get(name: string): Val {
    if (this.cache.has(name)) return this.cache.get(name)!;
    let v: Val;
    const a = this.decl.block.body.attrs.get(name);
    if (a && !META_ATTRS.has(name)) v = new Evaluator(this.selfScope()).eval(a.expr);
    else if (this.decl.block.body.blocks.some((b) => b.type === name || (b.type === "dynamic" && b.labels[0] === name))) v = this.body().values[name] ?? [];
    else v = new Unknown(`known after apply: ${this.address}.${name}`, [{ address: this.address, type: this.decl.type, attr: name }], undefined, false, true);
    this.cache.set(name, v);
    return v;
  }
  private selfScope(): Scope {
    return this.scope;
  }
  body(): Evaluated {
    return (this.evaluated ??= evalBody(this.decl.block.body, this.scope, 0, "", this.spots));
  }
  whole(): Val {
    return new Unknown(`known after apply: ${this.address}`, [{ address: this.address, type: this.decl.type }], undefined, false, true);
  }
  describe(): string {
    return this.address;
  }

  toInstance(mod: Module): SourceInstance {
    const { values, expressions } = this.body();
    const providerAttr = this.decl.block.body.attrs.get("provider");
    const providerKey = providerAttr ? providerAttr.expr.text.trim() : "aws";
    const planValues = toPlanValues(values, "") as PlanObj;
    if (planValues.region === undefined) {
      const r = mod.providerRegion(providerKey);
      if (r !== undefined && this.decl.type !== "aws_iam_role") planValues.region = r;
    }
    const m = /\[(\d+|"(?:[^"\\]|\\.)*")\]$/.exec(this.address);
    const inst: SourceInstance = {
      address: this.address,
      base: mod.prefix === "" ? `${this.decl.type}.${this.decl.name}` : `${mod.prefix}.${this.decl.type}.${this.decl.name}`,
      module: mod.prefix,
      scope: mod.steps,
      type: this.decl.type,
      name: this.decl.name,
      actions: ["create"],
      values: planValues,
      config: { address: `${this.decl.type}.${this.decl.name}`, mode: "managed", expressions, provider_config_key: providerKey },
      file: this.decl.block.file,
      line: this.decl.block.line,
      range: this.decl.block.range,
      spots: this.spots,
    };
    if (m) inst.index = m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : Number(m[1]);
    return inst;
  }
}

/** Evaluated values → plan-shaped values: unknowns become `Unk` at their path, carrying their reason and dependencies. */
function toPlanValues(v: Val, at: string, depth = 0): unknown {
  if (v instanceof Lazy) v = v.whole();
  if (v instanceof PartialJson) return toPlanValues(v.doc, at, depth + 1);
  if (v instanceof Unknown) return new Unk(at, v.reason, v.exact ? v.deps : undefined, v.template);
  if (depth > 200) return new Unk(at, "value nested too deeply");
  if (Array.isArray(v)) return v.map((x, i) => toPlanValues(x, `${at}[${i}]`, depth + 1));
  if (isObjVal(v)) {
    const o: PlanObj = {};
    for (const [k, x] of Object.entries(v))
      o[k] = toPlanValues(x, at === "" ? k : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`, depth + 1);
    return o;
  }
  return v;
}

/** Data sources: the deploy context, policy documents; others are read at plan time (unknown). */
function dataInstance(ctx: Ctx, decl: ResourceDecl, address: string, scope: Scope): Val {
  const account = ctx.opts.account;
  switch (decl.type) {
    case "aws_caller_identity": {
      const acct: Val =
        account ?? new Unknown(`${address}.account_id is the deploy account, known only at plan time (give --account)`, [], "${AWS::AccountId}");
      return {
        account_id: acct,
        id: acct,
        arn: new Unknown(`${address}.arn is the identity running Terraform`),
        user_id: new Unknown(`${address}.user_id is the identity running Terraform`),
      };
    }
    case "aws_partition": {
      const p = new Unknown(`${address}.partition is the deploy partition, known only at plan time`, [], "${AWS::Partition}");
      return {
        partition: p,
        id: p,
        dns_suffix: new Unknown(`${address}.dns_suffix is the partition's DNS suffix`, [], "${AWS::URLSuffix}"),
        reverse_dns_prefix: new Unknown(`${address}.reverse_dns_prefix`),
      };
    }
    case "aws_region": {
      const given = decl.block.body.attrs.get("name") ?? decl.block.body.attrs.get("region");
      const g = given ? materialize(new Evaluator(scope).eval(given.expr)) : undefined;
      const r: Val = typeof g === "string" ? g : new Unknown(`${address}.name is the deploy region, known only at plan time`, [], "${AWS::Region}");
      return { name: r, region: r, id: r, endpoint: new Unknown(`${address}.endpoint`), description: new Unknown(`${address}.description`) };
    }
    case "aws_iam_policy_document":
      return policyDocument(evalBody(decl.block.body, scope).values, address);
    default:
      return new DataSource(address, decl.type);
  }
}

class DataSource extends Lazy {
  constructor(
    private readonly address: string,
    private readonly type: string,
  ) {
    super();
  }
  get(name: string): Val {
    return new Unknown(`${this.address}.${name} is read from AWS at plan time`);
  }
  whole(): Val {
    return new Unknown(`${this.address} is read from AWS at plan time`);
  }
  describe(): string {
    return this.address;
  }
}

export type { Dep };

/** One step of a value path: an attribute name or an index / key. */
function pathSteps(p: string): Array<{ step: string; end: number }> {
  const out: Array<{ step: string; end: number }> = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) out.push({ step: m[1] ?? m[2] ?? (JSON.parse(m[3]) as string), end: re.lastIndex });
  return out;
}

/**
 * The range of the part of an instance written at value path `p` (as View names them), then
 * `inside` (steps into a JSON document the attribute holds, e.g. `Statement`, `0`): the deepest
 * attribute, nested block, list element or object member the source spells out. A value the
 * source computes (a variable, a for expression) is located at the attribute that holds it.
 */
export function spotRange(inst: SourceInstance, p: string, inside: string[] = []): Range | undefined {
  const steps = pathSteps(p);
  for (let i = steps.length; i > 0; i--) {
    const spot = inst.spots?.get(p.slice(0, steps[i - 1].end));
    if (!spot) continue;
    if (!spot.expr) return spot.range;
    let e = spot.expr;
    let range = spot.range;
    for (const step of [...steps.slice(i).map((s) => s.step), ...inside]) {
      const next = member(e, step);
      if (!next) break;
      e = next;
      range = exprRange(e) ?? range;
    }
    return range;
  }
  return inst.range;
}

/** The element `step` of a tuple or object written in the source (through jsonencode()). */
function member(e: Expr, step: string): Expr | undefined {
  while (e.k === "call" && e.name === "jsonencode" && e.args.length === 1) e = e.args[0];
  if (e.k === "tuple") return /^\d+$/.test(step) ? e.items[Number(step)] : undefined;
  if (e.k === "object") {
    const hit = e.items.find(({ key }) => (key.k === "lit" && String(key.v) === step) || (key.k === "tpl" && key.parts.length === 1 && key.parts[0] === step));
    return hit?.value;
  }
  return undefined;
}

/** Folders holding `.tf` files under `paths` (a `.tf` file names its folder), in a stable order. */
/** Terraform's own working folder (downloaded modules and providers): not the user's code. */
const TERRAFORM_SKIPPED = new Set([".terraform"]);

export function findTerraformDirs(paths: string[], respectGitignore = true): string[] {
  const out: string[] = [];
  const add = (d: string) => {
    if (!out.includes(d)) out.push(d);
  };
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      continue;
    }
    if (!st.isDirectory()) {
      if (p.endsWith(".tf")) add(path.dirname(p));
      continue;
    }
    walkTree(
      p,
      { gitignore: respectGitignore, skipDirs: TERRAFORM_SKIPPED },
      {
        dir: ({ dir, entries }) => {
          if (entries.some((e) => e.isFile() && e.name.endsWith(".tf"))) add(dir);
        },
      },
    );
  }
  return out;
}

// templatefile(): the template is HCL template syntax, evaluated with only the given variables
setTemplateRenderer((text, vars, e, scope) => {
  const id = "RAMPART_TEMPLATE_END";
  if (text.includes(id)) return err(`${e.text}: the template cannot be read`);
  const nl = text.endsWith("\n");
  let parsed: HclFile;
  try {
    parsed = parseHcl(`v = <<${id}\n${text}${nl ? "" : "\n"}${id}\n`, `${e.text}`);
  } catch (x) {
    return err(`${e.text}: the template is not valid (${(x as Error).message})`);
  }
  const a = parsed.body.attrs.get("v");
  if (!a) return err(`${e.text}: the template cannot be read`);
  const v = new Evaluator(new ChildScope(new ConstScope(scope.moduleDir), vars)).eval(a.expr);
  return typeof v === "string" && !nl ? v.replace(/\n$/, "") : v;
});
