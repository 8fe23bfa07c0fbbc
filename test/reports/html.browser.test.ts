/**
 * The HTML report in a real browser (Chromium through playwright-core): the table shows every
 * finding, filters and sorting work, nothing leaves the page, and a hostile resource name is
 * text, not markup. Skips with a message when no Chromium can be had (scripts/ensure-chromium.mjs).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { formatHtml, PAGE_SIZE } from "../../reports/html.js";
import { HOSTILE, RULES, sampleDoc } from "./fixtures.js";
import { cli } from "../e2e/helpers.js";

const root = path.resolve(import.meta.dirname, "../..");
const ensure = spawnSync(process.execPath, [path.join(root, "scripts/ensure-chromium.mjs")], { encoding: "utf8", timeout: 900_000 });
const chromiumPath = ensure.status === 0 ? ensure.stdout.trim() : undefined;
if (!chromiumPath) console.warn(`html.browser.test: skipped, no Chromium: ${ensure.stderr.trim() || `ensure-chromium exited ${ensure.status}`}`);

describe.skipIf(!chromiumPath)("HTML report in Chromium", () => {
  const doc = sampleDoc({ extraFails: 16 });
  const history = [0, 1, 2, 3].map((i) => ({ at: `2025-05-0${i + 1}T10:00:00.000Z`, fail: 30 - 3 * i, unknown: i, pass: 5, suppressed: 1, bySeverity: {} }));
  let dir: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const blocked: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-html-"));
    const file = path.join(dir, "report.html");
    fs.writeFileSync(file, formatHtml(doc, { rules: RULES, color: false, history }));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("html[data-ready=true]");
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const visibleRows = (table: string) => page.locator(`#${table} tbody tr:visible`).count();

  it("shows one row per finding, fail, unknown and suppressed apart", async () => {
    const fail = doc.findings.filter((f) => f.status === "fail").length;
    expect(await page.locator("#findings tbody tr").count()).toBe(fail);
    expect(await visibleRows("findings")).toBe(fail);
    expect(await visibleRows("unknown")).toBe(1);
    expect(await visibleRows("suppressed")).toBe(1);
    expect(await page.locator("table[data-findings] tbody tr").count()).toBe(doc.findings.length);
    expect(await page.locator("#trend polyline").count()).toBe(3);
  });

  it("filters by severity, status, rule and text", async () => {
    for (const sev of ["high", "medium", "info"] as const) {
      await page.selectOption("#f-severity", sev);
      expect(await visibleRows("findings")).toBe(doc.findings.filter((f) => f.status === "fail" && f.severity === sev).length);
    }
    await page.selectOption("#f-severity", "");
    await page.selectOption("#f-status", "unknown");
    expect(await visibleRows("findings")).toBe(0);
    expect(await visibleRows("unknown")).toBe(1);
    await page.selectOption("#f-status", "");
    await page.selectOption("#f-rule", "kms-key-policy-cross-account");
    expect(await visibleRows("findings")).toBe(1);
    await page.selectOption("#f-rule", "");
    await page.fill("#f-text", "bulk-1");
    expect(await visibleRows("findings")).toBe(doc.findings.filter((f) => f.message.includes("bulk-1")).length);
    expect(await page.locator("#findings-count").textContent()).toMatch(/of/);
    await page.fill("#f-text", "");
    expect(await visibleRows("findings")).toBe(doc.findings.filter((f) => f.status === "fail").length);
  });

  it("sorts by a column, both ways", async () => {
    const resources = () => page.locator("#findings tbody tr td:nth-child(4) .rid").allTextContents();
    await page.click('#findings th[data-key="resource"] button');
    const asc = await resources();
    expect(asc).toEqual([...asc].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
    expect(await page.getAttribute('#findings th[data-key="resource"]', "aria-sort")).toBe("ascending");
    await page.click('#findings th[data-key="resource"] button');
    expect(await resources()).toEqual([...asc].reverse());
    await page.click('#findings th[data-key="severity"] button');
    const rank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as Record<string, number>;
    const sevs = (await page.locator("#findings tbody tr td:first-child").allTextContents()).map((s) => rank[s.trim()]);
    expect(sevs).toEqual([...sevs].sort((a, b) => a - b));
  });

  it("renders the hostile role name as text and runs none of it", async () => {
    const cell = page.locator("#findings tbody tr .rid", { hasText: HOSTILE }).first();
    expect(await cell.textContent()).toBe(HOSTILE);
    expect(await page.locator("img").count()).toBe(0);
    await page.locator("#findings details summary", { hasText: "trusts rolesanywhere" }).first().click();
    expect(await page.locator("details[open] pre").first().textContent()).toContain("</script><script>alert(2)</script>");
    expect(dialogs).toEqual([]);
    expect(errors.filter((e) => !/Content Security Policy/.test(e))).toEqual([]);
  });

  it("makes no request other than the file itself", async () => {
    expect(blocked).toEqual([]);
    expect(requests.every((u) => u.startsWith("file:") || u.startsWith("data:"))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("writes a screenshot to test-artifacts/report.png", async () => {
    const out = path.join(root, "test-artifacts", "report.png");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.fill("#f-text", "");
    await page.screenshot({ path: out, fullPage: true });
    expect(fs.statSync(out).size).toBeGreaterThan(10_000);
  });
});

/** `rampart demo --format html`, the page a person opens first: every finding of the demo is a row. */
describe.skipIf(!chromiumPath)("rampart demo HTML report in Chromium", () => {
  type DemoFinding = { id: string; status: string; ruleId: string; resource: { id: string; name?: string } };
  let dir: string;
  let browser: Browser;
  let page: Page;
  let findings: DemoFinding[];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-demo-html-"));
    const file = path.join(dir, "report.html");
    const html = await cli(["demo", "--format", "html", "--output", file]);
    expect(html.code, html.stderr).toBe(0);
    const demo = await cli(["demo", "--format", "json"]);
    expect(demo.code, demo.stderr).toBe(0);
    findings = JSON.parse(demo.stdout).findings;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.route("**/*", (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("html[data-ready=true]");
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows one row per finding of `rampart demo --format json`", async () => {
    expect(findings.length).toBeGreaterThan(20);
    expect(await page.locator("table[data-findings] tbody tr").count()).toBe(findings.length);
    const count = (status: string) => findings.filter((f) => f.status === status).length;
    expect(count("fail") + count("unknown") + count("suppressed")).toBe(findings.length);
    expect(await page.locator("#findings tbody tr:visible").count()).toBe(count("fail"));
    expect(await page.locator("#unknown tbody tr:visible").count()).toBe(count("unknown"));
    expect(await page.locator("#suppressed tbody tr:visible").count()).toBe(count("suppressed"));
    // The same findings, not just as many: rule and resource of every row.
    const rows = await page
      .locator("table[data-findings] tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => `${tr.getAttribute("data-status")} ${tr.querySelector("td:nth-child(3) code")?.textContent} ${tr.querySelector(".rid")?.textContent}`),
      );
    expect(rows.sort()).toEqual(findings.map((f) => `${f.status} ${f.ruleId} ${f.resource.name ?? f.resource.id}`).sort());
    expect(errors).toEqual([]);
  });
});

