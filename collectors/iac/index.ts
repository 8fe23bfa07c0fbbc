import fs from "node:fs";
import path from "node:path";
import type { InlineWaiver } from "../../engine/pack.js";
import { TERRAFORM_MODULE_CALL, type CoverageEntry, type Resource, type Snapshot } from "../../model/types.js";
import { UserError } from "../../model/errors.js";
import { loadCloudFormationPaths, parseParameterFile, type CfnFileResult } from "./cloudformation/index.js";
import { isTerraformPlan, loadTerraformPlanText } from "./terraform/index.js";
import { terraformIgnores } from "./terraform/ignores.js";
import { loadTerraformSource } from "./terraform/load.js";
import type { SourceLocation } from "./terraform/locate.js";
import { confine, readScope } from "./roots.js";
import { walkTree, type TreeVisitor } from "./tree.js";

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
  /** Terraform source: where a rule's pointer into a resource is written (attribute, block or list element). */
  locate: (r: Resource, pointer: string | undefined) => SourceLocation | undefined;
  files: { loaded: number; skipped: number; error: number };
  /** Every file that was read and loaded (templates, plans, `.tf` files), as given or found. */
  loadedFiles: string[];
  skipped: Array<{ file: string; reason: string }>;
  errors: Array<{ file: string; reason: string }>;
  /**
   * What a person should know about files that were loaded: a nested-stack cycle, a macro not
   * expanded, a Terraform module not scanned), with its file (the module folder for Terraform)
   * when it is about one.
   */
  warnings: Array<{ file?: string; message: string }>;
  /** Inline waivers, as written: CloudFormation Metadata (rampart: {ignore: [...]}) and `# rampart:ignore` comments in .tf (see engine/pack.ts inlineExceptions). */
  ignores: InlineWaiver[];
}

export interface IacOptions {
  cfnParams?: string;
  /** Terraform source: `--tf-var k=v` (in order). */
  tfVars?: string[];
  /** Terraform source: `--tf-var-file F` (in order). */
  tfVarFiles?: string[];
  /** The deploy account (`--account`): Terraform's aws_caller_identity. */
  account?: string;
  /**
   * Each path must yield at least one loaded file, or loading fails with a UserError that lists
   * what was found and skipped (default true: input that was not read is never a pass). The gate's
   * `--changed-since` turns it off: its file list is a selection, not what the user pointed at.
   */
  requireScanned?: boolean;
  /** `--allow-read PATH` (repeatable): more places references in templates may be read from. */
  allowRead?: string[];
  /** The paths the user named (the read scope's roots) when `paths` is a selection of them (`--changed-since`). */
  roots?: string[];
}

