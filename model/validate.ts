import fs from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { repoRoot } from "./paths.js";

// The schemas are this project's own files, checked against the JSON Schema meta-schema by
// test/schemas.test.ts: compiling that meta-schema at every start would cost a CLI run ~0.2 s.
const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false });
const cache = new Map<string, ValidateFunction>();

/** Compiles (once) the JSON Schema at a repository-relative path. */
export function validator(schemaPath: string): ValidateFunction {
  let v = cache.get(schemaPath);
  if (!v) {
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, schemaPath), "utf8"));
    v = ajv.compile(schema);
    cache.set(schemaPath, v);
  }
  return v;
}

/** One line naming the first schema violation: "/resources/3/type: must match pattern …". */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return "invalid";
  const e = errors[0];
  const where = e.instancePath || "(top level)";
  const extra =
    e.keyword === "additionalProperties"
      ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
      : e.keyword === "enum"
        ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})`
        : "";
  return `${where}: ${e.message}${extra}`;
}
