/**
 * Terraform's built-in functions that policies and networks are written with. A function
 * not listed here gives an unknown naming it (never a guess); an unknown argument gives an
 * unknown result, except where the result does not depend on it (`length` of a list with
 * unknown elements, `merge`/`concat` keep the known parts).
 */
import path from "node:path";
import type { Expr } from "./hcl.js";
import {
  depsOf,
  equal,
  err,
  findUnknown,
  isObjVal,
  materialize,
  PartialJson,
  numStr,
  toNum,
  toStr,
  typeName,
  Unknown,
  type Obj,
  type Scope,
  type Val,
} from "./evaluate.js";

type Fn = (args: Val[], e: Expr, scope: Scope) => Val;

function unknownArg(e: Expr, args: Val[]): Unknown | undefined {
  const u = args.map((a) => findUnknown(a)).find((x) => x !== undefined);
  if (!u) return undefined;
  if (u.error) return u;
  return new Unknown(u.reason, depsOf(...args));
}

/** A function of wholly known arguments. */
function strict(fn: Fn, arity?: [number, number]): Fn {
  return (args, e, scope) => {
    args = args.map((a) => materialize(a));
    if (arity && (args.length < arity[0] || args.length > arity[1])) {
      return err(`${e.text}: ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} argument(s) expected, ${args.length} given`);
    }
    const u = unknownArg(e, args);
    if (u) return u;
    return fn(args, e, scope);
  };
}

function str(v: Val, e: Expr, what = "argument"): string {
  const s = toStr(v);
  if (s === undefined) throw new FnError(`${e.text}: the ${what} must be a string, not ${typeName(v)}`);
  return s;
}

function num(v: Val, e: Expr): number {
  const n = toNum(v);
  if (n === undefined) throw new FnError(`${e.text}: a number is expected, not ${typeName(v)}`);
  return n;
}

function list(v: Val, e: Expr): Val[] {
  if (Array.isArray(v)) return v;
  throw new FnError(`${e.text}: a list is expected, not ${typeName(v)}`);
}

function obj(v: Val, e: Expr): Obj {
  if (isObjVal(v)) return v;
  throw new FnError(`${e.text}: a map or object is expected, not ${typeName(v)}`);
}

class FnError extends Error {}

/** Unique, ordered as Terraform orders sets of strings (lexically), others by first appearance. */
function toSet(items: Val[]): Val[] {
  const out: Val[] = [];
  for (const x of items) if (!out.some((y) => equal(x, y) === true)) out.push(x);
  return out.every((x) => typeof x === "string") ? (out as string[]).sort() : out;
}

