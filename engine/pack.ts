import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { UserError } from "../model/errors.js";
import { repoRoot } from "../model/paths.js";
import { describeErrors, validator } from "../model/validate.js";

export type Severity = "critical" | "high" | "medium" | "low" | "info";
export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low", "info"];

export interface ExceptionSpec {
  rule: string;
  resource?: { id?: string; arn?: string; account?: string; region?: string; file?: string; tags?: Record<string, string> };
  reason: string;
  owner: string;
  expires: string;
  /** Where the exception was declared (pack file, or template file for inline ignores). */
  origin?: string;
}

/**
 * A waiver written in the scanned source (a CloudFormation `Metadata` ignore, a `# rampart:ignore`
 * comment above a Terraform block) as it was read: reason and expiry may be missing until
 * `inlineExceptions` holds it to the rule every pack exception follows.
 */
export interface InlineWaiver {
  rule: string;
  resource: { id: string; file: string };
  reason?: string;
  owner: string;
  expires?: string;
  /** Where it is written ("template.yaml Metadata of Role", "main.tf:3 comment on aws_x.y"). */
  origin: string;
  /** How the user writes the missing fields there (for the error message). */
  syntax: "metadata" | "comment";
}

/** The pack's rule for waivers (`waivers:` in a pack; policies/schema.json). */
export interface WaiverPolicy {
  /** `apply` (default): inline waivers suppress like pack exceptions; `ignore`: only the pack's exceptions count. */
  inline: "apply" | "ignore";
  /** The latest expiry a waiver (pack exception or inline) may have: this many days after the scan. */
  maxDays?: number;
}

export interface PolicyPack {
  name: string;
  file: string;
  defaultEnabled: boolean;
  rules: Record<string, { enabled?: boolean; severity?: Severity }>;
  params: Record<string, unknown>;
  exceptions: ExceptionSpec[];
  waivers: WaiverPolicy;
  /** User rules of the pack (and of the packs it extends): paths as the user would type them. */
  ruleSources: string[];
}

export const DEFAULT_PACK = path.join(repoRoot, "policies", "default.yaml");

function readPackFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(
      `--policy ${file}: cannot read the policy pack (${(e as NodeJS.ErrnoException).code ?? e}). Give the path of a pack YAML file, e.g. policies/default.yaml.`,
    );
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new UserError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const validate = validator("policies/schema.json");
  if (!validate(doc)) {
    throw new UserError(`${file}: not a valid policy pack: ${describeErrors(validate.errors)} (see policies/schema.json)`);
  }
  return doc as Record<string, unknown>;
}

/** Loads a policy pack (the default pack when no file is given), following `extends`. */
export function loadPack(file?: string, seen: Set<string> = new Set()): PolicyPack {
  const resolved = path.resolve(file ?? DEFAULT_PACK);
  if (seen.has(resolved)) throw new UserError(`${file}: 'extends' forms a cycle`);
  seen.add(resolved);
  const doc = readPackFile(resolved);
  let base: PolicyPack | undefined;
  if (typeof doc.extends === "string") {
    const target = doc.extends === "default" ? DEFAULT_PACK : path.resolve(path.dirname(resolved), doc.extends);
    base = loadPack(target, seen);
  }
  // Relative to the pack, shown relative to the working folder (as a --rules flag would be).
  const ruleSources = ((doc.ruleSources as string[] | undefined) ?? []).map(
    (p) => path.relative(process.cwd(), path.resolve(path.dirname(resolved), p)) || ".",
  );
  const exceptions = ((doc.exceptions as ExceptionSpec[] | undefined) ?? []).map((e) => ({ ...e, origin: file ?? "policies/default.yaml" }));
  return {
    name: doc.name as string,
    file: resolved,
    defaultEnabled: (doc.defaultEnabled as boolean | undefined) ?? base?.defaultEnabled ?? true,
    rules: { ...(base?.rules ?? {}), ...((doc.rules as PolicyPack["rules"]) ?? {}) },
    params: { ...(base?.params ?? {}), ...((doc.params as Record<string, unknown>) ?? {}) },
    exceptions: [...(base?.exceptions ?? []), ...exceptions],
    waivers: { inline: "apply", ...(base?.waivers ?? {}), ...((doc.waivers as Partial<WaiverPolicy> | undefined) ?? {}) },
    ruleSources: [...new Set([...(base?.ruleSources ?? []), ...ruleSources])],
  };
}

export function isEnabled(pack: PolicyPack, ruleId: string): boolean {
  return pack.rules[ruleId]?.enabled ?? pack.defaultEnabled;
}

