import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { ReportContext } from "./index.js";
import { plainText as p, xmlEscape as x } from "./escape.js";

/**
 * JUnit XML (the Jenkins / GitLab / GitHub-test-reporter dialect): one <testsuite> per rule,
 * one <testcase> per rule × resource. A failing finding is a <failure>, an unknown or
 * suppressed one is <skipped>; passes come from `doc.passes` (evaluate with includePasses).
 * Several findings of one rule on one resource share a test case (their messages are listed).
 * A rule's title, severity, why and fix are written once, as the <testsuite>'s <properties>, not
 * in every failure (at organization scale that text was most of the file).
 */

type Res = Finding["resource"];
interface Case {
  name: string;
  classname: string;
  resource: Res;
  file?: string;
  line?: number;
  fails: Finding[];
  unknowns: Finding[];
  suppressed: Finding[];
  pass: boolean;
}

const resourceKey = (r: Res) => [r.type, r.id, r.account ?? "", r.region ?? ""].join("\u0000");

function caseName(r: Res): string {
  const where = [r.account, r.region].filter(Boolean).join("/");
  return p(`${r.id}${where && !r.id.startsWith("arn:") ? ` (${where})` : ""}`);
}

function describe(f: Finding, rule: RuleText | undefined): string {
  const loc = f.location?.file
    ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ""}${f.location.pointer ? ` ${f.location.pointer}` : ""}`
    : (f.resource.arn ?? f.resource.id);
  // Each line is one line of plain text from the resource: the body's line breaks are rampart's own.
  const lines = [`[${f.severity}] ${p(f.message)}`, `  resource: ${p(f.resource.type)} ${p(f.resource.id)}`, `  at: ${p(loc)}`];
  if (f.exception) lines.push(`  exception: ${p(f.exception.reason)} (owner ${p(f.exception.owner)}, expires ${p(f.exception.expires)})`);
  // The rule's own why and fix are in the suite's properties; a finding whose text differs keeps its own.
  if (f.rationale && f.rationale !== rule?.why) lines.push(`  why: ${f.rationale}`);
  if (f.fix && f.fix !== rule?.fix) lines.push(`  fix: ${f.fix}`);
  lines.push(`  id: ${f.id}`);
  return lines.join("\n");
}

interface RuleText {
  title?: string;
  severity?: string;
  why?: string;
  fix?: string;
}

/** The rule's text once per suite: from the rule's metadata, else from its first finding. */
function ruleText(ruleId: string, findings: Finding[], ctx: ReportContext | undefined): RuleText {
  const meta = ctx?.rules.find((r) => r.id === ruleId);
  const first = findings.find((f) => f.ruleId === ruleId && f.status === "fail") ?? findings.find((f) => f.ruleId === ruleId);
  return {
    title: meta?.title ?? first?.title,
    severity: meta?.severity ?? first?.severity,
    why: first?.rationale ?? meta?.rationale,
    fix: first?.fix ?? meta?.remediation?.summary,
  };
}

function properties(t: RuleText): string {
  const props = (["title", "severity", "why", "fix"] as const).filter((k) => t[k]).map((k) => `      <property name="${k}" value="${x(p(t[k]!))}"/>`);
  return props.length ? `    <properties>\n${props.join("\n")}\n    </properties>\n` : "";
}

export function formatJunit(doc: FindingsDocument, ctx?: ReportContext): string {
  const suites = new Map<string, Map<string, Case>>();
  const caseFor = (ruleId: string, r: Res, loc?: Finding["location"]): Case => {
    let suite = suites.get(ruleId);
    if (!suite) suites.set(ruleId, (suite = new Map()));
    const k = resourceKey(r);
    let c = suite.get(k);
    if (!c) {
      c = { name: caseName(r), classname: `rampart.${ruleId}`, resource: r, fails: [], unknowns: [], suppressed: [], pass: false };
      if (loc?.file) {
        c.file = loc.file;
        if (loc.line) c.line = loc.line;
      }
      suite.set(k, c);
    }
    return c;
  };
  for (const f of doc.findings) {
    const c = caseFor(f.ruleId, f.resource, f.location);
    (f.status === "fail" ? c.fails : f.status === "unknown" ? c.unknowns : c.suppressed).push(f);
  }
  for (const p of doc.passes ?? []) caseFor(p.ruleId, p.resource, p.location).pass = true;

  const seconds = Math.max(0, (Date.parse(doc.scan.finishedAt) - Date.parse(doc.scan.startedAt)) / 1000) || 0;
  let tests = 0,
    failures = 0,
    skipped = 0;
  const body: string[] = [];
  for (const ruleId of [...suites.keys()].sort()) {
    const cases = [...suites.get(ruleId)!.values()].sort((a, b) => a.name.localeCompare(b.name));
    const rule = ruleText(ruleId, doc.findings, ctx);
    const describeF = (f: Finding) => describe(f, rule);
    let sFail = 0,
      sSkip = 0;
    const out: string[] = [];
    for (const c of cases) {
      const attrs = `name="${x(c.name)}" classname="${x(c.classname)}" time="0"${c.file ? ` file="${x(p(c.file))}"` : ""}${c.line ? ` line="${c.line}"` : ""}`;
      if (c.fails.length) {
        sFail++;
        const first = c.fails[0];
        const msg = p(c.fails.length > 1 ? `${first.message} (and ${c.fails.length - 1} more)` : first.message);
        const text = [...c.fails, ...c.unknowns].map(describeF).join("\n\n");
        out.push(`    <testcase ${attrs}>\n      <failure message="${x(msg)}" type="${x(first.severity)}">${x(text)}</failure>\n    </testcase>`);
      } else if (c.unknowns.length || c.suppressed.length) {
        sSkip++;
        const msg = p(
          c.unknowns.length
            ? `unknown: ${c.unknowns[0].message}`
            : `suppressed: ${c.suppressed[0].exception?.reason ?? "by an exception"} (owner ${c.suppressed[0].exception?.owner ?? "?"}, expires ${c.suppressed[0].exception?.expires ?? "?"})`,
        );
        const text = [...c.unknowns, ...c.suppressed].map(describeF).join("\n\n");
        out.push(`    <testcase ${attrs}>\n      <skipped message="${x(msg)}"/>\n      <system-out>${x(text)}</system-out>\n    </testcase>`);
      } else {
        out.push(`    <testcase ${attrs}/>`);
      }
    }
    tests += cases.length;
    failures += sFail;
    skipped += sSkip;
    body.push(
      `  <testsuite name="${x(ruleId)}" tests="${cases.length}" failures="${sFail}" errors="0" skipped="${sSkip}" time="0" timestamp="${x(doc.scan.startedAt.replace(/Z$/, ""))}" hostname="rampart">\n${properties(rule)}${out.join("\n")}\n  </testsuite>`,
    );
  }
  const name = `rampart ${doc.scan.kind} scan (policy ${doc.scan.policy})`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${x(name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}">\n${body.join("\n")}${body.length ? "\n" : ""}</testsuites>\n`;
}
