// Report sizes and times at organization scale: the engine benchmark's 100k-resource shape
// (200 accounts), every rule of the default pack, each output format.
//   node dist/bench/reports.js [--dist DIR] [--resources N] [--accounts N] [--browser]
// --dist DIR formats with another build's reports (e.g. main's dist/) for a before/after figure;
// --browser opens the HTML report in headless Chromium (scripts/ensure-chromium.mjs) and prints
// its first contentful paint, when the rows are drawn, and a severity filter's time.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { syntheticSnapshot } from "./synthetic.js";
import { Engine } from "../engine/engine.js";
import { loadPack } from "../engine/pack.js";
import type { ReportContext } from "../reports/index.js";
import type { FindingsDocument } from "../engine/findings.js";

type Fmt = (doc: FindingsDocument, ctx: ReportContext) => string;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const n = Number(arg("--resources") ?? 100_000);
  const accounts = Number(arg("--accounts") ?? 200);
  const dist = arg("--dist");
  const mod = (dist ? await import(pathToFileURL(path.resolve(dist, "reports", "index.js")).href) : await import("../reports/index.js")) as {
    formatters: Record<string, Fmt>;
  };
  const engine = await Engine.load();
  const t0 = performance.now();
  const doc = engine.evaluate(syntheticSnapshot(n, accounts), loadPack(), { kind: "live", startedAt: new Date("2026-12-03T12:00:00Z") });
  console.log(
    `${n} resources, ${accounts} accounts: ${doc.findings.length} findings (${doc.summary.fail} failing, ${doc.summary.unknown} unknown) in ${Math.round(performance.now() - t0)} ms`,
  );
  console.log(`reports from ${dist ? path.resolve(dist) : "this build"}`);
  console.log("format | bytes | lines | ms");
  const views: Array<[string, string, Partial<ReportContext>]> = [
    ["table (TTY summary)", "table", { terminal: { mode: "summary", rows: 40 } }],
    ["table (--details / piped)", "table", {}],
    ["markdown", "markdown", {}],
    ["sarif", "sarif", {}],
    ["html", "html", {}],
    ["junit", "junit", {}],
    ["csv", "csv", {}],
    ["json", "json", {}],
  ];
  for (const [label, name, extra] of views) {
    const f = mod.formatters[name] as Fmt | undefined;
    if (!f) continue;
    const t = performance.now();
    const text = f(doc, { rules: engine.rules, color: false, ...extra });
    const ms = Math.round(performance.now() - t);
    console.log(`${label} | ${Buffer.byteLength(text)} | ${text.split("\n").length} | ${ms}`);
    if (name === "html" && process.argv.includes("--browser")) await browser(text);
  }
}

async function browser(html: string): Promise<void> {
  const ensure = spawnSync(process.execPath, [path.resolve(import.meta.dirname, "../../scripts/ensure-chromium.mjs")], { encoding: "utf8" });
  if (ensure.status !== 0) return console.log(`html in Chromium: skipped (${ensure.stderr.trim()})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-html-"));
  const file = path.join(dir, "report.html");
  fs.writeFileSync(file, html);
  const { chromium } = await import("playwright-core");
  const b = await chromium.launch({ executablePath: ensure.stdout.trim(), args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const page = await b.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(pathToFileURL(file).href, { timeout: 600_000 });
    await page.waitForSelector("html[data-ready=true]", { timeout: 600_000 });
    const t = (await page.evaluate(`(() => {
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      const nav = performance.getEntriesByType("navigation")[0];
      const s = document.getElementById("f-severity"), t0 = performance.now();
      s.value = "medium"; s.dispatchEvent(new Event("change"));
      return { fcp: fcp ? fcp.startTime : NaN, rows: nav.domContentLoadedEventEnd, filter: performance.now() - t0 };
    })()`)) as { fcp: number; rows: number; filter: number };
    console.log(
      `html in Chromium: first contentful paint ${Math.round(t.fcp)} ms, rows drawn (DOMContentLoaded) ${Math.round(t.rows)} ms, severity filter ${Math.round(t.filter)} ms`,
    );
  } finally {
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
