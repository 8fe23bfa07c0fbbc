// `npm run docs`: writes docs/rules/<id>.md for every rule, and the rule table in README.md.
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../model/paths.js";
import { docPath, examplesPath, manifestRules, readExamples, renderDoc } from "./rule-catalogue.js";

export function ruleTable(): string {
  const rules = manifestRules().sort((a, b) => a.family.localeCompare(b.family) || a.id.localeCompare(b.id));
  const lines = ["| Rule | Severity | Family | Live | CloudFormation | Terraform |", "|---|---|---|---|---|---|"];
  for (const r of rules) {
    const has = (i: string) => (r.inputs.includes(i as never) ? "✓" : "");
    lines.push(`| [\`${r.id}\`](docs/rules/${r.id}.md) | ${r.severity} | ${r.family} | ${has("live")} | ${has("cloudformation")} | ${has("terraform")} |`);
  }
  return lines.join("\n");
}

export const TABLE_START = "<!-- rule-table:start -->";
export const TABLE_END = "<!-- rule-table:end -->";

export function readmeWithTable(readme: string): string {
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) return readme;
  return readme.slice(0, a + TABLE_START.length) + "\n" + ruleTable() + "\n" + readme.slice(b);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.mkdirSync(path.join(repoRoot, "docs", "rules"), { recursive: true });
  let n = 0;
  for (const meta of manifestRules()) {
    const ex = fs.existsSync(examplesPath(meta)) ? readExamples(meta) : undefined;
    fs.writeFileSync(docPath(meta), renderDoc(meta, ex));
    n++;
  }
  const readme = path.join(repoRoot, "README.md");
  if (fs.existsSync(readme)) fs.writeFileSync(readme, readmeWithTable(fs.readFileSync(readme, "utf8")));
  console.error(`wrote ${n} rule pages under docs/rules/ and the README rule table`);
}
