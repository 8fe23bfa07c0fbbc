// Compliance frameworks (compliance/<id>.yaml) and the per-control view of a scan.
//
// A framework file lists controls; which rules check a control is declared once, in each rule's
// METADATA (`compliance: {<framework>: [control ids]}`), except rampart-guidance, whose controls
// are the articles of the seeds file: a rule checks an article when a line its `guidance` cites
// falls in the article's `lines`.
//
// A control is `pass` only when every rule of it judged what it reads and none failed; a rule
// that could not decide, was disabled, or whose input was not read makes it `unknown`, never
// `pass`; a control no rule checks is `manual`.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { UserError } from "../model/errors.js";
import { complianceDir } from "../model/paths.js";
import { describeErrors, validator } from "../model/validate.js";
import type { RuleMeta } from "./engine.js";
import type { Finding, FindingsDocument } from "./findings.js";

export interface Control {
  id: string;
  title: string;
  description: string;
  section?: string;
  level?: 1 | 2;
  manual?: true;
  verify?: string;
  why?: string;
  resourceTypes?: string[];
  lines?: [number, number];
  url?: string;
}

export interface Framework {
  id: string;
  title: string;
  version: string;
  source: string;
  scope?: string;
  controls: Control[];
}

export type ControlStatus = "pass" | "fail" | "unknown" | "manual";

export interface RuleVerdict {
  ruleId: string;
  status: "pass" | "fail" | "unknown";
  pass: number;
  fail: number;
  unknown: number;
  suppressed: number;
  /** Why the rule is unknown, or why a pass judged nothing. */
  reason?: string;
}

export interface ControlResult {
  id: string;
  title: string;
  section?: string;
  status: ControlStatus;
  /** For a status a count cannot explain: an unknown's reasons, a manual control's `verify`. */
  reason?: string;
  rules: RuleVerdict[];
  /** The resources that failed one of the control's rules (each once). */
  failing: Array<Finding["resource"] & { file?: string; line?: number }>;
  /** The ids of the control's findings (fail, unknown and suppressed) in the document's `findings`. */
  findings: string[];
}

export interface ComplianceSection {
  framework: { id: string; title: string; version: string; source: string };
  summary: Record<ControlStatus, number>;
  controls: ControlResult[];
}

const SCHEMA = "schemas/compliance-framework.schema.json";

