import { createHash } from "node:crypto";
import type { Finding, FindingsDocument } from "../engine/findings.js";
import type { HistoryPoint, ReportContext } from "./index.js";
import { escapeHtml, jsonText } from "./escape.js";
import { frameworkName } from "./compliance.js";

/**
 * One self-contained HTML page: no request leaves it (CSP `default-src 'none'`; the one
 * inline style and the one inline script are allowed by their SHA-256 hashes), every string
 * that comes from a scanned resource is escaped, and the findings travel as JSON inside a
 * non-executed `<script type="application/json">` with `<` written as `\u003c`.
 */

const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;

/** Rows per page of a findings table: the page renders these from the embedded data, on demand. */
export const PAGE_SIZE = 100;

export { escapeHtml };

/** JSON that is safe inside a `<script type="application/json">` element. */
export function scriptJson(value: unknown): string {
  return jsonText(JSON.stringify(value)).replace(/</g, "\\u003c");
}

const CSS = `
:root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px;background:#1d2330;color:#fff}
header h1{margin:0 0 4px;font-size:20px}
header p{margin:0;color:#c7ccd6}
main{padding:20px 28px;max-width:1500px}
section{margin:0 0 28px}
h2{font-size:17px;margin:0 0 10px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:24px}
.card.fail b{color:#b42318}.card.unknown b{color:#8a6d00}.card.pass b{color:#147a3d}.card.suppressed b{color:var(--muted)}
.warn{background:#fff4d6;border:1px solid #e9c46a;border-radius:8px;padding:8px 12px;margin-bottom:16px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px}
.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.chart h3{margin:0 0 6px;font-size:14px}
.chart svg{width:100%;height:auto;display:block}
.chart text{font-size:11px;fill:var(--fg)}
.chart .empty{fill:var(--muted)}
rect.bar{fill:#4c6ef5}
.sev-critical{fill:#7b1fa2}.sev-high{fill:#d32f2f}.sev-medium{fill:#ef6c00}.sev-low{fill:#1976d2}.sev-info{fill:#78909c}
.trend-fail{stroke:#d32f2f;fill:none;stroke-width:2}.trend-unknown{stroke:#b8860b;fill:none;stroke-width:2}.trend-suppressed{stroke:#78909c;fill:none;stroke-width:1.5;stroke-dasharray:4 3}
.dot-fail{fill:#d32f2f}.dot-unknown{fill:#b8860b}.dot-suppressed{fill:#78909c}
.axis{stroke:#b0b6c2;stroke-width:1}
.filters{display:flex;gap:10px;flex-wrap:wrap;align-items:end;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin-bottom:14px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
.filters input,.filters select{font:inherit;padding:4px 6px;min-width:150px}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
th{background:#eef0f4;white-space:nowrap}
th button{font:inherit;font-weight:600;border:0;background:none;cursor:pointer;padding:0;color:inherit}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
td code,td .rid{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.badge.critical{background:#7b1fa2}.badge.high{background:#d32f2f}.badge.medium{background:#ef6c00}.badge.low{background:#1976d2}.badge.info{background:#78909c}
.status-unknown{color:#8a6d00;font-weight:600}.status-suppressed{color:var(--muted)}
details summary{cursor:pointer}
details dl{margin:6px 0 0;display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}
details dt{font-weight:600;color:var(--muted)}details dd{margin:0}
pre{margin:0;max-height:320px;overflow:auto;background:#f2f4f7;border:1px solid var(--line);border-radius:6px;padding:6px 8px;font-size:12px;white-space:pre-wrap;word-break:break-all}
.count{color:var(--muted);font-weight:normal;font-size:13px}
.pager{display:flex;gap:10px;align-items:center;margin:8px 0;color:var(--muted)}
.pager button{font:inherit;padding:3px 10px}
.none{color:var(--muted)}
.cstatus{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.cstatus.pass{background:#2e7d32}.cstatus.fail{background:#d32f2f}.cstatus.unknown{background:#b8860b}.cstatus.manual{background:#78909c}
tr.control-manual td{color:var(--muted)}
footer{padding:10px 28px 30px;color:var(--muted);font-size:12px}
`;

const SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rampart-data").textContent);
  var findings = data.findings, rules = data.rules || {};
  var PAGE = ${PAGE_SIZE};
  var sevRank = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var statusRank = { fail: 0, unknown: 1, suppressed: 2 };
  var controls = {
    severity: document.getElementById("f-severity"),
    status: document.getElementById("f-status"),
    rule: document.getElementById("f-rule"),
    text: document.getElementById("f-text")
  };
  // A rule's title, why and fix travel once per rule; a finding carries its own only when it differs.
  function txt(f, k) { return k in f ? f[k] : (rules[f.ruleId] || {})[k]; }
  function where(f) {
    if (f.location && f.location.file) return f.location.file + (f.location.line ? ":" + f.location.line : "");
    return [f.resource.account, f.resource.region].filter(Boolean).join("/");
  }
  function haystack(f) {
    return [f.ruleId, txt(f, "title"), f.message, f.severity, f.status, f.resource.type, f.resource.id, f.resource.arn, f.resource.name,
      f.resource.account, f.resource.region, where(f), f.location && f.location.pointer].filter(Boolean).join("\\n").toLowerCase();
  }
  var hay = null;
  var keys = {
    severity: function (f) { return sevRank[f.severity]; },
    status: function (f) { return statusRank[f.status]; },
    rule: function (f) { return f.ruleId; },
    resource: function (f) { return f.resource.name || f.resource.id; },
    where: where,
    message: function (f) { return f.message; }
  };
  var tables = [], byStatus = {};
  var els = document.querySelectorAll("table[data-findings]");
  for (var e = 0; e < els.length; e++) {
    var t = { el: els[e], id: els[e].id, order: [], shown: [], page: 0 };
    tables.push(t);
    byStatus[els[e].getAttribute("data-status")] = t;
  }
  for (var i = 0; i < findings.length; i++) if (byStatus[findings[i].status]) byStatus[findings[i].status].order.push(i);
  // Rows are built from the data with text nodes only (no HTML parsing of any value), one page at a time.
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }
  function item(dl, term, nodes) {
    dl.appendChild(el("dt", null, term));
    var dd = el("dd");
    for (var k = 0; k < nodes.length; k++) dd.appendChild(typeof nodes[k] === "string" ? document.createTextNode(nodes[k]) : nodes[k]);
    dl.appendChild(dd);
  }
  function details(f) {
    var d = el("details"), dl = el("dl");
    d.appendChild(el("summary", null, f.message));
    var loc = f.location
      ? [f.location.file + (f.location.line ? ":" + f.location.line : ""), f.location.pointer, f.location.address].filter(Boolean).join(" \\u00b7 ")
      : [f.resource.arn || f.resource.id, f.resource.account, f.resource.region].filter(Boolean).join(" \\u00b7 ");
    item(dl, "Resource", [el("span", "rid", f.resource.id), " (" + f.resource.type + ")" + (f.resource.name ? " \\u2014 " + f.resource.name : "")]);
    item(dl, "Location", [el("code", null, loc)]);
    var why = txt(f, "rationale"), fix = txt(f, "fix");
    if (why) item(dl, "Why it matters", [why]);
    if (fix) item(dl, "Fix", f.remediation && f.remediation.automatic ? [fix + " ", el("em", null, "(rampart fix can apply this)")] : [fix]);
    var x = f.exception;
    if (x) item(dl, "Exception", [x.reason + " \\u2014 owner " + x.owner + ", expires " + x.expires + (x.origin ? " (" + x.origin + ")" : "")]);
    if (f.evidence !== undefined) item(dl, "Evidence", [el("pre", null, JSON.stringify(f.evidence, null, 2))]);
    item(dl, "Finding id", [el("code", null, f.id)]);
    d.appendChild(dl);
    return d;
  }
  function row(i) {
    var f = findings[i], tr = el("tr"), td;
    tr.setAttribute("data-i", String(i));
    tr.setAttribute("data-severity", f.severity);
    tr.setAttribute("data-status", f.status);
    td = el("td"); td.appendChild(el("span", "badge " + f.severity, f.severity)); tr.appendChild(td);
    tr.appendChild(el("td", "status-" + f.status, f.status === "suppressed" ? "suppressed (" + (f.suppressedStatus || "fail") + ")" : f.status));
    td = el("td"); td.appendChild(el("code", null, f.ruleId)); td.appendChild(el("br")); td.appendChild(el("span", "none", txt(f, "title") || "")); tr.appendChild(td);
    td = el("td"); td.appendChild(el("span", "rid", f.resource.name || f.resource.id)); td.appendChild(el("br")); td.appendChild(el("span", "none", f.resource.type)); tr.appendChild(td);
    td = el("td"); td.appendChild(el("code", null, where(f))); tr.appendChild(td);
    td = el("td"); td.appendChild(details(f)); tr.appendChild(td);
    return tr;
  }
  function render(t) {
    var body = t.el.tBodies[0], n = t.shown.length;
    var pages = Math.max(1, Math.ceil(n / PAGE));
    if (t.page >= pages) t.page = pages - 1;
    var start = t.page * PAGE, end = Math.min(n, start + PAGE), frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) frag.appendChild(row(t.shown[k]));
    body.textContent = "";
    body.appendChild(frag);
    var counter = document.getElementById(t.id + "-count");
    if (counter) counter.textContent = n === t.order.length ? "(" + n + ")" : "(" + n + " of " + t.order.length + ")";
    var pager = document.getElementById(t.id + "-pager");
    if (pager) {
      pager.hidden = n <= PAGE;
      pager.querySelector("[data-page=prev]").disabled = t.page === 0;
      pager.querySelector("[data-page=next]").disabled = end >= n;
      pager.querySelector(".range").textContent = n ? "rows " + (start + 1) + "\\u2013" + end + " of " + n + " (page " + (t.page + 1) + " of " + pages + ")" : "no rows";
    }
  }
  function apply() {
    var sev = controls.severity.value, st = controls.status.value, rule = controls.rule.value;
    var text = controls.text.value.trim().toLowerCase();
    if (text && !hay) hay = findings.map(haystack);
    for (var t = 0; t < tables.length; t++) {
      var order = tables[t].order, shown = [];
      for (var r = 0; r < order.length; r++) {
        var i = order[r], f = findings[i];
        if ((!sev || f.severity === sev) && (!st || f.status === st) && (!rule || f.ruleId === rule) && (!text || hay[i].indexOf(text) >= 0)) shown.push(i);
      }
      tables[t].shown = shown;
      tables[t].page = 0;
      render(tables[t]);
    }
  }
  function sortBy(th) {
    var table = th.closest("table"), get = keys[th.getAttribute("data-key")], t = null;
    for (var k = 0; k < tables.length; k++) if (tables[k].el === table) t = tables[k];
    if (!t) return;
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var heads = table.querySelectorAll("th[data-key]");
    for (var h = 0; h < heads.length; h++) heads[h].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var value = {};
    for (var v = 0; v < t.order.length; v++) value[t.order[v]] = get(findings[t.order[v]]);
    t.order.sort(function (a, b) {
      var va = value[a], vb = value[b], c;
      if (typeof va === "number" && typeof vb === "number") c = va - vb;
      else c = String(va == null ? "" : va).localeCompare(String(vb == null ? "" : vb), undefined, { numeric: true });
      return dir * c || a - b;
    });
    apply();
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("th[data-key] button");
    if (btn) return sortBy(btn.parentElement);
    var pg = e.target.closest && e.target.closest("nav.pager button[data-page]");
    if (!pg) return;
    for (var k = 0; k < tables.length; k++) {
      var t = tables[k];
      if (t.id + "-pager" !== pg.parentElement.id) continue;
      t.page += pg.getAttribute("data-page") === "next" ? 1 : -1;
      if (t.page < 0) t.page = 0;
      render(t);
    }
  });
  ["severity", "status", "rule"].forEach(function (k) { controls[k].addEventListener("change", apply); });
  controls.text.addEventListener("input", apply);
  apply();
  document.documentElement.setAttribute("data-ready", "true");
})();
`;

const hash = (s: string) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;
export const CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(CSS)}; img-src data:; base-uri 'none'; form-action 'none'`;

