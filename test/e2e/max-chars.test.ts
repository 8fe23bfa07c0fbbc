// --max-chars through the CLI: the Markdown report's size limit for hosts other than GitHub.
import { describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

describe("--max-chars", () => {
  it("keeps the demo's Markdown under the given size, with the truncation line", async () => {
    const full = await cli(["demo", "--format", "markdown"]);
    expect(full.code).toBe(0);
    expect(full.stdout).not.toContain("left out");
    expect(full.stdout.length).toBeGreaterThan(2_500);
    const cut = await cli(["demo", "--format", "markdown", "--max-chars", "2500"]);
    expect(cut.code).toBe(0);
    expect(cut.stdout.length).toBeLessThan(2_500);
    expect(cut.stdout).toMatch(/⚠️ \d+ more rows left out to stay under 2500 characters/);
    expect(cut.stdout.split("\n").slice(0, 3)).toEqual(full.stdout.split("\n").slice(0, 3));
  });

  it.each([
    [["scan", "--snapshot", "examples/demo/account.json", "--format", "markdown", "--max-chars", "lots"], "--max-chars lots: give a whole number"],
    [["iac", "examples/demo/templates", "--format", "markdown", "--max-chars", "100"], "--max-chars 100: give a whole number of characters, at least 2000"],
    [["demo", "--format", "markdown", "--max-chars", "1e5"], "--max-chars 1e5: give a whole number"],
    [["demo", "--format", "sarif", "--max-chars", "5000"], "--max-chars 5000: only --format markdown has a size limit (this is --format sarif)."],
  ])("bad value %j: one line naming the flag, exit 2", async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`rampart: ${message}`);
  });
});
