import fs from "node:fs";
import type { Snapshot } from "./types.js";
import { UserError } from "./errors.js";
import { describeErrors, validator } from "./validate.js";

/** Checks a snapshot against schemas/snapshot.schema.json; throws a UserError naming `origin`. */
export function validateSnapshot(doc: unknown, origin: string): Snapshot {
  const validate = validator("schemas/snapshot.schema.json");
  if (!validate(doc)) throw new UserError(`${origin}: not a rampart snapshot: ${describeErrors(validate.errors)} (see schemas/snapshot.schema.json)`);
  return doc as Snapshot;
}

export function readSnapshot(file: string): Snapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(
      `--snapshot ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? e}). Give the path of a snapshot written by \`rampart scan --snapshot-out\`.`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateSnapshot(doc, file);
}

export function writeSnapshot(file: string, snapshot: Snapshot): void {
  try {
    fs.writeFileSync(file, JSON.stringify(snapshot, null, 1) + "\n");
  } catch (e) {
    throw new UserError(`--snapshot-out ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? e}).`);
  }
}
