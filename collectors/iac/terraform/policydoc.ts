/**
 * `data "aws_iam_policy_document"` evaluated into its policy JSON as the AWS provider
 * writes it: statements with `Sid`, `Effect` (Allow by default), `Action`/`NotAction`,
 * `Resource`/`NotResource`, `Principal`/`NotPrincipal` (grouped by type), `Condition`
 * (test → variable → values); one-element lists as a single string.
 * `source_policy_documents` come first, and this document's statements replace theirs
 * with the same `Sid`; `override_policy_documents` then replace statements by `Sid` (and
 * append those without one). Unknown parts stay unknown where they are.
 */
import { depsOf, findUnknown, isObjVal, materialize, PartialJson, toStr, Unknown, type Obj, type Val } from "./evaluate.js";

function one(v: Val): Val {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

function strList(v: Val): Val {
  v = materialize(v);
  if (v === null || v === undefined) return null;
  if (v instanceof Unknown) return v;
  const xs = Array.isArray(v) ? v : [v];
  // the provider keeps sets of strings sorted and unique
  const out: Val[] = [];
  for (const x of xs) if (!out.includes(x)) out.push(x);
  const known = out.every((x) => typeof x === "string");
  return one(known ? (out as string[]).sort() : out);
}

function blocks(v: Val): Obj[] {
  return Array.isArray(v) ? v.filter(isObjVal) : [];
}

function principals(bs: Obj[]): Val {
  if (bs.length === 0) return null;
  const out: Obj = {};
  for (const p of bs) {
    const type = toStr(materialize(p.type ?? null));
    const ids = materialize(p.identifiers ?? null);
    if (type === undefined) return p.type instanceof Unknown ? p.type : new Unknown("a principal type is not a string");
    if (type === "*" && Array.isArray(ids) && ids.length === 1 && ids[0] === "*") {
      if (bs.length === 1) return "*";
    }
    const prev = out[type];
    const list = ids instanceof Unknown ? ids : Array.isArray(ids) ? ids : [ids];
    if (prev === undefined) out[type] = list;
    else if (Array.isArray(prev) && Array.isArray(list)) out[type] = [...prev, ...list];
    else out[type] = prev instanceof Unknown ? prev : list;
  }
  for (const k of Object.keys(out)) out[k] = Array.isArray(out[k]) ? strList(out[k]) : out[k];
  return out;
}

function conditions(bs: Obj[]): Val {
  if (bs.length === 0) return null;
  const out: Obj = {};
  for (const c of bs) {
    const test = toStr(materialize(c.test ?? null));
    const variable = toStr(materialize(c.variable ?? null));
    if (test === undefined || variable === undefined)
      return new Unknown("a condition's test or variable is unknown", depsOf(c.test ?? null, c.variable ?? null));
    const byVar = (out[test] ??= {}) as Obj;
    const vals = materialize(c.values ?? null);
    const prev = byVar[variable];
    const list = vals instanceof Unknown ? vals : Array.isArray(vals) ? vals : [vals];
    byVar[variable] = prev === undefined ? list : Array.isArray(prev) && Array.isArray(list) ? [...prev, ...list] : list;
  }
  for (const t of Object.values(out)) {
    const byVar = t as Obj;
    for (const k of Object.keys(byVar)) byVar[k] = Array.isArray(byVar[k]) ? strList(byVar[k]) : byVar[k];
  }
  return out;
}

function statement(s: Obj): Obj {
  const out: Obj = {};
  const sid = materialize(s.sid ?? null);
  if (sid !== null && sid !== "") out.Sid = sid;
  out.Effect = materialize(s.effect ?? null) ?? "Allow";
  const add = (k: string, v: Val) => {
    if (v !== null && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  };
  add("Action", strList(s.actions ?? null));
  add("NotAction", strList(s.not_actions ?? null));
  add("Resource", strList(s.resources ?? null));
  add("NotResource", strList(s.not_resources ?? null));
  add("Principal", principals(blocks(s.principals ?? null)));
  add("NotPrincipal", principals(blocks(s.not_principals ?? null)));
  add("Condition", conditions(blocks(s.condition ?? null)));
  return out;
}

/** Statements of a policy JSON given as a string (or a partial document). */
function statementsOf(doc: Val, what: string): Val[] | Unknown {
  const d = doc instanceof PartialJson ? doc.doc : materialize(doc);
  if (d instanceof Unknown) return d;
  let parsed: Val = d;
  if (typeof d === "string") {
    try {
      parsed = JSON.parse(d) as Val;
    } catch (e) {
      return new Unknown(`${what} is not valid JSON (${(e as Error).message})`, [], undefined, true);
    }
  }
  if (!isObjVal(parsed)) return new Unknown(`${what} is not a policy document`, [], undefined, true);
  const st = parsed.Statement;
  return Array.isArray(st) ? st : isObjVal(st) ? [st] : [];
}

function mergeBySid(base: Val[], over: Val[]): Val[] {
  const out = [...base];
  for (const s of over) {
    const sid = isObjVal(s) ? s.Sid : undefined;
    const i = typeof sid === "string" && sid !== "" ? out.findIndex((x) => isObjVal(x) && x.Sid === sid) : -1;
    if (i >= 0) out[i] = s;
    else out.push(s);
  }
  return out;
}

/** The policy document's attributes: `json` (and `minified_json`), unknown where its inputs are. */
export function policyDocument(values: Obj, address: string): Val {
  let stmts: Val[] = [];
  const docList = (k: string): Val[] => {
    const v = materialize(values[k] ?? null);
    if (v === null) return [];
    return Array.isArray(v) ? v : [v];
  };
  const unknowns: Unknown[] = [];
  const fold = (docs: Val[], what: string, into: (cur: Val[], add: Val[]) => Val[]) => {
    for (const d of docs) {
      const s = statementsOf(d, what);
      if (s instanceof Unknown) unknowns.push(s);
      else stmts = into(stmts, s);
    }
  };
  fold([...docList("source_json"), ...docList("source_policy_documents")], `${address} source_policy_documents`, (cur, add) => [...cur, ...add]);
  const own = blocks(values.statement ?? null).map(statement);
  stmts = mergeBySid(stmts, own);
  fold([...docList("override_json"), ...docList("override_policy_documents")], `${address} override_policy_documents`, mergeBySid);
  const doc: Obj = { Version: materialize(values.version ?? null) ?? "2012-10-17" };
  const id = materialize(values.policy_id ?? null);
  if (id !== null) doc.Id = id;
  doc.Statement = stmts;
  if (unknowns.length > 0) {
    const u = unknowns[0];
    const whole = new Unknown(`${address}.json: ${u.reason}`, depsOf(...unknowns), undefined, u.error);
    return { json: whole, minified_json: whole, id: whole };
  }
  const u = findUnknown(doc);
  if (u) {
    const partial = new PartialJson(doc, `${address}.json: ${u.reason}`, depsOf(doc));
    return { json: partial, minified_json: partial, id: new Unknown(`${address}.id is a hash of the document`) };
  }
  const text = JSON.stringify(doc);
  return { json: text, minified_json: text, id: text };
}