function countBy<T>(items: T[], key: (t: T) => string): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** A horizontal bar chart as inline SVG. `cls` gives a bar its colour class. */
function barChart(title: string, entries: Array<[string, number]>, cls: (label: string) => string = () => "bar", max = 12): string {
  const shown = entries.slice(0, max);
  if (entries.length > max) shown.push([`${entries.length - max} more`, entries.slice(max).reduce((n, [, v]) => n + v, 0)]);
  const rowH = 22,
    labelW = 170,
    width = 460,
    barW = width - labelW - 50;
  const height = Math.max(1, shown.length) * rowH + 8;
  const top = Math.max(1, ...shown.map(([, v]) => v));
  const body = shown.length
    ? shown
        .map(([label, v], i) => {
          const y = 4 + i * rowH;
          const w = Math.max(2, Math.round((v / top) * barW));
          const short = label.length > 28 ? `${label.slice(0, 27)}…` : label;
          return `<g><title>${escapeHtml(label)}: ${v}</title><text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(short)}</text><rect class="${cls(label)}" x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" rx="2"/><text x="${labelW + w + 5}" y="${y + 14}">${v}</text></g>`;
        })
        .join("")
    : `<text class="empty" x="8" y="18">nothing to show</text>`;
  return `<figure class="chart"><h3>${escapeHtml(title)}</h3><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${body}</svg></figure>`;
}

