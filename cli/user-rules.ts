// The engine with the user's rules (--rules PATH, repeatable, and the pack's ruleSources), and the
// `rampart rules build` command.
import path from "node:path";
import type { Engine } from "../engine/engine.js";
import type { PolicyPack } from "../engine/pack.js";
import { UserError } from "../model/errors.js";

/** The built-in engine, plus one module per user rule source (the pack's first, then the flags'). */
export async function loadEngine(pack: PolicyPack | undefined, flags: string[] = []): Promise<Engine> {
  const { Engine } = await import("../engine/engine.js");
  const fromPack = pack?.ruleSources ?? [];
  if (fromPack.length === 0 && flags.length === 0) return Engine.load();
  const { loadRuleSet } = await import("../engine/user-rules.js");
  const seen = new Set<string>();
  const sets = [];
  for (const [p, flag] of [...fromPack.map((p) => [p, `${pack!.file}: ruleSources:`]), ...flags.map((p) => [p, "--rules"])]) {
    const key = path.resolve(p);
    if (seen.has(key)) continue; // the same folder named by the pack and a flag is loaded once
    seen.add(key);
    sets.push(await loadRuleSet(p, flag));
  }
  const engine = await Engine.load(undefined, sets);
  for (const w of await inputWarnings(engine)) process.stderr.write(`rampart: warning: ${w}\n`);
  return engine;
}

/** The common-model types the Terraform loader produces (one resource of every Terraform type it maps). */
export async function terraformTypes(): Promise<Set<string>> {
  const { loadTerraformPlanText, mappedTerraformTypes } = await import("../collectors/iac/terraform/index.js");
  const resources = mappedTerraformTypes().map((type) => ({
    address: `${type}.x`,
    mode: "managed",
    type,
    name: "x",
    provider_name: "registry.terraform.io/hashicorp/aws",
    values: {},
  }));
  const plan = JSON.stringify({ format_version: "1.2", planned_values: { root_module: { resources } } });
  return new Set(loadTerraformPlanText(plan, "every-mapped-type.json").resources.map((r) => r.type));
}

/** A user rule declaring an input that produces none of the types it reads would judge nothing there: say so. */
export async function inputWarnings(engine: Engine): Promise<string[]> {
  const user = engine.rules.filter((r) => r.origin !== undefined && r.inputs.includes("terraform"));
  if (user.length === 0) return [];
  const mapped = await terraformTypes();
  return user
    .filter((r) => !r.resourceTypes.some((t) => mapped.has(t)))
    .map(
      (r) =>
        `${r.file}: ${r.id} declares the terraform input, but the Terraform loader produces none of ${r.resourceTypes.join(", ")}, so it judges nothing in plans and .tf modules. Remove terraform from its inputs, or read a type the loader maps (docs/authoring.md).`,
    );
}

/** The parameters the loaded user rules declare (name → meaning). */
export function userParams(engine: Engine): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of engine.rules) for (const [k, v] of Object.entries(r.parameters ?? {})) out.set(k, v);
  return out;
}

/** `rampart rules build DIR -o FILE`. */
export async function rulesBuild(dir: string, out: string | undefined): Promise<string> {
  if (!out) throw new UserError(`rules build ${dir}: say where to write the bundle: -o FILE (e.g. -o rules.bundle.json).`);
  const { loadRuleSet, writeBundleFile } = await import("../engine/user-rules.js");
  const set = await loadRuleSet(dir, "rules build");
  const { Engine } = await import("../engine/engine.js");
  await Engine.load(undefined, [set]); // the clash check against the built-in rules
  await writeBundleFile(set, dir, out);
  return `wrote ${out}: ${set.rules.length} rule(s) (${set.rules.map((r) => r.id).join(", ")}), rule library ${set.lib}; run it with --rules ${out} (no opa needed)\n`;
}

/**
 * The types enabled user rules read on live accounts that no dedicated collector produces:
 * a live scan reads them through Cloud Control.
 */
export async function cloudControlTypes(engine: Engine, pack?: PolicyPack): Promise<string[]> {
  const user = engine.rules.filter((r) => r.origin !== undefined && r.inputs.includes("live"));
  if (user.length === 0) return [];
  const [{ collectedResourceTypes }, { isEnabled }] = await Promise.all([import("../collectors/aws/index.js"), import("../engine/pack.js")]);
  const have = new Set(collectedResourceTypes());
  const types = user.filter((r) => !pack || isEnabled(pack, r.id)).flatMap((r) => r.resourceTypes);
  return [...new Set(types)].filter((t) => !have.has(t)).sort();
}
