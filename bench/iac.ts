// IaC benchmark: the real `rampart iac` path (walk, load, resolve, evaluate, report) on at
// least 1,000 CloudFormation templates, in a child process of its own so that wall time and
// peak RSS are the run's alone. The templates: the public corpus
// ($RAMPART_CORPUS or ../shared/corpus: aws-cloudformation-templates, when present), every CloudFormation block
// of the rule examples (rules/aws/**/*.examples.yaml), and generated variants of both
// (logical ids renamed, values tweaked) written to a temporary folder.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { repoRoot } from "../model/paths.js";
import { corpusRoot } from "../test/corpus.js";
import { writeTerraformServices } from "./terraform-gen.js";

const TARGET_FILES = 1200;
const REPEAT = 3;

interface Measured {
  wallMs: number;
  peakRssMiB: number;
  files: { loaded: number; skipped: number; error: number };
  resources: number;
  findings: number;
  errors: Array<{ file: string; reason: string }>;
}

/** Template files under a folder (the extensions `rampart iac` walks). */
function templateFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== ".git") walk(full);
      } else if (/\.(ya?ml|json|template)$/i.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** The CloudFormation blocks of every rule's examples. */
function ruleExamples(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".examples.yaml")) {
        const doc = YAML.parse(fs.readFileSync(full, "utf8")) as { examples?: Array<{ cloudformation?: string }> };
        for (const ex of doc.examples ?? []) if (typeof ex.cloudformation === "string") out.push(ex.cloudformation);
      }
    }
  };
  walk(path.join(repoRoot, "rules", "aws"));
  return out;
}

/** The logical ids of a YAML template's Resources (two-space indented keys under `Resources:`). */
function logicalIds(text: string): string[] {
  const ids: string[] = [];
  let inResources = false;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) inResources = /^Resources:\s*$/.test(line);
    else if (inResources) {
      const m = /^ {2}([A-Za-z0-9]+):\s*(#.*)?$/.exec(line);
      if (m) ids.push(m[1]);
    }
  }
  return ids;
}

/** A variant: every logical id renamed (also where it is referred to), and some values changed. */
function variant(text: string, n: number): string {
  let out = text;
  for (const id of logicalIds(text)) out = out.replace(new RegExp(`\\b${id}\\b`, "g"), `${id}V${n}`);
  out = out.replace(/\b(\d{12})\b/g, (acct) => (n % 3 === 0 ? acct : String((Number(acct) + n) % 1e12).padStart(12, "0")));
  // Plain scalar values only (after "key: " or "- "): a block scalar header such as `|2` is
  // an indentation indicator, and changing it makes the YAML invalid.
  out = out.replace(/(?<=(?::|^\s*-)\s+)(\d{1,3})(?=\s*$)/gm, (v) => String(Number(v) + (n % 7)));
  return `# variant ${n}\n${out}`;
}

