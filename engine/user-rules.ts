// User rules (issue 13): a folder of Rego source written to the same contract as the built-in
// rules, or a bundle built from one by `rampart rules build DIR -o F`. Each is one Wasm module
// holding the user's rules and rampart's rule library (rules/lib), with the same generated
// entrypoint as the built-in bundle (rampart/main/results); the engine evaluates it beside the
// built-in module on the same inputs and merges the results before building one document.
//
// Source folders are compiled with the pinned opa (found as the build finds it, scripts/tools.mjs)
// and cached by content hash under ${XDG_CACHE_HOME:-~/.cache}/rampart/rules/<sha256>/, so a run
// with a warm cache needs no opa and compiles nothing.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { RuleMeta } from "./engine.js";
import { UserError } from "../model/errors.js";
import { repoRoot } from "../model/paths.js";
import { VERSION } from "../model/version.js";
import { describeErrors, validator } from "../model/validate.js";

/** The format of a rule bundle file (`rampart rules build`); bumped when its shape changes. */
export const BUNDLE_FORMAT = "rampart-rules-bundle/1";
/** Bumped when the way a folder is compiled changes, so old cache entries are not reused. */
const COMPILER_REVISION = "1";
const LIB_DIR = path.join(repoRoot, "rules", "lib");
const ENTRYPOINT = "rampart/main/results";

/** The version of the rule library (rules/lib/lib.rego `version`): the API user rules are written against. */
export function libVersion(): string {
  const text = fs.readFileSync(path.join(LIB_DIR, "lib.rego"), "utf8");
  const m = /^version := "([0-9]+\.[0-9]+\.[0-9]+)"$/m.exec(text);
  if (!m) throw new Error('rules/lib/lib.rego declares no `version := "x.y.z"`');
  return m[1];
}

/** A set of user rules ready to evaluate: one Wasm module and its rules' METADATA. */
export interface RuleSet {
  /** The path as the user gave it (flag or pack), for messages and reports. */
  origin: string;
  kind: "source" | "bundle";
  /** sha256 of what was compiled (opa version, library and user sources). */
  hash: string;
  lib: string;
  rules: RuleMeta[];
  wasm: Buffer;
  /** Source folders: whether the compiled module came from the cache. */
  cached?: boolean;
}

interface BundleFile {
  format: string;
  rampart: string;
  opa: string;
  lib: string;
  source: string;
  rules: RuleMeta[];
  wasm: string;
}

interface Tools {
  OPA_VERSION: string;
  findOpa(): string | undefined;
}

let tools: Tools | undefined;
async function opaTools(): Promise<Tools> {
  tools ??= (await import(pathToFileURL(path.join(repoRoot, "scripts", "tools.mjs")).href)) as Tools;
  return tools;
}

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "rampart", "rules");
}

/** Every .rego file below dir (relative, sorted), tests apart; skips dot folders and node_modules. */
function regoFiles(dir: string): { rules: string[]; tests: string[] } {
  const rules: string[] = [];
  const tests: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith("_test.rego")) tests.push(path.relative(dir, p));
      else if (e.isFile() && e.name.endsWith(".rego")) rules.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return { rules, tests };
}

function libFiles(): string[] {
  return regoFiles(LIB_DIR).rules;
}

/** The content hash of a source folder's compilation. */
function sourceHash(dir: string, files: string[], opaVersion: string): string {
  const h = createHash("sha256");
  h.update(`${BUNDLE_FORMAT}\u0000${COMPILER_REVISION}\u0000opa ${opaVersion}\u0000`);
  for (const f of libFiles()) h.update(`lib/${f}\u0000${fs.readFileSync(path.join(LIB_DIR, f))}\u0000`);
  for (const f of files) h.update(`user/${f}\u0000${fs.readFileSync(path.join(dir, f))}\u0000`);
  return h.digest("hex");
}

/** Loads a `--rules PATH`: a folder of Rego source (compiled, cached) or a bundle file. */
export async function loadRuleSet(p: string, flag = "--rules"): Promise<RuleSet> {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new UserError(`${flag} ${p}: no such file or folder. Give a folder of Rego rules or a bundle made by \`rampart rules build DIR -o FILE\`.`);
  }
  if (st.isFile()) return readBundle(p, flag);
  return compileFolder(p, flag);
}

