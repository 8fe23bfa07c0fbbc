import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Finding, FindingsDocument, RuleSummary } from "./findings.js";
import type { CoverageEntry, Resource, Snapshot } from "../model/types.js";
import { type ExceptionSpec, type PolicyPack, type Severity, SEVERITIES, isEnabled } from "./pack.js";
import { policyDir, repoRoot } from "../model/paths.js";
import { UserError } from "../model/errors.js";
import { VERSION } from "../model/version.js";
import type { RuleSet } from "./user-rules.js";

const require = createRequire(import.meta.url);
const { loadPolicy } = require("@open-policy-agent/opa-wasm") as {
  loadPolicy: (wasm: Buffer | WebAssembly.Module, mem?: { initial: number; maximum?: number }) => Promise<LoadedPolicy>;
};

interface LoadedPolicy {
  setData(data: unknown): void;
  evaluate(input: unknown, entrypoint?: string | number): Array<{ result: unknown }>;
}

/** A rule's METADATA, as written to the bundle manifest by scripts/build-policy.mjs. */
export interface RuleMeta {
  package: string; // "<service>.<rule_name>"
  file: string;
  id: string;
  title: string;
  description: string;
  severity: Severity;
  family: string;
  resourceTypes: string[];
  inputs: Array<"live" | "cloudformation" | "terraform">;
  guidance: string;
  /** framework id → the control ids this rule checks (compliance/<framework>.yaml). */
  compliance?: Record<string, string[]>;
  rationale?: string;
  remediation?: { summary?: string; automatic?: boolean };
  /** User rules: the --rules folder or bundle (or pack `ruleSources` entry) the rule came from. */
  origin?: string;
  /** User rules: the pack parameters the rule reads (name → meaning). */
  parameters?: Record<string, string>;
}

/** Where the rules of a scan came from (the findings document names them: scan.ruleSources). */
export interface RuleSourceInfo {
  kind: "builtin" | "source" | "bundle";
  /** The folder or bundle file as given (absent for the built-in rules). */
  path?: string;
  rules: number;
  /** sha256 of the compiled sources (user rules). */
  hash?: string;
  lib?: string;
}

/** An absent resource (e.g. no GuardDuty detector in a scanned region): lib.absent(type, account, region). */
interface AbsentRef {
  absent: true;
  type: string;
  account?: string;
  region?: string;
}

interface RuleResult {
  status: "fail" | "unknown";
  ref: number | AbsentRef;
  message: string;
  pointer?: string;
  key?: string;
  evidence?: unknown;
  severity?: Severity;
  /** The controls of the rule's compliance mapping this result concerns, when fewer than all (framework id → control ids). */
  controls?: Record<string, string[]>;
}

export const ENTRYPOINT = "rampart/main/results";

/** 64 KiB pages reserved for the Wasm memory up front (see Engine.load). */
const WASM_INITIAL_PAGES = 16384;

/** The same for a user rule module (few rules: a smaller reservation, grown when needed). */
const USER_WASM_INITIAL_PAGES = 1024;

/** Resources per Wasm evaluation (see Engine.evaluateChunks). */
export const CHUNK_SIZE = 300;

/** Live types that rules join across accounts (a Firewall Manager policy scopes member accounts). */
const SHARED_TYPES = new Set(["AWS::FMS::Policy"]);
export { VERSION };

export interface EvaluateOptions {
  kind: "live" | "iac";
  /** pointer → line, per IaC file: findings get the line of the deepest pointer that exists. */
  lineIndex?: Map<string, Map<string, number>>;
  /** Terraform source: where a rule's pointer into a resource is written (file and range); the block's line when undefined. */
  locate?: (r: Resource, pointer: string | undefined) => { file: string; line: number; column: number; endLine: number; endColumn: number } | undefined;
  /** Exceptions declared outside the pack (inline CloudFormation Metadata). */
  extraExceptions?: ExceptionSpec[];
  now?: Date;
  startedAt?: Date;
  targets?: string[];
  includePasses?: boolean;
}

/**
 * The compiled bundles of this process, by file (with its mtime and size, so a rebuilt bundle
 * is compiled again): a long-lived process (the test suite, a library user) compiles each
 * bundle once; every Engine still gets its own instance and memory.
 */
