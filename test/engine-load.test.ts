/**
 * Engine.load compiles a bundle once per process, keyed on the file and its mtime and size:
 * a rebuilt (changed) bundle is compiled again, never served from the cache.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { policyDir } from "../model/paths.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function copyBundle(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-engine-"));
  for (const f of ["policy.wasm", "manifest.json"]) fs.copyFileSync(path.join(policyDir, f), path.join(dir, f));
  return dir;
}

describe("Engine.load", () => {
  it("gives each load its own instance of the same compiled rules", async () => {
    const d = copyBundle();
    const [a, b] = [await Engine.load(d), await Engine.load(d)];
    expect(a).not.toBe(b);
    expect(a.rules.map((r) => r.id)).toEqual(b.rules.map((r) => r.id));
    expect(a.rules.length).toBeGreaterThan(0);
  });

  it("compiles a changed bundle again (a broken one fails instead of being served from the cache)", async () => {
    const d = copyBundle();
    await Engine.load(d);
    const wasm = path.join(d, "policy.wasm");
    fs.writeFileSync(wasm, Buffer.from("not wasm"));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(wasm, later, later);
    await expect(Engine.load(d)).rejects.toThrow(WebAssembly.CompileError);
  });
});
