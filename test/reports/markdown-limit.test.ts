import { describe, expect, it } from "vitest";
import { formatMarkdown, MARKDOWN_MAX_CHARS } from "../../reports/markdown.js";
import { sampleDoc } from "./fixtures.js";

describe("markdown within the host's limit", () => {
  it("stays under 65,536 characters with 20,000 failing findings and says how many rows were left out", () => {
    const doc = sampleDoc({ extraFails: 20_000 });
    const md = formatMarkdown(doc);
    expect(md.length).toBeLessThan(MARKDOWN_MAX_CHARS);
    const shown = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Severity") && !l.startsWith("| Rule")).length;
    const all = formatMarkdown(doc, Number.MAX_SAFE_INTEGER);
    const total = all.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Severity") && !l.startsWith("| Rule")).length;
    expect(total).toBeGreaterThan(20_000);
    expect(md).toContain(`⚠️ ${total - shown} more rows left out to stay under 65536 characters`);
    expect(all).not.toContain("left out");
  });
  it("a small report is unchanged (no truncation line)", () => {
    const md = formatMarkdown(sampleDoc());
    expect(md).not.toContain("left out");
  });
});