function readBundle(file: string, flag: string): RuleSet {
  let doc: BundleFile;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8")) as BundleFile;
  } catch {
    throw new UserError(
      `${flag} ${file}: not a rampart rule bundle (not JSON). Give a folder of Rego rules, or build a bundle with \`rampart rules build DIR -o FILE\`.`,
    );
  }
  if (doc?.format !== BUNDLE_FORMAT || typeof doc.wasm !== "string" || !Array.isArray(doc.rules)) {
    throw new UserError(
      `${flag} ${file}: not a rampart rule bundle of format ${BUNDLE_FORMAT}${typeof doc?.format === "string" ? ` (it says ${doc.format})` : ""}. Rebuild it with \`rampart rules build DIR -o ${file}\`.`,
    );
  }
  const rules = doc.rules.map((r) => ({ ...r, origin: file }));
  return { origin: file, kind: "bundle", hash: doc.source, lib: doc.lib, rules, wasm: Buffer.from(doc.wasm, "base64") };
}

/** Compiles a folder of user rules (or takes it from the cache). */
async function compileFolder(dir: string, flag: string): Promise<RuleSet> {
  const { rules: files } = regoFiles(dir);
  if (files.length === 0) throw new UserError(`${flag} ${dir}: no .rego rule files in this folder. Create one with \`rampart rules new <id> --dir ${dir}\`.`);
  const { OPA_VERSION } = await opaTools();
  const hash = sourceHash(dir, files, OPA_VERSION);
  const cacheFile = path.join(cacheRoot(), hash, "bundle.json");
  if (fs.existsSync(cacheFile)) {
    try {
      const set = readBundle(cacheFile, flag);
      return { ...set, origin: dir, kind: "source", cached: true, rules: set.rules.map((r) => userMeta(r, dir)) };
    } catch {
      // a damaged cache entry is compiled again
    }
  }
  const opa = await requireOpa(dir, flag);
  const bundle = buildBundle(opa, OPA_VERSION, dir, files, hash, flag);
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(bundle));
  fs.renameSync(tmp, cacheFile);
  return {
    origin: dir,
    kind: "source",
    hash,
    lib: bundle.lib,
    rules: bundle.rules.map((r) => userMeta(r, dir)),
    wasm: Buffer.from(bundle.wasm, "base64"),
    cached: false,
  };
}

/** The pinned opa, or a UserError saying how to get it (or to use a bundle instead). */
export async function requireOpa(dir: string, flag: string): Promise<string> {
  const { OPA_VERSION, findOpa } = await opaTools();
  const found = findOpa();
  if (found && fs.existsSync(found)) return found;
  throw new UserError(
    `${flag} ${dir}: compiling Rego rules needs the opa CLI v${OPA_VERSION}, which was not found (RAMPART_OPA, ${path.join(path.dirname(cacheRoot()), "tools", `opa-v${OPA_VERSION}`, "opa")}, or opa on PATH). ` +
      `Run \`node ${path.join(repoRoot, "scripts", "tools.mjs")}\` (builds it with Go), or put opa v${OPA_VERSION} on PATH or in RAMPART_OPA, ` +
      `or run a bundle made where opa is installed: \`rampart rules build ${dir} -o rules.bundle.json\`, then \`--rules rules.bundle.json\`.`,
  );
}

/** Copies rules/lib and the folder's Rego files (tests too when asked) into a new staging folder: lib/ and user/. */
export function stageFolder(dir: string, withTests: boolean): string {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-user-rules-"));
  const { rules, tests } = regoFiles(dir);
  for (const f of libFiles()) {
    fs.mkdirSync(path.dirname(path.join(stage, "lib", f)), { recursive: true });
    fs.copyFileSync(path.join(LIB_DIR, f), path.join(stage, "lib", f));
  }
  for (const f of withTests ? [...rules, ...tests] : rules) {
    fs.mkdirSync(path.dirname(path.join(stage, "user", f)), { recursive: true });
    fs.copyFileSync(path.join(dir, f), path.join(stage, "user", f));
  }
  return stage;
}

/** A rule's METADATA as the engine shows it: `file` joined to the folder the user named. */
function userMeta(r: RuleMeta, dir: string): RuleMeta {
  return { ...r, file: path.join(dir, r.file), origin: dir };
}

/** `rampart rules build DIR -o FILE`: writes the bundle of a compiled folder, which runs without opa. */
export async function writeBundleFile(set: RuleSet, dir: string, out: string): Promise<void> {
  if (set.kind !== "source") throw new UserError(`rules build ${dir}: give a folder of Rego rules (this is already a bundle).`);
  const doc: BundleFile = {
    format: BUNDLE_FORMAT,
    rampart: VERSION,
    opa: (await opaTools()).OPA_VERSION,
    lib: set.lib,
    source: set.hash,
    rules: set.rules.map((r) => ({ ...r, file: path.relative(dir, r.file), origin: undefined })),
    wasm: set.wasm.toString("base64"),
  };
  try {
    fs.writeFileSync(out, JSON.stringify(doc) + "\n");
  } catch (e) {
    throw new UserError(`rules build -o ${out}: cannot write the bundle (${(e as NodeJS.ErrnoException).code ?? e}).`);
  }
}

