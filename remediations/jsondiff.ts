/**
 * A small structural JSON diff: what a fix changes in a resource, as a list of
 * operations on JSON pointers (RFC 6901), and a readable rendering of it.
 *
 * Objects are compared key by key (key order does not matter). Arrays of the same
 * length are compared element by element; arrays of different lengths are aligned on
 * their longest common subsequence, so adding "sts:TagSession" to an Action list shows
 * as one addition, not as a rewrite of the list.
 */
import type { Json } from "./types.js";

export type DiffOp =
  { op: "add"; path: string; value: Json } | { op: "remove"; path: string; value: Json } | { op: "replace"; path: string; from: Json; value: Json };

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Structural equality: key order ignored, array order kept. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A canonical string (sorted keys): a key for equality of JSON values. */
export function canonical(v: Json | undefined): string {
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const escape = (k: string): string => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** The operations that turn `before` into `after`. */
export function jsonDiff(before: Json | undefined, after: Json | undefined, path = ""): DiffOp[] {
  if (jsonEqual(before, after)) return [];
  if (before === undefined) return [{ op: "add", path, value: after as Json }];
  if (after === undefined) return [{ op: "remove", path, value: before }];
  if (isObject(before) && isObject(after)) {
    const out: DiffOp[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const k of keys) out.push(...jsonDiff(before[k], after[k], `${path}/${escape(k)}`));
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length === after.length) return before.flatMap((x, i) => jsonDiff(x, after[i], `${path}/${i}`));
    return arrayDiff(before, after, path);
  }
  return [{ op: "replace", path, from: before, value: after }];
}

function arrayDiff(a: Json[], b: Json[], path: string): DiffOp[] {
  const ka = a.map(canonical);
  const kb = b.map(canonical);
  // LCS table.
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i][j] = ka[i] === kb[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const removed: DiffOp[] = [];
  const added: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || t[i][j + 1] >= t[i + 1][j])) {
      added.push({ op: "add", path: `${path}/${j}`, value: b[j] });
      j++;
    } else {
      removed.push({ op: "remove", path: `${path}/${i}`, value: a[i] });
      i++;
    }
  }
  return [...removed, ...added];
}

const show = (v: Json): string => JSON.stringify(v);

/** One line per operation: `+ /path: value`, `- /path: value`, `~ /path: old → new`. */
export function renderDiff(ops: DiffOp[]): string[] {
  return ops.map((o) => {
    const where = o.path === "" ? "(whole value)" : o.path;
    if (o.op === "add") return `+ ${where}: ${show(o.value)}`;
    if (o.op === "remove") return `- ${where}: ${show(o.value)}`;
    return `~ ${where}: ${show(o.from)} → ${show(o.value)}`;
  });
}
