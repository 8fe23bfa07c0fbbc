// Issue 19, "nothing dropped in silence": what the loader warns about a file it did load (a
// nested-stack cycle, a macro it did not expand) reaches every report, and stays inert there.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, json } from "./helpers.js";

let dir: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

const CYCLE = "nested stack B: nested stack A: w/a.yaml is already being loaded (a cycle); not loaded again";
const MACRO = "Transform MyMacro (a macro) may change the template at deploy time; resources are read as written";

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-warnings-"));
  write("w/a.yaml", "Resources:\n  B:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./b.yaml\n");
  write("w/b.yaml", "Resources:\n  A:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./a.yaml\n");
  write("w/macro.yaml", "Transform: MyMacro\nResources:\n  T:\n    Type: AWS::SNS::Topic\n");
  // a macro name is template text: an escape sequence and a workflow command in it stay inert
  write("h/evil.yaml", 'Transform: "\\e[2J\\e[1;32mok\\e[0m\\n::error file=app.py,line=1::pwned"\nResources:\n  T:\n    Type: AWS::SNS::Topic\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("loader warnings are in every report", () => {
  it("json: the warnings field, each with its file", async () => {
    const doc = json(await cli(["iac", "w", "--format", "json"], { cwd: dir }));
    expect(doc.warnings).toEqual([
      { file: "w/a.yaml", message: CYCLE },
      { file: "w/b.yaml", message: "nested stack A: nested stack B: w/b.yaml is already being loaded (a cycle); not loaded again" },
      { file: "w/macro.yaml", message: MACRO },
    ]);
    expect(doc.findings).toEqual([]);
  });

  it("terminal: a Warnings section before the summary line", async () => {
    const run = await cli(["iac", "w"], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Warnings (3):\n  w/a.yaml: ${CYCLE}\n  w/b.yaml: nested stack A: nested stack B: w/b.yaml is already being loaded (a cycle); not loaded again\n  w/macro.yaml: ${MACRO}\n\nrampart iac scan in 3 file(s): 0 failing`,
    );
  });

  it("sarif: tool execution notifications of the run (level warning, the file as location), not results", async () => {
    const log = json(await cli(["iac", "w", "--format", "sarif"], { cwd: dir }));
    const run = log.runs[0];
    expect(run.results).toEqual([]);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([
      { level: "warning", message: { text: CYCLE }, locations: [{ physicalLocation: { artifactLocation: { uri: "w/a.yaml" } } }] },
      {
        level: "warning",
        message: { text: "nested stack A: nested stack B: w/b.yaml is already being loaded (a cycle); not loaded again" },
        locations: [{ physicalLocation: { artifactLocation: { uri: "w/b.yaml" } } }],
      },
      { level: "warning", message: { text: MACRO }, locations: [{ physicalLocation: { artifactLocation: { uri: "w/macro.yaml" } } }] },
    ]);
  });

  it("sarif: references not read are notes of the run", async () => {
    write("s/main.yaml", "Resources:\n  C:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./gone.yaml\n");
    const log = json(await cli(["iac", "s", "--format", "sarif"], { cwd: dir }));
    expect(log.runs[0].invocations[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [
        {
          level: "note",
          message: { text: "not read: nested stack C in s/main.yaml: TemplateURL ./gone.yaml does not exist" },
          locations: [{ physicalLocation: { artifactLocation: { uri: "s/gone.yaml" } } }],
        },
      ],
    });
  });

  it("markdown and html list them", async () => {
    const md = (await cli(["iac", "w", "--format", "markdown"], { cwd: dir })).stdout;
    const inert = (text: string) => text.replace(/[()]/g, "\\$&"); // markdownText escapes what could start a link
    expect(md).toContain(`<details><summary>Warnings and files not read (3)</summary>\n\n- w/a.yaml: ${inert(CYCLE)}\n`);
    expect(md).toContain(`- w/macro.yaml: ${inert(MACRO)}\n`);
    const html = (await cli(["iac", "w", "--format", "html"], { cwd: dir })).stdout;
    expect(html).toContain(`<div class="warn"><b>Warnings (3):</b> w/a.yaml: ${CYCLE}; `);
  });

  it("a hostile macro name stays inert: no control character, no line starting with ::", async () => {
    for (const format of ["table", "markdown", "sarif", "json", "html"]) {
      const out = (await cli(["iac", "h", "--format", format], { cwd: dir })).stdout;
      // eslint-disable-next-line no-control-regex -- the test looks for control characters
      expect(out, format).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(out, format).not.toMatch(/^\s*::/m);
    }
    const doc = json(await cli(["iac", "h", "--format", "json"], { cwd: dir }));
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0].file).toBe("h/evil.yaml");
  });
});
