import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { repoRoot } from "../model/paths.js";
import { describeErrors, validator } from "../model/validate.js";
// @ts-expect-error -- the build scripts are untyped JavaScript modules
import { RUNTIME_SCHEMAS } from "../scripts/build-validators.mjs";

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

describe("validators compiled at build time (build/validators.cjs)", () => {
  const require = createRequire(import.meta.url);
  const built = require(path.join(repoRoot, "build", "validators.cjs"));
  const pack = YAML.parse(fs.readFileSync(path.join(repoRoot, "policies", "default.yaml"), "utf8"));
  const cases: Array<[string, unknown]> = [
    ["policies/schema.json", pack],
    ["policies/schema.json", { ...pack, unexpected: true }],
    ["policies/schema.json", { description: "no name" }],
    ["schemas/snapshot.schema.json", JSON.parse(fs.readFileSync(path.join(repoRoot, "examples", "demo", "account.json"), "utf8"))],
    ["schemas/snapshot.schema.json", { schemaVersion: "1", resources: [{ type: 3 }] }],
  ];

  it.each(RUNTIME_SCHEMAS as string[])("%s is built from the schema as it is now, and validator() uses it", (file: string) => {
    const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
    expect(built.__sha256[file]).toBe(createHash("sha256").update(text).digest("hex"));
    expect(validator(file)).toBe(built[file]);
  });

  it.each(cases)("%s: the built validator and Ajv's compiler give the same verdict and first error (case %#)", (file, doc) => {
    const ajv = new Ajv({ strict: false });
    const fresh = ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, file), "utf8")));
    expect(built[file](doc)).toBe(fresh(doc));
    expect(describeErrors(built[file].errors)).toBe(describeErrors(fresh.errors));
  });
});