const compiled = new Map<string, { stamp: string; module: Promise<WebAssembly.Module> }>();

function compiledBundle(file: string): Promise<WebAssembly.Module> {
  const key = path.resolve(file);
  const st = fs.statSync(key);
  const stamp = `${st.mtimeMs}:${st.size}`;
  const hit = compiled.get(key);
  if (hit?.stamp === stamp) return hit.module;
  const module = WebAssembly.compile(fs.readFileSync(key));
  const entry = { stamp, module };
  compiled.set(key, entry);
  module.catch(() => {
    if (compiled.get(key) === entry) compiled.delete(key);
  });
  return module;
}

/** User rule modules compiled in this process, by content hash. */
const compiledUser = new Map<string, Promise<WebAssembly.Module>>();

function compiledUserModule(set: RuleSet): Promise<WebAssembly.Module> {
  const key = createHash("sha256").update(set.wasm).digest("hex");
  let m = compiledUser.get(key);
  if (!m) {
    m = WebAssembly.compile(new Uint8Array(set.wasm));
    compiledUser.set(key, m);
    m.catch(() => compiledUser.delete(key));
  }
  return m;
}

/** One compiled module and its instance: the built-in rules, or one set of user rules. */
interface PolicyModule {
  policy: LoadedPolicy;
  module: () => Promise<WebAssembly.Module>;
}

export class Engine {
  private lastData: string | undefined;

  private constructor(
    private readonly modules: PolicyModule[],
    readonly rules: RuleMeta[],
    private readonly byPackage: Map<string, RuleMeta>,
    readonly sources: RuleSourceInfo[],
  ) {}

  /**
   * Loads build/policy/policy.wasm (compiled once per process) and its manifest, and the user
   * rule sets beside it (one module each; ids and packages must not clash). Every chunk is
   * evaluated by every module; their results are merged before the one document builder.
   */
  static async load(dir: string = policyDir, userSets: RuleSet[] = []): Promise<Engine> {
    const wasmFile = path.join(dir, "policy.wasm");
    const manifestFile = path.join(dir, "manifest.json");
    if (!fs.existsSync(wasmFile) || !fs.existsSync(manifestFile)) {
      throw new UserError(`the compiled rules are missing (${wasmFile}). Run \`npm ci\` (or \`npm run build\`) in the rampart folder first.`);
    }
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    const rules: RuleMeta[] = manifest.metadata?.rampart?.rules ?? [];
    // A large initial memory (1 GiB of address space; only what is touched becomes resident):
    // growing the Wasm memory page by page during an evaluation triggers a storm of V8
    // garbage collections (measured: 5.4 s of 10.7 s on 10k resources).
    const policy = await loadPolicy(await compiledBundle(wasmFile), { initial: WASM_INITIAL_PAGES });
    const modules: PolicyModule[] = [{ policy, module: () => compiledBundle(wasmFile) }];
    const sources: RuleSourceInfo[] = [{ kind: "builtin", rules: rules.length }];
    if (userSets.length > 0) {
      const { checkClashes } = await import("./user-rules.js");
      checkClashes(rules, userSets);
    }
    const all = [...rules];
    for (const set of userSets) {
      const userPolicy = await loadPolicy(await compiledUserModule(set), { initial: USER_WASM_INITIAL_PAGES });
      modules.push({ policy: userPolicy, module: () => compiledUserModule(set) });
      sources.push({ kind: set.kind, path: set.origin, rules: set.rules.length, hash: set.hash, lib: set.lib });
      all.push(...set.rules);
    }
    return new Engine(modules, all, new Map(all.map((r) => [r.package, r])), sources);
  }

  rule(id: string): RuleMeta | undefined {
    return this.rules.find((r) => r.id === id);
  }

  private configure(pack: PolicyPack): void {
    const disabled: Record<string, boolean> = {};
    for (const r of this.rules) if (!isEnabled(pack, r.id)) disabled[r.package] = true;
    const data = JSON.stringify({ config: { params: pack.params, disabled } });
    if (data !== this.lastData) {
      for (const m of this.modules) m.policy.setData(JSON.parse(data));
      this.lastData = data;
    }
  }

