// Compiles the project's JSON Schemas into one CommonJS module of standalone validators
// (build/validators.cjs), so that a command does not load and run Ajv's compiler at every
// start. model/validate.ts uses a compiled validator only when its schema file is unchanged
// (the sha256 of the file is recorded beside it); otherwise it compiles the schema itself.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The schemas a command validates against at run time (repository-relative, as model/validate.ts names them). */
export const RUNTIME_SCHEMAS = ["policies/schema.json", "schemas/snapshot.schema.json"];

export function buildValidators() {
  // The same options as model/validate.ts, plus code generation.
  const ajv = new Ajv({ allErrors: false, strict: false, code: { source: true } });
  const refs = {};
  const hashes = {};
  for (const file of RUNTIME_SCHEMAS) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    ajv.addSchema(JSON.parse(text), file);
    refs[file] = file;
    hashes[file] = createHash("sha256").update(text).digest("hex");
  }
  const code = `${standaloneCode.default(ajv, refs)}\nexports.__sha256 = ${JSON.stringify(hashes)};\n`;
  const out = path.join(root, "build", "validators.cjs");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code);
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = buildValidators();
  console.error(`rampart: compiled ${RUNTIME_SCHEMAS.length} schemas into ${path.relative(root, out)}`);
}
