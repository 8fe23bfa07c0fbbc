import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Ajv as AjvType, ErrorObject, ValidateFunction } from "ajv";
import { repoRoot } from "./paths.js";

const require = createRequire(import.meta.url);
const cache = new Map<string, ValidateFunction>();

/** The validators compiled at build time (scripts/build-validators.mjs), when built. */
let compiled: (Record<string, ValidateFunction> & { __sha256?: Record<string, string> }) | null | undefined;
function precompiled(schemaPath: string, text: string): ValidateFunction | undefined {
  if (compiled === undefined) {
    try {
      compiled = require(path.join(repoRoot, "build", "validators.cjs"));
    } catch {
      compiled = null;
    }
  }
  const v = compiled?.[schemaPath];
  // Only for the schema it was compiled from: an edited schema is compiled again below.
  if (!v || compiled?.__sha256?.[schemaPath] !== createHash("sha256").update(text).digest("hex")) return undefined;
  return v;
}

let ajv: AjvType | undefined;
function compile(schema: unknown): ValidateFunction {
  // The schemas are this project's own files, checked against the JSON Schema meta-schema by
  // test/schemas.test.ts; Ajv (and its compiler) is loaded only when a schema was not built.
  if (!ajv) {
    const { Ajv } = require("ajv") as typeof import("ajv");
    ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false });
  }
  return ajv.compile(schema as object);
}

/** The validator of the JSON Schema at a repository-relative path (compiled once). */
export function validator(schemaPath: string): ValidateFunction {
  let v = cache.get(schemaPath);
  if (!v) {
    const text = fs.readFileSync(path.join(repoRoot, schemaPath), "utf8");
    v = precompiled(schemaPath, text) ?? compile(JSON.parse(text));
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
