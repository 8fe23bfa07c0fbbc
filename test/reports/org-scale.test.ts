// The reports at organization scale: the speed issue's benchmark shape (100,000 resources in 200
// accounts, bench/synthetic.ts; see org-doc.ts for how it is built), then each format
// checked against its host's limits.
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../engine/engine.js";
import type { FindingsDocument } from "../../engine/findings.js";
import { SEVERITIES } from "../../engine/pack.js";
import { formatMarkdown, MARKDOWN_MAX_CHARS } from "../../reports/markdown.js";
import { formatSarif, SARIF_LIMITS } from "../../reports/sarif.js";
import { formatTable } from "../../reports/table.js";
import { orgDoc } from "./org-doc.js";
import { RULES, sampleDoc } from "./fixtures.js";

const require = createRequire(import.meta.url);
const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
const icon: Record<string, string> = { critical: "🟣", high: "🔴", medium: "🟠", low: "🔵", info: "⚪" };
const isRow = (l: string) => l.startsWith("| ") && !l.startsWith("| Severity") && !l.startsWith("| Rule");

function validator() {
  const Ajv4 = require("ajv-draft-04");
  const ajv = new Ajv4({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"));
}

let doc: FindingsDocument;
let engine: Engine;
beforeAll(async () => {
  ({ doc, engine } = await orgDoc());
}, 600_000);

describe("markdown on a 100,000-resource organization (200 accounts)", () => {
  let md: string;
  beforeAll(() => {
    md = formatMarkdown(doc);
  });

  it("is under GitHub's 65,536-character comment limit, and its counts line is exact", () => {
    expect(doc.findings.length).toBeGreaterThan(20_000);
    expect(md.length).toBeLessThan(MARKDOWN_MAX_CHARS);
    const fails = doc.findings.filter((f) => f.status === "fail");
    const sev = SEVERITIES.filter((s) => fails.some((f) => f.severity === s))
      .map((s) => `${icon[s]} ${fails.filter((f) => f.severity === s).length} ${s}`)
      .join(" · ");
    const unknown = doc.findings.filter((f) => f.status === "unknown").length;
    const suppressed = doc.findings.filter((f) => f.status === "suppressed").length;
    expect(md.split("\n")[2]).toBe(`**${fails.length} failing** (${sev}) · ${unknown} unknown · ${doc.summary.pass} passing · ${suppressed} suppressed`);
  });

  it("has one failing-rules row per failing rule with its exact resource and account counts", () => {
    const lines = md.split("\n");
    const start = lines.findIndex((l) => l.startsWith("### Failing rules"));
    const rows = lines.slice(start + 4, lines.indexOf("", start + 4));
    const failingRules = [...new Set(doc.findings.filter((f) => f.status === "fail").map((f) => f.ruleId))];
    expect(lines[start]).toBe(`### Failing rules (${failingRules.length})`);
    for (const ruleId of failingRules) {
      const fs = doc.findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
      const resources = new Set(fs.map((f) => f.resource.id)).size;
      const accounts = new Set(fs.map((f) => f.resource.account)).size;
      const row = rows.find((r) => r.includes(`| \`${ruleId}\` |`));
      expect(row, ruleId).toMatch(new RegExp(`\\| \`${ruleId}\` \\| ${resources} \\| \\d+ \\| ${accounts} \\|$`));
    }
    // highest severity first
    const ranks = rows.filter((r) => !r.startsWith("| unknown")).map((r) => SEVERITIES.findIndex((s) => r.startsWith(`| ${icon[s]} ${s} `)));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it("lists findings highest severity first, so the cut drops the lowest; the truncation line counts exactly", () => {
    const shownRows = md.split("\n").filter(isRow);
    const all = formatMarkdown(doc, Number.MAX_SAFE_INTEGER);
    const allRows = all.split("\n").filter(isRow);
    expect(all).not.toContain("left out");
    expect(md).toContain(`⚠️ ${allRows.length - shownRows.length} more rows left out to stay under 65536 characters`);
    // The rows shown are the first rows of the full report: the cut only drops rows at the end.
    expect(allRows.slice(0, shownRows.length)).toEqual(shownRows);
    const lines = md.split("\n");
    const start = lines.findIndex((l) => l.startsWith("### Failing ("));
    const sevs = lines
      .slice(start + 4)
      .filter(isRow)
      .map((r) => SEVERITIES.findIndex((s) => r.startsWith(`| ${icon[s]} ${s} `)));
    expect(sevs.length).toBeGreaterThan(50);
    expect(sevs).toEqual([...sevs].sort((a, b) => a - b));
    const fails = doc.findings.filter((f) => f.status === "fail");
    const critical = fails.filter((f) => f.severity === "critical").length;
    // Every shown row is at least as severe as every left-out failing finding.
    const worstShown = Math.max(...sevs);
    const leftOut = fails.length - sevs.length;
    expect(leftOut).toBeGreaterThan(0);
    expect(fails.filter((f) => SEVERITIES.indexOf(f.severity) < worstShown).length).toBeLessThanOrEqual(sevs.length);
    if (critical <= sevs.length) expect(sevs.slice(0, critical).every((s) => s === 0)).toBe(true);
  });

  it("a smaller --max-chars keeps a smaller report of the same head", () => {
    const small = formatMarkdown(doc, 10_000);
    expect(small.length).toBeLessThan(10_000);
    expect(small.split("\n").slice(0, 3)).toEqual(md.split("\n").slice(0, 3));
    expect(small).toMatch(/⚠️ \d+ more rows left out to stay under 10000 characters/);
  });
});

describe("SARIF on a 100,000-resource organization (200 accounts)", () => {
  let text: string;
  let log: any;
  beforeAll(() => {
    text = formatSarif(doc, { rules: engine.rules, color: false });
    log = JSON.parse(text);
  });

  it("passes code scanning's limits: results per run, rules per run, locations per result, tags per rule, file size", () => {
    expect(doc.findings.length).toBeGreaterThan(SARIF_LIMITS.resultsPerRun);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.results).toHaveLength(SARIF_LIMITS.resultsPerRun);
    expect(run.tool.driver.rules.length).toBeLessThanOrEqual(SARIF_LIMITS.rulesPerRun);
    for (const r of run.results) expect(r.locations.length).toBeLessThanOrEqual(SARIF_LIMITS.locationsPerResult);
    for (const r of run.tool.driver.rules) expect((r.properties?.tags ?? []).length).toBeLessThanOrEqual(SARIF_LIMITS.tagsPerRule);
    expect(Buffer.byteLength(text)).toBeLessThan(SARIF_LIMITS.fileBytes);
    const validate = validator();
    expect(validate(log)).toBe(true);
  });

  it("keeps the highest severities and says in the run's notifications and properties how many were left out", () => {
    const run = log.runs[0];
    const kept = new Set(run.results.map((r: any) => r.partialFingerprints["rampart/v1"]));
    const left = doc.findings.filter((f) => !kept.has(f.id));
    expect(left.length).toBe(doc.findings.length - SARIF_LIMITS.resultsPerRun);
    const fails = doc.findings.filter((f) => f.status === "fail");
    expect(fails.length).toBeGreaterThan(SARIF_LIMITS.resultsPerRun);
    // Every kept result is failing and at least as severe as every left-out one.
    const worstKept = Math.max(...run.results.map((r: any) => rank(r.properties.severity)));
    expect(run.results.every((r: any) => r.properties.status === "fail")).toBe(true);
    expect(left.filter((f) => f.status === "fail").every((f) => rank(f.severity) >= worstKept)).toBe(true);
    expect(run.properties).toEqual({
      resultsTotal: doc.findings.length,
      resultsLeftOut: left.length,
      leftOutBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, left.filter((f) => f.severity === s).length]).filter(([, n]) => n)),
    });
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes).toHaveLength(1);
    expect(notes[0].level).toBe("warning");
    expect(notes[0].message.text).toMatch(new RegExp(`^${left.length} of ${doc.findings.length} results left out \\(`));
  });

  it("carries the why and fix once, in each rule's help, not in results", () => {
    const run = log.runs[0];
    for (const r of run.results) expect(JSON.stringify(r)).not.toMatch(/Fix:|why:/);
    const withHelp = run.tool.driver.rules.filter((r: any) => r.help?.text?.includes("Fix:"));
    expect(withHelp.length).toBeGreaterThan(0);
    const meta = engine.rules.find((r) => r.id === withHelp[0].id)!;
    if (meta.rationale) expect(withHelp[0].help.text).toContain(meta.rationale);
  });

  it("cuts by size too: a 1 MB budget keeps fewer results, still the most severe, still valid", () => {
    const small = formatSarif(doc, { rules: engine.rules, color: false }, { results: SARIF_LIMITS.resultsPerRun, bytes: 1_000_000 });
    expect(Buffer.byteLength(small)).toBeLessThan(1_000_000);
    const l = JSON.parse(small);
    expect(l.runs[0].results.length).toBeLessThan(SARIF_LIMITS.resultsPerRun);
    expect(l.runs[0].properties.resultsLeftOut).toBe(doc.findings.length - l.runs[0].results.length);
    expect(validator()(l)).toBe(true);
  });
});

