/**
 * Finding templates: walking directories (../tree.ts: the root's .gitignore, never node_modules
 * or .git) and reading CDK cloud assemblies (cdk.out).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { confine, type ReadScope } from "../roots.js";
import { walkTree } from "../tree.js";

export const TEMPLATE_EXTENSIONS = [".yaml", ".yml", ".json", ".template"];

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
    walkTree(
      p,
      { gitignore: respectGitignore },
      {
        dir: ({ dir }) => {
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
            return "prune";
          }
        },
        file: (full, e) => {
          if (TEMPLATE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) add(full, false);
        },
      },
    );
  }
  return out;
}
