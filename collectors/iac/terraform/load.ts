/**
 * `.tf` folders under the scan paths → resources: each folder with `.tf` files is a root
 * module unless another scanned folder calls it as a local module (then it is read there,
 * with its inputs). A folder that cannot be read is an error naming the file and line.
 */
import fs from "node:fs";
import path from "node:path";
import type { Resource } from "../../../model/types.js";
import { translate } from "./index.js";
import { findTerraformDirs, loadTerraformModule, SourceError, type ModuleLoad, type SourceInstance, type SourceOptions } from "./source.js";

export interface TfSourceLoad {
  /** `.tf` files read (each once, also when several root modules call the module holding it). */
  loaded: number;
  resources: Resource[];
  skipped: Array<{ file: string; reason: string }>;
  errors: Array<{ file: string; reason: string }>;
  notes: string[];
  modules: ModuleLoad[];
}

export async function loadTerraformSource(paths: string[], opts: SourceOptions = {}): Promise<TfSourceLoad> {
  const out: TfSourceLoad = { loaded: 0, resources: [], skipped: [], errors: [], notes: [], modules: [] };
  const dirs = findTerraformDirs(paths);
  for (const p of paths) if (p.endsWith(".tf.json")) out.skipped.push({ file: p, reason: "Terraform JSON syntax (.tf.json) is not read yet" });
  const loads: ModuleLoad[] = [];
  const shared: SourceOptions = { ...opts, parsed: opts.parsed ?? new Map() };
  for (const dir of dirs) {
    try {
      loads.push(await loadTerraformModule(dir, shared));
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      const m = /^(.+?\.tf(?:vars)?)(?::\d+)?: /.exec(e.message);
      out.errors.push({ file: m ? m[1] : dir, reason: e.message });
    }
  }
  // a folder another scanned folder calls as a module is read there, with its inputs
  const called = new Set(loads.flatMap((l) => l.moduleDirs.map((d) => path.resolve(d))));
  const files = new Set<string>();
  for (const l of loads) {
    if (called.has(path.resolve(l.dir)) && loads.some((o) => o !== l && o.moduleDirs.some((d) => path.resolve(d) === path.resolve(l.dir)))) continue;
    out.modules.push(l);
    for (const f of l.files) files.add(path.resolve(f));
    out.notes.push(...l.notes);
    const r = translate(l.plan, (inst) => {
      const s = inst as SourceInstance;
      return { file: s.file, line: s.line };
    });
    out.resources.push(...r.resources);
    if (r.notes) out.notes.push(...r.notes);
  }
  out.loaded = files.size;
  void fs;
  return out;
}
