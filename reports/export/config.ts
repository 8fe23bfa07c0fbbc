import { ConfigServiceClient, PutEvaluationsCommand, type ComplianceType, type Evaluation } from "@aws-sdk/client-config-service";
import { UserError } from "../../model/errors.js";
import type { Finding, FindingsDocument } from "../../engine/findings.js";

/**
 * `--to config`: every resource rampart judged becomes one evaluation of an AWS Config custom
 * rule (PutEvaluations, 100 per call). A resource with a failing finding is NON_COMPLIANT,
 * one that only passed is COMPLIANT, one that rampart could not decide is `unknownAs`
 * (NOT_APPLICABLE by default: the Evaluation type accepts COMPLIANT, NON_COMPLIANT and
 * NOT_APPLICABLE; INSUFFICIENT_DATA can be chosen but Config documents it as unsupported
 * there), and one whose only findings are suppressed by exceptions is NOT_APPLICABLE.
 * Account-level findings (a missing detector, an unreadable service) are evaluations of the
 * account itself (AWS::::Account).
 */

export const BATCH_SIZE = 100;
/** The result token Config's rule tooling uses for a dry run: PutEvaluations with TestMode. */
export const TEST_MODE_TOKEN = "TESTMODE";

export interface ConfigExportOptions {
  client: ConfigServiceClient;
  resultToken: string;
  /** When the evaluated state was recorded (default: the scan's start). */
  orderingTimestamp?: Date;
  unknownAs?: "NOT_APPLICABLE" | "INSUFFICIENT_DATA";
  testMode?: boolean;
  batchSize?: number;
}

export interface ConfigExportResult {
  sent: number;
  failed: Evaluation[];
  byCompliance: Partial<Record<ComplianceType, number>>;
  skipped: number;
}

type Res = Finding["resource"];

/** The id Config knows a resource by: the last part of its ARN (or its name), else rampart's id. */
export function configResourceId(r: Res): string {
  if (r.type === "AWS::S3::Bucket" && r.name) return r.name;
  if (r.arn) {
    const rest = r.arn.split(":").slice(5).join(":");
    const tail = rest.includes("/") ? rest.slice(rest.lastIndexOf("/") + 1) : rest.slice(rest.indexOf(":") + 1);
    if (tail) return tail;
  }
  return r.name ?? r.id;
}

function target(r: Res): { type: string; id: string } | undefined {
  if (r.type === "rampart::coverage::gap" || r.id.startsWith("(no ")) return r.account ? { type: "AWS::::Account", id: r.account } : undefined;
  // Config evaluates live resources of an account; a template's resource has none.
  if (!r.account || !/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(r.type)) return undefined;
  return { type: r.type, id: configResourceId(r) };
}

interface Acc {
  type: string;
  id: string;
  fail: Finding[];
  unknown: Finding[];
  suppressed: Finding[];
  pass: number;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function toEvaluations(
  doc: FindingsDocument,
  opts: Pick<ConfigExportOptions, "orderingTimestamp" | "unknownAs"> = {},
): { evaluations: Evaluation[]; skipped: number } {
  if (doc.scan.kind !== "live") throw new UserError("--to config reports live resources; scan an account (rampart scan), not templates.");
  const at = opts.orderingTimestamp ?? new Date(doc.scan.startedAt);
  const acc = new Map<string, Acc>();
  let skipped = 0;
  const get = (r: Res): Acc | undefined => {
    const t = target(r);
    if (!t) return undefined;
    const k = `${t.type}\u0000${t.id}`;
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { ...t, fail: [], unknown: [], suppressed: [], pass: 0 }));
    return a;
  };
  for (const f of doc.findings) {
    const a = get(f.resource);
    if (!a) skipped++;
    else a[f.status === "fail" ? "fail" : f.status === "unknown" ? "unknown" : "suppressed"].push(f);
  }
  for (const p of doc.passes ?? []) {
    const a = get(p.resource);
    if (!a) skipped++;
    else a.pass++;
  }
  const evaluations: Evaluation[] = [];
  for (const a of acc.values()) {
    let type: ComplianceType, note: string;
    const rules = (l: Finding[]) => [...new Set(l.map((f) => f.ruleId))].join(", ");
    if (a.fail.length) {
      type = "NON_COMPLIANT";
      note = `rampart: fails ${rules(a.fail)}: ${a.fail[0].message}`;
    } else if (a.unknown.length) {
      type = opts.unknownAs ?? "NOT_APPLICABLE";
      note = `rampart could not decide ${rules(a.unknown)}: ${a.unknown[0].message}`;
    } else if (a.suppressed.length) {
      type = "NOT_APPLICABLE";
      note = `rampart: ${rules(a.suppressed)} suppressed by exception (${a.suppressed[0].exception?.reason ?? "?"})`;
    } else {
      type = "COMPLIANT";
      note = `rampart: passes ${a.pass} rule(s)`;
    }
    evaluations.push({
      ComplianceResourceType: a.type,
      ComplianceResourceId: clip(a.id, 768),
      ComplianceType: type,
      Annotation: clip(note, 256),
      OrderingTimestamp: at,
    });
  }
  evaluations.sort((x, y) => `${x.ComplianceResourceType}${x.ComplianceResourceId}`.localeCompare(`${y.ComplianceResourceType}${y.ComplianceResourceId}`));
  return { evaluations, skipped };
}

export async function exportToConfig(doc: FindingsDocument, opts: ConfigExportOptions): Promise<ConfigExportResult> {
  if (!opts.resultToken) {
    throw new UserError(
      "--to config needs the result token of a Config rule invocation (run rampart as the rule's Lambda function, or give --result-token; TESTMODE for a dry run).",
    );
  }
  const { evaluations, skipped } = toEvaluations(doc, opts);
  const testMode = opts.testMode ?? opts.resultToken === TEST_MODE_TOKEN;
  const size = opts.batchSize ?? BATCH_SIZE;
  const failed: Evaluation[] = [];
  for (let i = 0; i < evaluations.length; i += size) {
    const res = await opts.client.send(
      new PutEvaluationsCommand({ ResultToken: opts.resultToken, Evaluations: evaluations.slice(i, i + size), ...(testMode ? { TestMode: true } : {}) }),
    );
    failed.push(...(res.FailedEvaluations ?? []));
  }
  const byCompliance: ConfigExportResult["byCompliance"] = {};
  for (const e of evaluations) byCompliance[e.ComplianceType!] = (byCompliance[e.ComplianceType!] ?? 0) + 1;
  return { sent: evaluations.length - failed.length, failed, byCompliance, skipped };
}
