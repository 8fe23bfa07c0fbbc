import { describe, expect, it } from "vitest";
import { loadTerraformSource } from "../../collectors/iac/terraform/load.js";
import { corpusDir } from "../corpus.js";

// The 14 public Terraform module repositories of the corpus (pinned commits in its README; outside the package).
const corpus = corpusDir("terraform") ?? "";
const present = corpus !== "";

describe.skipIf(!present)("Terraform source loader on the public module corpus", () => {
  it("loads every folder with no error; exact file, resource and unknown counts", async () => {
    const r = await loadTerraformSource([corpus]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    const unknowns = JSON.stringify(r.resources).match(/"\$unknown"/g)?.length ?? 0;
    expect({ files: r.loaded, roots: r.modules.length, resources: r.resources.length, unknowns }).toEqual({
      files: 682,
      roots: 114,
      // 525 before the database mappers (658e0de): the corpus's 17 aws_db_instance blocks are now read
      resources: 542,
      unknowns: 768,
    });
  }, 60_000);
});
