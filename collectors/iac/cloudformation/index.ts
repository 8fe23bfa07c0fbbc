/**
 * The CloudFormation loader: templates (YAML or JSON, SAM, CDK output, nested stacks) into
 * resources of the common model. See README.md in this folder for what is resolved.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isReference, isUnknown, unknown, type Resource, type Unknown } from "../../../model/types.js";
import { createContext, evaluateCondition, NestingError, NO_VALUE, resolve, type ResolveContext } from "./resolver.js";
import { mergeGlobals, samFunctionRole, usesSam } from "./sam.js";
import { parameterFeeds } from "./feeds.js";
import { escapePointer, parseTemplateText, TemplateSyntaxError, type UnknownTag } from "./yaml.js";
import { findTemplateFiles } from "./walk.js";
import { confine, readScope, type ReadScope } from "../roots.js";

export { parseParameterFile } from "./params.js";

/** Files larger than this are not read (an error result). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Nested stacks are followed this many levels deep. */
export const MAX_NESTED_DEPTH = 5;

export interface CfnIgnore {
  resource: string;
  rule: string;
  reason?: string;
  expires?: string;
}

export interface CfnFileResult {
  /** The path as given (relative stays relative). */
  file: string;
  status: "loaded" | "skipped" | "error";
  /** One line, for skipped and error. */
  reason?: string;
  resources: Resource[];
  /** JSON pointer -> 1-based line for every node under Resources and Metadata (and each top-level key). */
  lines: Map<string, number>;
  /** From resource Metadata `rampart: {ignore: [{rule, reason, expires}]}`. */
  ignores: CfnIgnore[];
  /** Things a person should know about a loaded file (unloadable nested stack, unexpanded macro …). */
  warnings?: string[];
  /**
   * Templates loaded as nested stacks of this one. Their resources are also in `resources`
   * (ids prefixed `<Parent>/`, `source.file` = the child's file); look lines up in the
   * result whose `file` is the resource's `source.file`.
   */
  nested?: CfnFileResult[];
  /**
   * References this template (or a nested stack of it, at any depth) makes that were not read:
   * a nested stack template that is outside the scan roots, missing, not a template, a remote
   * URL or not resolved. Each is a counted skip; nothing in it was judged.
   */
  unread?: UnreadReference[];
}

/** A reference to another file that the loader did not read, and why. */
export interface UnreadReference {
  /** The file as the loader would have opened it, or the value as written (a URL, an unresolved value). */
  target: string;
  /** The template holding the reference. */
  file: string;
  /** The resource holding it (full id, `Parent/Child` inside nested stacks) and its type. */
  resource?: string;
  type?: string;
  /** The property holding the reference, as a pointer inside that resource (`/Properties/TemplateURL`). */
  pointer?: string;
  /**
   * What stays undecided: a nested stack's resources (rules say unknown for the stack resource),
   * part of the template's resources (an AWS::Include in Resources: the scan is incomplete), or
   * one value inside a resource (already an unknown marker the rules reading it see).
   */
  effect: "resource" | "template" | "value";
  why: "outside" | "missing" | "unreadable" | "not-template" | "remote" | "unresolved" | "too-deep";
  /** One line for a person. */
  reason: string;
}

export interface LoadOptions {
  parameters?: Record<string, string>;
  /** Where references may be read from (see ../roots.ts); default: the scanned paths and their git repository. */
  scope?: ReadScope;
}

