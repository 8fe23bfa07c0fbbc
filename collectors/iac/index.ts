import fs from "node:fs";
import path from "node:path";
import type { ExceptionSpec } from "../../engine/pack.js";
import type { Resource, Snapshot } from "../../model/types.js";
import { UserError } from "../../model/errors.js";
import { loadCloudFormationPaths, parseParameterFile, type CfnFileResult } from "./cloudformation/index.js";
import { isTerraformPlan, loadTerraformPlanText } from "./terraform/index.js";
import { loadTerraformSource } from "./terraform/load.js";

/**
 * A JSON file the CloudFormation loader skipped may be a Terraform plan
 * (`terraform show -json plan.out`): returns its load result, or undefined.
 */
function asTerraformPlan(file: string): ReturnType<typeof loadTerraformPlanText> | undefined {
  if (!file.endsWith(".json")) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isTerraformPlan(doc) ? loadTerraformPlanText(text, file) : undefined;
}

export interface IacLoad {
  snapshot: Snapshot;
  lineIndex: Map<string, Map<string, number>>;
  files: { loaded: number; skipped: number; error: number };
  skipped: Array<{ file: string; reason: string }>;
  errors: Array<{ file: string; reason: string }>;
  /** Inline exceptions from CloudFormation Metadata (rampart: {ignore: [...]}). */
  ignores: ExceptionSpec[];
}

export interface IacOptions {
  cfnParams?: string;
  /** Terraform source: `--tf-var k=v` (in order). */
  tfVars?: string[];
  /** Terraform source: `--tf-var-file F` (in order). */
  tfVarFiles?: string[];
  /** The deploy account (`--account`): Terraform's aws_caller_identity. */
  account?: string;
}

/** Loads IaC paths (files or directories of CloudFormation templates and Terraform plan JSON) into one snapshot. */
export async function loadIac(paths: string[], opts: IacOptions = {}): Promise<IacLoad> {
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new UserError(`${p}: no such file or directory. Give template files or folders to scan.`);
  }
  const parameters = opts.cfnParams ? parseParameterFile(opts.cfnParams) : undefined;
  const results: CfnFileResult[] = await loadCloudFormationPaths(paths, { parameters, respectGitignore: true });
  const resources: Resource[] = [];
  const lineIndex = new Map<string, Map<string, number>>();
  const skipped: IacLoad["skipped"] = [];
  const errors: IacLoad["errors"] = [];
  const ignores: ExceptionSpec[] = [];
  let loaded = 0;
  for (const r of results) {
    if (r.status === "loaded") {
      loaded++;
      resources.push(...r.resources);
      lineIndex.set(r.file, r.lines);
      for (const ig of r.ignores) {
        ignores.push({
          rule: ig.rule,
          resource: { id: ig.resource, file: r.file },
          reason: ig.reason ?? "(no reason given)",
          owner: "inline template Metadata",
          expires: ig.expires ?? "9999-12-31",
          origin: `${r.file} Metadata of ${ig.resource}`,
        });
      }
    } else if (r.status === "skipped") {
      if (r.file.endsWith(".tf.json")) continue; // Terraform JSON syntax: the source loader's
      const tf = asTerraformPlan(r.file);
      if (tf?.status === "loaded") {
        loaded++;
        resources.push(...tf.resources);
      } else if (tf?.status === "error") {
        errors.push({ file: r.file, reason: tf.reason ?? "cannot be read as a Terraform plan" });
      } else {
        skipped.push({ file: r.file, reason: tf?.reason ?? r.reason ?? "not a CloudFormation template or Terraform plan" });
      }
    } else {
      errors.push({ file: r.file, reason: r.reason ?? "cannot be read" });
    }
  }
  const tf = await loadTerraformSource(paths, { vars: opts.tfVars, varFiles: opts.tfVarFiles, account: opts.account });
  loaded += tf.loaded;
  resources.push(...tf.resources);
  skipped.push(...tf.skipped);
  errors.push(...tf.errors);
  return {
    snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources, coverage: [] },
    lineIndex,
    files: { loaded, skipped: skipped.length, error: errors.length },
    skipped,
    errors,
    ignores,
  };
}

export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith("..") ? rel : p;
}