/** The ids of the shipped frameworks (the files in compliance/). */
export function frameworkIds(): string[] {
  return fs
    .readdirSync(complianceDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

const loaded = new Map<string, Framework>();

/** A framework by id; an unknown id is a user error naming `flag` and the ids there are. */
export function loadFramework(id: string, flag = "--compliance"): Framework {
  const cached = loaded.get(id);
  if (cached) return cached;
  const ids = frameworkIds();
  if (!ids.includes(id)) throw new UserError(`${flag} ${id}: unknown compliance framework. Use one of: ${ids.join(", ")} (see rampart compliance list).`);
  const file = path.join(complianceDir, `${id}.yaml`);
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as Framework;
  const v = validator(SCHEMA);
  if (!v(doc)) throw new Error(`compliance/${id}.yaml: ${describeErrors(v.errors)}`);
  if (doc.id !== id) throw new Error(`compliance/${id}.yaml: its id is ${doc.id}`);
  loaded.set(id, doc);
  return doc;
}

/** The first line of each line or range a seeds `guidance` cites ("lines 191–230, 275" → [191, 275]). */
export function guidanceLines(guidance: string): number[] {
  const m = /^seeds\/\S+ lines? (.*)$/.exec(guidance);
  if (!m) return [];
  return m[1]
    .split(",")
    .map((part) => /^\s*([0-9]+)/.exec(part))
    .filter((x): x is RegExpExecArray => x !== null)
    .map((x) => Number(x[1]));
}

/** The control ids of `fw` that `rule` checks. */
export function controlsOfRule(fw: Framework, rule: RuleMeta): string[] {
  if (fw.id === "rampart-guidance") {
    const lines = guidanceLines(rule.guidance);
    return fw.controls.filter((c) => c.lines && lines.some((l) => l >= c.lines![0] && l <= c.lines![1])).map((c) => c.id);
  }
  return rule.compliance?.[fw.id] ?? [];
}

/** control id → the rules that check it. */
export function rulesByControl(fw: Framework, rules: RuleMeta[]): Map<string, RuleMeta[]> {
  const out = new Map<string, RuleMeta[]>(fw.controls.map((c) => [c.id, []]));
  for (const r of rules) for (const c of controlsOfRule(fw, r)) out.get(c)?.push(r);
  return out;
}

/** One evaluated input of a scan: a findings document and what kind of input it judged. */
export interface SchemePart {
  doc: FindingsDocument;
  kind: "live" | "iac";
  /** The resource types the evaluated snapshot holds (tells "nothing of that type" from "nothing the rule applies to"). */
  types?: ReadonlySet<string>;
}

type PartVerdict = RuleVerdict | { ruleId: string; status: "n/a"; reason: string };

function typeWord(rule: RuleMeta): string {
  return rule.resourceTypes[0];
}

/** Whether a live document's coverage says the rule's primary resource type was read. */
function typeRead(doc: FindingsDocument, type: string): boolean {
  return doc.coverage.some((c) => c.status === "ok" && (c.resourceTypes ? c.resourceTypes.includes(type) : c.service === "all"));
}

/** Templates that could not be read (doc.errors) could hold what fails: no pass, and no "nothing to judge". */
function verdictIn(part: SchemePart, rule: RuleMeta, concerns: (f: Finding) => boolean): PartVerdict {
  const v = rawVerdict(part, rule, concerns);
  const errors = part.kind === "iac" ? (part.doc.errors?.length ?? 0) : 0;
  if (errors === 0 || v.status === "fail" || v.status === "unknown") return v;
  const counts = v.status === "n/a" ? { pass: 0, fail: 0, unknown: 0, suppressed: 0 } : v;
  return { ruleId: rule.id, ...counts, pass: counts.pass, status: "unknown", reason: `${errors} template file(s) could not be read` };
}

function rawVerdict(part: SchemePart, rule: RuleMeta, concerns: (f: Finding) => boolean): PartVerdict {
  const { doc, kind } = part;
  const judges = kind === "live" ? rule.inputs.includes("live") : rule.inputs.includes("cloudformation") || rule.inputs.includes("terraform");
  if (!judges) return { ruleId: rule.id, status: "n/a", reason: `${rule.id} judges ${kind === "live" ? "templates only" : "live accounts only"}` };
  const rows = doc.summary.rules.filter((s) => s.ruleId === rule.id);
  if (rows.length === 0)
    return { ruleId: rule.id, status: "unknown", pass: 0, fail: 0, unknown: 0, suppressed: 0, reason: `${rule.id} is disabled by the policy pack` };
  // A finding about another control of the rule's mapping (f.controls) is a pass for this one.
  const mine = doc.findings.filter((f) => f.ruleId === rule.id);
  const n = (s: Finding["status"]) => mine.filter((f) => f.status === s && concerns(f)).length;
  const others = mine.filter((f) => !concerns(f)).length;
  const counts = { pass: rows.reduce((k, s) => k + s.pass, 0) + others, fail: n("fail"), unknown: n("unknown"), suppressed: n("suppressed") };
  const v = { ruleId: rule.id, ...counts };
  if (counts.fail > 0) return { ...v, status: "fail" };
  if (counts.unknown > 0) {
    const first = mine.find((f) => f.status === "unknown" && concerns(f));
    return { ...v, status: "unknown", reason: `${rule.id}: ${counts.unknown} undecided${first ? ` (${first.message})` : ""}` };
  }
  if (counts.pass + counts.suppressed > 0)
    return { ...v, status: "pass", ...(counts.suppressed ? { reason: `${counts.suppressed} finding(s) suppressed by exceptions` } : {}) };
  // Nothing judged: a pass only when the account's data of that type was read (and there is none).
  if (kind === "live") {
    if (typeRead(doc, typeWord(rule))) return { ...v, status: "pass", reason: `no ${typeWord(rule)} in the scanned accounts` };
    return { ...v, status: "unknown", reason: `${typeWord(rule)} was not read in this scan (${rule.id} had nothing to judge)` };
  }
  // Templates: what they define was read, so a rule with nothing to judge there (none of its types,
  // or none it applies to) is a pass, with the reason.
  const holds = part.types ? rule.resourceTypes.some((x) => part.types!.has(x)) : true;
  const types = rule.resourceTypes.length > 3 ? `any of the ${rule.resourceTypes.length} resource types it reads` : rule.resourceTypes.join(" or ");
  return { ...v, status: "pass", reason: holds ? `${rule.id} applies to none of the templates' resources` : `the templates define no ${types} (${rule.id})` };
}

function combine(rule: RuleMeta, parts: PartVerdict[]): RuleVerdict {
  const real = parts.filter((p): p is RuleVerdict => p.status !== "n/a");
  if (real.length === 0)
    return {
      ruleId: rule.id,
      status: "unknown",
      pass: 0,
      fail: 0,
      unknown: 0,
      suppressed: 0,
      reason: `nothing to judge: ${parts.map((p) => p.reason).join("; ")}`,
    };
  const n = (k: "pass" | "fail" | "unknown" | "suppressed") => real.reduce((s, p) => s + p[k], 0);
  const status = real.some((p) => p.status === "fail") ? "fail" : real.some((p) => p.status === "unknown") ? "unknown" : "pass";
  const reasons = real.filter((p) => p.status === status && p.reason).map((p) => p.reason);
  return {
    ruleId: rule.id,
    status,
    pass: n("pass"),
    fail: n("fail"),
    unknown: n("unknown"),
    suppressed: n("suppressed"),
    ...(reasons.length ? { reason: reasons.join("; ") } : {}),
  };
}

/** The per-control view of a scan (one part, or the demo's account and templates). */
export function evaluateCompliance(fw: Framework, rules: RuleMeta[], parts: SchemePart[]): ComplianceSection {
  const byControl = rulesByControl(fw, rules);
  const summary: Record<ControlStatus, number> = { pass: 0, fail: 0, unknown: 0, manual: 0 };
  const controls: ControlResult[] = [];
  for (const c of fw.controls) {
    const mine = byControl.get(c.id) ?? [];
    const base = { id: c.id, title: c.title, ...(c.section ? { section: c.section } : {}) };
    if (c.manual || mine.length === 0) {
      summary.manual++;
      controls.push({ ...base, status: "manual", reason: c.verify ?? "no rule checks this control: verify it by hand", rules: [], failing: [], findings: [] });
      continue;
    }
    const concerns = (f: Finding) => !f.controls?.[fw.id] || f.controls[fw.id].includes(c.id);
    const verdicts = mine.map((r) =>
      combine(
        r,
        parts.map((p) => verdictIn(p, r, concerns)),
      ),
    );
    const status: ControlStatus = verdicts.some((v) => v.status === "fail") ? "fail" : verdicts.some((v) => v.status === "unknown") ? "unknown" : "pass";
    summary[status]++;
    const ids = new Set(mine.map((r) => r.id));
    const findings: string[] = [];
    const failing: ControlResult["failing"] = [];
    const seen = new Set<string>();
    for (const p of parts)
      for (const f of p.doc.findings) {
        if (!ids.has(f.ruleId) || !concerns(f)) continue;
        findings.push(f.id);
        if (f.status !== "fail") continue;
        const key = [f.resource.type, f.resource.id, f.resource.account ?? "", f.resource.region ?? "", f.location?.file ?? ""].join("\u0000");
        if (seen.has(key)) continue;
        seen.add(key);
        failing.push({ ...f.resource, ...(f.location?.file ? { file: f.location.file } : {}), ...(f.location?.line ? { line: f.location.line } : {}) });
      }
    const reasons = status === "unknown" ? verdicts.filter((v) => v.status === "unknown" && v.reason).map((v) => v.reason!) : [];
    controls.push({ ...base, status, ...(reasons.length ? { reason: reasons.join("; ") } : {}), rules: verdicts, failing, findings });
  }
  return { framework: { id: fw.id, title: fw.title, version: fw.version, source: fw.source }, summary, controls };
}