/** Go's fmt verbs as Terraform's format() accepts them (the common ones). */
function format(fmt: string, args: Val[], e: Expr): string {
  let i = 0;
  return fmt.replace(/%(%|[-+# 0]*\d*(?:\.\d+)?[vsdfqtbxXeEgGo])/g, (m, spec: string) => {
    if (spec === "%") return "%";
    if (i >= args.length) throw new FnError(`${e.text}: not enough arguments for the format`);
    const a = args[i++];
    const verb = spec[spec.length - 1];
    const width = /(\d+)(?:\.|[a-zA-Z])/.exec(spec)?.[1];
    const prec = /\.(\d+)/.exec(spec)?.[1];
    let s: string;
    switch (verb) {
      case "d":
        s = numStr(Math.trunc(num(a, e)));
        break;
      case "f":
      case "e":
      case "g":
        s = prec !== undefined ? num(a, e).toFixed(Number(prec)) : String(num(a, e));
        break;
      case "q":
        s = JSON.stringify(str(a, e));
        break;
      case "t":
        s = String(a === true);
        break;
      case "x":
        s = typeof a === "number" ? a.toString(16) : Buffer.from(str(a, e)).toString("hex");
        break;
      case "X":
        s = typeof a === "number" ? a.toString(16).toUpperCase() : Buffer.from(str(a, e)).toString("hex").toUpperCase();
        break;
      case "b":
        s = num(a, e).toString(2);
        break;
      case "o":
        s = num(a, e).toString(8);
        break;
      case "v":
        s = toStr(a) ?? JSON.stringify(a);
        break;
      default:
        s = str(a, e);
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = (spec.includes("0") && !spec.includes("-") && verb !== "s" ? "0" : " ").repeat(Number(width) - s.length);
      s = spec.includes("-") ? s + pad : pad + s;
    }
    return s;
  });
}

// ---- CIDR arithmetic (IPv4 and IPv6 as big integers) ----

interface Net {
  v6: boolean;
  addr: bigint;
  prefix: number;
}

function parseCidr(s: string, e: Expr): Net {
  const [ip, p] = s.split("/");
  if (p === undefined || !/^\d+$/.test(p)) throw new FnError(`${e.text}: ${JSON.stringify(s)} is not a CIDR block`);
  const prefix = Number(p);
  const addr = parseIp(ip, e);
  const bits = addr.v6 ? 128 : 32;
  if (prefix > bits) throw new FnError(`${e.text}: prefix /${prefix} is longer than ${bits} bits`);
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { v6: addr.v6, addr: addr.value & mask, prefix };
}

function parseIp(ip: string, e: Expr): { v6: boolean; value: bigint } {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    const parts = ip.split(".").map(Number);
    if (parts.some((x) => x > 255)) throw new FnError(`${e.text}: ${ip} is not an IPv4 address`);
    return { v6: false, value: parts.reduce((a, x) => (a << 8n) | BigInt(x), 0n) };
  }
  if (ip.includes(":")) {
    const [head, tail] = ip.split("::");
    const h = head ? head.split(":") : [];
    const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) throw new FnError(`${e.text}: ${ip} is not an IPv6 address`);
    return { v6: true, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
  }
  throw new FnError(`${e.text}: ${JSON.stringify(ip)} is not an IP address`);
}

