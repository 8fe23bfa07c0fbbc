// Hostile content (issue 19): templates written to attack the people and machines that read
// rampart's reports, through the real loader, the compiled rules and every output format; and a
// fast-check property over arbitrary Unicode in every resource-controlled field of a finding.
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.js";
import type { Finding, FindingsDocument } from "../../engine/findings.js";
import { loadPack } from "../../engine/pack.js";
import { loadIac } from "../../collectors/iac/index.js";
import { markdownText, plainText, terminalLines, terminalText } from "../../reports/escape.js";
import { formatters, type FormatName, type ReportContext } from "../../reports/index.js";
import { formatJunit } from "../../reports/junit.js";
import { formatMarkdown } from "../../reports/markdown.js";
import { formatTable } from "../../reports/table.js";
import { ACCOUNT, RULES, sampleDoc } from "./fixtures.js";

const CORPUS = path.resolve(import.meta.dirname, "../fixtures/hostile");
const FORMATS = Object.keys(formatters) as FormatName[];

/** Raw control characters: C0 other than line breaks (CSV records end in CRLF), DEL, C1, and the escape character. */
/* eslint-disable no-control-regex */
const RAW_CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** A line a CI runner would execute as a workflow command (GitHub Actions' `::` form; terminals also the `##[` forms). */
const COMMAND_LINE = /^\s*::/m;
const HASH_COMMAND = /##(vso)?\[/i;

let engine: Engine;
let doc: FindingsDocument;
let ctx: ReportContext;
const outputs = new Map<FormatName, string>();

beforeAll(async () => {
  engine = await Engine.load();
  const load = await loadIac([CORPUS]);
  expect(load.errors).toEqual([]);
  doc = engine.evaluate(load.snapshot, loadPack(), { kind: "iac", startedAt: new Date("2026-01-01T00:00:00Z"), lineIndex: load.lineIndex });
  ctx = { rules: engine.rules, color: true, aws: { account: ACCOUNT, region: "eu-west-1" } };
  for (const f of FORMATS) outputs.set(f, formatters[f](doc, ctx));
});

describe("the hostile template corpus", () => {
  it("is judged: the rule that quotes the Sid fails on every hostile statement", () => {
    const sids = doc.findings.filter((f) => f.ruleId === "kms-key-policy-cross-account-scoped").map((f) => f.resource.id);
    expect(sids.sort()).toEqual(["::error file=x.py::id\u001b[2J", "HostileKey", "HostileKey", "HostileKey"]);
    // The messages really carry the attack (so the assertions below can fail).
    expect(doc.findings.some((f) => f.message.includes("\u001b[2J"))).toBe(true);
    expect(doc.findings.some((f) => f.message.includes("\n::error file=app.py"))).toBe(true);
    expect(doc.findings.some((f) => f.message.includes("![p](https://evil.example/p.png)"))).toBe(true);
  });

  it.each(FORMATS)("%s: no raw control character from a template", (format) => {
    const text = outputs.get(format)!;
    // The table may colour rampart's own words (it is given color: true); none of the template's escapes survive.
    const own = format === "table" ? text.replace(/\u001b\[[0-9;]*m/g, "") : text;
    expect(own).not.toMatch(RAW_CONTROL);
    expect(text).not.toContain("\u001b[2J");
    expect(text).not.toContain("\u001b]8;;");
    expect(text).not.toContain("\u202e");
  });

  it.each(FORMATS)("%s: no line a CI runner would run as a workflow command", (format) => {
    expect(outputs.get(format)!).not.toMatch(COMMAND_LINE);
    if (format === "table") expect(outputs.get(format)!).not.toMatch(HASH_COMMAND);
  });

  it("terminal: the attack is shown as inert text on the finding's own line", () => {
    const text = outputs.get("table")!.replace(/\u001b\[[0-9;]*m/g, "");
    const line = text.split("\n").find((l) => l.includes("fake annotation"))!;
    expect(line).toMatch(/^ {9}\S/);
    expect(line).toContain("x ::error file=app.py,line=1::fake annotation ::stop-commands::pwned");
    expect(line).toContain("#\\#[warning]old syntax");
    // the fake summary is part of a finding's message, never a line of its own
    expect(text.split("\n").filter((l) => l.startsWith("rampart iac scan"))).toHaveLength(1);
    expect(text).toContain("\\::error file=x.py::id");
  });

  it("markdown: no image, link, HTML, mention or reference from a template; tables intact", () => {
    const md = outputs.get("markdown")!;
    expect(md).not.toMatch(/!\[/);
    expect(md).not.toMatch(/\]\(/);
    expect(md).not.toContain("<img");
    expect(md).not.toMatch(/@(?!&#8203;)/);
    expect(md).not.toMatch(/(?<!&)#(?!&#8203;)[0-9A-Za-z]/);
    expect(md).not.toMatch(/GH-\d/);
    expect(md).not.toContain("https://");
    expect(md).not.toContain("www.evil");
    expect(md).not.toMatch(/(?<!\\)\$\{\{/);
    for (const row of md.split("\n").filter((l) => l.startsWith("| "))) expect(row.split(/(?<!\\)\|/).length).toBe(7);
    expect(md).toContain("\\!\\[p\\]\\(https:&#8203;//evil.example/p.png\\)");
    expect(md).toContain("@&#8203;org/team");
  });

  it("sarif: message.text holds no embedded link and no control; names are plain text", () => {
    const log = JSON.parse(outputs.get("sarif")!);
    const results = log.runs[0].results as Array<{ message: { text: string; markdown?: string }; locations: unknown[] }>;
    expect(results.length).toBe(doc.findings.length);
    for (const r of results) {
      expect(r.message.markdown).toBeUndefined();
      expect(r.message.text).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
      expect(r.message.text).not.toMatch(RAW_CONTROL);
      expect(JSON.stringify(r.locations)).not.toMatch(/\\u00(1b|0[0-9a-f]|1[0-9a-f])/i);
    }
  });

  it("junit: well-formed XML whose text is the plain text", () => {
    const xml = outputs.get("junit")!;
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain("<img");
  });

  it("csv: a cell never starts a formula, and no control survives", () => {
    const csv = outputs.get("csv")!;
    for (const line of csv.split("\r\n")) for (const cell of line.split(",")) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it("json is the lossless record: the values are there, escaped by JSON itself", () => {
    const json = outputs.get("json")!;
    expect(JSON.parse(json).findings).toEqual(doc.findings);
    expect(json).not.toMatch(RAW_CONTROL);
  });
});

describe("the escaping functions", () => {
  it("terminalText strips escape sequences of every kind and controls, and breaks workflow commands", () => {
    expect(terminalText("\u001b[2J\u001b[1;32mok\u001b[0m")).toBe("ok");
    expect(terminalText("\u001b]8;;https://e.x\u0007link\u001b]8;;\u0007")).toBe("link");
    expect(terminalText("\u001b]0;title\u001b\\x")).toBe("x");
    expect(terminalText("\u009b31mred")).toBe("red");
    expect(terminalText("a\nb\rc\td")).toBe("a b c d");
    expect(terminalText("::error::x")).toBe("\\::error::x");
    expect(terminalText("  ::warning::x")).toBe("  \\::warning::x");
    expect(terminalText("a ##[error]b ##vso[task.setvariable]c")).toBe("a #\\#[error]b #\\#vso[task.setvariable]c");
    expect(terminalText("arn:aws:iam::123456789012:root")).toBe("arn:aws:iam::123456789012:root");
    expect(terminalText("\u202eabc\u2066")).toBe("abc");
    expect(terminalLines("ok\n  ::error::x\nok")).toBe("ok\n  \\::error::x\nok");
  });

  it("markdownText leaves ordinary text readable", () => {
    expect(markdownText("Role AppRole trusts 123456789012")).toBe("Role AppRole trusts 123456789012");
    expect(markdownText("a|b")).toBe("a\\|b");
    expect(markdownText("a\\|b")).toBe("a\\\\\\|b");
    expect(markdownText("<b>&")).toBe("&lt;b&gt;&amp;");
  });
});

// ---- the property: arbitrary Unicode in every resource-controlled field ----

const DANGER = [
  "::",
  "::error::",
  "\n",
  "\r\n",
  "\u001b[",
  "\u001b]8;;",
  "\u009b",
  "##[",
  "![",
  "](",
  "[",
  "]",
  "@",
  "#1",
  "|",
  "\\",
  "`",
  "https://",
  "<",
  "&",
  "\u2028",
  "\u202e",
  "\ud800",
];
const hostileString = fc.array(fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom(...DANGER)), { maxLength: 8 }).map((parts) => parts.join(""));

/** The sample document with `s` in every string a resource or a scanned file controls. */
function docWith(s: string): FindingsDocument {
  const d = sampleDoc({ hostile: false });
  const touch = (f: Finding): Finding => ({
    ...f,
    message: `Statement ${s} lets ${s} in.`,
    resource: { ...f.resource, id: s, type: `AWS::${s}`, name: s, ...(f.resource.arn ? { arn: s } : {}), ...(f.resource.account ? { account: s } : {}) },
    ...(f.location ? { location: { ...f.location, file: s, pointer: `/Resources/${s}` } } : {}),
    ...(f.exception ? { exception: { ...f.exception, reason: s, owner: s, expires: s } } : {}),
  });
  return {
    ...d,
    findings: d.findings.map(touch),
    coverage: d.coverage.map((c) => ({ ...c, detail: s, status: "error" as const })),
    errors: [{ file: s, reason: s }],
  };
}

const safeCtx: ReportContext = { rules: RULES, color: false };

describe("property: arbitrary Unicode in resource fields", () => {
  it("terminal: no control, no workflow command, the same lines as with a harmless value", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = formatTable(docWith(s), safeCtx);
        // as many lines as with a harmless value: the value broke no line and started none
        const lines = formatTable(docWith(s === "" ? "" : "x"), safeCtx).split("\n").length;
        expect(out).not.toMatch(RAW_CONTROL);
        expect(out).not.toMatch(COMMAND_LINE);
        expect(out).not.toMatch(HASH_COMMAND);
        expect(out.split("\n").length).toBe(lines);
      }),
      { numRuns: 300 },
    );
  });

  it("markdown: tables keep their columns, no image, link, mention or raw HTML", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const md = formatMarkdown(docWith(s));
        // as many lines as with a harmless value: the value broke no line and started none
        const lines = formatMarkdown(docWith(s === "" ? "" : "x")).split("\n").length;
        expect(md.split("\n").length).toBe(lines);
        expect(md).not.toMatch(RAW_CONTROL);
        for (const row of md.split("\n").filter((l) => l.startsWith("| "))) expect(row.match(/(?<!\\)(?:\\\\)*\|/g)!.length).toBe(6);
        expect(md).not.toMatch(/!\[|\]\(|<(?!\/?details|\/?summary)[a-z/!]/i);
        expect(md).not.toMatch(/@(?!&#8203;)/);
      }),
      { numRuns: 300 },
    );
  });

  it("junit: well-formed XML whose attribute holds the plain text of the value", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const xml = formatJunit(docWith(s));
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(xml).not.toMatch(RAW_CONTROL);
        const parsed = new XMLParser({
          ignoreAttributes: false,
          attributeNamePrefix: "@",
          processEntities: true,
          htmlEntities: false,
          trimValues: false,
        }).parse(xml);
        const suites = [parsed.testsuites.testsuite].flat();
        const names = suites.flatMap((x: { testcase: unknown }) => [x.testcase].flat()).map((c) => (c as Record<string, string>)["@name"]);
        expect(names).toContain(plainText(s).replace(/\ufffd/g, "\ufffd"));
      }),
      { numRuns: 200 },
    );
  });
});

it("the corpus holds a template for each injection class", () => {
  expect(fs.readdirSync(CORPUS).sort()).toEqual(["kms-sid-escapes.yaml", "logical-id.yaml"]);
});