/** The parameters the built-in rules read (the pack schema's `params` properties). */
export function builtinParams(): Set<string> {
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "schema.json"), "utf8")) as { properties: { params: { properties: object } } };
  return new Set(Object.keys(schema.properties.params.properties));
}

/**
 * Checks that every rule the pack names exists (a typo would otherwise silently disable nothing),
 * and that every parameter is one a rule reads: a built-in one, or one a user rule declares.
 */
export function checkPackRules(pack: PolicyPack, known: Set<string>, userParams: Map<string, string> = new Map()): void {
  const builtin = builtinParams();
  for (const name of Object.keys(pack.params)) {
    if (builtin.has(name) || userParams.has(name)) continue;
    throw new UserError(
      `${pack.file}: params.${name}: no rule reads this parameter (the built-in rules read ${[...builtin].join(", ")}${userParams.size ? `; the user rules ${[...userParams.keys()].join(", ")}` : ""}). A user rule declares its parameters in its METADATA (custom.parameters).`,
    );
  }
  for (const id of Object.keys(pack.rules)) {
    if (!known.has(id)) throw new UserError(`${pack.file}: rules.${id}: no such rule (see \`rampart rules list\`)`);
  }
  for (const [i, e] of pack.exceptions.entries()) {
    if (e.rule !== "*" && !known.has(e.rule)) throw new UserError(`${e.origin}: exceptions[${i}].rule: no such rule '${e.rule}' (see \`rampart rules list\`)`);
    const problem = waiverProblem(e, pack);
    if (problem) throw new UserError(`${e.origin}: exceptions[${i}] (${e.rule}): ${problem}.`);
  }
}

const DAY = 86_400_000;

/**
 * What is wrong with a waiver under the pack's rule, or undefined: every waiver, in the pack or
 * inline, names a reason and a real expiry date (YYYY-MM-DD), no later than `waivers.maxDays`
 * after `now` when the pack sets it. The one check of both kinds of waiver.
 */
export function waiverProblem(
  e: { reason?: string; expires?: string },
  pack: Pick<PolicyPack, "file" | "waivers">,
  now: Date = new Date(),
): string | undefined {
  if (e.reason === undefined || e.reason.trim() === "") return "no reason";
  if (e.expires === undefined) return "no expiry";
  const day = /^([0-9]{4}-[0-9]{2}-[0-9]{2})/.exec(e.expires)?.[1];
  if (!day || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day)
    return `expires '${e.expires}' is not a date (YYYY-MM-DD)`;
  const max = pack.waivers.maxDays;
  if (max !== undefined) {
    const latest = new Date(Math.floor(now.getTime() / DAY) * DAY + max * DAY).toISOString().slice(0, 10);
    const file = path.relative(process.cwd(), pack.file);
    if (day > latest)
      return `expires ${day}, more than ${max} days ahead (waivers.maxDays of ${file.startsWith("..") ? pack.file : file}); give an expiry on or before ${latest}`;
  }
  return undefined;
}

/**
 * The exceptions of the inline waivers under the pack's rule: none when the pack (`waivers.inline:
 * ignore`) or the user (`--no-inline-ignores`) allows waivers only in the pack; otherwise each one
 * must pass `waiverProblem`, or the scan stops (exit 2) naming the file, resource and what to add.
 */
export function inlineExceptions(
  waivers: InlineWaiver[],
  pack: Pick<PolicyPack, "file" | "waivers">,
  opts: { inline?: boolean; now?: Date } = {},
): ExceptionSpec[] {
  if (opts.inline === false || pack.waivers.inline === "ignore") return [];
  return waivers.map((w) => {
    const problem = waiverProblem(w, pack, opts.now);
    if (problem?.startsWith("expires ") && problem.includes("waivers.maxDays")) throw new UserError(`${w.origin}: waiver of ${w.rule}: ${problem}.`);
    if (problem) {
      const add =
        w.syntax === "metadata"
          ? `write it as {rule: ${w.rule}, reason: "…", expires: "YYYY-MM-DD"} under Metadata.rampart.ignore`
          : `write it as # rampart:ignore ${w.rule} reason="…" expires=YYYY-MM-DD`;
      throw new UserError(
        `${w.origin}: waiver of ${w.rule}: ${problem}. ${add[0].toUpperCase()}${add.slice(1)} (a waiver needs a reason and an expiry, like the pack's exceptions), or scan with --no-inline-ignores.`,
      );
    }
    return { rule: w.rule, resource: w.resource, reason: w.reason as string, owner: w.owner, expires: w.expires as string, origin: w.origin };
  });
}