  /** Evaluates every enabled rule on a snapshot and builds the findings document. */
  evaluate(snapshot: Snapshot, pack: PolicyPack, opts: EvaluateOptions): FindingsDocument {
    const startedAt = opts.startedAt ?? new Date();
    this.configure(pack);
    const inputs = chunkInputs(snapshot, opts.kind);
    const results = inputs.map((input) => {
      const out: ChunkResult = {};
      for (const m of this.modules) Object.assign(out, m.policy.evaluate(input, ENTRYPOINT)[0]?.result ?? {});
      return out;
    });
    return this.document(snapshot, pack, opts, mergeResults(results), startedAt);
  }

  /**
   * The same as evaluate(), with the chunks spread over `jobs` worker threads (one Wasm
   * instance each): the findings document is identical, because the chunks' results are
   * merged in chunk order. One job, or a single chunk, evaluates here.
   */
  async evaluateParallel(snapshot: Snapshot, pack: PolicyPack, opts: EvaluateOptions, jobs: number): Promise<FindingsDocument> {
    const startedAt = opts.startedAt ?? new Date();
    const inputs = chunkInputs(snapshot, opts.kind);
    const worker = workerFile();
    if (jobs <= 1 || inputs.length < 2 || !worker) return this.evaluate(snapshot, pack, { ...opts, startedAt });
    this.configure(pack);
    const modules = await Promise.all(this.modules.map((m) => m.module()));
    const results = await evaluateInWorkers(worker, modules, JSON.parse(this.lastData!), inputs, Math.min(jobs, inputs.length));
    return this.document(snapshot, pack, opts, mergeResults(results), startedAt);
  }