/** A line chart of failing / unknown / suppressed counts over the scan history. */
function trendChart(points: HistoryPoint[]): string {
  const pts = [...points].sort((a, b) => a.at.localeCompare(b.at));
  const width = 940,
    height = 220,
    left = 40,
    right = 16,
    top = 12,
    bottom = 36;
  const top$ = Math.max(1, ...pts.map((p) => Math.max(p.fail, p.unknown, p.suppressed)));
  const x = (i: number) => left + (pts.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (pts.length - 1));
  const y = (v: number) => top + (height - top - bottom) * (1 - v / top$);
  const series = (["fail", "unknown", "suppressed"] as const)
    .map((k) => {
      const line = `<polyline class="trend-${k}" points="${pts.map((p, i) => `${x(i).toFixed(1)},${y(p[k]).toFixed(1)}`).join(" ")}"/>`;
      const dots = pts
        .map(
          (p, i) =>
            `<circle class="dot-${k}" cx="${x(i).toFixed(1)}" cy="${y(p[k]).toFixed(1)}" r="3"><title>${escapeHtml(p.at)}: ${p[k]} ${k}</title></circle>`,
        )
        .join("");
      return line + dots;
    })
    .join("");
  const step = Math.max(1, Math.ceil(pts.length / 8));
  const labels = pts
    .map((p, i) =>
      i % step === 0 || i === pts.length - 1
        ? `<text x="${x(i).toFixed(1)}" y="${height - 14}" text-anchor="middle">${escapeHtml(p.at.slice(0, 10))}</text>`
        : "",
    )
    .join("");
  const axis = `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}"/><line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}"/><text x="${left - 6}" y="${top + 10}" text-anchor="end">${top$}</text><text x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text>`;
  const legend = `<text x="${width - 250}" y="${height - 2}"><tspan class="dot-fail">■</tspan> failing  <tspan class="dot-unknown">■</tspan> unknown  <tspan class="dot-suppressed">■</tspan> suppressed</text>`;
  return `<section id="trend"><h2>Trend <span class="count">(${pts.length} scans)</span></h2><figure class="chart"><svg role="img" aria-label="findings over time" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${axis}${series}${labels}${legend}</svg></figure></section>`;
}

