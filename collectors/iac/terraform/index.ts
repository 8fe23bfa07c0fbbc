/**
 * The Terraform plan loader: `terraform show -json plan.out` output → resources of the
 * common model, typed with CloudFormation type names and CloudFormation-shaped properties.
 *
 * - id: the resource address (`module.net.aws_security_group.web["a"]`);
 * - values known only after apply: `{"$unknown": "known after apply: <attribute>"}`;
 * - references recovered from the configuration: `{"$ref": "<address>", "attribute"?}`;
 * - resources the plan deletes are not emitted; unmapped `aws_*` types are counted in
 *   `unmapped`; other providers are ignored.
 */
import { readFile, stat } from "node:fs/promises";
import type { Resource, Unknown } from "../../../model/types.js";
import { isObj, readPlan, type Instance, type Obj, type Plan } from "./plan.js";
import { isMarker, View, type Trace } from "./view.js";
import type { Ctx, Emitted, Family, Mapper, Out } from "./mappers/common.js";
import { iam } from "./mappers/iam.js";
import { kms } from "./mappers/kms.js";
import { ec2 } from "./mappers/ec2.js";
import { emr } from "./mappers/emr.js";
import { networkfirewall } from "./mappers/networkfirewall.js";
import { waf } from "./mappers/waf.js";
import { guardduty } from "./mappers/guardduty.js";
import { secrets } from "./mappers/secrets.js";
import { rolesanywhere } from "./mappers/rolesanywhere.js";
import { misc } from "./mappers/misc.js";
import { databases } from "./mappers/databases.js";

export interface TfFileResult {
  file: string;
  status: "loaded" | "skipped" | "error";
  /** One line, for skipped and error. */
  reason?: string;
  resources: Resource[];
  /** Count of planned `aws_*` resources per Terraform type that rampart does not model. */
  unmapped?: Record<string, number>;
  /** Things a person may want to know (attachments whose target is not in the plan, an errored plan). */
  notes?: string[];
}

export const FAMILIES: Family[] = [iam, kms, ec2, emr, networkfirewall, waf, guardduty, secrets, rolesanywhere, misc, databases];

const PRIMARY = new Map<string, Mapper>();
const SECONDARY = new Map<string, Mapper>();
for (const f of FAMILIES) {
  for (const [k, m] of Object.entries(f.primary ?? {})) PRIMARY.set(k, m);
  for (const [k, m] of Object.entries(f.secondary ?? {})) SECONDARY.set(k, m);
}

/** The Terraform types the loader maps. */
export function mappedTerraformTypes(): string[] {
  return [...PRIMARY.keys(), ...SECONDARY.keys()].sort();
}

/** Maximum plan file size read (plans of large estates run to tens of megabytes). */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;

/** A `terraform show -json` plan: `format_version` and `planned_values` or `resource_changes`. */
export function isTerraformPlan(doc: unknown): boolean {
  return isObj(doc) && typeof doc.format_version === "string" && (isObj(doc.planned_values) || Array.isArray(doc.resource_changes));
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function result(file: string, status: TfFileResult["status"], reason?: string): TfFileResult {
  const r: TfFileResult = { file, status, resources: [] };
  if (reason !== undefined) r.reason = oneLine(reason);
  return r;
}

export async function loadTerraformPlanFile(file: string): Promise<TfFileResult> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return result(file, "error", `${file} is not a file`);
    if (st.size > MAX_PLAN_BYTES) return result(file, "error", `${file} is larger than the ${MAX_PLAN_BYTES / 1024 / 1024} MiB limit (${st.size} bytes)`);
    return loadTerraformPlanText(await readFile(file, "utf8"), file);
  } catch (e) {
    return result(file, "error", `${file} cannot be read: ${(e as Error).message}`);
  }
}

export function loadTerraformPlanText(text: string, file: string): TfFileResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return result(file, "error", `${file} is not valid JSON (${(e as Error).message}); give the output of \`terraform show -json plan.out\``);
  }
  if (!isTerraformPlan(doc)) {
    return result(file, "skipped", `${file} is not a Terraform plan (no format_version with planned_values or resource_changes)`);
  }
  const d = doc as Obj;
  const major = String(d.format_version).split(".")[0];
  if (major !== "1") return result(file, "error", `${file} has plan format_version ${String(d.format_version)}; rampart reads format 1.x`);
  try {
    return translate(readPlan(d), file);
  } catch (e) {
    return result(file, "error", `${file} cannot be translated: ${(e as Error).message}`);
  }
}

/** Where a resource instance is written: the plan file, or the `.tf` file and line of its block. */
export type Locate = (inst: Instance) => { file: string; line?: number };