function runOpa(opa: string, args: string[], stage: string, dir: string, what: string): string {
  const r = spawnSync(opa, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status === 0) return r.stdout;
  throw new UserError(`${opaError(r.stderr || r.stdout, stage, dir)} (${what}; fix the Rego and run again, \`rampart rules test ${dir}\` runs its tests)`);
}

/** opa's first error, with the staging folder's paths turned back into the user's. */
export function opaError(text: string, stage: string, dir: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^\d+ errors? occurred/.test(l) && l !== "error: build error");
  let first = lines.find((l) => l.includes(stage)) ?? lines[0] ?? "opa failed";
  for (let prev = ""; prev !== first;) {
    prev = first;
    first = first
      .replace(/^error:\s*/, "")
      .replace(/^bundle \S+:\s*/, "")
      .replace(/^\d+ errors? occurred( during compilation)?:\s*/, "");
  }
  first = first.split(path.join(stage, "user") + path.sep).join(dir.endsWith(path.sep) ? dir : dir + path.sep);
  first = first.split(path.join(stage, "lib") + path.sep).join("rules/lib/");
  return first;
}

interface Annotation {
  path: Array<{ value: string }>;
  annotations: { scope: string; title?: string; description?: string; custom?: Record<string, unknown> };
  location: { file: string; row: number };
}

