/**
 * Parameter files for `rampart iac --cfn-params F`, in the formats `aws cloudformation`
 * and CodePipeline accept.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../../../model/errors.js";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v.join(",");
  return undefined;
}

const FORMATS = 'a JSON array of "Key=Value" strings, a JSON array of {"ParameterKey", "ParameterValue"}, {"Parameters": {"Key": "Value"}} or {"Key": "Value"}';

/** Parses already-read parameter file content; `file` names the file in errors. */
export function parseParameterText(text: string, file: string): Record<string, string> {
  const bad = (why: string) => new UserError(`${file}: ${why}; expected ${FORMATS}`);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message.split("\n")[0]}); expected ${FORMATS}`);
  }
  const out: Record<string, string> = {};
  const put = (key: unknown, value: unknown, where: string) => {
    if (typeof key !== "string" || key === "") throw bad(`${where} has no parameter name`);
    const text = scalarText(value);
    if (text === undefined) throw bad(`the value of ${key} is not a string`);
    out[key] = text;
  };
  if (Array.isArray(data)) {
    data.forEach((item, i) => {
      if (typeof item === "string") {
        const eq = item.indexOf("=");
        if (eq <= 0) throw bad(`entry ${i} ("${item.slice(0, 40)}") is not Key=Value`);
        out[item.slice(0, eq)] = item.slice(eq + 1);
      } else if (isObject(item) && "ParameterKey" in item) {
        if (item.UsePreviousValue === true && item.ParameterValue === undefined) return;
        put(item.ParameterKey, item.ParameterValue, `entry ${i}`);
      } else {
        throw bad(`entry ${i} is neither "Key=Value" nor {"ParameterKey", "ParameterValue"}`);
      }
    });
    return out;
  }
  if (isObject(data)) {
    const params = isObject(data.Parameters) ? data.Parameters : data;
    for (const [k, v] of Object.entries(params)) put(k, v, `key ${k}`);
    return out;
  }
  throw bad("the document is neither an array nor an object");
}

/** Reads a parameter file; a missing or malformed file is a UserError naming it. */
export function parseParameterFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read the parameter file (${code ?? (e as Error).message})`);
  }
  return parseParameterText(text, file);
}