interface InternalOptions {
  given: Record<string, unknown>;
  givenFrom: string;
  idPrefix: string;
  stack?: string;
  chain: string[];
  scope: ReadScope;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function result(file: string, status: CfnFileResult["status"], reason?: string): CfnFileResult {
  const r: CfnFileResult = { file, status, resources: [], lines: new Map(), ignores: [] };
  if (reason !== undefined) r.reason = oneLine(reason);
  return r;
}

function tooLarge(bytes: number): string {
  return `larger than the 10 MiB limit (${bytes} bytes)`;
}

/** Why a parsed document is not a CloudFormation template, or null when it is one. */
function notTemplateReason(value: unknown, file: string): string | null {
  const base = path.basename(file).toLowerCase();
  if (value === null || value === undefined) return "not a CloudFormation template: empty document";
  if (Array.isArray(value)) return "not a CloudFormation template: the document is a list";
  if (!isObject(value)) return "not a CloudFormation template: the document is a single value";
  const has = (k: string) => Object.hasOwn(value, k);
  if (!has("Resources")) {
    if (has("apiVersion") && has("kind")) return "not a CloudFormation template: Kubernetes manifest";
    if (has("services") && (base.includes("compose") || has("version") || has("volumes") || has("networks")))
      return "not a CloudFormation template: docker-compose file";
    if (base === "package.json" || (has("name") && (has("dependencies") || has("devDependencies") || has("scripts"))))
      return "not a CloudFormation template: package.json";
    if (base === "manifest.json" && isObject(value.artifacts)) return "not a CloudFormation template: CDK cloud assembly manifest";
    if (has("phases") && has("version")) return "not a CloudFormation template: CodeBuild buildspec";
    if (has("AWSTemplateFormatVersion")) return "not a CloudFormation template: has no Resources section";
    return "not a CloudFormation template: no Resources section";
  }
  if (!isObject(value.Resources)) return "not a CloudFormation template: Resources is not a map";
  return null;
}

function jsonPolicy(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith("{") || !t.includes("Statement")) return undefined;
  try {
    const parsed = JSON.parse(t);
    return isObject(parsed) && Object.hasOwn(parsed, "Statement") ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Marks each string of a parsed template that still has `${…}` as an Unknown with that template. */
function markTemplates(v: unknown, reason: string, depth = 0): unknown {
  if (depth > 200) return v;
  if (typeof v === "string") return v.includes("${") ? unknown(reason, v) : v;
  if (Array.isArray(v)) return v.map((x) => markTemplates(x, reason, depth + 1));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markTemplates(x, reason, depth + 1)]));
  return v;
}

/** Policy documents given as JSON strings (or partly resolved JSON templates) become objects. */
function parsePolicyStrings(v: unknown, depth = 0): unknown {
  if (depth > 200) return v;
  if (typeof v === "string") return jsonPolicy(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => parsePolicyStrings(x, depth + 1));
  if (!isObject(v) || isReference(v)) return v;
  if (isUnknown(v)) {
    if (typeof v.template !== "string") return v;
    const parsed = jsonPolicy(v.template);
    return parsed === undefined ? v : markTemplates(parsed, v.$unknown);
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const y = parsePolicyStrings(x, depth + 1);
    if (y !== x) changed = true;
    if (k === "__proto__") Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true });
    else out[k] = y;
  }
  return changed ? out : v;
}

function tagValue(v: unknown): string | Unknown | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (isUnknown(v)) return v;
  if (isReference(v)) {
    const t = v.attribute ? `\${${v.$ref}.${v.attribute}}` : `\${${v.$ref}}`;
    return unknown(`the value refers to ${v.attribute ? `attribute ${v.attribute} of ` : ""}resource ${v.$ref}`, t);
  }
  return undefined;
}