/** Compiles the folder into a bundle document (staging: lib/ + user/ + the generated main.rego). */
function buildBundle(opa: string, opaVersion: string, dir: string, files: string[], hash: string, flag: string): BundleFile {
  const stage = stageFolder(dir, false);
  try {
    const inspected = JSON.parse(runOpa(opa, ["inspect", "-a", "--format", "json", stage], stage, dir, "opa could not parse the rules")) as {
      annotations?: Annotation[];
      namespaces?: Record<string, string[]>;
    };
    const rules = userRulesMetadata(inspected, stage, dir, files, flag);
    fs.writeFileSync(path.join(stage, "main.rego"), aggregateModule(rules));
    fs.writeFileSync(path.join(stage, ".manifest"), JSON.stringify({ revision: hash, roots: [""] }));
    const tarball = `${stage}.tar.gz`;
    try {
      runOpa(opa, ["build", "-b", "-t", "wasm", "-e", ENTRYPOINT, "-o", tarball, stage], stage, dir, "opa could not compile the rules");
      const wasm = spawnSync("tar", ["-xzOf", tarball, "/policy.wasm"], { maxBuffer: 256 * 1024 * 1024 });
      if (wasm.status !== 0 || wasm.stdout.length === 0) throw new Error(`cannot read policy.wasm from opa's bundle: ${wasm.stderr}`);
      return { format: BUNDLE_FORMAT, rampart: VERSION, opa: opaVersion, lib: libVersion(), source: hash, rules, wasm: wasm.stdout.toString("base64") };
    } finally {
      fs.rmSync(tarball, { force: true });
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** The METADATA of the user's rule packages (data.rampart.rules.<service>.<rule>), checked against the schema. */
function userRulesMetadata(
  inspected: { annotations?: Annotation[]; namespaces?: Record<string, string[]> },
  stage: string,
  dir: string,
  files: string[],
  flag: string,
): RuleMeta[] {
  const userPrefix = path.join(stage, "user") + path.sep;
  const rel = (f: string) => path.relative(path.join(stage, "user"), path.resolve(stage, f));
  const shown = (f: string, row?: number) => `${path.join(dir, rel(f))}${row ? `:${metadataLine(f, row)}` : ""}`;
  const rules: RuleMeta[] = [];
  const withMeta = new Set<string>();
  const validate = validator("schemas/user-rule-metadata.schema.json");
  for (const a of inspected.annotations ?? []) {
    const file = path.resolve(stage, a.location.file);
    if (!file.startsWith(userPrefix)) continue;
    const segs = a.path.map((p) => p.value);
    if (a.annotations.scope !== "package") continue;
    const pkg = segs.slice(1).join(".");
    if (segs[1] !== "rampart" || segs[2] !== "rules") {
      if (a.annotations.custom?.id !== undefined)
        throw new UserError(
          `${shown(file, a.location.row)}: package ${pkg} has rule METADATA but is not a rule package: name it rampart.rules.<service>.<rule_name> (see docs/authoring.md).`,
        );
      continue;
    }
    if (segs.length !== 5 || !/^[a-z0-9]+$/.test(segs[3]) || !/^[a-z0-9_]+$/.test(segs[4]))
      throw new UserError(`${shown(file, a.location.row)}: package ${pkg}: a rule package is rampart.rules.<service>.<rule_name> (lower case, digits, _).`);
    withMeta.add(file);
    const meta = {
      package: `${segs[3]}.${segs[4]}`,
      file: rel(file),
      title: a.annotations.title,
      description: a.annotations.description,
      ...a.annotations.custom,
    } as Record<string, unknown>;
    if (!validate(meta)) {
      throw new UserError(
        `${shown(file, a.location.row)}: METADATA of package ${pkg} does not match the rule schema: ${describeMetaError(validate.errors)}. Fix the METADATA block (see docs/authoring.md, or \`rampart rules new\` for a template).`,
      );
    }
    meta.family ??= "custom";
    rules.push(meta as unknown as RuleMeta);
  }
  // A rule package without METADATA would never run: say so.
  for (const [ns, nsFiles] of Object.entries(inspected.namespaces ?? {})) {
    const segs = ns.split(".");
    if (segs[1] !== "rampart" || segs[2] !== "rules" || segs.length !== 5) continue;
    for (const f of nsFiles) {
      const abs = path.resolve(stage, f);
      if (!abs.startsWith(userPrefix) || withMeta.has(abs)) continue;
      if (rules.some((r) => r.package === `${segs[3]}.${segs[4]}`)) continue;
      throw new UserError(
        `${shown(abs)}: package ${ns.slice(5)} has no METADATA block, so it would never run. Add one above the package line (see docs/authoring.md, or \`rampart rules new\`).`,
      );
    }
  }
  if (rules.length === 0)
    throw new UserError(
      `${flag} ${dir}: none of its ${files.length} .rego file(s) is a rule (package rampart.rules.<service>.<rule_name> with a METADATA block). Create one with \`rampart rules new <id> --dir ${dir}\`.`,
    );
  const seen = new Map<string, RuleMeta>();
  for (const r of rules) {
    const other = seen.get(r.id) ?? [...seen.values()].find((x) => x.package === r.package);
    if (other)
      throw new UserError(
        `${path.join(dir, r.file)}: rule ${other.id === r.id ? `id ${r.id}` : `package ${r.package}`} is also declared by ${path.join(dir, other.file)}. Give each rule its own id and package.`,
      );
    seen.set(r.id, r);
  }
  return rules.sort((x, y) => x.id.localeCompare(y.id));
}

/** The line of the `# METADATA` comment that annotates the package at `row` (opa reports the package line). */
function metadataLine(file: string, row: number): number {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  for (let i = Math.min(row, lines.length) - 1; i >= 0; i--) if (/^#\s*METADATA\s*$/.test(lines[i])) return i + 1;
  return row;
}

function describeMetaError(errors: Parameters<typeof describeErrors>[0]): string {
  const d = describeErrors(errors);
  // "/custom/…" reads better as the METADATA key
  return d
    .replace(/^\(top level\)/, "custom")
    .replace(/^\//, "custom.")
    .replace(/\//g, ".");
}

/** The generated entrypoint: one rule body per rule package (as scripts/build-policy.mjs writes it). */
function aggregateModule(rules: RuleMeta[]): string {
  const lines = ["# Generated by rampart (engine/user-rules.ts): the entrypoint of a user rule bundle.", "package rampart.main", ""];
  for (const r of rules) {
    lines.push(
      `results[${JSON.stringify(r.package)}] := {"results": data.rampart.rules.${r.package}.results, "judged": data.rampart.rules.${r.package}.judged} if {`,
      `\tnot data.config.disabled[${JSON.stringify(r.package)}]`,
      "}",
      "",
    );
  }
  return lines.join("\n");
}

/**
 * Checks that no rule of the sets clashes (id or package) with a built-in rule or a rule of
 * another set: a clash would make one of them silently shadow the other.
 */
export function checkClashes(builtin: RuleMeta[], sets: RuleSet[]): void {
  const ids = new Map<string, string>(builtin.map((r) => [r.id, `the built-in rule ${r.id} (${r.file})`]));
  const pkgs = new Map<string, string>(builtin.map((r) => [r.package, `the built-in rule ${r.id} (${r.file})`]));
  for (const s of sets) {
    for (const r of s.rules) {
      const byId = ids.get(r.id);
      if (byId) throw new UserError(`${r.file}: rule id ${r.id} is already used by ${byId}. Rename the rule (custom.id in its METADATA).`);
      const byPkg = pkgs.get(r.package);
      if (byPkg)
        throw new UserError(
          `${r.file}: package rampart.rules.${r.package} is already used by ${byPkg}. Rename the package (rampart.rules.<service>.<rule_name>).`,
        );
      ids.set(r.id, `${r.id} (${r.file})`);
      pkgs.set(r.package, `${r.id} (${r.file})`);
    }
  }
}
