import type { FindingsDocument } from "../engine/findings.js";

/** The findings document itself (ARCHITECTURE.md, "The findings document"). */
export function formatJson(doc: FindingsDocument): string {
  return JSON.stringify(doc, null, 2) + "\n";
}
