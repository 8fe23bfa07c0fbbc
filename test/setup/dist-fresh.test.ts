import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { staleDist } from "./dist-fresh.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-dist-fresh-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function file(rel: string, mtime: number): void {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, "");
  fs.utimesSync(f, mtime, mtime);
}

describe("the dist/ freshness check of the vitest globalSetup", () => {
  it("names sources without a dist/ file or newer than it, not fresh ones, tests or declarations", () => {
    file("cli/fresh.ts", 1000);
    file("dist/cli/fresh.js", 2000);
    file("cli/edited.ts", 3000);
    file("dist/cli/edited.js", 2000);
    file("engine/deep/new.ts", 1000);
    file("cli/x.test.ts", 5000);
    file("model/types.d.ts", 5000);
    expect(staleDist(root)).toEqual([path.join("cli", "edited.ts"), path.join("engine", "deep", "new.ts")]);
  });
});
