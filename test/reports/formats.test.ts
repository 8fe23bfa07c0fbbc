import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { toAsff, asffResourceType, formatAsff } from "../../reports/asff.js";
import { CSV_COLUMNS, csvCell, formatCsv } from "../../reports/csv.js";
import { CSP, expandFindings, formatHtml, scriptJson } from "../../reports/html.js";
import { plainText } from "../../reports/escape.js";
import { formatters, isFormat, type ReportContext } from "../../reports/index.js";
import { formatJunit } from "../../reports/junit.js";
import { ACCOUNT, HOSTILE, RULES, sampleDoc } from "./fixtures.js";

// ajv-formats is CommonJS with a default export: under NodeNext the callable is on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;
const ctx: ReportContext = { rules: RULES, color: false };
const root = path.resolve(import.meta.dirname, "../..");

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF records), for the round trip. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    cell = "",
    i = 0,
    quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        cell += c;
        i++;
      }
    } else if (c === '"' && cell === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(cell);
      cell = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 2;
    } else if (c === "\r" || c === "\n") {
      throw new Error(`bare line break at ${i}`);
    } else if (c === '"') {
      throw new Error(`quote inside an unquoted field at ${i}`);
    } else {
      cell += c;
      i++;
    }
  }
  if (cell !== "" || row.length) throw new Error("last record not terminated by CRLF");
  return rows;
}

describe("registry", () => {
  it("maps the new format names to formatters", () => {
    for (const f of ["html", "junit", "csv", "asff", "json", "sarif", "markdown", "table"]) expect(isFormat(f)).toBe(true);
    expect(formatters.html).toBe(formatHtml);
    expect(formatters.junit).toBe(formatJunit);
  });
});