  private document(
    snapshot: Snapshot,
    pack: PolicyPack,
    opts: EvaluateOptions,
    byPackage: Map<string, { results: RuleResult[]; judged: Set<number> }>,
    startedAt: Date,
  ): FindingsDocument {
    const now = opts.now ?? new Date();
    const resources = snapshot.resources;
    const findings: Finding[] = [];
    const passes: NonNullable<FindingsDocument["passes"]> = [];
    const perRule = new Map<string, RuleSummary>();
    const summaryOf = (id: string) => {
      let s = perRule.get(id);
      if (!s) perRule.set(id, (s = { ruleId: id, pass: 0, fail: 0, unknown: 0, suppressed: 0 }));
      return s;
    };

    const seen = new Set<string>();
    for (const [pkg, { results, judged }] of byPackage) {
      const meta = this.byPackage.get(pkg);
      if (!meta) continue;
      const sev = pack.rules[meta.id]?.severity;
      const s = summaryOf(meta.id);
      const hit = new Set<number>();
      for (const res of results) {
        let r: Resource;
        if (typeof res.ref === "number") {
          hit.add(res.ref);
          r = resources[res.ref];
        } else {
          r = absentResource(res.ref);
        }
        const f = this.toFinding(meta, res, r, sev, opts);
        // Shared resources are judged in every chunk that holds them: report each finding once.
        if (seen.has(f.id)) continue;
        seen.add(f.id);
        findings.push(f);
      }
      for (const ref of judged) {
        if (hit.has(ref)) continue;
        s.pass++;
        if (opts.includePasses) passes.push({ ruleId: meta.id, resource: resourceOf(resources[ref]), location: locationOf(resources[ref], undefined, opts) });
      }
    }
    findings.push(...this.coverageFindings(snapshot.coverage, pack), ...this.unreadInputFindings(snapshot, pack, opts));

    const exceptions = [...pack.exceptions, ...(opts.extraExceptions ?? [])];
    const expired = applyExceptions(findings, exceptions, resources, now);
    findings.push(...expired);
    findings.sort(compareFindings);

    const bySeverity: Partial<Record<Severity, number>> = {};
    let fail = 0,
      unknown = 0,
      suppressed = 0;
    for (const f of findings) {
      const s = summaryOf(f.ruleId);
      if (f.status === "fail") {
        fail++;
        s.fail++;
        bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
      } else if (f.status === "unknown") {
        unknown++;
        s.unknown++;
      } else {
        suppressed++;
        s.suppressed++;
      }
    }
    const pass = [...perRule.values()].reduce((n, s) => n + s.pass, 0);
    return {
      schemaVersion: "1",
      tool: { name: "rampart", version: VERSION },
      scan: {
        kind: opts.kind,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        policy: pack.name,
        targets: opts.targets,
        incomplete: snapshot.coverage.some((c) => c.status === "denied" || c.status === "error"),
        ...(this.sources.length > 1 ? { ruleSources: this.sources } : {}),
      },
      summary: { fail, unknown, pass, suppressed, bySeverity, rules: [...perRule.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId)) },
      findings,
      ...(opts.includePasses ? { passes } : {}),
      coverage: snapshot.coverage,
    };
  }

  private toFinding(meta: RuleMeta, res: RuleResult, r: Resource, sevOverride: Severity | undefined, where: Where): Finding {
    const resource = resourceOf(r);
    const f: Finding = {
      id: fingerprint(meta.id, r, res.key ?? res.pointer ?? ""),
      ruleId: meta.id,
      status: res.status,
      severity: sevOverride ?? res.severity ?? meta.severity,
      title: meta.title,
      message: res.message,
      rationale: meta.rationale,
      fix: meta.remediation?.summary,
      resource,
      location: locationOf(r, res.pointer, where),
      evidence: res.evidence,
    };
    if (res.controls) f.controls = res.controls;
    if (meta.remediation) f.remediation = { id: meta.id, automatic: meta.remediation.automatic === true };
    return f;
  }

  /** A denied or failed collection makes every rule reading those types unknown there. */
  private coverageFindings(coverage: CoverageEntry[], pack: PolicyPack): Finding[] {
    const out: Finding[] = [];
    for (const c of coverage) {
      if ((c.status !== "denied" && c.status !== "error") || c.resource) continue;
      const types = new Set(c.resourceTypes ?? []);
      for (const meta of this.rules) {
        if (!isEnabled(pack, meta.id) || !meta.inputs.includes("live")) continue;
        if (!meta.resourceTypes.some((t) => types.has(t))) continue;
        const where = [c.account, c.region].filter(Boolean).join("/");
        const id = `${c.service}${where ? `:${where}` : ""}`;
        const r: Resource = {
          type: "rampart::coverage::gap",
          id,
          account: c.account,
          region: c.region,
          tags: {},
          properties: {},
          source: { kind: "aws", account: c.account ?? "", region: c.region ?? "" },
        };
        out.push({
          id: fingerprint(meta.id, r, c.action ?? c.service),
          ruleId: meta.id,
          status: "unknown",
          severity: pack.rules[meta.id]?.severity ?? meta.severity,
          title: meta.title,
          message: `Cannot judge ${meta.resourceTypes.filter((t) => types.has(t)).join(", ")} in ${where || "this scan"}: ${c.service} was ${c.status === "denied" ? "denied" : "not readable"}${c.action ? ` (${c.action})` : ""}${c.detail ? `: ${c.detail}` : ""}. Grant the permissions from \`rampart permissions\` and scan again.`,
          rationale: meta.rationale,
          resource: { type: r.type, id, account: c.account, region: c.region },
          evidence: c,
        });
      }
    }
    return out;
  }

  /**
   * IaC: a resource whose input was not read (a nested stack whose template is outside the scan
   * roots, missing, not a template, remote, unresolved): every enabled rule that reads templates
   * could have judged what that input holds, so each says unknown for the resource, with the reason.
   */
  private unreadInputFindings(snapshot: Snapshot, pack: PolicyPack, where: Where): Finding[] {
    const out: Finding[] = [];
    for (const c of snapshot.coverage) {
      const at = c.resource;
      if (!at || (c.status !== "denied" && c.status !== "error")) continue;
      const r: Resource = snapshot.resources.find((x) => x.type === at.type && x.id === at.id && x.source.kind !== "aws" && x.source.file === at.file) ?? {
        type: at.type,
        id: at.id,
        tags: {},
        properties: {},
        source:
          c.service === "terraform"
            ? { kind: "terraform", file: at.file, line: at.line ?? 1, address: at.id }
            : { kind: "cloudformation", file: at.file, line: at.line ?? 1, pointer: "" },
      };
      const kind = r.source.kind === "terraform" ? "terraform" : "cloudformation";
      for (const meta of this.rules) {
        if (!isEnabled(pack, meta.id) || !meta.inputs.includes(kind)) continue;
        out.push({
          id: fingerprint(meta.id, r, `unread:${at.pointer ?? ""}`),
          ruleId: meta.id,
          status: "unknown",
          severity: pack.rules[meta.id]?.severity ?? meta.severity,
          title: meta.title,
          message: `The resources inside ${r.id} cannot be judged: ${c.detail ?? "its input was not read"}.`,
          rationale: meta.rationale,
          resource: resourceOf(r),
          location: locationOf(r, at.pointer, where),
          evidence: c,
        });
      }
    }
    return out;
  }
}

