/**
 * `.tf` folders under the scan paths → resources: each folder with `.tf` files is a root
 * module unless another scanned folder calls it as a local module (then it is read there,
 * with its inputs). A folder that cannot be read is an error naming the file and line.
 */
import fs from "node:fs";
import path from "node:path";
import type { Resource } from "../../../model/types.js";
import { translate } from "./index.js";
import { locateProperty, type SourceLocation } from "./locate.js";
import { Trace } from "./view.js";
import { findTerraformDirs, loadTerraformModule, SourceError, type ModuleLoad, type SourceInstance, type SourceOptions, type UnreadModule } from "./source.js";

export interface TfSourceLoad {
  /** `.tf` files read (each once, also when several root modules call the module holding it). */
  loaded: number;
  resources: Resource[];
  skipped: Array<{ file: string; reason: string }>;
  errors: Array<{ file: string; reason: string }>;
  notes: string[];
  modules: ModuleLoad[];
  /** Root module folders that could not be read (their error may name a file of a module they call). */
  failedRoots: string[];
  /** Where a rule's pointer into one of `resources` is written in the source (the attribute, block or element). */
  locate: (r: Resource, pointer: string | undefined) => SourceLocation | undefined;
  /** Module calls whose source was not read, from every root module loaded. */
  unread: UnreadModule[];
}

/**
 * One error entry for a module that could not be read: the file (and line) the message names,
 * and the rest of the message. Anything else than a SourceError is a fault of rampart's (a bug or
 * a resource limit such as the call stack): it still names the module folder, in one line, and
 * the scan ends with exit 2 instead of a stack trace.
 */
export function loadError(dir: string, e: unknown): { file: string; reason: string } {
  if (e instanceof SourceError) {
    const m = /^(.+?\.tf(?:vars)?)(?::(\d+))?: /.exec(e.message);
    if (!m) return { file: dir, reason: e.message };
    const rest = e.message.slice(m[0].length);
    return { file: m[1], reason: m[2] ? `line ${m[2]}: ${rest}` : rest };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { file: dir, reason: `this module could not be read (internal error: ${msg.split("\n")[0]}); please report it with the module` };
}

export async function loadTerraformSource(paths: string[], opts: SourceOptions = {}): Promise<TfSourceLoad> {
  const trace = new Trace();
  const out: TfSourceLoad = {
    loaded: 0,
    resources: [],
    skipped: [],
    errors: [],
    notes: [],
    modules: [],
    failedRoots: [],
    unread: [],
    locate: (r, pointer) => locateProperty(trace, r, pointer),
  };
  const dirs = findTerraformDirs(paths);
  for (const p of paths) if (p.endsWith(".tf.json")) out.skipped.push({ file: p, reason: "Terraform JSON syntax (.tf.json) is not read yet" });
  const loads: ModuleLoad[] = [];
  const shared: SourceOptions = { ...opts, parsed: opts.parsed ?? new Map() };
  for (const dir of dirs) {
    try {
      loads.push(await loadTerraformModule(dir, shared));
    } catch (e) {
      out.errors.push(loadError(dir, e));
      out.failedRoots.push(dir);
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
    for (const k of l.skipped) if (!out.skipped.some((x) => x.file === k.file)) out.skipped.push(k);
    for (const u of l.unread) if (!out.unread.some((x) => x.file === u.file && x.line === u.line && x.module === u.module)) out.unread.push(u);
    let r: ReturnType<typeof translate>;
    try {
      r = translate(
        l.plan,
        (inst) => {
          const s = inst as SourceInstance;
          return { file: s.file, line: s.line };
        },
        trace,
      );
    } catch (e) {
      out.errors.push(loadError(l.dir, e));
      continue;
    }
    out.resources.push(...r.resources);
    if (r.notes) out.notes.push(...r.notes);
  }
  out.loaded = files.size;
  void fs;
  return out;
}
