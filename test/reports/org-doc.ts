// The organization-scale findings document the report tests share: the speed issue's benchmark
// shape (bench/synthetic.ts) at 100,000 resources in 200 accounts. Evaluating that with every
// rule costs about 90 s, so one tenth of it (10,000 resources in 20 accounts) is evaluated and
// its findings are repeated for ten disjoint sets of accounts: the same findings, rules and
// accounts per rule as the whole organization, and every count of the summary scaled exactly.
// Nothing is committed: the snapshot is generated.
import { syntheticSnapshot } from "../../bench/synthetic.js";
import { Engine } from "../../engine/engine.js";
import type { Finding, FindingsDocument } from "../../engine/findings.js";
import { loadPack } from "../../engine/pack.js";

export const ORG_RESOURCES = 100_000;
export const ORG_ACCOUNTS = 200;
const COPIES = 10;

let cached: { engine: Engine; doc: FindingsDocument } | undefined;

/** Account `a` of copy `c`: the 12-digit id with the copy number in its first digits (copy 0 is the original). */
const accountOf = (a: string, c: number): string => (c === 0 ? a : String(Number(a) + c * 10_000_000_000).padStart(12, "0"));

function replicate(one: FindingsDocument, copies: number): FindingsDocument {
  const accounts = [...new Set(one.findings.map((f) => f.resource.account).filter((a): a is string => a !== undefined))];
  const findings: Finding[] = [];
  for (let c = 0; c < copies; c++) {
    const swap = (s: string | undefined) => (s === undefined || c === 0 ? s : accounts.reduce((t, a) => t.split(a).join(accountOf(a, c)), s));
    for (const f of one.findings) {
      findings.push({
        ...f,
        id: c === 0 ? f.id : `${f.id.slice(0, 30)}${String(c).padStart(2, "0")}`,
        message: swap(f.message)!,
        resource: { ...f.resource, id: swap(f.resource.id)!, arn: swap(f.resource.arn), account: swap(f.resource.account) },
      });
    }
  }
  const s = one.summary;
  const times = (n: number) => n * copies;
  return {
    ...one,
    findings,
    scan: { ...one.scan, targets: one.scan.targets?.flatMap((t) => Array.from({ length: copies }, (_, c) => accountOf(t, c))) },
    summary: {
      fail: times(s.fail),
      unknown: times(s.unknown),
      pass: times(s.pass),
      suppressed: times(s.suppressed),
      bySeverity: Object.fromEntries(Object.entries(s.bySeverity).map(([k, v]) => [k, times(v ?? 0)])),
      rules: s.rules.map((r) => ({ ...r, pass: times(r.pass), fail: times(r.fail), unknown: times(r.unknown), suppressed: times(r.suppressed) })),
    },
  };
}

export async function orgDoc(): Promise<{ engine: Engine; doc: FindingsDocument }> {
  if (cached) return cached;
  const engine = await Engine.load();
  const tenth = engine.evaluate(syntheticSnapshot(ORG_RESOURCES / COPIES, ORG_ACCOUNTS / COPIES), loadPack(), {
    kind: "live",
    startedAt: new Date("2026-12-03T12:00:00Z"),
  });
  return (cached = { engine, doc: replicate(tenth, COPIES) });
}