/**
 * The evaluation inputs of a snapshot, one per chunk. OPA's Wasm runtime slows down more than
 * linearly as one evaluation's heap grows (its allocator), so the resources are split into
 * chunks of about CHUNK_SIZE that keep every join intact: an IaC file, or a live account,
 * is never split (rules join only within a file or an account); small files and accounts
 * share a chunk. Types that rules join across accounts (SHARED_TYPES) go into every live
 * chunk, and their findings are deduplicated by fingerprint.
 */
function chunkInputs(snapshot: Snapshot, kind: "live" | "iac"): object[] {
  const resources = snapshot.resources;
  // The scanned accounts and regions: what the collector says it scanned, else what the resources show.
  const regionSet = new Set<string>((snapshot.source.regions ?? []).filter((r) => r !== "global"));
  if (regionSet.size === 0) for (const r of resources) if (r.region && r.region !== "global") regionSet.add(r.region);
  const regions = [...regionSet].sort();
  const groups = new Map<string, number[]>();
  const shared: number[] = [];
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    const s = r.source;
    if (s.kind === "aws" && SHARED_TYPES.has(r.type)) shared.push(i);
    const key = s.kind === "aws" ? `aws\u0000${r.account ?? ""}` : `${s.kind}\u0000${s.file}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    if (!(s.kind === "aws" && SHARED_TYPES.has(r.type))) g.push(i);
  }
  // Scanned accounts without any resource still count (e.g. a region without a GuardDuty detector).
  const empty = (snapshot.source.accounts ?? []).filter((a) => !groups.has(`aws\u0000${a}`));
  const chunks: number[][] = [];
  let current: number[] = [];
  for (const g of groups.values()) {
    if (current.length > 0 && current.length + g.length > CHUNK_SIZE) {
      chunks.push(current);
      current = [];
    }
    current = current.concat(g);
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  // Coverage by account: a chunk gets the entries of its own accounts and those of no account,
  // so that an organization's coverage is not handed to (and searched by) every chunk.
  const coverageOf = new Map<string, CoverageEntry[]>();
  for (const c of snapshot.coverage) {
    const key = c.account ?? "";
    let list = coverageOf.get(key);
    if (!list) coverageOf.set(key, (list = []));
    list.push(c);
  }
  const coverageRecorded = snapshot.coverage.length > 0;
  return chunks.map((chunk, n) => {
    const byType: Record<string, Array<Resource & { _ref: number }>> = {};
    const accounts = new Set<string>(n === 0 ? empty : []);
    const refs = chunk.some((i) => resources[i].source.kind === "aws") || (n === 0 && empty.length > 0) ? chunk.concat(shared) : chunk;
    for (const i of refs) {
      const r = resources[i];
      (byType[r.type] ??= []).push({ ...r, _ref: i });
      if (r.account && !SHARED_TYPES.has(r.type)) accounts.add(r.account);
    }
    const coverage = [...(coverageOf.get("") ?? [])];
    for (const a of accounts) if (a !== "") coverage.push(...(coverageOf.get(a) ?? []));
    return { byType, coverage, context: { kind, accounts: [...accounts].sort(), regions, coverageRecorded } };
  });
}

type ChunkResult = Record<string, { results: RuleResult[]; judged: number[] }>;

/** The chunks' results by rule package, in chunk order. */
function mergeResults(results: ChunkResult[]): Map<string, { results: RuleResult[]; judged: Set<number> }> {
  const out = new Map<string, { results: RuleResult[]; judged: Set<number> }>();
  for (const result of results) {
    for (const [pkg, r] of Object.entries(result)) {
      let acc = out.get(pkg);
      if (!acc) out.set(pkg, (acc = { results: [], judged: new Set() }));
      acc.results.push(...r.results);
      for (const j of r.judged) acc.judged.add(j);
    }
  }
  return out;
}

/** The compiled worker (dist/engine/evaluate-worker.js), also when the engine runs from its TypeScript source. */
function workerFile(): string | undefined {
  const beside = fileURLToPath(new URL("./evaluate-worker.js", import.meta.url));
  for (const f of [beside, path.join(repoRoot, "dist", "engine", "evaluate-worker.js")]) if (fs.existsSync(f)) return f;
  return undefined;
}

/** Evaluates the inputs on `jobs` worker threads, each taking the next chunk when it is done; results in input order. */
function evaluateInWorkers(file: string, modules: WebAssembly.Module[], data: unknown, inputs: object[], jobs: number): Promise<ChunkResult[]> {
  const results: ChunkResult[] = new Array(inputs.length);
  const workers = Array.from(
    { length: jobs },
    () =>
      new Worker(file, {
        workerData: { modules, data, entrypoint: ENTRYPOINT, initial: [WASM_INITIAL_PAGES, ...modules.slice(1).map(() => USER_WASM_INITIAL_PAGES)] },
      }),
  );
  let next = 0;
  let done = 0;
  return new Promise<ChunkResult[]>((resolve, reject) => {
    const fail = (e: unknown) => {
      for (const w of workers) void w.terminate();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const give = (w: Worker) => {
      if (next >= inputs.length) return;
      const n = next++;
      const bytes = new TextEncoder().encode(JSON.stringify(inputs[n]));
      w.postMessage({ n, input: bytes.buffer }, [bytes.buffer]);
    };
    for (const w of workers) {
      w.on("error", fail);
      w.on("message", (m: { n: number; result?: ChunkResult; error?: string }) => {
        if (m.error !== undefined) return fail(new Error(`rule evaluation failed in a worker: ${m.error}`));
        results[m.n] = m.result ?? {};
        if (++done === inputs.length) {
          for (const x of workers) void x.terminate();
          resolve(results);
        } else give(w);
      });
      give(w);
    }
  });
}

function absentResource(a: AbsentRef): Resource {
  const where = [a.account, a.region].filter(Boolean).join("/");
  return {
    type: a.type,
    id: `(no ${a.type}${where ? ` in ${where}` : ""})`,
    account: a.account,
    region: a.region,
    tags: {},
    properties: {},
    source: { kind: "aws", account: a.account ?? "", region: a.region ?? "" },
  };
}

export function resourceOf(r: Resource): Finding["resource"] {
  const out: Finding["resource"] = { type: r.type, id: r.id };
  if (r.arn) out.arn = r.arn;
  if (r.name) out.name = r.name;
  if (r.account) out.account = r.account;
  if (r.region) out.region = r.region;
  return out;
}

type Where = Pick<EvaluateOptions, "lineIndex" | "locate">;

function locationOf(r: Resource, pointer: string | undefined, where: Where): Finding["location"] | undefined {
  const s = r.source;
  if (s.kind === "cloudformation") {
    const full = filePointer(s, pointer);
    return { file: s.file, line: lineFor(where.lineIndex?.get(s.file), full) ?? s.line, pointer: full };
  }
  if (s.kind === "terraform") {
    // Terraform source: the attribute the pointer names (file, line and range); a plan: the plan file
    // (in the resource's own file: an inline ignore names that file)
    const at = where.locate?.(r, pointer);
    if (at && at.file === s.file)
      return {
        file: at.file,
        address: s.address,
        line: at.line,
        column: at.column,
        endLine: at.endLine,
        endColumn: at.endColumn,
        ...(pointer ? { pointer } : {}),
      };
    return { file: s.file, address: s.address, ...(s.line ? { line: s.line } : {}), ...(pointer ? { pointer } : {}) };
  }
  return undefined;
}

/** A rule's pointer (inside the resource: /Properties/…) as a pointer into the file. */
function filePointer(s: Extract<Resource["source"], { kind: "cloudformation" }>, pointer: string | undefined): string {
  const p = pointer ?? "";
  if (s.propertiesPointer !== undefined && (p === "/Properties" || p.startsWith("/Properties/"))) return s.propertiesPointer + p.slice("/Properties".length);
  return (s.pointer ?? "") + p;
}

/** The line of the deepest prefix of `pointer` the file's index knows. */
function lineFor(index: Map<string, number> | undefined, pointer: string): number | undefined {
  if (!index) return undefined;
  let p = pointer;
  for (;;) {
    const line = index.get(p);
    if (line !== undefined) return line;
    const cut = p.lastIndexOf("/");
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}

/**
 * A finding's id: stable across runs and line moves. Built from the rule, the
 * resource's identity (type, id, account, region; for IaC the file, not the line)
 * and the rule's detail key.
 */
export function fingerprint(ruleId: string, r: Resource, key: string): string {
  const s = r.source;
  const where = s.kind === "aws" ? `${r.account ?? ""}/${r.region ?? ""}` : s.file.split(path.sep).join("/");
  return createHash("sha256").update([ruleId, r.type, r.id, where, key].join("\u0000")).digest("hex").slice(0, 32);
}

function globToRegExp(pattern: string): RegExp {
  const esc = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${esc}$`);
}

