// Metamorphic tests over every rule example (issue 15): equivalent rewrites of an
// example (JSON vs YAML, long intrinsic forms, reordered keys and lists, a single
// statement object vs a list, string vs list, action and condition-key case, IPv6 CIDR
// spellings, a Ref to a parameter whose default is the literal value) keep every
// verdict; rewrites that change the meaning (a condition removed, a CIDR widened)
// change the verdict of the rules that judge them.
import fc from "fast-check";
import fs from "node:fs";
import YAML from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.js";
import { loadPack } from "../../engine/pack.js";
import { validateSnapshot } from "../../model/snapshot.js";
import type { Snapshot } from "../../model/types.js";
import { loadCloudFormationText } from "../../collectors/iac/cloudformation/index.js";
import { loadTerraformPlanText } from "../../collectors/iac/terraform/index.js";
import { parseTemplateText } from "../../collectors/iac/cloudformation/yaml.js";
import { examplesPath, manifestRules, readExamples, type RuleExample } from "../../scripts/rule-catalogue.js";
import { openSecurityGroupRules, refToParameter, removeConditions, reorderKeys, rewriteEquivalent, rng } from "./rewrites.js";

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});
const basePack = loadPack();

type Kind = "cloudformation" | "terraform" | "snapshot";

function snapshotOf(kind: Kind, text: string, origin: string): { snapshot: Snapshot; iac: boolean } {
  if (kind === "cloudformation") {
    const r = loadCloudFormationText(text, origin);
    if (r.status !== "loaded") throw new Error(`${origin}: ${r.status}: ${r.reason}`);
    return { snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] }, iac: true };
  }
  if (kind === "terraform") {
    const r = loadTerraformPlanText(text, origin);
    return { snapshot: { schemaVersion: "1", source: { kind: "iac" }, resources: r.resources, coverage: [] }, iac: true };
  }
  return { snapshot: validateSnapshot(YAML.parse(text), origin), iac: false };
}

/** The verdicts of an example as a sorted multiset "status rule resource". */
function verdicts(e: RuleExample, kind: Kind, text: string, origin: string): string[] {
  const { snapshot, iac } = snapshotOf(kind, text, origin);
  const pack = { ...basePack, params: { ...basePack.params, ...(e.params ?? {}) } };
  const doc = engine.evaluate(snapshot, pack, { kind: iac ? "iac" : "live" });
  return doc.findings.map((f) => `${f.status} ${f.ruleId} ${f.resource.id}`).sort();
}

/** The example as a value (the CloudFormation template in long form, the plan, the snapshot). */
function parsed(kind: Kind, text: string): unknown {
  if (kind === "cloudformation") return parseTemplateText(text).value;
  if (kind === "terraform") return JSON.parse(text);
  return YAML.parse(text);
}

const SECRET_WORDS = /password|secret|token|key/i;

/** The equivalent texts of one example for one seed. */
function equivalents(kind: Kind, text: string, seed: number): Array<[string, string]> {
  const r = rng(seed);
  const value = parsed(kind, text);
  const out: Array<[string, string]> = [];
  const rewritten = reorderKeys(rewriteEquivalent(value, r), r);
  if (kind === "cloudformation") {
    out.push(["JSON, reordered keys, policy and CIDR spellings", JSON.stringify(rewritten, null, 1)]);
    out.push(["YAML long form, reordered keys, policy and CIDR spellings", YAML.stringify(rewritten)]);
    const withRef = refToParameter(value as Record<string, unknown>, r, (path) => path.some((p) => SECRET_WORDS.test(p)));
    if (withRef) out.push(["a literal as a Ref to a parameter with that default", JSON.stringify(withRef)]);
  } else if (kind === "terraform") {
    out.push(["reordered keys, policy and CIDR spellings", JSON.stringify(rewritten)]);
  } else {
    out.push(["reordered keys, policy and CIDR spellings", YAML.stringify(rewritten)]);
  }
  return out;
}

interface Case {
  rule: string;
  index: number;
  e: RuleExample;
  kind: Kind;
  text: string;
  origin: string;
}

const cases: Case[] = [];
for (const meta of manifestRules()) {
  if (!fs.existsSync(examplesPath(meta))) continue;
  for (const [index, e] of readExamples(meta).examples.entries()) {
    for (const kind of ["cloudformation", "terraform", "snapshot"] as const) {
      const text = e[kind];
      if (typeof text === "string") cases.push({ rule: meta.id, index, e, kind, text, origin: `${meta.file.replace(/\.rego$/, ".examples.yaml")}#${index}` });
    }
  }
}

describe("equivalent rewrites keep every verdict", () => {
  for (const c of cases) {
    it(`${c.rule} #${c.index} ${c.e.name} [${c.kind}]`, () => {
      const base = verdicts(c.e, c.kind, c.text, c.origin);
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          for (const [how, text] of equivalents(c.kind, c.text, seed)) {
            expect(verdicts(c.e, c.kind, text, c.origin), `${how} (seed ${seed}):\n${text}`).toEqual(base);
          }
        }),
        { numRuns: 2 },
      );
    });
  }
});

// Meaning-changing rewrites, each with the rules whose verdict it must change, on every
// example where the rule found nothing and the rewrite changes the input.
const CHANGES: Array<{ name: string; rules: string[]; apply: (v: unknown) => unknown }> = [
  {
    name: "every Allow statement's condition removed",
    rules: [
      "iam-rolesanywhere-trust-scoped",
      "iam-irsa-trust-scoped",
      "iam-secrets-access-tag-scoped",
      "iam-service-trust-confused-deputy",
      "kms-key-policy-cross-account-scoped",
      "acmpca-issue-certificate-template-restricted",
    ],
    apply: removeConditions,
  },
  { name: "security group rules opened to all traffic to/from anywhere", rules: ["ec2-security-group-egress-restricted"], apply: openSecurityGroupRules },
];

describe("meaning-changing rewrites change the verdict", () => {
  for (const change of CHANGES) {
    const applicable = cases.filter((c) => change.rules.includes(c.rule) && !c.e.expect.some((x) => x.rule === c.rule));
    it(`${change.name}: ${change.rules.join(", ")}`, () => {
      let changed = 0;
      for (const c of applicable) {
        const value = change.apply(parsed(c.kind, c.text));
        if (value === undefined) continue;
        const text = c.kind === "snapshot" ? YAML.stringify(value) : JSON.stringify(value);
        const got = verdicts(c.e, c.kind, text, c.origin).filter((v) => v.split(" ")[1] === c.rule);
        expect(got, `${c.origin} ${c.e.name}: ${change.name} should make ${c.rule} report`).not.toEqual([]);
        changed++;
      }
      expect(changed).toBeGreaterThan(0);
    });
  }
});
