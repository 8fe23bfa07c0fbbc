/**
 * Finding templates: walking directories (respecting the root's .gitignore, skipping
 * node_modules and .git) and reading CDK cloud assemblies (cdk.out).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { confine, type ReadScope } from "../roots.js";

export const TEMPLATE_EXTENSIONS = [".yaml", ".yml", ".json", ".template"];
export const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);

interface IgnoreRule {
  negate: boolean;
  dirOnly: boolean;
  regex: RegExp;
}

function globToRegex(glob: string): string {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        const atEnd = i + 2 === glob.length || glob[i + 2] === "/";
        if (atStart && atEnd) {
          // "**/" matches zero or more directories; a trailing "**" matches everything below
          if (i + 2 === glob.length) re += ".*";
          else re += "(?:.*/)?";
          i += 2;
          continue;
        }
        re += "[^/]*";
        i++;
        continue;
      }
      re += "[^/]*";
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let cls = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (cls.startsWith("!")) cls = "^" + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      re += glob[i + 1].replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i++;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return re;
}

/** Parses .gitignore text into rules matching paths relative to its folder ("a/b.yaml"). */
export function parseGitignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    line = line.replace(/(?<!\\)\s+$/, "");
    if (line === "") continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith("\\!") || line.startsWith("\\#")) line = line.slice(1);
    const dirOnly = line.endsWith("/");
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    if (line === "") continue;
    const body = globToRegex(line);
    rules.push({ negate, dirOnly, regex: new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}$`) });
  }
  return rules;
}

/** Whether a relative path (with "/" separators) is ignored; parents are checked by the walker. */
export function isIgnored(rules: IgnoreRule[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const r of rules) {
    if (r.dirOnly && !isDir) continue;
    if (r.regex.test(rel)) ignored = !r.negate;
  }
  return ignored;
}

/** Stack template files of a CDK cloud assembly directory (cdk.out), or null when it is not one. */
export function cdkTemplates(dir: string, depth = 0): string[] | null {
  const manifestFile = path.join(dir, "manifest.json");
  if (depth > 5 || !existsSync(manifestFile)) return null;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch {
    return null;
  }
  const artifacts = (manifest as { artifacts?: Record<string, { type?: string; properties?: Record<string, unknown> }> })?.artifacts;
  if (typeof artifacts !== "object" || artifacts === null) return null;
  const out: string[] = [];
  let any = false;
  for (const a of Object.values(artifacts)) {
    if (a?.type === "aws:cloudformation:stack" && typeof a.properties?.templateFile === "string") {
      any = true;
      out.push(path.join(dir, a.properties.templateFile));
    } else if (a?.type === "cdk:cloud-assembly" && typeof a.properties?.directoryName === "string") {
      const nested = cdkTemplates(path.join(dir, a.properties.directoryName), depth + 1);
      if (nested) {
        any = true;
        out.push(...nested);
      }
    }
  }
  return any ? out : null;
}

export interface FoundFile {
  file: string;
  /** True for files named explicitly (loaded whatever their extension). */
  explicit: boolean;
  /** Set when the file is not to be read: a CDK assembly's template outside the read scope (a skip with this reason). */
  refused?: string;
}

/**
 * Expands paths (files and directories) into template files, in a stable order. With a scope, a
 * CDK assembly's stack template outside it is listed with `refused` (its manifest is untrusted text).
 */
export function findTemplateFiles(paths: string[], respectGitignore = true, scope?: ReadScope): FoundFile[] {
  const out: FoundFile[] = [];
  const seen = new Set<string>();
  const add = (file: string, explicit: boolean, refused?: string) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(refused === undefined ? { file, explicit } : { file, explicit, refused });
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      add(p, true); // reported as an error by the loader
      continue;
    }
    if (!st.isDirectory()) {
      add(p, true);
      continue;
    }
    let rules: IgnoreRule[] = [];
    if (respectGitignore) {
      try {
        rules = parseGitignore(readFileSync(path.join(p, ".gitignore"), "utf8"));
      } catch {
        rules = [];
      }
    }
    const walkDir = (dir: string, rel: string) => {
      const cdk = cdkTemplates(dir);
      if (cdk) {
        for (const f of cdk) {
          const allowed = scope ? confine(scope, f) : undefined;
          add(
            f,
            true,
            allowed && !allowed.inside && allowed.why === "outside"
              ? `CDK assembly ${path.join(dir, "manifest.json")}: templateFile ${f} ${allowed.reason}`
              : undefined,
          );
        }
        return;
      }
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (ALWAYS_SKIPPED.has(e.name)) continue;
        const childRel = rel ? `${rel}/${e.name}` : e.name;
        const full = path.join(dir, e.name);
        const isDir = e.isDirectory();
        if (isIgnored(rules, childRel, isDir)) continue;
        if (isDir) walkDir(full, childRel);
        else if (e.isFile() && TEMPLATE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) add(full, false);
      }
    };
    walkDir(p, "");
  }
  return out;
}
