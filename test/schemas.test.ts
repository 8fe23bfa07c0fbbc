import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../model/paths.js";

// model/validate.ts compiles these without checking them against the meta-schema (start-up
// time): this test is that check.
const SCHEMAS = ["policies/schema.json", ...fs.readdirSync(path.join(repoRoot, "schemas")).map((f) => `schemas/${f}`)];

describe("the project's JSON Schemas", () => {
  it.each(SCHEMAS)("%s is a valid JSON Schema", (file) => {
    const ajv = new Ajv({ strict: false });
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, file), "utf8"));
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
  });

  it("the check can fail", () => {
    expect(new Ajv({ strict: false }).validateSchema({ type: "no-such-type" })).toBe(false);
  });
});