describe("junit", () => {
  const doc = sampleDoc();
  const xml = formatJunit(doc, ctx);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => ["testsuite", "testcase"].includes(name) }).parse(xml);

  it("is well-formed XML", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it("matches the JUnit structure (JSON Schema of the parsed XML, after the common XSD)", () => {
    const count = { type: "string", pattern: "^[0-9]+$" };
    const testcase = {
      type: "object",
      required: ["@name", "@classname", "@time"],
      properties: {
        "@name": { type: "string", minLength: 1 },
        "@classname": { type: "string", pattern: "^rampart\\." },
        "@time": { type: "string" },
        failure: { type: "object", required: ["@message", "@type", "#text"] },
        skipped: { type: "object", required: ["@message"] },
      },
      not: { required: ["failure", "skipped"] },
    };
    const schema = {
      type: "object",
      required: ["testsuites"],
      properties: {
        testsuites: {
          type: "object",
          required: ["@tests", "@failures", "@errors", "@skipped", "testsuite"],
          properties: {
            "@tests": count,
            "@failures": count,
            "@errors": count,
            "@skipped": count,
            testsuite: {
              type: "array",
              items: {
                type: "object",
                required: ["@name", "@tests", "@failures", "@errors", "@skipped", "@timestamp", "testcase"],
                properties: { "@tests": count, testcase: { type: "array", items: testcase } },
              },
            },
          },
        },
      },
    };
    const ajv = new Ajv({ allErrors: true });
    const ok = ajv.validate(schema, parsed);
    expect(ajv.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("has one test case per rule × resource: failures for fail, skipped for unknown/suppressed, passes from doc.passes", () => {
    const suites = parsed.testsuites.testsuite as any[];
    const cases = suites.flatMap((s) => s.testcase);
    const keys = new Set([...doc.findings, ...doc.passes!].map((f) => `${f.ruleId}|${f.resource.id}`));
    expect(cases).toHaveLength(keys.size);
    expect(cases.filter((c) => c.failure)).toHaveLength(doc.findings.filter((f) => f.status === "fail").length);
    expect(cases.filter((c) => c.skipped)).toHaveLength(2);
    expect(cases.filter((c) => !c.failure && !c.skipped)).toHaveLength(2);
    expect(Number(parsed.testsuites["@tests"])).toBe(cases.length);
    expect(Number(parsed.testsuites["@failures"])).toBe(5);
    for (const s of suites) expect(Number(s["@tests"])).toBe(s.testcase.length);
    const hostile = cases.find((c) => c["@name"].includes("<img"));
    expect(hostile["@name"]).toContain(HOSTILE);
    expect(xml).not.toContain("<img");
    const sup = cases.find((c) => c.skipped?.["@message"].startsWith("suppressed"));
    expect(sup.skipped["@message"]).toContain("proxy needs the internet <b>");
  });

  it("writes a rule's title, severity, why and fix once, in its suite's properties, not in each failure", () => {
    const suite = (parsed.testsuites.testsuite as any[]).find((s) => s["@name"] === "iam-rolesanywhere-trust-scoped");
    const props = Object.fromEntries((suite.properties.property as any[]).map((p) => [p["@name"], p["@value"]]));
    expect(props).toEqual({ title: RULES[0].title, severity: "high", why: RULES[0].rationale, fix: RULES[0].remediation!.summary });
    expect(xml.split(RULES[0].rationale!).length - 1).toBe(1);
    expect(xml.split(RULES[1].rationale!).length - 1).toBe(1);
    for (const c of suite.testcase) expect(c.failure?.["#text"] ?? "").not.toMatch(/why:|fix:/);
  });

  it("puts several findings of one rule on one resource into one test case", () => {
    const d = sampleDoc();
    d.findings.push({ ...d.findings[0], id: "f".repeat(32), message: "Second statement too." });
    const x = formatJunit(d, ctx);
    expect(x).toContain("(and 1 more)");
    expect(x.match(/<testcase /g)).toHaveLength((xml.match(/<testcase /g) ?? []).length);
  });

  it("is empty but valid for an empty document", () => {
    const d = { ...sampleDoc(), findings: [], passes: [] };
    const x = formatJunit(d, ctx);
    expect(XMLValidator.validate(x)).toBe(true);
    expect(x).toContain('tests="0"');
  });
});

describe("csv", () => {
  const doc = sampleDoc();
  const text = formatCsv(doc, ctx);
  it("round-trips through an RFC 4180 parser", () => {
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(doc.findings.length + 1);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    rows.slice(1).forEach((r, i) => {
      expect(r[col("id")]).toBe(doc.findings[i].id);
      expect(r[col("status")]).toBe(doc.findings[i].status);
    });
    const quoted = rows.find((r) => r[col("message")].includes('"quoted"'))!;
    // one line of plain text: the message's line break is a space
    expect(quoted[col("message")]).toBe(plainText(doc.findings[2].message));
  });
  it("neutralises spreadsheet formulas", () => {
    const rows = parseCsv(text);
    const name = rows.map((r) => r[CSV_COLUMNS.indexOf("resourceName")]).find((v) => v.includes("cmd|"));
    expect(name).toBe("'=cmd|' /C calc'!A0");
    for (const v of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"]) expect(csvCell(v).replace(/^"|"$/g, "").startsWith("'")).toBe(true);
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("plain")).toBe("plain");
  });
});

describe("asff", () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(root, "schemas/asff.schema.json"), "utf8")));
  const doc = sampleDoc();

  it("validates against schemas/asff.schema.json (the documented required fields and limits)", () => {
    const out = JSON.parse(formatAsff(doc, { ...ctx, aws: { region: "eu-west-1" } }));
    const ok = validate(out);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(out).toHaveLength(doc.findings.length + doc.passes!.length);
  });

  it("uses the fingerprint as Id, the rule as generator, and maps status, severity and type", () => {
    const out = toAsff(doc, ctx, { region: "eu-west-1", now: new Date("2025-06-01T11:00:00Z") });
    const byId = new Map(out.map((a) => [a.Id, a]));
    for (const f of doc.findings) {
      const a = byId.get(f.id)!;
      expect(a.GeneratorId).toBe(`rampart/${f.ruleId}`);
      expect(a.ProductArn).toBe(`arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`);
      expect(a.AwsAccountId).toBe(ACCOUNT);
      expect(a.RecordState).toBe("ACTIVE");
    }
    const [kms, hostile] = doc.findings;
    expect(byId.get(kms.id)).toMatchObject({
      Severity: { Label: "CRITICAL" },
      Compliance: { Status: "FAILED" },
      Workflow: { Status: "NEW" },
      Resources: [{ Type: "AwsKmsKey", Region: "eu-west-1" }],
    });
    expect(byId.get(hostile.id)!.Resources[0]).toMatchObject({ Type: "AwsIamRole", Id: hostile.resource.arn, Region: "eu-west-1" });
    expect(byId.get(doc.findings[5].id)!.Compliance!.Status).toBe("NOT_AVAILABLE");
    expect(byId.get(doc.findings[6].id)).toMatchObject({ Compliance: { Status: "FAILED" }, Workflow: { Status: "SUPPRESSED" } });
    expect(out.filter((a) => a.Compliance?.Status === "PASSED")).toHaveLength(2);
    expect(byId.get(kms.id)!.Types[0]).toBe("Software and Configuration Checks/AWS Security Best Practices/kms-cross-account");
    expect(asffResourceType("AWS::WorkMail::Organization")).toBe("Other");
  });

  it("clips Description to 1024 characters and keeps ids stable between runs", () => {
    const d = sampleDoc();
    d.findings[0].message = "x".repeat(5000);
    const a = toAsff(d, ctx, { region: "eu-west-1" });
    expect(a[0].Description.length).toBe(1024);
    expect(validate(a)).toBe(true);
    expect(toAsff(sampleDoc(), ctx, { region: "eu-west-1" }).map((x) => x.Id)).toEqual(toAsff(sampleDoc(), ctx, { region: "eu-west-1" }).map((x) => x.Id));
  });

  it("asks for an account when an IaC finding has none", () => {
    const d = sampleDoc();
    d.findings = [d.findings[3]];
    d.passes = [];
    expect(() => toAsff(d, ctx, {})).toThrow(/--account/);
    expect(toAsff(d, ctx, { account: ACCOUNT })[0].AwsAccountId).toBe(ACCOUNT);
  });
});

