/**
 * Walking the folders a user named: a sorted, depth-limited recursion that honours the root's
 * .gitignore and never enters node_modules or .git. Every IaC loader that expands a folder (and
 * the "nothing was scanned" message) walks through here, so all of them see the same files.
 */
import fs from "node:fs";
import path from "node:path";

export const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);

export interface IgnoreRule {
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

/** One folder reached by the walk: its path, its path relative to the root ("" for the root), its sorted entries. */
export interface TreeDir {
  dir: string;
  rel: string;
  depth: number;
  /** Sorted by name; gitignored and always-skipped entries are already left out. */
  entries: fs.Dirent[];
}

export interface WalkOptions {
  /** Honour the root folder's .gitignore (default true). */
  gitignore?: boolean;
  /** Folders deeper than this are not entered (default 64). */
  maxDepth?: number;
  /** Further folder names never entered (e.g. ".terraform"). */
  skipDirs?: ReadonlySet<string>;
}

/** The entries of a folder sorted by name (code-unit order, stable across platforms), or [] when it cannot be read. */
export function sortedEntries(dir: string): fs.Dirent[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface TreeVisitor {
  /** Called on entering a folder, before its entries: "prune" leaves its subfolders and files out, "stop" ends the walk. */
  dir?(d: TreeDir): "prune" | "stop" | void;
  /** Called for each file, in name order among its folder's files and subfolders: "stop" ends the walk. */
  file?(file: string, entry: fs.Dirent): "stop" | void;
}

/** Visits `root` and everything below it depth first, each folder's entries in name order (folders entered where they sort). */
export function walkTree(root: string, opts: WalkOptions, visit: TreeVisitor): void {
  const maxDepth = opts.maxDepth ?? 64;
  let rules: IgnoreRule[] = [];
  if (opts.gitignore !== false) {
    try {
      rules = parseGitignore(fs.readFileSync(path.join(root, ".gitignore"), "utf8"));
    } catch {
      rules = [];
    }
  }
  let stopped = false;
  const walk = (dir: string, rel: string, depth: number) => {
    const entries = sortedEntries(dir).filter((e) => {
      if (ALWAYS_SKIPPED.has(e.name)) return false;
      const isDir = e.isDirectory();
      if (isDir && opts.skipDirs?.has(e.name)) return false;
      return !isIgnored(rules, rel ? `${rel}/${e.name}` : e.name, isDir);
    });
    const r = visit.dir?.({ dir, rel, depth, entries });
    if (r === "stop") stopped = true;
    if (r === "prune" || stopped) return;
    for (const e of entries) {
      if (stopped) return;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth) walk(full, rel ? `${rel}/${e.name}` : e.name, depth + 1);
      } else if (e.isFile() && visit.file?.(full, e) === "stop") stopped = true;
    }
  };
  walk(root, "", 0);
}
