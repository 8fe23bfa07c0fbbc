// Inline waivers in Terraform source: comment lines directly above a resource (or data) block,
//   # rampart:ignore <rule-id> reason="…" owner="…" expires=YYYY-MM-DD
// (`//` comments too; several lines for several rules). They mean what a CloudFormation Metadata
// ignore means: one exception for that rule on that block's resources, reported as suppressed
// with its reason until it expires; like pack exceptions they need a reason and an
// expiry (engine/pack.ts inlineExceptions). A blank line or code between the comment and the block ends
// the comment run, so a waiver never drifts onto the next resource.
import fs from "node:fs";
import type { InlineWaiver } from "../../../engine/pack.js";
import type { Resource } from "../../../model/types.js";

export interface TfIgnore {
  rule: string;
  reason?: string;
  owner?: string;
  expires?: string;
  /** 1-based line of the comment. */
  line: number;
}

const DIRECTIVE = /^(?:#|\/\/)\s*rampart:ignore\s+(\S+)(.*)$/;
const FIELD = /(\w+)=(?:"([^"]*)"|(\S+))/g;

/** The waivers written above the block that starts at `blockLine` (1-based) of a file's lines. */
export function ignoresAbove(lines: readonly string[], blockLine: number): TfIgnore[] {
  const out: TfIgnore[] = [];
  for (let i = blockLine - 2; i >= 0; i--) {
    const text = lines[i].trim();
    if (!text.startsWith("#") && !text.startsWith("//")) break;
    const m = DIRECTIVE.exec(text);
    if (!m) continue;
    const ig: TfIgnore = { rule: m[1], line: i + 1 };
    for (const f of m[2].matchAll(FIELD)) {
      const value = f[2] ?? f[3];
      if (f[1] === "reason" || f[1] === "owner" || f[1] === "expires") ig[f[1]] = value;
    }
    out.push(ig);
  }
  return out.reverse();
}

/** The exceptions of every Terraform source resource's inline waivers (files read once each). */
export function terraformIgnores(resources: readonly Resource[]): InlineWaiver[] {
  const files = new Map<string, string[]>();
  const out: InlineWaiver[] = [];
  for (const r of resources) {
    const s = r.source;
    if (s.kind !== "terraform" || !s.line || !s.file.endsWith(".tf")) continue;
    let lines = files.get(s.file);
    if (!lines) {
      try {
        lines = fs.readFileSync(s.file, "utf8").split(/\r?\n/);
      } catch {
        lines = [];
      }
      files.set(s.file, lines);
    }
    if (s.line > lines.length) continue;
    for (const ig of ignoresAbove(lines, s.line)) {
      out.push({
        rule: ig.rule,
        resource: { id: r.id, file: s.file },
        reason: ig.reason,
        owner: ig.owner ?? "inline Terraform comment",
        expires: ig.expires,
        origin: `${s.file}:${ig.line} comment on ${r.id}`,
        syntax: "comment",
      });
    }
  }
  return out;
}
