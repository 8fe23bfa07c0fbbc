// The GitHub Action (issue 17): action.yml linted by actionlint (pinned, built with Go into the
// tools cache like opa) through a workflow that uses it, and its shell steps run under a
// simulated runner: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH, each step's `env`
// evaluated from the inputs (the INPUT_* variables) and the earlier steps' outputs, and bash
// invoked as the runner does. The action path is the packed scratch copy (prepare built it);
// the Install step (`npm ci`) is not run here.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, inject, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
// @ts-expect-error -- a plain .mjs module without types
import { ensureActionlint } from "../../scripts/tools.mjs";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

const install = inject("install");
const action = parse(fs.readFileSync(path.join(repoRoot, "action.yml"), "utf8")) as Action;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-action-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let n = 0;

interface JobRun {
  outputs: Record<string, string>;
  summary: string;
  scan: { code: number; stdout: string; stderr: string };
  gate: { code: number; stdout: string };
  workspace: string;
}

/** Runs the action's shell steps in order, as a runner would, with these inputs (others default). */
function runAction(inputs: Record<string, string>, files: Record<string, string>): JobRun {
  const dir = path.join(work, `job-${++n}`);
  const workspace = path.join(dir, "workspace");
  fs.mkdirSync(workspace, { recursive: true });
  for (const [name, from] of Object.entries(files)) fs.copyFileSync(from, path.join(workspace, name));
  const outputFile = path.join(dir, "output");
  const summaryFile = path.join(dir, "summary.md");
  fs.writeFileSync(outputFile, "");
  fs.writeFileSync(summaryFile, "");
  const outputs: Record<string, Record<string, string>> = {};
  const value = (key: string): string => {
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.([\w-]+)$/.exec(key))) {
      if (!(m[1] in action.inputs)) throw new Error(`action.yml uses an undeclared input: ${key}`);
      return inputs[m[1]] ?? action.inputs[m[1]].default ?? "";
    }
    if (key === "github.action_path") return install.clone;
    if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(key))) return outputs[m[1]]?.[m[2]] ?? "";
    throw new Error(`the simulated runner does not evaluate \${{ ${key} }}`);
  };
  const evaluate = (text: string) => text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, key: string) => value(key));
  const results: Record<string, { code: number; stdout: string; stderr: string }> = {};
  for (const step of action.runs.steps) {
    if (!step.run) continue; // uses: steps (setup-node, cache, upload-sarif) are GitHub's own actions
    if (step.name === "Install rampart") continue; // npm ci: the action path is already installed and built
    expect(step.run).not.toContain("${{"); // expressions go through env, never into the script text
    expect(step.shell).toBe("bash");
    fs.writeFileSync(outputFile, "");
    const script = path.join(dir, `${step.id ?? step.name}.sh`);
    fs.writeFileSync(script, step.run);
    const env: Record<string, string | undefined> = {
      ...process.env,
      NO_COLOR: "1",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: install.clone,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(String(v));
    const cwd = step["working-directory"] ? evaluate(step["working-directory"]) : workspace;
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    results[step.id ?? step.name ?? ""] = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        fs
          .readFileSync(outputFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
    }
  }
  return { outputs: outputs.scan, summary: fs.readFileSync(summaryFile, "utf8"), scan: results.scan, gate: results.Gate, workspace };
}

const tpl = (f: string) => path.join(repoRoot, "examples", "templates", f);
const GOOD = { "good.yaml": tpl("rolesanywhere-trust-good.yaml") };
const BAD = { ...GOOD, "bad.yaml": tpl("rolesanywhere-trust-bad.yaml") };
const ACCOUNT = { account: "012345678912" };

