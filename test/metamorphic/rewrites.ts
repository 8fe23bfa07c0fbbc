// Rewrites of rule examples for the metamorphic tests (test/metamorphic/*.test.ts).
// Equivalent rewrites keep what AWS would do (the verdicts must not change); the
// meaning-changing ones widen what a policy or network allows (they must change).

/** A small seeded PRNG (the stub's mulberry32), driven by fast-check's seed. */
export { mulberry32 as rng } from "../stub/wire.js";

type R = () => number;
type Json = unknown;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

function shuffle<T>(xs: T[], r: R): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every object's keys in a random order (object key order never means anything). */
export function reorderKeys(v: Json, r: R): Json {
  if (Array.isArray(v)) return v.map((x) => reorderKeys(x, r));
  if (!isObject(v)) return v;
  return Object.fromEntries(shuffle(Object.entries(v), r).map(([k, x]) => [k, reorderKeys(x, r)]));
}

/** Mixed case for an IAM name (action names and condition keys are case-insensitive). */
function recase(s: string, r: R): string {
  return [...s].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join("");
}

/** A one-element list as its element, an element as a one-element list (IAM accepts both). */
function stringOrList(v: Json, r: R): Json {
  if (typeof v === "string") return r() < 0.5 ? [v] : v;
  if (Array.isArray(v) && v.length === 1 && r() < 0.5) return v[0];
  return v;
}

function rewriteStatement(s: Json, r: R): Json {
  if (!isObject(s)) return s;
  const out: Record<string, unknown> = { ...s };
  for (const k of ["Action", "NotAction"]) {
    if (out[k] === undefined) continue;
    let v = out[k];
    if (Array.isArray(v)) v = shuffle(v, r).map((a) => (typeof a === "string" ? recase(a, r) : a));
    else if (typeof v === "string") v = recase(v, r);
    out[k] = stringOrList(v, r);
  }
  for (const k of ["Resource", "NotResource"]) {
    if (out[k] === undefined) continue;
    out[k] = stringOrList(Array.isArray(out[k]) ? shuffle(out[k] as unknown[], r) : out[k], r);
  }
  for (const k of ["Principal", "NotPrincipal"]) {
    const p = out[k];
    if (p === "*" && r() < 0.5) out[k] = { AWS: "*" };
    else if (isObject(p)) out[k] = Object.fromEntries(Object.entries(p).map(([t, v]) => [t, stringOrList(Array.isArray(v) ? shuffle(v, r) : v, r)]));
  }
  if (isObject(out.Condition)) {
    out.Condition = Object.fromEntries(
      Object.entries(out.Condition).map(([op, block]) => [
        op,
        isObject(block)
          ? Object.fromEntries(Object.entries(block).map(([key, v]) => [recase(key, r), stringOrList(Array.isArray(v) ? shuffle(v, r) : v, r)]))
          : block,
      ]),
    );
  }
  return out;
}

export const isPolicyDocument = (v: unknown): v is Record<string, unknown> => isObject(v) && (Array.isArray(v.Statement) || isObject(v.Statement));

function rewritePolicy(doc: Record<string, unknown>, r: R): Record<string, unknown> {
  let st: unknown = doc.Statement;
  if (Array.isArray(st)) st = shuffle(st, r).map((s) => rewriteStatement(s, r));
  else st = rewriteStatement(st, r);
  return { ...doc, Statement: stringOrListObject(st, r) };
}

/** A single statement as an object or a one-element list. */
function stringOrListObject(v: unknown, r: R): unknown {
  if (isObject(v)) return r() < 0.5 ? [v] : v;
  if (Array.isArray(v) && v.length === 1 && isObject(v[0]) && r() < 0.5) return v[0];
  return v;
}

const CIDR_SPELLINGS: Record<string, string[]> = {
  "::/0": ["::/0", "::0/0", "0:0:0:0:0:0:0:0/0", "0000::/0"],
};

