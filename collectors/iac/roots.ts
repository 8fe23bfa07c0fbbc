/**
 * Read confinement for the IaC loaders. Templates come from people the user may not trust (a
 * pull request from a fork): a reference inside a template (a nested stack's `TemplateURL`, a
 * CDK assembly's `templateFile`, a Terraform module `source`, `file()`) must not make rampart
 * read, and then print, a file outside what the user asked it to scan.
 *
 * A `ReadScope` holds the roots a loader may read below: each scan path (a file's folder), widened
 * to the enclosing git repository when there is one, plus every `--allow-read PATH`. `confine`
 * decides for one path a loader wants to follow: it is first checked as written (so a path that
 * is plainly outside is refused without touching the file system: a report never tells whether
 * `/etc/shadow` exists), then after resolving symbolic links (so a link inside the repository
 * cannot point out of it).
 *
 * Every loader that follows a local reference calls `confine` and, when it says no, reports the
 * reference as a counted skip with `reason` and does not read it.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../../model/errors.js";

export interface ReadRoot {
  /** The root as given, made absolute (not resolved through links). */
  given: string;
  /** The same root after realpath. */
  real: string;
  /** What the root is, for messages: a scan path, its git repository, or --allow-read. */
  origin: "scan path" | "git repository" | "--allow-read";
}

export interface ReadScope {
  roots: readonly ReadRoot[];
}

export type Confinement =
  | { inside: true; /** the path after realpath: read this one */ real: string }
  | { inside: false; why: "outside" | "missing"; /** one line, for the skip entry */ reason: string };

/** The top of the git work tree holding `dir` (a `.git` folder or file), or undefined. */
export function enclosingGitRoot(dir: string): string | undefined {
  let cur = dir;
  for (;;) {
    if (existsSync(path.join(cur, ".git"))) return cur;
    const up = path.dirname(cur);
    if (up === cur) return undefined;
    cur = up;
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The read scope of a scan: each path (a file stands for its folder), or the git repository that
 * holds it, and each `allowRead` path (a file or a folder; it must exist: a UserError otherwise).
 */
export function readScope(paths: readonly string[], allowRead: readonly string[] = []): ReadScope {
  const roots: ReadRoot[] = [];
  const add = (given: string, origin: ReadRoot["origin"]) => {
    const real = realOrSelf(given);
    if (!roots.some((r) => r.real === real && r.given === given)) roots.push({ given, real, origin });
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    const dir = isDirectory(abs) ? abs : path.dirname(abs);
    const repo = enclosingGitRoot(realOrSelf(dir)) ?? enclosingGitRoot(dir);
    if (repo !== undefined) add(repo, "git repository");
    add(dir, "scan path");
  }
  for (const p of allowRead) {
    if (!existsSync(p)) throw new UserError(`--allow-read ${p}: no such file or directory. Give a file or folder templates may refer to.`);
    add(path.resolve(p), "--allow-read");
  }
  return { roots };
}

function under(root: string, p: string): boolean {
  if (p === root) return true;
  const rel = path.relative(root, p);
  return rel !== "" && !rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel);
}

/**
 * Whether a loader may read `target` (a path as the loader would open it): inside a root as
 * written and, after realpath, inside a root's real path. Never reads the file.
 */
export function confine(scope: ReadScope, target: string): Confinement {
  const abs = path.resolve(target);
  const outside = {
    inside: false as const,
    why: "outside" as const,
    reason: "is outside the scan roots (the scanned paths and their git repository): not read; give --allow-read PATH to read it",
  };
  if (!scope.roots.some((r) => under(r.given, abs) || under(r.real, abs))) return outside;
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { inside: false, why: "missing", reason: code === "ENOENT" || code === "ENOTDIR" ? "does not exist" : `cannot be read (${code ?? "error"})` };
  }
  if (!scope.roots.some((r) => under(r.real, real))) {
    return { ...outside, reason: `is a symbolic link to a path that ${outside.reason}` };
  }
  return { inside: true, real };
}