function matches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return globToRegExp(pattern).test(value);
}

function exceptionMatches(e: ExceptionSpec, f: Finding, r: Resource | undefined): boolean {
  if (e.rule !== "*" && e.rule !== f.ruleId) return false;
  const sel = e.resource;
  if (!sel) return true;
  if (!matches(sel.id, f.resource.id)) return false;
  if (!matches(sel.arn, f.resource.arn)) return false;
  if (!matches(sel.account, f.resource.account)) return false;
  if (!matches(sel.region, f.resource.region)) return false;
  if (sel.file && !matches(sel.file, f.location?.file)) return false;
  if (sel.tags) {
    for (const [k, v] of Object.entries(sel.tags)) {
      const tv = r?.tags?.[k];
      if (typeof tv !== "string" || !matches(v, tv)) return false;
    }
  }
  return true;
}

/** Suppresses findings matched by a live exception; returns a finding per expired exception that matched. */
function applyExceptions(findings: Finding[], exceptions: ExceptionSpec[], resources: Resource[], now: Date): Finding[] {
  if (exceptions.length === 0) return [];
  const byId = new Map<string, Resource>();
  for (const r of resources) byId.set(`${r.type}\u0000${r.id}`, r);
  const expired: Finding[] = [];
  const reported = new Set<string>();
  for (const f of findings) {
    const r = byId.get(`${f.resource.type}\u0000${f.resource.id}`);
    for (const e of exceptions) {
      if (!exceptionMatches(e, f, r)) continue;
      const expiry = new Date(e.expires.length === 10 ? `${e.expires}T23:59:59Z` : e.expires);
      if (Number.isNaN(expiry.getTime()) || expiry < now) {
        const key = `${f.id}|${e.rule}|${e.expires}`;
        if (!reported.has(key)) {
          reported.add(key);
          expired.push({
            id: createHash("sha256").update(`exception-expired\u0000${f.id}\u0000${e.expires}`).digest("hex").slice(0, 32),
            ruleId: "rampart-exception-expired",
            status: "fail",
            severity: "high",
            title: "A policy exception has expired",
            message: `The exception for ${f.ruleId} on ${f.resource.id} (owner ${e.owner}, reason "${e.reason}") expired on ${e.expires}${e.origin ? ` (${e.origin})` : ""}; the finding is reported again. Fix the finding, or renew the exception with a new date.`,
            resource: f.resource,
            location: f.location,
            evidence: { exception: e, finding: f.id },
          });
        }
        continue;
      }
      f.suppressedStatus = f.status as "fail" | "unknown";
      f.status = "suppressed";
      f.exception = e;
      break;
    }
  }
  return expired;
}

const sevRank = new Map(SEVERITIES.map((s, i) => [s, i]));
const statusRank = { fail: 0, unknown: 1, suppressed: 2 } as const;

function compareFindings(a: Finding, b: Finding): number {
  return (
    statusRank[a.status] - statusRank[b.status] ||
    (sevRank.get(a.severity) ?? 9) - (sevRank.get(b.severity) ?? 9) ||
    a.ruleId.localeCompare(b.ruleId) ||
    (a.location?.file ?? "").localeCompare(b.location?.file ?? "") ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    a.resource.id.localeCompare(b.resource.id) ||
    a.id.localeCompare(b.id)
  );
}
