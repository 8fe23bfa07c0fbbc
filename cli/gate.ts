/**
 * The pull-request gate on infrastructure code: baselines (`--write-baseline F`,
 * `--baseline F`) and `--changed-since REF`.
 *
 * A baseline is the list of the fingerprints (`Finding.id`) of the failing and unknown
 * findings of one scan, with rule, resource, file and message for the people reading it.
 * Fingerprints leave out the line, so a baseline survives moving a resource in its file.
 * With `--baseline F`, findings whose fingerprint is listed stay in the report, marked
 * `"baseline": true`, and only the others count for the exit code.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../model/errors.js";
import type { FindingsDocument } from "../engine/findings.js";
import { findTemplateFiles } from "../collectors/iac/cloudformation/walk.js";
import { changedTerraformRoots } from "../collectors/iac/terraform/changed.js";

/** The format marker and version of a baseline file. */
export const BASELINE_FORMAT = "rampart-baseline";
export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  id: string;
  rule: string;
  severity: string;
  status: "fail" | "unknown";
  resource: { type: string; id: string };
  file?: string;
  message: string;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  version: typeof BASELINE_VERSION;
  findings: BaselineEntry[];
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  const k = (e: BaselineEntry) => [e.file ?? "", e.rule, e.resource.id, e.id];
  const ka = k(a),
    kb = k(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/** The baseline of a findings document: its failing and unknown findings (suppressed ones are not debt), sorted, one entry per fingerprint. */
export function baselineOf(doc: FindingsDocument): Baseline {
  const byId = new Map<string, BaselineEntry>();
  for (const f of doc.findings) {
    if (f.status === "suppressed" || byId.has(f.id)) continue;
    byId.set(f.id, {
      id: f.id,
      rule: f.ruleId,
      severity: f.severity,
      status: f.status,
      resource: { type: f.resource.type, id: f.resource.id },
      ...(f.location?.file ? { file: f.location.file.split(path.sep).join("/") } : {}),
      message: f.message,
    });
  }
  return { format: BASELINE_FORMAT, version: BASELINE_VERSION, findings: [...byId.values()].sort(compareEntries) };
}

/** Writes the baseline of `doc` to `file` (stable: the same findings give the same bytes). Returns the number of entries. */
export function writeBaseline(file: string, doc: FindingsDocument): number {
  const baseline = baselineOf(doc);
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(baseline, null, 2) + "\n");
  } catch (e) {
    throw new UserError(`--write-baseline ${file}: cannot write the baseline (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return baseline.findings.length;
}

/** Reads a baseline file; a missing, unreadable or malformed file is a UserError naming it (exit 2). */
export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(
      `--baseline ${file}: cannot read the baseline file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Create it with \`rampart iac <paths…> --write-baseline ${file}\`.`,
    );
  }
  const bad = (why: string) =>
    new UserError(`--baseline ${file}: not a rampart baseline (${why}). Write a new one with \`rampart iac <paths…> --write-baseline ${file}\`.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`invalid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw bad("the file is not a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.format !== BASELINE_FORMAT) throw bad(`"format" is not "${BASELINE_FORMAT}"`);
  if (d.version !== BASELINE_VERSION) throw bad(`unsupported version ${JSON.stringify(d.version)}; this rampart reads version ${BASELINE_VERSION}`);
  if (!Array.isArray(d.findings)) throw bad(`"findings" is not a list`);
  d.findings.forEach((e, i) => {
    if (typeof e !== "object" || e === null || typeof (e as { id?: unknown }).id !== "string" || !/^[0-9a-f]{8,64}$/.test((e as { id: string }).id)) {
      throw bad(`findings[${i}] has no fingerprint "id"`);
    }
  });
  return doc as Baseline;
}

/**
 * Marks the failing and unknown findings whose fingerprint is in the baseline with
 * `baseline: true` and records the counts in `doc.scan.baseline`. `scannedFiles` (the
 * files this scan read) limits the count of baseline entries fixed since to those files,
 * so a partial scan (`--changed-since`) does not call the rest fixed.
 */
export function applyBaseline(doc: FindingsDocument, baseline: Baseline, file: string, scannedFiles?: Iterable<string>): void {
  const known = new Set(baseline.findings.map((e) => e.id));
  const seen = new Set<string>();
  let matched = 0,
    fresh = 0;
  for (const f of doc.findings) {
    if (f.status === "suppressed") continue;
    if (known.has(f.id)) {
      f.baseline = true;
      seen.add(f.id);
      matched++;
    } else fresh++;
  }
  const files = scannedFiles ? new Set([...scannedFiles].map((f) => f.split(path.sep).join("/"))) : undefined;
  const fixed = baseline.findings.filter((e) => !seen.has(e.id) && (!files || (e.file !== undefined && files.has(e.file)))).length;
  doc.scan.baseline = { file, matched, new: fresh, fixed };
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 });
}