describe("SARIF of a small scan", () => {
  it("keeps every result, indented, with no left-out notice", () => {
    const doc = sampleDoc();
    const text = formatSarif(doc, { rules: RULES, color: false });
    const log = JSON.parse(text);
    expect(log.runs[0].results).toHaveLength(doc.findings.length);
    expect(log.runs[0].properties).toBeUndefined();
    expect(log.runs[0].invocations[0].toolExecutionNotifications).toBeUndefined();
    expect(text).toContain('\n  "runs": [');
  });
  it("past a limit keeps failing before unknown before suppressed, highest severity first", () => {
    const doc = sampleDoc();
    const log = JSON.parse(formatSarif(doc, { rules: RULES, color: false }, { results: 3, bytes: 10_000_000 }));
    expect(log.runs[0].results.map((r: any) => `${r.properties.status} ${r.properties.severity}`)).toEqual(["fail critical", "fail high", "fail high"]);
    expect(log.runs[0].properties.resultsLeftOut).toBe(doc.findings.length - 3);
  });
});

describe("terminal report on a 100,000-resource organization (200 accounts)", () => {
  let summary: string;
  beforeAll(() => {
    summary = formatTable(doc, { rules: engine.rules, color: false, terminal: { mode: "summary", rows: 40 } });
  });

  it("opens with the totals, the failing rules and the top accounts on the first screen", () => {
    const lines = summary.split("\n");
    const s = doc.summary;
    expect(lines[0]).toMatch(new RegExp(`^rampart live scan: ${s.fail} failing \\(`));
    expect(lines[0]).toContain(`${s.unknown} unknown, ${s.pass} passing, ${s.suppressed} suppressed`);
    const failingRules = new Set(doc.findings.filter((f) => f.status === "fail").map((f) => f.ruleId));
    expect(lines[2]).toBe(`Failing rules (${failingRules.size}):`);
    const ruleLines = lines.slice(4, 4 + Math.min(25, failingRules.size));
    for (const l of ruleLines) {
      const [severity, ruleId, failing, , accounts] = l.trim().split(/\s+/);
      const fs = doc.findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
      expect(Number(failing), ruleId).toBe(new Set(fs.map((f) => f.resource.id)).size);
      expect(Number(accounts), ruleId).toBe(new Set(fs.map((f) => f.resource.account)).size);
      expect(SEVERITIES.map(String)).toContain(severity);
    }
    expect(lines).toContain(`Top accounts (10 of ${new Set(doc.findings.filter((f) => f.status === "fail").map((f) => f.resource.account)).size}):`);
    // The whole summary is a few screens, not 100,000 findings.
    expect(lines.length).toBeLessThan(40 + 25 + 12 + 12);
  });

  it("shows at most a screenful of the most severe findings, each rule's why and fix once, and how to see all", () => {
    const lines = summary.split("\n");
    const start = lines.findIndex((l) => l.startsWith("Highest-severity findings ("));
    const end = lines.indexOf("", start);
    expect(end - start - 1).toBeLessThanOrEqual(40);
    const shown = Number(/\((\d+) of (\d+)\)/.exec(lines[start])![1]);
    const whys = lines.slice(start, end).filter((l) => l.trim().startsWith("why:"));
    const headers = lines.slice(start, end).filter((l) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO|UNKNOWN) /.test(l));
    expect(whys.length).toBeLessThanOrEqual(headers.length);
    expect(new Set(headers).size).toBe(headers.length);
    const active = doc.findings.filter((f) => f.status !== "suppressed");
    const critical = active.filter((f) => f.status === "fail" && f.severity === "critical").length;
    // Rules in severity order, the most severe first; a few resources per rule, the rest counted.
    const order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "UNKNOWN"];
    const ranks = headers.map((h) => order.indexOf(h.split(" ")[0]));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    if (critical) expect(headers[0]).toMatch(/^CRITICAL /);
    expect(headers.length).toBeGreaterThan(1);
    const more = lines.slice(start, end).filter((l) => /^ {2}… and \d+ more \(--rule [a-z0-9-]+\)$/.test(l));
    expect(more.length).toBeGreaterThan(0);
    expect(lines.at(-2)).toBe(
      `${active.length - shown} more finding(s) not shown. To see all: --details (every finding), --rule ID, --account ID, or --format html -o report.html.`,
    );
  });

  it("--details prints every finding; --rule and --account filter them", () => {
    const details = formatTable(doc, { rules: engine.rules, color: false, terminal: { mode: "details" } });
    const active = doc.findings.filter((f) => f.status !== "suppressed");
    expect(details.split("\n").filter((l) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO|UNKNOWN) /.test(l))).toHaveLength(active.length);
    const one = active[0];
    const byRule = formatTable(doc, { rules: engine.rules, color: false, terminal: { mode: "details", rule: one.ruleId, account: one.resource.account } });
    const expected = active.filter((f) => f.ruleId === one.ruleId && f.resource.account === one.resource.account);
    const heads = byRule.split("\n").filter((l) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO|UNKNOWN) /.test(l));
    expect(heads).toHaveLength(expected.length);
    for (const h of heads) expect(h.split(/\s+/)[1]).toBe(one.ruleId);
    expect(byRule).toContain(`Showing ${expected.length} finding(s) of rule ${one.ruleId}, account ${one.resource.account}; the counts are the whole scan's.`);
  });
});

describe("terminal report of a small scan", () => {
  it("summary mode with few findings prints them in full, as --details does", () => {
    const d = sampleDoc({ hostile: false });
    expect(formatTable(d, { rules: RULES, color: false, terminal: { mode: "summary" } })).toBe(formatTable(d, { rules: RULES, color: false }));
  });
});