/** Equivalent IAM documents (statement object/list, string/list, case, order) and CIDR spellings, everywhere in v; policies in JSON strings too. */
export function rewriteEquivalent(v: Json, r: R): Json {
  if (Array.isArray(v)) return v.map((x) => rewriteEquivalent(x, r));
  if (typeof v === "string") {
    if (Object.hasOwn(CIDR_SPELLINGS, v)) {
      const alts = CIDR_SPELLINGS[v];
      return alts[Math.floor(r() * alts.length)];
    }
    if (v.trimStart().startsWith("{") && v.includes("Statement")) {
      try {
        const doc = JSON.parse(v);
        if (isPolicyDocument(doc)) return JSON.stringify(rewriteEquivalent(doc, r));
      } catch {
        return v;
      }
    }
    return v;
  }
  if (!isObject(v)) return v;
  const inner = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewriteEquivalent(x, r)]));
  return isPolicyDocument(inner) ? rewritePolicy(inner, r) : inner;
}

/**
 * A literal string property value of a CloudFormation resource replaced by a Ref to a new
 * parameter whose Default is that value (outside intrinsic functions, policy documents
 * and properties that hold secrets, where a parameter would itself be judged).
 */
export function refToParameter(tpl: Record<string, unknown>, r: R, secret: (path: string[]) => boolean): Record<string, unknown> | undefined {
  const spots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number; value: string; path: string[] }> = [];
  const walk = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) node.forEach((x, i) => (typeof x === "string" ? spots.push({ parent: node, key: i, value: x, path }) : walk(x, path)));
    else if (isObject(node)) {
      if (isPolicyDocument(node)) return;
      for (const [k, x] of Object.entries(node)) {
        if (k === "Ref" || k.startsWith("Fn::") || k === "Condition") continue;
        if (typeof x === "string" && !secret([...path, k])) spots.push({ parent: node, key: k, value: x, path: [...path, k] });
        else walk(x, [...path, k]);
      }
    }
  };
  const out = structuredClone(tpl);
  if (!isObject(out.Resources)) return undefined;
  for (const res of Object.values(out.Resources)) if (isObject(res) && isObject(res.Properties)) walk(res.Properties, []);
  const usable = spots.filter((s) => !s.value.includes("${") && !s.value.startsWith("{{resolve:"));
  if (usable.length === 0) return undefined;
  const spot = usable[Math.floor(r() * usable.length)];
  const name = "MetamorphicValue";
  (spot.parent as Record<string | number, unknown>)[spot.key] = { Ref: name };
  out.Parameters = { ...(isObject(out.Parameters) ? out.Parameters : {}), [name]: { Type: "String", Default: spot.value } };
  return out;
}

/** Meaning-changing: every Allow statement's Condition removed. undefined when nothing changed. */
export function removeConditions(v: Json): Json | undefined {
  let changed = false;
  const go = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(go);
    if (typeof x === "string" && x.trimStart().startsWith("{") && x.includes("Condition")) {
      try {
        const doc = JSON.parse(x);
        if (isPolicyDocument(doc)) return JSON.stringify(go(doc));
      } catch {
        return x;
      }
    }
    if (!isObject(x)) return x;
    const out = Object.fromEntries(Object.entries(x).map(([k, y]) => [k, go(y)]));
    if (isPolicyDocument(out)) {
      const strip = (s: unknown) => {
        if (isObject(s) && s.Effect === "Allow" && s.Condition !== undefined) {
          changed = true;
          const { Condition: _c, ...rest } = s;
          return rest;
        }
        return s;
      };
      out.Statement = Array.isArray(out.Statement) ? out.Statement.map(strip) : strip(out.Statement);
    }
    return out;
  };
  const res = go(v);
  return changed ? res : undefined;
}

/** Meaning-changing: every security group rule opened to all traffic (IpProtocol -1, no ports) to/from the whole address space. */
export function openSecurityGroupRules(v: Json): Json | undefined {
  let changed = false;
  const go = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(go);
    if (!isObject(x)) return x;
    const out = Object.fromEntries(Object.entries(x).map(([k, y]) => [k, go(y)]));
    if (typeof out.CidrIp === "string" || typeof out.CidrIpv6 === "string") {
      const open: Record<string, unknown> = { ...out, IpProtocol: "-1" };
      delete open.FromPort;
      delete open.ToPort;
      if (typeof out.CidrIp === "string") open.CidrIp = "0.0.0.0/0";
      if (typeof out.CidrIpv6 === "string") open.CidrIpv6 = "::/0";
      if (JSON.stringify(open) !== JSON.stringify(out)) changed = true;
      return open;
    }
    return out;
  };
  const res = go(v);
  return changed ? res : undefined;
}