/** Loads IaC paths (files or directories of CloudFormation templates and Terraform plan JSON) into one snapshot. */
export async function loadIac(paths: string[], opts: IacOptions = {}): Promise<IacLoad> {
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new UserError(`${p}: no such file or directory. Give template files or folders to scan.`);
  }
  const parameters = opts.cfnParams ? parseParameterFile(opts.cfnParams) : undefined;
  // References inside templates are read only below the scanned paths (or their git repository) and --allow-read.
  const scope = readScope(opts.roots ?? paths, opts.allowRead);
  const results: CfnFileResult[] = await loadCloudFormationPaths(paths, { parameters, respectGitignore: true, scope });
  const resources: Resource[] = [];
  const lineIndex = new Map<string, Map<string, number>>();
  const skipped: IacLoad["skipped"] = [];
  const errors: IacLoad["errors"] = [];
  const ignores: InlineWaiver[] = [];
  const coverage: CoverageEntry[] = [];
  const warnings: IacLoad["warnings"] = [];
  let loaded = 0;
  const loadedFiles: string[] = [];
  for (const r of results) {
    if (r.status === "loaded") {
      loaded++;
      loadedFiles.push(r.file);
      resources.push(...r.resources);
      // a reference that was not read (outside the scope, missing, not a template, remote) is a counted skip
      for (const u of r.unread ?? []) {
        skipped.push({ file: u.target, reason: u.reason });
        // ... and a coverage gap: of the stack that names it (its rules say unknown), or of the
        // template (an AWS::Include in Resources: the scan is incomplete); an include inside a
        // resource is already an unknown value for the rules reading it
        if (u.effect === "value") continue;
        coverage.push({
          service: "cloudformation",
          status: u.why === "outside" ? "denied" : "error",
          detail: u.reason,
          ...(u.effect === "resource" && u.resource && u.type ? { resource: { type: u.type, id: u.resource, file: u.file, pointer: u.pointer } } : {}),
        });
      }
      lineIndex.set(r.file, r.lines);
      for (const w of r.warnings ?? []) warnings.push({ file: r.file, message: w });
      for (const ig of r.ignores) {
        ignores.push({
          rule: ig.rule,
          resource: { id: ig.resource, file: r.file },
          reason: ig.reason,
          owner: "inline template Metadata",
          expires: ig.expires,
          origin: `${r.file} Metadata of ${ig.resource}`,
          syntax: "metadata",
        });
      }
    } else if (r.status === "skipped") {
      // Terraform source (.tf) and its JSON syntax (.tf.json): the source loader's (a .tf file named
      // as a path, as the pre-commit hook passes them, was listed as "not read" though it was)
      if (r.file.endsWith(".tf") || r.file.endsWith(".tf.json")) continue;
      const tf = asTerraformPlan(r.file);
      if (tf?.status === "loaded") {
        loaded++;
        loadedFiles.push(r.file);
        resources.push(...tf.resources);
        for (const n of tf.notes ?? []) warnings.push({ file: r.file, message: n });
      } else if (tf?.status === "error") {
        errors.push({ file: r.file, reason: tf.reason ?? "cannot be read as a Terraform plan" });
      } else {
        skipped.push({ file: r.file, reason: tf?.reason ?? r.reason ?? "not a CloudFormation template or Terraform plan" });
      }
    } else {
      errors.push({ file: r.file, reason: r.reason ?? "cannot be read" });
    }
  }
  const tf = await loadTerraformSource(paths, {
    vars: opts.tfVars,
    varFiles: opts.tfVarFiles,
    account: opts.account,
    // module sources, file() and templatefile() are read only inside the read scope, like nested stacks
    confine: (p) => {
      const c = confine(scope, p);
      return c.inside || c.why !== "outside" ? undefined : c.reason;
    },
  });
  loaded += tf.loaded;
  for (const m of tf.modules) loadedFiles.push(...m.files);
  // a module's notes name its folder; the others (from mapping its resources) name the resources
  const noted = new Set<string>();
  const note = (message: string, file?: string) => {
    if (noted.has(message)) return;
    noted.add(message);
    warnings.push(file === undefined ? { message } : { file, message });
  };
  for (const m of tf.modules) for (const n of m.notes) note(n, m.dir);
  for (const n of tf.notes) note(n);
  resources.push(...tf.resources);
  // inline waivers written as comments above the blocks, the counterpart of CloudFormation Metadata ignores
  ignores.push(...terraformIgnores(tf.resources));
  skipped.push(...tf.skipped);
  errors.push(...tf.errors);
  // a module call whose source folder was not read: the resources it would make are not judged,
  // so every rule that reads Terraform says unknown for the call and the scan is incomplete
  for (const u of tf.unread) {
    coverage.push({
      service: "terraform",
      status: "denied",
      detail: u.reason,
      resource: { type: TERRAFORM_MODULE_CALL, id: u.module, file: u.file, line: u.line },
    });
  }
  if (opts.requireScanned !== false) {
    const unread = paths.filter((p) => !yielded(p, [...loadedFiles, ...errors.map((e) => e.file), ...tf.failedRoots]));
    if (unread.length) throw new UserError(nothingScanned(unread, skipped));
  }
  return {
    snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources, coverage },
    lineIndex,
    locate: tf.locate,
    files: { loaded, skipped: skipped.length, error: errors.length },
    loadedFiles,
    skipped,
    errors,
    warnings,
    ignores,
  };
}

export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith("..") ? rel : p;
}

/** True when one of `files` is the path `p` or lies under it. */
function yielded(p: string, files: string[]): boolean {
  const root = path.resolve(p);
  return files.some((f) => {
    const r = path.resolve(f);
    return r === root || r.startsWith(root + path.sep);
  });
}

/** Up to `max` files under a folder (not node_modules or .git), for the "nothing scanned" message. */
function someFiles(p: string, max: number): { files: string[]; more: boolean } {
  const files: string[] = [];
  let more = false;
  const visit: TreeVisitor = {
    file: (file) => {
      if (files.length === max) {
        more = true;
        return "stop";
      }
      files.push(file);
    },
  };
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(p);
  } catch {
    st = undefined;
  }
  // not gitignore-filtered: the message names ignored templates too, and says why they were not read
  if (st?.isDirectory()) walkTree(p, { gitignore: false, maxDepth: 8 }, visit);
  else files.push(p);
  return { files, more };
}

/** The message of a scan path that yielded no file: what was there, what was skipped and why, what rampart reads. */
function nothingScanned(unread: string[], skipped: IacLoad["skipped"]): string {
  const lines: string[] = [];
  for (const p of unread) {
    const mine = skipped.filter((s) => yielded(p, [s.file]));
    const found = someFiles(p, 6);
    const others = found.files.filter((f) => !mine.some((s) => path.resolve(s.file) === path.resolve(f)));
    lines.push(`nothing was scanned in ${displayPath(p)}:`);
    for (const s of mine.slice(0, 10)) lines.push(`  skipped ${displayPath(s.file)}: ${s.reason}`);
    if (mine.length > 10) lines.push(`  … and ${mine.length - 10} more skipped`);
    if (found.files.length === 0) lines.push("  the folder has no files");
    else if (others.length) lines.push(`  not IaC files: ${others.map(displayPath).join(", ")}${found.more ? ", …" : ""}`);
  }
  lines.push(
    "rampart iac reads CloudFormation templates (.yaml, .yml, .json, .template), Terraform modules (.tf) and Terraform plan JSON " +
      "(terraform plan -out plan.out && terraform show -json plan.out > plan.json); files ignored by .gitignore are not read. " +
      "Point it at such files or the folders that hold them.",
  );
  return lines.join("\n");
}
