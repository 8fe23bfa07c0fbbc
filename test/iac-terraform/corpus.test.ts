import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { loadTerraformSource } from "../../collectors/iac/terraform/load.js";

// The 14 public Terraform module repositories fetched for issue 12 (outside the package).
const corpus = process.env.RAMPART_CORPUS ?? "/work/shared/corpus/terraform";
const present = fs.existsSync(corpus);
if (!present) console.warn(`corpus test skipped: ${corpus} is absent (set RAMPART_CORPUS)`);

describe.skipIf(!present)("Terraform source loader on the public module corpus", () => {
  it("loads every folder with no error; exact file, resource and unknown counts", async () => {
    const r = await loadTerraformSource([corpus]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    const unknowns = JSON.stringify(r.resources).match(/"\$unknown"/g)?.length ?? 0;
    expect({ files: r.loaded, roots: r.modules.length, resources: r.resources.length, unknowns }).toEqual(
      process.env.RAMPART_CORPUS ? expect.anything() : { files: 682, roots: 114, resources: 525, unknowns: 766 },
    );
  }, 60_000);
});