function ipString(v6: boolean, value: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // the longest run of zero groups becomes ::
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

function cidrsubnet(prefix: string, newbits: number, netnum: number, e: Expr): string {
  const n = parseCidr(prefix, e);
  const bits = n.v6 ? 128 : 32;
  const np = n.prefix + newbits;
  if (np > bits) throw new FnError(`${e.text}: /${n.prefix} + ${newbits} bits is longer than ${bits} bits`);
  if (netnum < 0 || BigInt(netnum) >= 1n << BigInt(newbits)) throw new FnError(`${e.text}: ${netnum} does not fit in ${newbits} bits`);
  const addr = n.addr | (BigInt(netnum) << BigInt(bits - np));
  return `${ipString(n.v6, addr)}/${np}`;
}

function cidrhost(prefix: string, hostnum: number, e: Expr): string {
  const n = parseCidr(prefix, e);
  const bits = n.v6 ? 128 : 32;
  const size = 1n << BigInt(bits - n.prefix);
  const h = BigInt(hostnum);
  const off = h < 0n ? size + h : h;
  if (off < 0n || off >= size) throw new FnError(`${e.text}: host number ${hostnum} is not in ${prefix}`);
  return ipString(n.v6, n.addr + off);
}

function flatten(v: Val[], depth = 0): Val[] {
  if (depth > 100) throw new FnError("lists nested too deeply");
  return v.flatMap((x) => (Array.isArray(x) ? flatten(x, depth + 1) : [x]));
}

/** A path file(), templatefile() or fileexists() names: relative to the working directory (the root module), as Terraform reads it. */
function readLocal(scope: Scope, p: string, e: Expr): string | Unknown {
  const full = path.isAbsolute(p) ? path.normalize(p) : path.join(scope.workDir, p);
  const r = scope.readFile(full);
  return r instanceof Unknown ? new Unknown(`${e.text}: ${r.reason}`, [], undefined, r.error) : r;
}

const jsondecode = strict(
  ([s], e) => {
    try {
      return JSON.parse(str(s, e)) as Val;
    } catch (x) {
      if (x instanceof FnError) throw x;
      return err(`${e.text}: not valid JSON (${(x as Error).message})`);
    }
  },
  [1, 1],
);

const FUNCTIONS: Record<string, Fn> = {
  jsonencode: (args, e) => {
    if (args.length !== 1) return err(`${e.text}: jsonencode takes 1 argument`);
    const v = materialize(args[0]);
    const u = findUnknown(v);
    if (u?.error) return u;
    if (u) return new PartialJson(v, u.reason, depsOf(v));
    return JSON.stringify(v);
  },
  jsondecode: (args, e, scope) => (args[0] instanceof PartialJson ? args[0].doc : jsondecode(args, e, scope)),
  yamldecode: (_a, e) => new Unknown(`${e.text}: yamldecode is not evaluated by rampart`),
  merge: (args, e) => {
    const out: Obj = {};
    const unknowns: Val[] = [];
    for (const raw of args) {
      const a = materialize(raw);
      if (a === null) continue;
      if (a instanceof Unknown) {
        unknowns.push(a);
        continue;
      }
      Object.assign(out, obj(a, e));
    }
    // a later unknown argument may override any key: the result is unknown
    if (unknowns.length > 0) return unknownArg(e, unknowns)!;
    return out;
  },
  concat: (args, e) => {
    const out: Val[] = [];
    for (const raw of args) {
      const a = materialize(raw);
      if (a instanceof Unknown) return a.error ? a : new Unknown(a.reason, depsOf(...args));
      out.push(...list(a, e));
    }
    return out;
  },
  flatten: strict(([l], e) => flatten(list(l, e)), [1, 1]),
  lookup: (args, e) => {
    const [m, k, def] = args.map((a) => materialize(a));
    if (args.length < 2 || args.length > 3) return err(`${e.text}: lookup takes 2 or 3 arguments`);
    if (k instanceof Unknown) return new Unknown(k.reason, depsOf(m, k));
    if (m instanceof Unknown) return m;
    const key = str(k, e);
    const o = obj(m, e);
    if (Object.hasOwn(o, key)) return o[key];
    if (args.length === 3) return def;
    return err(`${e.text}: no key ${JSON.stringify(key)} and no default`);
  },
  coalesce: (args) => {
    for (const raw of args) {
      const a = materialize(raw);
      if (a instanceof Unknown) return a;
      if (a !== null && a !== "") return a;
    }
    return err("coalesce: every argument is null or empty");
  },
  coalescelist: (args, e) => {
    for (const raw of args) {
      const a = materialize(raw);
      if (a instanceof Unknown) return a;
      if (list(a, e).length > 0) return a;
    }
    return err("coalescelist: every argument is empty");
  },
  format: strict(([f, ...rest], e) => format(str(f, e), rest, e)),
  formatlist: strict(([f, ...rest], e) => {
    const n = Math.max(0, ...rest.filter(Array.isArray).map((l) => (l as Val[]).length));
    return Array.from({ length: n }, (_, i) =>
      format(
        str(f, e),
        rest.map((r) => (Array.isArray(r) ? r[i] : r)),
        e,
      ),
    );
  }),
  join: strict(([sep, ...ls], e) =>
    ls
      .flatMap((l) => list(l, e))
      .map((x) => str(x, e, "list element"))
      .join(str(sep, e)),
  ),
  split: strict(([sep, s], e) => (str(s, e) === "" ? [] : str(s, e).split(str(sep, e))), [2, 2]),
  length: (args, e) => {
    const v = materialize(args[0]);
    if (v instanceof Unknown) return v;
    if (typeof v === "string") return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isObjVal(v)) return Object.keys(v).length;
    return err(`${e.text}: length of ${typeName(v)}`);
  },
  toset: strict(([l], e) => toSet(list(l, e)), [1, 1]),
  tolist: strict(([l], e) => list(l, e), [1, 1]),
  tomap: strict(([m], e) => obj(m, e), [1, 1]),
  tostring: strict(([v], e) => (v === null ? null : str(v, e)), [1, 1]),
  tonumber: strict(([v], e) => (v === null ? null : num(v, e)), [1, 1]),
  tobool: strict(
    ([v], e) => {
      if (v === null || typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      throw new FnError(`${e.text}: ${typeName(v)} is not a bool`);
    },
    [1, 1],
  ),
  keys: strict(([m], e) => Object.keys(obj(m, e)).sort(), [1, 1]),
  values: strict(
    ([m], e) => {
      const o = obj(m, e);
      return Object.keys(o)
        .sort()
        .map((k) => o[k]);
    },
    [1, 1],
  ),
  contains: strict(([l, v], e) => list(l, e).some((x) => equal(x, v) === true), [2, 2]),
  element: strict(
    ([l, i], e) => {
      const xs = list(l, e);
      if (xs.length === 0) throw new FnError(`${e.text}: element of an empty list`);
      return xs[((num(i, e) % xs.length) + xs.length) % xs.length];
    },
    [2, 2],
  ),
  index: strict(
    ([l, v], e) => {
      const i = list(l, e).findIndex((x) => equal(x, v) === true);
      if (i < 0) throw new FnError(`${e.text}: the value is not in the list`);
      return i;
    },
    [2, 2],
  ),
  distinct: strict(([l], e) => list(l, e).filter((x, i, a) => a.findIndex((y) => equal(x, y) === true) === i), [1, 1]),
  compact: strict(([l], e) => list(l, e).filter((x) => x !== null && x !== ""), [1, 1]),
  lower: strict(([s], e) => str(s, e).toLowerCase(), [1, 1]),
  upper: strict(([s], e) => str(s, e).toUpperCase(), [1, 1]),
  title: strict(([s], e) => str(s, e).replace(/\b\w/g, (c) => c.toUpperCase()), [1, 1]),
  chomp: strict(([s], e) => str(s, e).replace(/(\r?\n)+$/, ""), [1, 1]),
  trimspace: strict(([s], e) => str(s, e).trim(), [1, 1]),
  trim: strict(
    ([s, cs], e) => {
      const set = new Set([...str(cs, e)]);
      const chars = [...str(s, e)];
      let a = 0;
      let b = chars.length;
      while (a < b && set.has(chars[a])) a++;
      while (b > a && set.has(chars[b - 1])) b--;
      return chars.slice(a, b).join("");
    },
    [2, 2],
  ),
  trimprefix: strict(([s, p], e) => (str(s, e).startsWith(str(p, e)) ? str(s, e).slice(str(p, e).length) : str(s, e)), [2, 2]),
  trimsuffix: strict(([s, p], e) => (str(p, e) !== "" && str(s, e).endsWith(str(p, e)) ? str(s, e).slice(0, -str(p, e).length) : str(s, e)), [2, 2]),
  startswith: strict(([s, p], e) => str(s, e).startsWith(str(p, e)), [2, 2]),
  endswith: strict(([s, p], e) => str(s, e).endsWith(str(p, e)), [2, 2]),
  strcontains: strict(([s, p], e) => str(s, e).includes(str(p, e)), [2, 2]),
  replace: strict(
    ([s, a, b], e) => {
      const from = str(a, e);
      const to = str(b, e);
      const m = /^\/(.*)\/$/s.exec(from);
      if (m) return str(s, e).replace(new RegExp(m[1], "g"), to.replace(/\$\{(\w+)\}/g, "$<$1>"));
      return str(s, e).split(from).join(to);
    },
    [3, 3],
  ),
  substr: strict(
    ([s, o, l], e) => {
      const chars = [...str(s, e)];
      let off = num(o, e);
      if (off < 0) off = chars.length + off;
      const len = num(l, e);
      return chars.slice(off, len < 0 ? undefined : off + len).join("");
    },
    [3, 3],
  ),
  strrev: strict(([s], e) => [...str(s, e)].reverse().join(""), [1, 1]),
  regex: strict(
    ([p, s], e) => {
      const m = new RegExp(str(p, e)).exec(str(s, e));
      if (!m) throw new FnError(`${e.text}: no match`);
      if (m.groups) return m.groups as Obj;
      return m.length > 1 ? m.slice(1) : m[0];
    },
    [2, 2],
  ),
  regexall: strict(([p, s], e) => [...str(s, e).matchAll(new RegExp(str(p, e), "g"))].map((m) => (m.length > 1 ? m.slice(1) : m[0])), [2, 2]),
  zipmap: strict(
    ([k, v], e) => {
      const ks = list(k, e);
      const vs = list(v, e);
      const out: Obj = {};
      ks.forEach((x, i) => (out[str(x, e)] = vs[i] ?? null));
      return out;
    },
    [2, 2],
  ),
  range: strict(
    (args, e) => {
      const ns = args.map((a) => num(a, e));
      const [start, end, step] = ns.length === 1 ? [0, ns[0], 1] : [ns[0], ns[1], ns[2] ?? (ns[0] <= ns[1] ? 1 : -1)];
      if (step === 0) throw new FnError(`${e.text}: step cannot be 0`);
      const out: number[] = [];
      for (let x = start; step > 0 ? x < end : x > end; x += step) {
        out.push(x);
        if (out.length > 1024) throw new FnError(`${e.text}: more than 1024 elements`);
      }
      return out;
    },
    [1, 3],
  ),
  min: strict((args, e) => Math.min(...args.map((a) => num(a, e)))),
  max: strict((args, e) => Math.max(...args.map((a) => num(a, e)))),
  sum: strict(([l], e) => list(l, e).reduce<number>((a, x) => a + num(x, e), 0), [1, 1]),
  abs: strict(([n], e) => Math.abs(num(n, e)), [1, 1]),
  ceil: strict(([n], e) => Math.ceil(num(n, e)), [1, 1]),
  floor: strict(([n], e) => Math.floor(num(n, e)), [1, 1]),
  parseint: strict(([s, b], e) => parseInt(str(s, e), num(b, e)), [2, 2]),
  signum: strict(([n], e) => Math.sign(num(n, e)), [1, 1]),
  pow: strict(([a, b], e) => Math.pow(num(a, e), num(b, e)), [2, 2]),
  alltrue: strict(([l], e) => list(l, e).every((x) => x === true || x === "true"), [1, 1]),
  anytrue: strict(([l], e) => list(l, e).some((x) => x === true || x === "true"), [1, 1]),
  one: strict(
    ([l], e) => {
      const xs = list(l, e);
      if (xs.length > 1) throw new FnError(`${e.text}: more than one element`);
      return xs.length === 0 ? null : xs[0];
    },
    [1, 1],
  ),
  sort: strict(
    ([l], e) =>
      list(l, e)
        .map((x) => str(x, e))
        .sort(),
    [1, 1],
  ),
  reverse: strict(([l], e) => [...list(l, e)].reverse(), [1, 1]),
  slice: strict(([l, a, b], e) => list(l, e).slice(num(a, e), num(b, e)), [3, 3]),
  chunklist: strict(
    ([l, n], e) => {
      const xs = list(l, e);
      const size = num(n, e);
      if (size <= 0) return [xs];
      const out: Val[] = [];
      for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
      return out;
    },
    [2, 2],
  ),
  setunion: strict((args, e) => toSet(args.flatMap((a) => list(a, e)))),
  setintersection: strict((args, e) => {
    const [first, ...rest] = args.map((a) => list(a, e));
    return toSet((first ?? []).filter((x) => rest.every((r) => r.some((y) => equal(x, y) === true))));
  }),
  setsubtract: strict(([a, b], e) => toSet(list(a, e).filter((x) => !list(b, e).some((y) => equal(x, y) === true))), [2, 2]),
  setproduct: strict((args, e) => args.map((a) => list(a, e)).reduce<Val[][]>((acc, xs) => acc.flatMap((p) => xs.map((x) => [...p, x])), [[]])),
  transpose: strict(
    ([m], e) => {
      const out: Record<string, string[]> = {};
      for (const [k, vs] of Object.entries(obj(m, e))) for (const v of list(vs, e)) (out[str(v, e)] ??= []).push(k);
      for (const k of Object.keys(out)) out[k].sort();
      return out;
    },
    [1, 1],
  ),
  cidrsubnet: strict(([p, b, n], e) => cidrsubnet(str(p, e), num(b, e), num(n, e), e), [3, 3]),
  cidrhost: strict(([p, n], e) => cidrhost(str(p, e), num(n, e), e), [2, 2]),
  cidrnetmask: strict(
    ([p], e) => {
      const n = parseCidr(str(p, e), e);
      if (n.v6) throw new FnError(`${e.text}: cidrnetmask is for IPv4`);
      return ipString(false, ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - n.prefix)) - 1n));
    },
    [1, 1],
  ),
  cidrsubnets: strict(([p, ...bits], e) => {
    const base = parseCidr(str(p, e), e);
    const total = base.v6 ? 128 : 32;
    let next = base.addr;
    const out: string[] = [];
    for (const b of bits) {
      const np = base.prefix + num(b, e);
      if (np > total) throw new FnError(`${e.text}: prefix too long`);
      const size = 1n << BigInt(total - np);
      next = ((next + size - 1n) / size) * size;
      out.push(`${ipString(base.v6, next)}/${np}`);
      next += size;
    }
    return out;
  }),
  base64encode: strict(([s], e) => Buffer.from(str(s, e)).toString("base64"), [1, 1]),
  base64decode: strict(([s], e) => Buffer.from(str(s, e), "base64").toString("utf8"), [1, 1]),
  urlencode: strict(([s], e) => encodeURIComponent(str(s, e)), [1, 1]),
  abspath: strict(([s], e) => path.resolve(str(s, e)), [1, 1]),
  basename: strict(([s], e) => path.basename(str(s, e)), [1, 1]),
  dirname: strict(([s], e) => path.dirname(str(s, e)), [1, 1]),
  pathexpand: strict(([s], e) => str(s, e), [1, 1]),
  file: strict(([p], e, scope) => readLocal(scope, str(p, e), e), [1, 1]),
  // a path outside the scan roots is neither there nor absent: its answer is unknown
  fileexists: strict(
    ([p], e, scope) => {
      const r = readLocal(scope, str(p, e), e);
      return r instanceof Unknown ? (/\(ENOENT\)|\(ENOTDIR\)/.test(r.reason) ? false : r) : true;
    },
    [1, 1],
  ),
  templatefile: (args, e, scope) => {
    const [p, vars] = args;
    const pm = materialize(p);
    if (pm instanceof Unknown) return pm;
    const text = readLocal(scope, str(pm, e), e);
    if (text instanceof Unknown) return text;
    const v = materialize(vars ?? {});
    if (!isObjVal(v)) return v instanceof Unknown ? v : err(`${e.text}: the variables must be an object`);
    if (!templateRenderer) return new Unknown(`${e.text}: templates are not evaluated here`);
    return templateRenderer(text, v, e, scope);
  },
  sensitive: (args) => args[0] ?? null,
  nonsensitive: (args) => args[0] ?? null,
  type: (_a, e) => new Unknown(`${e.text}: type() is not evaluated by rampart`),
  timestamp: (_a, e) => new Unknown(`${e.text}: timestamp() is the time of apply`),
  uuid: (_a, e) => new Unknown(`${e.text}: uuid() is random at apply`),
};

type TemplateRenderer = (text: string, vars: Obj, e: Expr, scope: Scope) => Val;
let templateRenderer: TemplateRenderer | undefined;

/** The loader registers how templatefile() parses a template (it needs the HCL parser). */
export function setTemplateRenderer(r: TemplateRenderer): void {
  templateRenderer = r;
}

export function callFunction(name: string, args: Val[], e: Expr, scope: Scope): Val {
  const fn = FUNCTIONS[name];
  if (!fn) return new Unknown(`${e.text}: the function ${name}() is not evaluated by rampart`);
  try {
    return fn(args, e, scope);
  } catch (x) {
    if (x instanceof FnError) return err(x.message);
    if (x instanceof RangeError || x instanceof SyntaxError) return err(`${e.text}: ${x.message}`);
    throw x;
  }
}

export function functionNames(): string[] {
  return Object.keys(FUNCTIONS).sort();
}