function measure(paths: string[], cwd: string): Measured {
  const report = path.join(cwd, `report-${process.pid}.json`);
  // Runs the CLI's own entry point in a fresh Node process; reports peak RSS from inside it.
  const script = [
    `const { run } = await import(${JSON.stringify(new URL(`file://${path.join(repoRoot, "dist", "cli", "main.js")}`).href)});`,
    "const code = await run(process.argv.slice(1));",
    "process.stderr.write(`\\nBENCH ${JSON.stringify({ code, maxRSS: process.resourceUsage().maxRSS })}\\n`);",
  ].join("\n");
  const args = ["iac", ...paths, "--format", "json", "--output", report, "--fail-on", "none"];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 << 20,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const wallMs = performance.now() - t0;
  const line = r.stderr.split("\n").find((l) => l.startsWith("BENCH "));
  if (!line) throw new Error(`rampart iac did not finish (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  const { maxRSS } = JSON.parse(line.slice(6)) as { code: number; maxRSS: number };
  const doc = JSON.parse(fs.readFileSync(report, "utf8"));
  fs.rmSync(report, { force: true });
  return {
    wallMs,
    peakRssMiB: maxRSS / 1024,
    files: doc.scan.files,
    resources: doc.summary.pass + doc.summary.fail + doc.summary.unknown,
    findings: doc.findings.length,
    errors: doc.errors ?? [],
  };
}

export async function bench(): Promise<void> {
  const corpus = path.join(corpusRoot(), "aws-cloudformation-templates");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-iac-"));
  try {
    const sources: string[] = [];
    const paths: string[] = [];
    let corpusFiles = 0;
    if (fs.existsSync(corpus)) {
      const files = templateFiles(corpus);
      corpusFiles = files.length;
      paths.push(corpus);
      // YAML templates of the corpus are also the seeds of variants.
      for (const f of files) if (/\.ya?ml$/i.test(f) && fs.statSync(f).size < 256 * 1024) sources.push(fs.readFileSync(f, "utf8"));
    } else {
      console.log(`\nIaC: the corpus ${corpus} is absent; using the rule examples and their variants only`);
    }
    const examples = ruleExamples();
    const gen = path.join(dir, "templates");
    fs.mkdirSync(gen);
    examples.forEach((t, i) => fs.writeFileSync(path.join(gen, `example-${String(i).padStart(4, "0")}.yaml`), t));
    sources.push(...examples);
    let variants = 0;
    for (let n = 1; corpusFiles + examples.length + variants < TARGET_FILES; n++) {
      const seed = sources[(n * 7919) % sources.length];
      fs.writeFileSync(path.join(gen, `variant-${String(n).padStart(4, "0")}.yaml`), variant(seed, n));
      variants++;
    }
    paths.push(gen);
    const total = corpusFiles + examples.length + variants;

    measure([gen], dir); // warm the file cache
    // the fixed cost: a folder of one small template (an empty folder is now an exit-2 "nothing was scanned")
    const one = path.join(dir, "one");
    fs.mkdirSync(one);
    fs.writeFileSync(path.join(one, "topic.yaml"), "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n");
    const fixed = measure([one], dir);
    const runs = Array.from({ length: REPEAT }, () => measure(paths, dir));
    const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
    const best = sorted[0];
    const median = sorted[Math.floor(sorted.length / 2)];
    const filesPerSecond = (ms: number) => ((best.files.loaded + best.files.skipped + best.files.error) / (ms / 1000)).toFixed(0);
    console.log(
      `\nIaC: \`rampart iac\` on ${total} template files (corpus ${corpusFiles}, rule examples ${examples.length}, generated variants ${variants}); best of ${REPEAT}, in a child process`,
    );
    console.log(
      "files (loaded/skipped/error) | judgements | findings | wall ms best | wall ms median | files/s best | peak RSS MiB | fixed cost ms (one-template folder) | target",
    );
    console.log(
      [
        `${total} (${best.files.loaded}/${best.files.skipped}/${best.files.error})`,
        best.resources,
        best.findings,
        best.wallMs.toFixed(0),
        median.wallMs.toFixed(0),
        filesPerSecond(best.wallMs),
        Math.max(...runs.map((r) => r.peakRssMiB)).toFixed(0),
        fixed.wallMs.toFixed(0),
        best.wallMs < (10000 * total) / 1000 ? "met (1,000 in < 10 s)" : "MISSED (1,000 in < 10 s)",
      ].join(" | "),
    );
    // A file that errors is one `rampart iac` could not read: say which and why.
    for (const e of best.errors) console.log(`  error: ${path.basename(e.file)}: ${e.reason.split("\n")[0]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  benchTerraform();
}

/** `rampart iac` on 1,000 generated `.tf` files (100 root modules with a local module each; bench/terraform-gen.ts). */
function benchTerraform(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-tf-"));
  try {
    const gen = path.join(dir, "services");
    const total = writeTerraformServices(gen, 100);
    measure([gen], dir); // warm the file cache
    const runs = Array.from({ length: REPEAT }, () => measure([gen], dir));
    const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
    const best = sorted[0];
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `\nIaC (Terraform source): \`rampart iac\` on ${total} generated .tf files (100 root modules, each with a local module); ${REPEAT} runs, in a child process`,
    );
    console.log("files (loaded/skipped/error) | judgements | findings | wall ms best | wall ms median | peak RSS MiB | target");
    console.log(
      [
        `${total} (${best.files.loaded}/${best.files.skipped}/${best.files.error})`,
        best.resources,
        best.findings,
        best.wallMs.toFixed(0),
        median.wallMs.toFixed(0),
        Math.max(...runs.map((r) => r.peakRssMiB)).toFixed(0),
        median.wallMs < (10000 * total) / 1000 ? "met (1,000 in < 10 s, median)" : "MISSED (1,000 in < 10 s, median)",
      ].join(" | "),
    );
    for (const e of best.errors) console.log(`  error: ${e.file}: ${e.reason.split("\n")[0]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