/** CloudFormation Tags ([{Key, Value}] or a map) as a map; unresolved values stay Unknown. */
export function tagsOf(tags: unknown): Record<string, string | Unknown> {
  const out: Record<string, string | Unknown> = {};
  if (Array.isArray(tags)) {
    for (const t of tags) {
      if (!isObject(t) || typeof t.Key !== "string") continue;
      const v = tagValue(t.Value);
      if (v !== undefined) out[t.Key] = v;
    }
  } else if (isObject(tags) && !isUnknown(tags) && !isReference(tags)) {
    for (const [k, x] of Object.entries(tags)) {
      const v = tagValue(x);
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

function nameOf(type: string, props: Record<string, unknown>): string | undefined {
  const base = type.split("::")[2];
  const v = (base && props[`${base}Name`]) ?? props.Name;
  return typeof v === "string" ? v : undefined;
}

function ignoresOf(id: string, metadata: unknown): CfnIgnore[] {
  if (!isObject(metadata) || !isObject(metadata.rampart)) return [];
  const raw = metadata.rampart.ignore;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: CfnIgnore[] = [];
  for (const item of list) {
    if (typeof item === "string") out.push({ resource: id, rule: item });
    else if (isObject(item) && typeof item.rule === "string") {
      const ig: CfnIgnore = { resource: id, rule: item.rule };
      if (item.reason !== undefined && item.reason !== null) ig.reason = String(item.reason);
      if (item.expires !== undefined && item.expires !== null)
        ig.expires = item.expires instanceof Date ? item.expires.toISOString().slice(0, 10) : String(item.expires);
      out.push(ig);
    }
  }
  return out;
}

/** Replaces each node carrying a non-intrinsic YAML tag with an Unknown. */
function replaceUnknownTags(value: unknown, tags: UnknownTag[]): void {
  for (const t of tags) {
    const segs = t.pointer
      .split("/")
      .slice(1)
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (segs.length === 0) continue;
    let cur: unknown = value;
    for (const s of segs.slice(0, -1)) cur = isObject(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[s] : undefined;
    const last = segs[segs.length - 1];
    if ((isObject(cur) || Array.isArray(cur)) && Object.hasOwn(cur, last)) {
      (cur as Record<string, unknown>)[last] = unknown(`YAML tag ${t.tag} (line ${t.line}) is not a CloudFormation intrinsic function`);
    }
  }
}

const FOR_EACH = "Fn::ForEach::";

function alnum(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, "");
}

/** Substitutes a Fn::ForEach identifier into a fragment: `Ref: Id`, `${Id}` and `&{Id}` in Fn::Sub strings and keys. */
function substitute(v: unknown, id: string, value: string, depth = 0): unknown {
  if (depth > 200) return v;
  const subText = (s: string) => s.split(`\${${id}}`).join(value).split(`&{${id}}`).join(alnum(value));
  if (Array.isArray(v)) return v.map((x) => substitute(x, id, value, depth + 1));
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "Ref" && v.Ref === id) return value;
  if (keys.length === 1 && keys[0] === "Fn::Sub") {
    const a = v["Fn::Sub"];
    if (typeof a === "string") return { "Fn::Sub": subText(a) };
    if (Array.isArray(a))
      return { "Fn::Sub": [typeof a[0] === "string" ? subText(a[0]) : a[0], ...a.slice(1).map((x) => substitute(x, id, value, depth + 1))] };
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[subText(k)] = substitute(v[k], id, value, depth + 1);
  return out;
}

/**
 * Expands `Fn::ForEach::Name` entries of the Resources section (AWS::LanguageExtensions).
 * `origin` maps each resulting id to the pointer of the fragment key it came from.
 */
function expandForEach(
  resources: Record<string, unknown>,
  ctx: ResolveContext,
  warnings: string[],
  originOf: (key: string) => string,
  origin: Map<string, string>,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, val] of Object.entries(resources)) {
    if (!key.startsWith(FOR_EACH)) {
      out[key] = val;
      origin.set(key, originOf(key));
      continue;
    }
    const loopPointer = originOf(key);
    if (!Array.isArray(val) || val.length !== 3 || typeof val[0] !== "string" || !isObject(val[2]) || depth >= 5) {
      warnings.push(`${key}: not expanded (expects [Identifier, Collection, {OutputKey: OutputValue}])`);
      continue;
    }
    const coll = resolve(val[1], ctx);
    if (!Array.isArray(coll) || !coll.every((x) => typeof x === "string" || typeof x === "number")) {
      warnings.push(`${key}: not expanded, its collection is not resolved; the resources it makes are not checked`);
      continue;
    }
    const ident = val[0];
    for (const item of coll) {
      const value = String(item);
      const frag: Record<string, unknown> = {};
      const fragOrigin = new Map<string, string>();
      for (const [tk, tv] of Object.entries(val[2])) {
        const nk = tk.split(`\${${ident}}`).join(value).split(`&{${ident}}`).join(alnum(value));
        frag[nk] = substitute(tv, ident, value);
        fragOrigin.set(nk, `${loopPointer}/2/${escapePointer(tk)}`);
      }
      Object.assign(
        out,
        expandForEach(frag, ctx, warnings, (k) => fragOrigin.get(k) ?? `${loopPointer}/2`, origin, depth + 1),
      );
    }
  }
  return out;
}

/** Copies the lines of ForEach fragments to the pointers of the resources they produced. */
function mapForEachLines(lines: Map<string, number>, origin: Map<string, string>): void {
  const byOrigin = new Map<string, string[]>();
  for (const [id, from] of origin) {
    const target = `/Resources/${escapePointer(id)}`;
    if (from === target) continue;
    const list = byOrigin.get(from) ?? [];
    list.push(target);
    byOrigin.set(from, list);
  }
  if (byOrigin.size === 0) return;
  const entries = [...lines.entries()];
  for (const [from, targets] of byOrigin) {
    for (const [p, line] of entries) {
      if (p !== from && !p.startsWith(from + "/")) continue;
      const rest = p.slice(from.length);
      for (const t of targets) if (!lines.has(t + rest)) lines.set(t + rest, line);
    }
  }
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function loadText(text: string, file: string, io: InternalOptions): CfnFileResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FILE_BYTES) return result(file, "error", tooLarge(bytes));
  if (text.includes("\u0000")) return result(file, "skipped", "binary file (contains NUL bytes)");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  let parsed;
  try {
    parsed = parseTemplateText(text);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return result(file, "error", e.message);
    throw e;
  }
  const rain = parsed.unknownTags.find((t) => t.tag.startsWith("!Rain::"));
  if (rain) {
    return result(file, "skipped", `Rain template: uses ${rain.tag} (line ${rain.line}); package it with \`rain pkg\` first`);
  }
  const included: Included = { lines: parsed.lines, unread: [], warnings: [], count: 0 };
  const template = expandIncludes(parsed.value, file, io, included, "", 0);
  // an include in Resources that was not read is in `unread` (the scan is incomplete), not a resource
  if (isObject(template) && isObject(template.Resources) && Object.hasOwn(template.Resources, "Fn::Transform"))
    template.Resources = Object.fromEntries(Object.entries(template.Resources).filter(([k]) => k !== "Fn::Transform"));
  const why = notTemplateReason(template, file);
  if (why !== null) return result(file, "skipped", why);
  const tpl = template as Record<string, unknown>;
  const rawResources = tpl.Resources as Record<string, unknown>;
  const entries = Object.entries(rawResources);
  const rainType = entries.find(([, r]) => isObject(r) && isObject(r.Type) && Object.keys(r.Type).some((k) => k.startsWith("Rain::")));
  if (rainType) {
    const kind = Object.keys((rainType[1] as { Type: object }).Type)[0];
    const line = parsed.lines.get(`/Resources/${escapePointer(rainType[0])}`) ?? 1;
    return result(file, "skipped", `Rain template: resource ${rainType[0]} (line ${line}) has Type ${kind}; package it with \`rain pkg\` first`);
  }
  const typed = entries.filter(([k, r]) => k.startsWith(FOR_EACH) || (isObject(r) && typeof r.Type === "string"));
  if (entries.length > 0 && typed.length === 0) return result(file, "skipped", "not a CloudFormation template: Resources entries have no Type");
  const untyped = entries.find(([k, r]) => !k.startsWith(FOR_EACH) && !(isObject(r) && typeof r.Type === "string"));
  if (untyped) {
    return result(file, "error", `line ${parsed.lines.get(`/Resources/${escapePointer(untyped[0])}`) ?? 1}: resource ${untyped[0]} has no Type`);
  }
  replaceUnknownTags(tpl, parsed.unknownTags);

  const out = result(file, "loaded");
  out.lines = parsed.lines;
  const warnings: string[] = [...included.warnings];
  if (included.unread.length) out.unread = [...included.unread];
  if (parsed.unknownTags.length > 0) {
    const names = [...new Set(parsed.unknownTags.map((t) => t.tag))].join(", ");
    warnings.push(`YAML tags that are not CloudFormation intrinsics (${names}) were read as unknown values`);
  }

  const transforms = tpl.Transform === undefined ? [] : Array.isArray(tpl.Transform) ? tpl.Transform : [tpl.Transform];
  const sam = usesSam(tpl.Transform);
  for (const t of transforms) {
    const name = typeof t === "string" ? t : isObject(t) && typeof t.Name === "string" ? t.Name : JSON.stringify(t);
    if (name !== "AWS::Serverless-2016-10-31" && name !== "AWS::LanguageExtensions") {
      warnings.push(`Transform ${name} (a macro) may change the template at deploy time; resources are read as written`);
    }
  }

  // Resources after Fn::ForEach expansion; the context needs the final ids.
  let resources = rawResources;
  if (entries.some(([k]) => k.startsWith(FOR_EACH))) {
    const pre = createContext({ ...tpl, Resources: rawResources }, io.given, { idPrefix: io.idPrefix, givenFrom: io.givenFrom });
    const origin = new Map<string, string>();
    resources = expandForEach(rawResources, pre, warnings, (k) => `/Resources/${escapePointer(k)}`, origin);
    mapForEachLines(out.lines, origin);
  }
  const ctx = createContext({ ...tpl, Resources: resources }, io.given, { idPrefix: io.idPrefix, givenFrom: io.givenFrom });
  const globalsFn = sam && isObject(tpl.Globals) ? tpl.Globals.Function : undefined;
  const emitted = new Set(Object.keys(resources));

  for (const [id, raw] of Object.entries(resources)) {
    if (!isObject(raw) || typeof raw.Type !== "string") continue;
    const type = raw.Type;
    if (typeof raw.Condition === "string" && evaluateCondition(raw.Condition, ctx) === false) continue;
    const pointer = `/Resources/${escapePointer(id)}`;
    const line = out.lines.get(pointer) ?? 1;
    let rawProps: unknown = raw.Properties ?? {};
    if (sam && type === "AWS::Serverless::Function" && globalsFn !== undefined) rawProps = mergeGlobals(globalsFn, rawProps);
    let props = resolve(rawProps, ctx);
    if (props === NO_VALUE) props = {};
    props = parsePolicyStrings(props);
    const properties: Record<string, unknown> = isObject(props)
      ? props
      : { ...unknown(`the Properties of ${id} are not resolved to a map (${isUnknown(props) ? props.$unknown : typeof props})`) };
    const fullId = io.idPrefix + id;
    const source = { kind: "cloudformation" as const, file, line, pointer, ...(io.stack ? { stack: io.stack } : {}) };
    const res: Resource = { type, id: fullId, tags: tagsOf(properties.Tags), properties, source };
    const name = isUnknown(properties) ? undefined : nameOf(type, properties);
    if (name !== undefined) res.name = name;
    out.resources.push(res);
    out.ignores.push(...ignoresOf(fullId, raw.Metadata));

    if (sam && type === "AWS::Serverless::Function" && !isUnknown(properties) && properties.Role === undefined) {
      const roleId = `${id}Role`;
      if (emitted.has(roleId)) {
        warnings.push(`${id}: SAM would create ${roleId}, but the template already has a resource with that id`);
      } else {
        const roleProps = samFunctionRole(id, properties);
        out.resources.push({ type: "AWS::IAM::Role", id: io.idPrefix + roleId, tags: tagsOf(roleProps.Tags), properties: roleProps, source });
      }
    }

    if (type === "AWS::CloudFormation::Stack" || type === "AWS::Serverless::Application") {
      const key = type === "AWS::CloudFormation::Stack" ? "TemplateURL" : "Location";
      const location = properties[key];
      const unread = (target: string, why: UnreadReference["why"], reason: string) =>
        (out.unread ??= []).push({
          target,
          file,
          resource: fullId,
          type,
          pointer: `/Properties/${key}`,
          effect: "resource",
          why,
          reason: oneLine(`nested stack ${fullId} in ${file}: ${reason}`),
        });
      // CDK writes the S3 URL of the nested stack's template as an Fn::Join, and its file in the assembly as metadata
      const asset = isObject(raw.Metadata) ? raw.Metadata["aws:asset:path"] : undefined;
      if (typeof location === "string" && !URL_SCHEME.test(location)) {
        loadNested(out, warnings, file, id, type, location, properties.Parameters, io);
      } else if (typeof location !== "string" && typeof asset === "string" && asset.endsWith(".json")) {
        loadNested(out, warnings, file, id, type, asset, properties.Parameters, io);
      } else if (typeof location === "string" || (isUnknown(location) && URL_SCHEME.test(location.template ?? ""))) {
        const url = typeof location === "string" ? location : (location.template as string);
        unread(url, "remote", `${key} ${url} is a remote URL; rampart reads local files only (scan that template on its own)`);
      } else if (location !== undefined) {
        unread(
          isUnknown(location) ? (location.template ?? location.$unknown) : JSON.stringify(location),
          "unresolved",
          `${key} is not resolved${isUnknown(location) ? ` (${location.$unknown})` : ""}, so its template was not read`,
        );
      }
    }
  }
  // Parameter declarations as written (never the values given at deploy time), so rules
  // can judge them: one AWS::CloudFormation::Parameter pseudo-resource each (docs/model/breadth.md).
  if (isObject(tpl.Parameters)) {
    const feeds = parameterFeeds(rawResources, new Set(Object.keys(tpl.Parameters)));
    for (const [name, decl] of Object.entries(tpl.Parameters)) {
      if (!isObject(decl)) continue;
      const pointer = `/Parameters/${escapePointer(name)}`;
      out.resources.push({
        type: "AWS::CloudFormation::Parameter",
        id: io.idPrefix + name,
        tags: {},
        properties: decl,
        observed: { feeds: (feeds.get(name) ?? []).map((f) => ({ ...f, resource: io.idPrefix + f.resource })) },
        // The declaration's fields are at the parameter itself: a rule's /Properties/Default is /Parameters/<P>/Default.
        source: {
          kind: "cloudformation",
          file,
          line: out.lines.get(pointer) ?? 1,
          pointer,
          propertiesPointer: pointer,
          ...(io.stack ? { stack: io.stack } : {}),
        },
      });
    }
  }
  if (warnings.length > 0) out.warnings = warnings;
  return out;
}