describe("action.yml", () => {
  it("actionlint (pinned) passes a workflow using the action, and reports an input the action does not declare", () => {
    const actionlint = ensureActionlint({ quiet: true }) as string;
    const repo = path.join(work, "lint");
    fs.mkdirSync(path.join(repo, ".github", "workflows"), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, "action.yml"), path.join(repo, "action.yml"));
    spawnSync("git", ["init", "-q"], { cwd: repo }); // actionlint finds the local action (uses: ./) from the repository root
    const workflow = (extra: string) =>
      [
        "name: rampart",
        "on: [pull_request]",
        "jobs:",
        "  iac:",
        "    runs-on: ubuntu-latest",
        "    permissions:",
        "      contents: read",
        "      security-events: write",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        with:",
        "          fetch-depth: 0",
        "      - id: rampart",
        "        uses: ./",
        "        with:",
        "          paths: templates",
        "          fail-on: high",
        "          changed-since: origin/${{ github.base_ref }}",
        extra,
        '      - run: echo "exit ${{ steps.rampart.outputs.exit-code }}, report ${{ steps.rampart.outputs.report }}"',
        "",
      ]
        .filter(Boolean)
        .join("\n");
    const file = path.join(repo, ".github", "workflows", "rampart.yml");
    fs.writeFileSync(file, workflow(""));
    const ok = spawnSync(actionlint, ["-no-color", ".github/workflows/rampart.yml"], { cwd: repo, encoding: "utf8" });
    expect(ok.stdout + ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    fs.writeFileSync(file, workflow("          severity: high"));
    const bad = spawnSync(actionlint, ["-no-color", ".github/workflows/rampart.yml"], { cwd: repo, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/input "severity" is not defined in action/);
  });

  it("scans once: the Scan step runs rampart one time, the summary comes from the same findings document", () => {
    const scan = action.runs.steps.find((s) => s.id === "scan")!;
    expect(scan.run!.match(/node "\$RAMPART"/g)).toHaveLength(1);
    expect(scan.run).toContain('--summary-markdown "$GITHUB_STEP_SUMMARY"');
  });
});

describe("the action's shell steps under a simulated runner", () => {
  it("pass: exit-code 0, an empty SARIF report, a passing summary, the gate passes", () => {
    const job = runAction({ paths: "good.yaml", ...ACCOUNT }, GOOD);
    expect(job.outputs).toEqual({ "exit-code": "0", report: "rampart-report.sarif" });
    const sarif = JSON.parse(fs.readFileSync(path.join(job.workspace, "rampart-report.sarif"), "utf8"));
    expect(sarif.runs[0].results.filter((r: any) => r.kind === "fail" || r.level === "error" || r.level === "warning")).toEqual([]);
    expect(job.summary).toMatch(/^## rampart infrastructure-code scan$/m);
    expect(job.summary).not.toContain("iam-rolesanywhere-trust-scoped");
    expect(job.gate).toMatchObject({ code: 0, stdout: "rampart: no finding at or above the threshold.\n" });
  });

  it("findings: exit-code 1, the finding in the SARIF report and the summary, the gate fails with exit 1", () => {
    const job = runAction({ paths: "good.yaml\nbad.yaml", ...ACCOUNT }, BAD);
    expect(job.outputs).toEqual({ "exit-code": "1", report: "rampart-report.sarif" });
    const sarif = JSON.parse(fs.readFileSync(path.join(job.workspace, "rampart-report.sarif"), "utf8"));
    const results = sarif.runs[0].results.map((r: any) => `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`);
    expect(results).toEqual(["iam-rolesanywhere-trust-scoped bad.yaml"]);
    expect(job.summary).toMatch(/^### Failing rules \(1\)$/m);
    expect(job.summary).toContain("iam-rolesanywhere-trust-scoped");
    expect(job.gate.code).toBe(1);
    expect(job.gate.stdout).toBe("::error::rampart: findings at or above the threshold (see the job summary and code scanning).\n");
  });

  it("input error: exit-code 2, the summary says the scan did not happen, the gate fails with exit 2", () => {
    const job = runAction({ paths: "missing.yaml" }, GOOD);
    expect(job.outputs).toEqual({ "exit-code": "2", report: "rampart-report.sarif" });
    expect(job.scan.stderr).toBe("rampart: missing.yaml: no such file or directory. Give template files or folders to scan.\n");
    expect(job.summary).toBe("**rampart could not scan** (exit 2: input or configuration error); see the Scan step's log.\n");
    expect(job.gate.code).toBe(2);
  });

  it("unknown with fail-on-unknown: exit-code 3, the undecided resources in the summary, the gate fails with exit 3", () => {
    const job = runAction(
      { paths: "main.tf", "fail-on-unknown": "true", format: "json", output: "findings.json" },
      {
        "main.tf": path.join(repoRoot, "test", "fixtures", "terraform-source", "unset-var", "main.tf"),
      },
    );
    expect(job.outputs).toEqual({ "exit-code": "3", report: "findings.json" });
    const doc = JSON.parse(fs.readFileSync(path.join(job.workspace, "findings.json"), "utf8"));
    expect(doc.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`).sort()).toEqual([
      "unknown ec2-security-group-egress-restricted aws_security_group.tier[0]",
      "unknown ec2-security-group-egress-restricted aws_security_group.tier[1]",
    ]);
    expect(job.summary).toMatch(/^### Unknown \(rampart could not decide\) \(2\)$/m);
    expect(job.gate.code).toBe(3);
    expect(job.gate.stdout).toBe("::error::rampart: some rules could not decide (--fail-on-unknown).\n");
  });
});