/** Maps the instances of a plan (read from plan JSON or evaluated from `.tf` source) to resources. */
export function translate(plan: Plan, where: string | Locate, trace?: Trace): TfFileResult {
  const file = typeof where === "string" ? where : "";
  const locate: Locate = typeof where === "string" ? () => ({ file: where }) : where;
  const conf = isObj(plan.doc.configuration) && isObj(plan.doc.configuration.provider_config) ? plan.doc.configuration.provider_config : {};
  const providers = new Map(Object.entries(conf));
  const outputs: Out[] = [];
  const notes: string[] = [...plan.warnings];
  const unmapped: Record<string, number> = {};
  const ctx: Ctx = {
    plan,
    outputs,
    note: (m) => notes.push(m),
    find(tfTypes, value, keys) {
      if (isObj(value) && typeof value.$ref === "string")
        return outputs.find((o) => o.inst.address === value.$ref && tfTypes.includes(o.inst.type) && o.id === o.inst.address);
      if (typeof value !== "string" || value === "") return undefined;
      return outputs.find((o) => tfTypes.includes(o.inst.type) && o.id === o.inst.address && keys.some((k) => o.inst.values[k] === value));
    },
  };
  const emit = (inst: Instance, view: View, e: Emitted | Emitted[] | undefined, into: Out[]) => {
    for (const x of e === undefined ? [] : Array.isArray(e) ? e : [e])
      into.push({ id: inst.address + (x.idSuffix ?? ""), type: x.type, properties: x.properties, inst, view });
  };

  for (const inst of plan.instances) {
    const m = PRIMARY.get(inst.type);
    if (!m) {
      if (!SECONDARY.has(inst.type)) unmapped[inst.type] = (unmapped[inst.type] ?? 0) + 1;
      continue;
    }
    const view = new View(inst, plan, inst.values, "", trace);
    emit(inst, view, m(view, ctx), outputs);
  }
  const late: Out[] = [];
  for (const inst of plan.instances) {
    const m = SECONDARY.get(inst.type);
    if (!m) continue;
    const view = new View(inst, plan, inst.values, "", trace);
    emit(inst, view, m(view, ctx), late);
  }
  const resources = [...outputs, ...late].map((o) => {
    const r = toResource(o, locate(o.inst), providers);
    trace?.resources.set(r, o.inst);
    return r;
  });
  const r: TfFileResult = { file, status: "loaded", resources };
  if (Object.keys(unmapped).length > 0) r.unmapped = unmapped;
  if (notes.length > 0) r.notes = notes;
  return r;
}

const NAME_KEYS = ["name", "domain_name", "bucket"];

function toResource(o: Out, at: { file: string; line?: number }, providers: Map<string, unknown>): Resource {
  const source: Resource["source"] = { kind: "terraform", file: at.file, address: o.inst.address, ...(at.line !== undefined ? { line: at.line } : {}) };
  const r: Resource = { type: o.type, id: o.id, tags: {}, properties: o.properties, source };
  const values = o.inst.values;
  const arn = values.arn;
  if (typeof arn === "string" && arn.startsWith("arn:")) {
    r.arn = arn;
    const account = arn.split(":")[4];
    if (account && /^\d{12}$/.test(account)) r.account = account;
  }
  const name = nameOf(o);
  if (name !== undefined) r.name = name;
  const region = typeof values.region === "string" && values.region !== "" ? values.region : typeof arn === "string" ? arn.split(":")[3] : undefined;
  const where = o.type.startsWith("AWS::IAM::") ? "global" : region || providerRegion(o.inst, providers);
  if (where) r.region = where;
  const tags = o.view.tagsMap();
  if (isObj(tags) && !("$unknown" in tags)) {
    for (const [k, v] of Object.entries(tags)) r.tags[k] = typeof v === "string" ? v : isMarker(v) ? (v as Unknown) : String(v);
  }
  return r;
}

/** The region of the provider configuration the resource uses, when it is a constant. */
function providerRegion(inst: Instance, providerConfigs: Map<string, unknown>): string | undefined {
  const key = inst.config?.provider_config_key;
  const cfg = typeof key === "string" ? providerConfigs.get(key) : undefined;
  const region = isObj(cfg) && isObj(cfg.expressions) && isObj(cfg.expressions.region) ? cfg.expressions.region.constant_value : undefined;
  return typeof region === "string" && region !== "" ? region : undefined;
}

function nameOf(o: Out): string | undefined {
  const base = o.type.split("::")[2];
  const p = o.properties;
  for (const k of [`${base}Name`, "Name", "GroupName"]) if (typeof p[k] === "string") return p[k] as string;
  for (const k of NAME_KEYS) if (typeof o.inst.values[k] === "string" && o.inst.values[k] !== "") return o.inst.values[k] as string;
  return o.inst.name;
}
