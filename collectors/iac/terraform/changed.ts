/**
 * `--changed-since` on Terraform source: which root modules to scan again. A root module is read
 * with the local modules it calls, its `terraform.tfvars` / `*.auto.tfvars` and the files its
 * expressions read (file(), templatefile()), so a change to any file of its folder or of a called
 * module's folder (the nearest folder holding `.tf` files owns a file) selects it; unchanged roots
 * are not scanned. Calls are found from the constant `source` of module blocks, without evaluating.
 */
import fs from "node:fs";
import path from "node:path";
import { initHcl, parseHcl } from "./hcl.js";
import { findTerraformDirs } from "./source.js";

function real(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function tfFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".tf"))
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** The local module folders `dir` calls (constant `./` or `../` sources); a file that does not parse calls nothing here (the scan reports it). */
function calls(dir: string): string[] {
  const out: string[] = [];
  for (const file of tfFiles(dir)) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    let body;
    try {
      body = parseHcl(text, file).body;
    } catch {
      continue;
    }
    for (const b of body.blocks) {
      if (b.type !== "module") continue;
      const e = b.body.attrs.get("source")?.expr;
      const s = e?.k === "lit" ? e.v : e?.k === "tpl" && e.parts.length === 1 && typeof e.parts[0] === "string" ? e.parts[0] : undefined;
      if (typeof s === "string" && /^\.\.?(\/|$)/.test(s)) out.push(path.join(dir, s));
    }
  }
  return out;
}

export interface ChangedRoots {
  /** Root modules found under the paths. */
  roots: string[];
  /** Those to scan again. */
  changed: string[];
  /** Their `.tf` files: the selection that makes the loader read exactly those roots. */
  files: string[];
}

/**
 * The root modules under `paths` to scan again given the `changed` files (absolute real paths);
 * `varFiles` (`--tf-var-file`) feed every root.
 */
export async function changedTerraformRoots(paths: string[], changed: Set<string>, varFiles: string[] = []): Promise<ChangedRoots> {
  await initHcl();
  const dirs = findTerraformDirs(paths);
  const callsOf = new Map<string, string[]>();
  const callees = (d: string) => {
    let c = callsOf.get(d);
    if (!c) callsOf.set(d, (c = calls(d)));
    return c;
  };
  const scanned = new Set(dirs.map(real));
  const called = new Set<string>();
  for (const d of dirs) for (const c of callees(d)) if (real(c) !== real(d) && scanned.has(real(c))) called.add(real(c));
  const roots = dirs.filter((d) => !called.has(real(d)));
  // the folder that owns a changed file: the nearest one holding .tf files
  const owners = new Set<string>();
  const isModule = new Map<string, boolean>();
  for (const f of changed) {
    for (let d = path.dirname(f); ; d = path.dirname(d)) {
      let m = isModule.get(d);
      if (m === undefined) isModule.set(d, (m = tfFiles(d).length > 0 || (f.endsWith(".tf") && path.dirname(f) === d)));
      if (m) {
        owners.add(d);
        break;
      }
      if (path.dirname(d) === d) break;
    }
  }
  const allRoots = varFiles.some((v) => changed.has(real(v)));
  const out: string[] = [];
  for (const root of roots) {
    const seen = new Set<string>();
    const todo = [root];
    let hit = allRoots;
    while (!hit && todo.length) {
      const d = todo.pop()!;
      const r = real(d);
      if (seen.has(r)) continue;
      seen.add(r);
      if (owners.has(r)) hit = true;
      else todo.push(...callees(d));
    }
    if (hit) out.push(root);
  }
  return { roots, changed: out, files: out.flatMap(tfFiles) };
}