describe("html", () => {
  const doc = sampleDoc();
  const html = formatHtml(doc, ctx);
  const scriptBody = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
  const styleBody = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
  const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

  it("has a strict CSP whose hashes match the one inline script and style", () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expect(CSP).toMatch(/^default-src 'none';/);
    expect(CSP).toContain(`script-src ${sha(scriptBody)}`);
    expect(CSP).toContain(`style-src ${sha(styleBody)}`);
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html).not.toMatch(/<[a-z][^>]*\s(style|on[a-z]+)=/i);
  });

  it("fetches nothing: no external src, href or url()", () => {
    expect(html).not.toMatch(/\s(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/);
  });

  it("escapes every resource-controlled string", () => {
    expect(html).not.toContain(HOSTILE);
    // Resource text travels only in the embedded data, inert there (the page draws it as text: html.browser.test.ts).
    expect(html).toContain(scriptJson(HOSTILE).slice(1, -1));
    expect(html).not.toContain("<script>alert(2)");
    expect(html).not.toContain("<b>");
  });

  it("embeds the findings as JSON with < escaped, which parses back to the document", () => {
    const m = /<script type="application\/json" id="rampart-data">([\s\S]*?)<\/script>/.exec(html)!;
    expect(m[1]).not.toContain("<");
    expect(expandFindings(JSON.parse(m[1]))).toEqual(doc.findings);
    expect(scriptJson("</script>")).toBe('"\\u003c/script>"');
  });

  it("shows summary charts and fail/unknown/suppressed apart; the data carries evidence, and each rule's why and fix once", () => {
    for (const t of ["by severity", "by family", "by account", "by region"]) expect(html).toContain(t);
    // Rows are drawn by the page from the data (test/reports/html.browser.test.ts), not written out.
    expect(html).not.toMatch(/<tr data-i=/);
    expect(html).toContain('<table id="findings" data-findings data-status="fail">');
    expect(html).toContain('<span class="count" id="findings-count">(5)</span>');
    expect(html).toContain('<span class="count" id="unknown-count">(1)</span>');
    expect(html).toContain('<span class="count" id="suppressed-count">(1)</span>');
    const data = JSON.parse(/<script type="application\/json" id="rampart-data">([\s\S]*?)<\/script>/.exec(html)![1]);
    expect(data.findings[0].evidence).toEqual(doc.findings[0].evidence);
    expect(data.rules[RULES[1].id]).toEqual({ title: RULES[1].title, rationale: RULES[1].rationale, fix: RULES[1].remediation!.summary });
    expect(html.split(JSON.stringify(RULES[0].rationale)).length - 1).toBe(1);
    expect(data.findings.find((f: any) => f.location).location.file).toBe("templates/app.yaml");
    expect(html).not.toContain('id="trend"');
  });

  it("draws a trend chart from the history", () => {
    const history = [0, 1, 2].map((i) => ({ at: `2025-05-0${i + 1}T10:00:00.000Z`, fail: 5 - i, unknown: i, pass: 3, suppressed: 1, bySeverity: {} }));
    const h = formatHtml(doc, { ...ctx, history });
    expect(h).toContain('id="trend"');
    expect(h.match(/<polyline class="trend-/g)).toHaveLength(3);
    expect(h).toContain("(3 scans)");
  });
});