function findingsTable(id: string, status: Finding["status"], title: string, count: number, note = ""): string {
  const head = `<thead><tr><th data-key="severity"><button type="button">Severity</button></th><th data-key="status"><button type="button">Status</button></th><th data-key="rule"><button type="button">Rule</button></th><th data-key="resource"><button type="button">Resource</button></th><th data-key="where"><button type="button">Where</button></th><th data-key="message"><button type="button">Finding</button></th></tr></thead>`;
  const pager = `<nav class="pager" id="${id}-pager" hidden><button type="button" data-page="prev">‹ previous</button> <span class="range"></span> <button type="button" data-page="next">next ›</button></nav>`;
  return `<section id="${id}-section"><h2>${escapeHtml(title)} <span class="count" id="${id}-count">(${count})</span></h2>${note}${
    count ? "" : `<p class="none">None.</p>`
  }<table id="${id}" data-findings data-status="${status}"${count ? "" : " hidden"}>${head}<tbody></tbody></table>${pager}</section>`;
}

type Texts = Pick<Finding, "title" | "rationale" | "fix">;
const TEXT_KEYS = ["title", "rationale", "fix"] as const;

/**
 * The findings as the page embeds them: a rule's title, why and fix once in `rules`, left out of
 * each finding that has the same text (a finding without one carries null). `expandFindings` undoes it.
 */
export function embeddedFindings(findings: Finding[]): { rules: Record<string, Texts>; findings: Array<Partial<Finding>> } {
  const rules: Record<string, Texts> = {};
  const out = findings.map((f) => {
    const r = (rules[f.ruleId] ??= {
      title: f.title,
      ...(f.rationale !== undefined ? { rationale: f.rationale } : {}),
      ...(f.fix !== undefined ? { fix: f.fix } : {}),
    });
    const g: Record<string, unknown> = { ...f };
    for (const k of TEXT_KEYS) {
      if (g[k] === r[k]) delete g[k];
      else if (g[k] === undefined) g[k] = null;
    }
    return g as Partial<Finding>;
  });
  return { rules, findings: out };
}

export function expandFindings(data: { rules: Record<string, Texts>; findings: Array<Record<string, unknown>> }): Finding[] {
  return data.findings.map((g) => {
    const f: Record<string, unknown> = { ...g };
    for (const k of TEXT_KEYS) {
      if (!(k in g)) {
        if (data.rules[g.ruleId as string]?.[k] !== undefined) f[k] = data.rules[g.ruleId as string][k];
      } else if (g[k] === null) delete f[k];
    }
    return f as unknown as Finding;
  });
}

/** The HTML report. `ctx.history` (oldest first or any order) adds a trend chart. */
/**
 * `--compliance`: the control matrix, drawn on the server side (no script needed): one row per
 * control with its status; a control with rules opens to each rule's verdict and the findings
 * behind it (failing resources first), a manual one to what a person verifies.
 */