interface Included {
  /** The template's pointer -> line map: what a snippet brings in gets the line of its include. */
  lines: Map<string, number>;
  unread: UnreadReference[];
  warnings: string[];
  count: number;
}

/** Snippets read through AWS::Include per template (a guard against a template that includes itself in a loop). */
const MAX_INCLUDES = 100;

/**
 * AWS::Include: an object holding `Fn::Transform: {Name: AWS::Include, Parameters: {Location}}`
 * takes the content of that snippet (merged with the object's other keys), before anything else
 * reads the template. A local Location is read only inside the read scope (../roots.ts); one that
 * is outside, missing, not YAML/JSON or remote (s3://) is not read: it is listed in `unread`, and
 * the value stays an unknown (`Fn::Transform`) for the rules reading it.
 */
function expandIncludes(value: unknown, file: string, io: InternalOptions, found: Included, pointer: string, depth: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => expandIncludes(v, file, io, found, `${pointer}/${i}`, depth));
  if (!isObject(value)) return value;
  const t = value["Fn::Transform"];
  const params = isObject(t) && t.Name === "AWS::Include" && isObject(t.Parameters) ? t.Parameters : undefined;
  if (params && typeof params.Location === "string") {
    const snippet = readInclude(params.Location, file, io, found, pointer, depth);
    if (snippet !== undefined) {
      const rest = Object.fromEntries(Object.entries(value).filter(([k]) => k !== "Fn::Transform"));
      const merged = isObject(snippet) ? { ...rest, ...snippet } : Object.keys(rest).length ? rest : snippet;
      const line = found.lines.get(`${pointer}/Fn::Transform`) ?? found.lines.get(pointer);
      if (line !== undefined && isObject(merged))
        for (const k of Object.keys(merged)) if (!found.lines.has(`${pointer}/${escapePointer(k)}`)) found.lines.set(`${pointer}/${escapePointer(k)}`, line);
      return expandIncludes(merged, file, io, found, pointer, depth + 1);
    }
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = expandIncludes(v, file, io, found, `${pointer}/${escapePointer(k)}`, depth);
  return out;
}

