import type { Finding, FindingsDocument } from "../engine/findings.js";
import { SEVERITIES, type Severity } from "../engine/pack.js";

/**
 * The grouping the organization-scale reports share (terminal, Markdown, SARIF, JUnit): findings
 * ordered by severity, one row per failing rule, the accounts or files with the most failures.
 * Pure data: each formatter escapes what it prints.
 */

/** Position of a severity in SEVERITIES (critical 0 … info 4); an unknown severity sorts last. */
export function severityRank(s: string): number {
  const i = SEVERITIES.indexOf(s as Severity);
  return i < 0 ? SEVERITIES.length : i;
}

/** Stable: highest severity first, document order within a severity. */
export function bySeverity<T extends { severity: string }>(list: readonly T[]): T[] {
  return list
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || a.i - b.i)
    .map((x) => x.f);
}

/** Findings that count: not suppressed, not matched by the baseline. */
export function activeFindings(doc: FindingsDocument): Finding[] {
  return doc.findings.filter((f) => f.status !== "suppressed" && !f.baseline);
}

/** Where a finding is, for grouping: its file (IaC) or its account (live). */
export function scope(f: Finding): string {
  return f.location?.file ?? f.resource.account ?? "";
}

export interface RuleRow {
  ruleId: string;
  /** The highest severity among the rule's failing (else unknown) findings. */
  severity: Severity;
  /** Distinct resources with a failing finding of the rule. */
  failing: number;
  /** Distinct resources the rule could not decide. */
  unknown: number;
  /** Distinct accounts (live) or files (IaC) with a failing finding. */
  scopes: number;
}

const resourceKey = (r: Finding["resource"]) => [r.type, r.id, r.account ?? "", r.region ?? ""].join("\u0000");

/** One row per rule with failing or unknown findings: highest severity first, then most resources failing, then rule id. */
export function ruleRows(findings: readonly Finding[]): RuleRow[] {
  const acc = new Map<string, { failSev: number; unknownSev: number; fail: Set<string>; unknown: Set<string>; scopes: Set<string> }>();
  for (const f of findings) {
    if (f.status !== "fail" && f.status !== "unknown") continue;
    let a = acc.get(f.ruleId);
    if (!a) acc.set(f.ruleId, (a = { failSev: SEVERITIES.length, unknownSev: SEVERITIES.length, fail: new Set(), unknown: new Set(), scopes: new Set() }));
    if (f.status === "fail") {
      a.fail.add(resourceKey(f.resource));
      a.scopes.add(scope(f));
      a.failSev = Math.min(a.failSev, severityRank(f.severity));
    } else {
      a.unknown.add(resourceKey(f.resource));
      a.unknownSev = Math.min(a.unknownSev, severityRank(f.severity));
    }
  }
  return [...acc.entries()]
    .map(([ruleId, a]) => ({
      ruleId,
      severity: SEVERITIES[Math.min(a.fail.size ? a.failSev : a.unknownSev, SEVERITIES.length - 1)],
      failing: a.fail.size,
      unknown: a.unknown.size,
      scopes: a.scopes.size,
    }))
    .sort(
      (x, y) =>
        Number(y.failing > 0) - Number(x.failing > 0) ||
        severityRank(x.severity) - severityRank(y.severity) ||
        y.failing - x.failing ||
        y.unknown - x.unknown ||
        x.ruleId.localeCompare(y.ruleId),
    );
}

export interface ScopeRow {
  scope: string;
  failing: number;
  bySeverity: Partial<Record<Severity, number>>;
}

/** The accounts or files with failing findings, most critical first (then most findings), at most `limit`. */
export function topScopes(findings: readonly Finding[], limit: number): { rows: ScopeRow[]; total: number } {
  const acc = new Map<string, ScopeRow>();
  for (const f of findings) {
    if (f.status !== "fail") continue;
    const k = scope(f);
    let row = acc.get(k);
    if (!row) acc.set(k, (row = { scope: k, failing: 0, bySeverity: {} }));
    row.failing++;
    row.bySeverity[f.severity] = (row.bySeverity[f.severity] ?? 0) + 1;
  }
  const key = (r: ScopeRow) => SEVERITIES.map((s) => r.bySeverity[s] ?? 0);
  const rows = [...acc.values()].sort((a, b) => {
    const ka = key(a),
      kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i] - ka[i];
    return a.scope.localeCompare(b.scope);
  });
  return { rows: rows.slice(0, limit), total: rows.length };
}