function complianceMatrix(doc: FindingsDocument): string {
  const cmp = doc.compliance!;
  const byId = new Map(doc.findings.map((f) => [f.id, f]));
  const rows = cmp.controls.map((c) => {
    const found = c.findings.map((id) => byId.get(id)).filter((f): f is Finding => f !== undefined);
    found.sort((a, b) => (a.status === b.status ? 0 : a.status === "fail" ? -1 : b.status === "fail" ? 1 : a.status === "unknown" ? -1 : 1));
    const verdicts = c.rules.length
      ? `<dl>${c.rules
          .map(
            (r) =>
              `<dt><code>${escapeHtml(r.ruleId)}</code></dt><dd><span class="cstatus ${r.status}">${r.status}</span> ${r.pass} passing, ${r.fail} failing, ${r.unknown} unknown, ${r.suppressed} suppressed${r.reason ? ` — ${escapeHtml(r.reason)}` : ""}</dd>`,
          )
          .join("")}</dl>`
      : "";
    const list = found.length
      ? `<table><thead><tr><th>Status</th><th>Rule</th><th>Resource</th><th>Where</th><th>Finding</th></tr></thead><tbody>${found
          .map((f) => {
            const where = f.location?.file
              ? `${f.location.file}${f.location.line ? `:${f.location.line}` : ""}`
              : [f.resource.account, f.resource.region].filter(Boolean).join("/");
            return `<tr><td>${escapeHtml(f.status)}</td><td><code>${escapeHtml(f.ruleId)}</code></td><td class="rid">${escapeHtml(f.resource.id)}</td><td>${escapeHtml(where)}</td><td>${escapeHtml(f.message)}</td></tr>`;
          })
          .join("")}</tbody></table>`
      : "";
    const body =
      c.status === "manual"
        ? `<p>Verify: ${escapeHtml(c.reason ?? "")}</p>`
        : `${c.status === "unknown" && c.reason ? `<p>${escapeHtml(c.reason)}</p>` : ""}${verdicts}${list}`;
    const failing = c.failing.length ? ` <span class="count">(${c.failing.length} failing resource${c.failing.length === 1 ? "" : "s"})</span>` : "";
    return `<tr class="control-${c.status}" id="control-${escapeHtml(c.id)}"><td><span class="cstatus ${c.status}">${c.status}</span></td><td><code>${escapeHtml(c.id)}</code></td><td><details><summary>${escapeHtml(c.title)}${failing}</summary>${body}</details></td></tr>`;
  });
  const s = cmp.summary;
  return `<section id="compliance"><h2>Compliance: ${escapeHtml(frameworkName(cmp))} <span class="count">(${s.pass} pass, ${s.fail} fail, ${s.unknown} unknown, ${s.manual} manual)</span></h2>
<p class="none">${escapeHtml(cmp.framework.source)}</p>
<table><thead><tr><th>Status</th><th>Control</th><th>Title (open for the rules and findings)</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

export function formatHtml(doc: FindingsDocument, ctx: ReportContext): string {
  const family = new Map(ctx.rules.map((r) => [r.id, r.family]));
  const fail = doc.findings.filter((f) => f.status === "fail");
  const unknown = doc.findings.filter((f) => f.status === "unknown");
  const suppressed = doc.findings.filter((f) => f.status === "suppressed");
  const active = doc.findings.filter((f) => f.status !== "suppressed");
  const s = doc.summary;

  const sevEntries = SEVERITIES.map((k) => [k, fail.filter((f) => f.severity === k).length] as [string, number]).filter(([, n]) => n > 0);
  const charts = [
    barChart("Failing findings by severity", sevEntries, (l) => `sev-${l}`),
    barChart(
      "Failing and unknown by family",
      countBy(active, (f) => family.get(f.ruleId) ?? (f.ruleId.startsWith("rampart-") ? "rampart" : "other")),
    ),
    barChart(
      "Failing and unknown by account",
      countBy(active, (f) => f.resource.account ?? (f.location?.file ? "(infrastructure code)" : "(none)")),
    ),
    barChart(
      "Failing and unknown by region",
      countBy(active, (f) => f.resource.region ?? (f.location?.file ? "(infrastructure code)" : "(none)")),
    ),
  ].join("");

  const rulesInDoc = [...new Set(doc.findings.map((f) => f.ruleId))].sort();
  const option = (v: string, label = v) => `<option value="${escapeHtml(v)}">${escapeHtml(label)}</option>`;
  const filters = `<form class="filters" id="filters" role="search">
<label>Severity<select id="f-severity">${option("", "any")}${SEVERITIES.map((k) => option(k)).join("")}</select></label>
<label>Status<select id="f-status">${option("", "any")}${option("fail")}${option("unknown")}${option("suppressed")}</select></label>
<label>Rule<select id="f-rule">${option("", "any")}${rulesInDoc.map((r) => option(r)).join("")}</select></label>
<label>Text<input id="f-text" type="search" placeholder="resource, message, file…" autocomplete="off"></label>
</form>`;

  const gaps = doc.coverage.filter((g) => g.status === "denied" || g.status === "error");
  const warn = [
    doc.scan.incomplete
      ? `<div class="warn"><b>Incomplete scan.</b> ${gaps.length} part(s) of the ${doc.scan.kind === "iac" ? "templates" : "account"} could not be read; rules reading them report <i>unknown</i>.</div>`
      : "",
    doc.errors?.length
      ? `<div class="warn"><b>Input errors (${doc.errors.length}):</b> ${doc.errors.map((e) => `${escapeHtml(e.file)}: ${escapeHtml(e.reason)}`).join("; ")}</div>`
      : "",
    doc.warnings?.length
      ? `<div class="warn"><b>Warnings (${doc.warnings.length}):</b> ${doc.warnings.map((w) => `${w.file ? `${escapeHtml(w.file)}: ` : ""}${escapeHtml(w.message)}`).join("; ")}</div>`
      : "",
    doc.skipped?.length
      ? `<div class="warn"><b>Not read (${doc.skipped.length}):</b> ${doc.skipped.map((k) => `${escapeHtml(k.file)}: ${escapeHtml(k.reason)}`).join("; ")}</div>`
      : "",
  ].join("");
  const coverage = gaps.length
    ? `<section id="coverage"><h2>Coverage gaps <span class="count">(${gaps.length})</span></h2><table><thead><tr><th>Status</th><th>Service</th><th>Account / region</th><th>Action</th><th>Detail</th></tr></thead><tbody>${gaps
        .map(
          (g) =>
            `<tr><td>${escapeHtml(g.status)}</td><td>${escapeHtml(g.service)}</td><td>${escapeHtml([g.account, g.region].filter(Boolean).join("/"))}</td><td><code>${escapeHtml(g.action ?? "")}</code></td><td>${escapeHtml(g.detail ?? "")}</td></tr>`,
        )
        .join("")}</tbody></table></section>`
    : "";

  const targets = doc.scan.targets?.length ? ` · ${doc.scan.targets.map(escapeHtml).join(", ")}` : "";
  const title = `rampart ${doc.scan.kind === "iac" ? "infrastructure-code" : "account"} scan`;
  // Embedded once, compact; the tables render from it.
  const data = { schemaVersion: doc.schemaVersion, scan: doc.scan, summary: doc.summary, ...embeddedFindings(doc.findings) };

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — ${escapeHtml(doc.scan.startedAt)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>policy ${escapeHtml(doc.scan.policy)} · started ${escapeHtml(doc.scan.startedAt)} · finished ${escapeHtml(doc.scan.finishedAt)}${targets} · rampart ${escapeHtml(doc.tool.version)}</p></header>
<main>
${warn}
<section id="summary"><h2>Summary</h2>
<div class="cards"><div class="card fail"><b id="n-fail">${s.fail}</b>failing</div><div class="card unknown"><b id="n-unknown">${s.unknown}</b>unknown</div><div class="card pass"><b id="n-pass">${s.pass}</b>passing</div><div class="card suppressed"><b id="n-suppressed">${s.suppressed}</b>suppressed</div></div>
<div class="charts">${charts}</div>
</section>
${ctx.history?.length ? trendChart(ctx.history) : ""}
${filters}
<noscript><p class="warn">The findings tables are drawn by the page's script; the findings are also in <code>--format json</code> and <code>--format csv</code>.</p></noscript>
${doc.compliance ? complianceMatrix(doc) : ""}
${findingsTable("findings", "fail", "Failing findings", fail.length)}
${findingsTable("unknown", "unknown", "Undecided (unknown)", unknown.length, `<p class="none">rampart could not decide these: an input was unresolved or a part of the account could not be read.</p>`)}
${findingsTable("suppressed", "suppressed", "Suppressed by exceptions", suppressed.length)}
${coverage}
</main>
<footer>Generated by rampart ${escapeHtml(doc.tool.version)}. This file makes no network requests.</footer>
<script type="application/json" id="rampart-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