function readInclude(location: string, file: string, io: InternalOptions, found: Included, pointer: string, depth: number): unknown {
  const parts = pointer.split("/");
  const inResource = parts[1] === "Resources" && parts.length > 3;
  const target = URL_SCHEME.test(location) ? location : path.isAbsolute(location) ? location : path.join(path.dirname(file), location);
  const unread = (why: UnreadReference["why"], reason: string): undefined => {
    found.unread.push({
      target,
      file,
      ...(inResource ? { resource: io.idPrefix + parts[2], pointer: "/" + parts.slice(3).join("/") } : {}),
      effect: inResource ? "value" : "template",
      why,
      reason: oneLine(`AWS::Include at ${pointer || "/"} in ${file}: Location ${location} ${reason}`),
    });
    return undefined;
  };
  if (URL_SCHEME.test(location)) return unread("remote", "is a remote URL; rampart reads local files only");
  if (depth >= MAX_NESTED_DEPTH || found.count >= MAX_INCLUDES) return unread("too-deep", "is one AWS::Include too many (a loop?): not read");
  const allowed = confine(io.scope, target);
  if (!allowed.inside) return unread(allowed.why, allowed.reason);
  let text: string;
  try {
    const st = statSync(allowed.real);
    if (!st.isFile()) return unread("unreadable", "is not a file");
    if (st.size > MAX_FILE_BYTES) return unread("unreadable", tooLarge(st.size));
    text = readFileSync(allowed.real, "utf8");
  } catch (e) {
    return unread("unreadable", `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  found.count++;
  try {
    const snippet = parseTemplateText(text);
    if (snippet.unknownTags.length)
      found.warnings.push(`AWS::Include ${location}: YAML tags that are not CloudFormation intrinsics were read as unknown values`);
    return snippet.value;
  } catch (e) {
    return unread("not-template", `is not YAML or JSON: ${(e as Error).message}`);
  }
}

function loadNested(
  parent: CfnFileResult,
  warnings: string[],
  file: string,
  id: string,
  type: string,
  location: string,
  parameters: unknown,
  io: InternalOptions,
): void {
  const childFile = path.isAbsolute(location) ? location : path.join(path.dirname(file), location);
  const stackId = io.idPrefix + id;
  const unread = (why: UnreadReference["why"], reason: string): void => {
    const key = type === "AWS::CloudFormation::Stack" ? "TemplateURL" : "Location";
    (parent.unread ??= []).push({
      target: childFile,
      file,
      resource: stackId,
      type,
      pointer: `/Properties/${key}`,
      effect: "resource",
      why,
      reason: oneLine(`nested stack ${stackId} in ${file}: ${key} ${location} ${reason}`),
    });
  };
  const allowed = confine(io.scope, childFile);
  if (!allowed.inside) return unread(allowed.why, allowed.reason);
  const abs = allowed.real;
  if (io.chain.includes(abs)) {
    warnings.push(`nested stack ${id}: ${childFile} is already being loaded (a cycle); not loaded again`);
    return;
  }
  if (io.chain.length > MAX_NESTED_DEPTH) return unread("too-deep", `is more than ${MAX_NESTED_DEPTH} stacks deep: not read`);
  let child: CfnFileResult;
  try {
    const st = statSync(abs);
    if (!st.isFile()) child = result(childFile, "error", st.isDirectory() ? "is a directory, not a file" : "not a regular file");
    else if (st.size > MAX_FILE_BYTES) child = result(childFile, "error", tooLarge(st.size));
    else {
      const given: Record<string, unknown> = {};
      if (isObject(parameters) && !isUnknown(parameters)) Object.assign(given, parameters);
      child = loadGuarded(readFileSync(abs, "utf8"), childFile, {
        given,
        givenFrom: `the Parameters of nested stack ${stackId} in ${file}`,
        idPrefix: `${stackId}/`,
        stack: stackId,
        chain: [...io.chain, abs],
        scope: io.scope,
      });
    }
  } catch (e) {
    child = result(childFile, "error", `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (child.status !== "loaded") {
    return unread(child.status === "skipped" ? "not-template" : "unreadable", `was not loaded: ${child.reason ?? child.status}`);
  }
  for (const w of child.warnings ?? []) warnings.push(`nested stack ${id}: ${w}`);
  parent.resources.push(...child.resources);
  parent.ignores.push(...child.ignores);
  if (child.unread) (parent.unread ??= []).push(...child.unread);
  (parent.nested ??= []).push(child);
}

function loadGuarded(text: string, file: string, io: InternalOptions): CfnFileResult {
  try {
    return loadText(text, file, io);
  } catch (e) {
    if (e instanceof NestingError || e instanceof RangeError) {
      return result(file, "error", `nesting too deep: ${(e as Error).message} (a YAML alias inside the node it names nests without end)`);
    }
    return result(file, "error", `could not be loaded: ${(e as Error).message ?? String(e)}`);
  }
}

function rootOptions(file: string, opts?: LoadOptions): InternalOptions {
  return {
    given: { ...(opts?.parameters ?? {}) },
    givenFrom: "--cfn-params",
    idPrefix: "",
    chain: [realOrSelf(file)],
    scope: opts?.scope ?? readScope([file]),
  };
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Loads template text (the synchronous core; nested stacks are read from disk relative to `file`). Never throws. */
export function loadCloudFormationText(text: string, file: string, opts?: LoadOptions): CfnFileResult {
  return loadGuarded(text, file, rootOptions(file, opts));
}

/** Loads one template file. Never throws: unreadable, huge, binary or malformed files give a result with a reason. */
export async function loadCloudFormationFile(file: string, opts?: LoadOptions): Promise<CfnFileResult> {
  let buf: Buffer;
  try {
    const st = await stat(file);
    if (!st.isFile()) return result(file, "error", st.isDirectory() ? "is a directory, not a file" : "not a regular file");
    if (st.size > MAX_FILE_BYTES) return result(file, "error", tooLarge(st.size));
    buf = await readFile(file);
  } catch (e) {
    return result(file, "error", `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.includes(0)) return result(file, "skipped", "binary file (contains NUL bytes)");
  return loadCloudFormationText(buf.toString("utf8"), file, opts);
}

/** Absolute paths of every template loaded (at any depth) as a nested stack of `r`, with the stack id. */
function nestedFiles(r: CfnFileResult, out: Map<string, string>): Map<string, string> {
  for (const c of r.nested ?? []) {
    if (c.status === "loaded") {
      const first = c.resources[0]?.source;
      const stack = first?.kind === "cloudformation" ? first.stack : undefined;
      out.set(path.resolve(c.file), stack ?? "a nested stack");
    }
    nestedFiles(c, out);
  }
  return out;
}

/**
 * Loads files and directories (walked recursively for *.yaml, *.yml, *.json, *.template,
 * skipping node_modules and .git and, unless respectGitignore is false, what the walked
 * root's .gitignore ignores; a CDK cloud assembly loads its stacks). A template that another
 * loaded template includes as a nested stack is reported as skipped on its own.
 */
export async function loadCloudFormationPaths(paths: string[], opts?: LoadOptions & { respectGitignore?: boolean }): Promise<CfnFileResult[]> {
  const scope = opts?.scope ?? readScope(paths);
  const files = findTemplateFiles(paths, opts?.respectGitignore ?? true, scope);
  const results: CfnFileResult[] = [];
  for (const f of files)
    results.push(f.refused !== undefined ? result(f.file, "skipped", f.refused) : await loadCloudFormationFile(f.file, { ...opts, scope }));
  const nestedOf = results.map((r) => nestedFiles(r, new Map()));
  if (nestedOf.every((m) => m.size === 0)) return results;
  return results.map((r, i) => {
    if (r.status !== "loaded") return r;
    const abs = path.resolve(r.file);
    const mine = nestedOf[i];
    for (let j = 0; j < results.length; j++) {
      const by = nestedOf[j].get(abs);
      // a template nested by another is reported there, unless the two include each other
      if (j !== i && by !== undefined && !mine.has(path.resolve(results[j].file))) {
        return result(r.file, "skipped", `loaded as nested stack ${by} of ${results[j].file}`);
      }
    }
    return r;
  });
}

/** The line of a JSON pointer inside a result, falling back to the nearest ancestor that has one. */
export function lineFor(lines: Map<string, number>, pointer: string): number | undefined {
  let p = pointer;
  for (;;) {
    const l = lines.get(p);
    if (l !== undefined) return l;
    const slash = p.lastIndexOf("/");
    if (slash <= 0) return undefined;
    p = p.slice(0, slash);
  }
}