function gitError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { stderr?: string };
  if (err.code === "ENOENT") return "git is not installed or not on PATH";
  const msg = (err.stderr ?? "").trim().split("\n").filter(Boolean).pop();
  return msg ? msg.replace(/^(fatal|error): /, "") : (err.message ?? String(e)).split("\n")[0];
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * The files of a git working tree changed against `ref`: what this branch committed since
 * it forked from `ref` (`git diff --name-only REF...HEAD`), plus staged, unstaged and
 * untracked (not ignored) changes. Absolute real paths. A bad ref is a UserError (exit 2).
 */
export function changedFiles(ref: string, cwd: string = process.cwd()): Set<string> {
  const flag = `--changed-since ${ref}`;
  if (ref === "" || ref.startsWith("-")) throw new UserError(`${flag}: not a git revision. Give a branch, tag or commit, e.g. --changed-since origin/main.`);
  let top: string;
  try {
    top = git(["rev-parse", "--show-toplevel"], cwd).trim();
  } catch (e) {
    throw new UserError(`${flag}: ${cwd} is not inside a git work tree (${gitError(e)}).`);
  }
  try {
    git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], top);
  } catch {
    throw new UserError(
      `${flag}: no such commit, branch or tag in ${top}. Fetch it first (e.g. \`git fetch origin main\`; with actions/checkout set fetch-depth: 0).`,
    );
  }
  const out = new Set<string>();
  const add = (list: string) => {
    for (const rel of list.split("\0")) if (rel) out.add(path.join(top, rel));
  };
  try {
    add(git(["diff", "--name-only", "-z", "--no-ext-diff", `${ref}...HEAD`, "--"], top));
    add(git(["diff", "--name-only", "-z", "--no-ext-diff", "HEAD", "--"], top));
    add(git(["ls-files", "--others", "--exclude-standard", "-z"], top));
  } catch (e) {
    throw new UserError(
      `${flag}: cannot list the changed files (${gitError(e)}). With a shallow clone, fetch more history (actions/checkout: fetch-depth: 0).`,
    );
  }
  const real = new Set<string>();
  for (const p of out) real.add(realpath(p) ?? p);
  return real;
}

/**
 * The template files under `paths` (walked as `rampart iac` walks them) that changed
 * against `ref`, and the `.tf` files of the Terraform root modules to scan again (a file of
 * the root, of a local module it calls, a .tfvars it reads, or a `--tf-var-file` changed).
 * Reports the selection on stderr.
 */
export async function selectChanged(paths: string[], ref: string, tfVarFiles: string[] = []): Promise<string[]> {
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new UserError(`${p}: no such file or directory. Give template files or folders to scan.`);
  }
  const changed = changedFiles(ref);
  const all = findTemplateFiles(paths, true);
  const picked = all
    .filter((f) => {
      const r = realpath(f.file);
      return r !== undefined && changed.has(r);
    })
    .map((f) => f.file);
  const tf = await changedTerraformRoots(paths, changed, tfVarFiles);
  const tfNote = tf.roots.length > 0 ? `; ${tf.changed.length} of ${tf.roots.length} Terraform root module(s) to scan again` : "";
  process.stderr.write(`--changed-since ${ref}: ${picked.length} of ${all.length} template file(s) changed${tfNote}\n`);
  return [...picked, ...tf.files];
}

/** The `rampart iac` options of the gate. */
export interface GateOptions {
  baseline?: string;
  writeBaseline?: string;
  changedSince?: string;
}
