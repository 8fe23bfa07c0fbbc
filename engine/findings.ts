import type { CoverageEntry } from "../model/types.js";
import type { ComplianceSection } from "./compliance.js";
import type { ExceptionSpec, Severity } from "./pack.js";

/** The findings document: rampart's public output contract (schemas/findings.schema.json). */
export interface Finding {
  id: string; // stable fingerprint
  ruleId: string;
  status: "fail" | "unknown" | "suppressed";
  severity: Severity;
  title: string;
  message: string;
  rationale?: string;
  fix?: string;
  resource: { type: string; id: string; arn?: string; name?: string; account?: string; region?: string };
  /** `column`, `endLine`, `endColumn` (exclusive, as SARIF regions): where Terraform source spells the value out. */
  location?: { file: string; line?: number; column?: number; endLine?: number; endColumn?: number; pointer?: string; address?: string };
  evidence?: unknown;
  remediation?: { id: string; automatic: boolean };
  /** The controls of the rule's compliance mapping this finding concerns, when fewer than all of them (framework id → control ids). */
  controls?: Record<string, string[]>;
  /** For suppressed findings: the exception that matched. */
  exception?: ExceptionSpec;
  /** The status the finding had before an exception suppressed it. */
  suppressedStatus?: "fail" | "unknown";
  /** Set by `--baseline F` when the finding's fingerprint is in the baseline: it does not count for the exit code. */
  baseline?: boolean;
}

export interface RuleSummary {
  ruleId: string;
  pass: number;
  fail: number;
  unknown: number;
  suppressed: number;
}

export interface FindingsDocument {
  schemaVersion: "1";
  tool: { name: "rampart"; version: string };
  scan: {
    kind: "live" | "iac";
    startedAt: string;
    finishedAt: string;
    policy: string;
    targets?: string[];
    incomplete: boolean;
    files?: { loaded: number; skipped: number; error: number };
    /** With `--baseline F`: findings matched by the baseline, new ones, and baseline entries no longer found. */
    baseline?: { file: string; matched: number; new: number; fixed: number };
    /** With user rules (`--rules`, pack `ruleSources`): every source of rules, the built-in ones first. */
    ruleSources?: Array<{ kind: "builtin" | "source" | "bundle"; path?: string; rules: number; hash?: string; lib?: string }>;
    /** With `--changed-since REF`: the ref, and how many template files changed against it. */
    changedSince?: { ref: string; files: number };
  };
  summary: {
    fail: number;
    unknown: number;
    pass: number;
    suppressed: number;
    bySeverity: Partial<Record<Severity, number>>;
    rules: RuleSummary[];
  };
  findings: Finding[];
  /** The resources judged with a pass, per rule: [ruleId, resource id] (for JUnit / Config). */
  passes?: Array<{ ruleId: string; resource: Finding["resource"]; location?: Finding["location"] }>;
  coverage: CoverageEntry[];
  errors?: Array<{ file: string; reason: string }>;
  /** IaC: files and references that were not read (not a template, outside the scan roots, missing, remote), with the reason. */
  skipped?: Array<{ file: string; reason: string }>;
  /** IaC: what a person should know about files that were loaded (a nested-stack cycle, a macro not expanded, a module not scanned). */
  warnings?: Array<{ file?: string; message: string }>;
  /** With `--compliance <framework>`: the framework's controls, each with its status and the findings behind it. */
  compliance?: ComplianceSection;
}