/** 50,000 failing findings: the page embeds the data once and draws one page of rows at a time. */
describe.skipIf(!chromiumPath)("HTML report with 50,000 findings in Chromium", () => {
  const big = sampleDoc({ extraFails: 50_000 });
  const fails = big.findings.filter((f) => f.status === "fail");
  let dir: string;
  let file: string;
  let browser: Browser;
  let page: Page;
  const blocked: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-html-50k-"));
    file = path.join(dir, "report.html");
    fs.writeFileSync(file, formatHtml(big, { rules: RULES, color: false }));
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // Speed (first contentful paint, rows drawn, filter time) is measured by `npm run bench`
  // (bench/reports.ts --browser), not asserted here: these tests check what the page shows.
  it("paints the first page of rows", async () => {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("html[data-ready=true]");
    expect(await page.locator("#findings tbody tr").count()).toBe(PAGE_SIZE);
    expect(await page.locator("#findings-count").textContent()).toBe(`(${fails.length})`);
    expect(await page.locator("#findings-pager .range").textContent()).toBe(
      `rows 1–${PAGE_SIZE} of ${fails.length} (page 1 of ${Math.ceil(fails.length / PAGE_SIZE)})`,
    );
    // the rows are the data's first failing findings, in document order
    const ids = await page.locator("#findings tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-i")));
    expect(ids).toEqual(
      big.findings
        .map((f, i) => [f, i] as const)
        .filter(([f]) => f.status === "fail")
        .slice(0, PAGE_SIZE)
        .map(([, i]) => String(i)),
    );
  });

  it("changes a filter, with the exact counts", async () => {
    await page.selectOption("#f-severity", "medium");
    const medium = fails.filter((f) => f.severity === "medium").length;
    expect(await page.locator("#findings-count").textContent()).toBe(`(${medium} of ${fails.length})`);
    const sevs = await page.locator("#findings tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-severity")));
    expect(sevs).toEqual(Array(PAGE_SIZE).fill("medium"));
    await page.fill("#f-text", "bulk-4997");
    expect(await page.locator("#findings tbody tr").count()).toBe(fails.filter((f) => f.severity === "medium" && f.message.includes("bulk-4997")).length);
    await page.fill("#f-text", "");
    await page.selectOption("#f-severity", "");
    expect(await page.locator("#findings-count").textContent()).toBe(`(${fails.length})`);
  });

  it("pages through the rows and sorts the whole list, not only the page", async () => {
    await page.click("#findings-pager [data-page=next]");
    expect(await page.locator("#findings-pager .range").textContent()).toMatch(new RegExp(`^rows ${PAGE_SIZE + 1}–${2 * PAGE_SIZE} of ${fails.length} `));
    expect(await page.locator("#findings tbody tr").first().getAttribute("data-i")).toBe(
      String(big.findings.findIndex((f, i) => f.status === "fail" && big.findings.slice(0, i).filter((g) => g.status === "fail").length === PAGE_SIZE)),
    );
    await page.click('#findings th[data-key="severity"] button');
    // sorted by severity ascending (critical first): the one critical finding leads page 1
    expect(await page.locator("#findings tbody tr").first().getAttribute("data-severity")).toBe("critical");
    expect(await page.locator("#findings-pager .range").textContent()).toMatch(/^rows 1–/);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
