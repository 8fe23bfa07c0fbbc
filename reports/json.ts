import type { FindingsDocument } from "../engine/findings.js";
import { jsonText } from "./escape.js";

/** The findings document itself (ARCHITECTURE.md, "The findings document"). */
export function formatJson(doc: FindingsDocument): string {
  return jsonText(JSON.stringify(doc, null, 2)) + "\n";
}
