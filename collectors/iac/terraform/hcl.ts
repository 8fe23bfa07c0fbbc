/**
 * HCL native syntax → a small expression tree with source lines, for the Terraform source
 * loader. Parsing is tree-sitter's HCL grammar (`@tree-sitter-grammars/tree-sitter-hcl`,
 * its published `.wasm`, run by `web-tree-sitter`): a concrete syntax tree with positions,
 * so blocks and attributes keep their file and line, and expressions stay expressions the
 * evaluator walks (not strings to re-parse).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Language, Parser, type Node } from "web-tree-sitter";

/** A stretch of a file: 1-based lines and columns (UTF-16 code units), the end column exclusive (as SARIF regions). */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Every expression node also carries its start column (`col`, 1-based) where the parser gave one. */
export type Expr = ExprNode & { col?: number };

type ExprNode =
  | { k: "lit"; v: null | boolean | number | string; line: number; text: string }
  | { k: "tpl"; parts: TplPart[]; line: number; text: string }
  | { k: "tuple"; items: Expr[]; line: number; text: string }
  | { k: "object"; items: Array<{ key: Expr; value: Expr }>; line: number; text: string }
  | { k: "var"; name: string; line: number; text: string }
  | { k: "attr"; obj: Expr; name: string; line: number; text: string }
  | { k: "index"; obj: Expr; index: Expr; line: number; text: string }
  | { k: "splat"; obj: Expr; each: Expr; line: number; text: string }
  | { k: "call"; name: string; args: Expr[]; expand: boolean; line: number; text: string }
  | { k: "cond"; c: Expr; t: Expr; f: Expr; line: number; text: string }
  | { k: "unary"; op: string; e: Expr; line: number; text: string }
  | { k: "binary"; op: string; l: Expr; r: Expr; line: number; text: string }
  | {
      k: "for";
      keyVar?: string;
      valVar: string;
      coll: Expr;
      key?: Expr;
      val: Expr;
      cond?: Expr;
      group: boolean;
      line: number;
      text: string;
    };

/** The element placeholder inside a splat's `each` expression. */
export const SPLAT_ITEM = "\u0000splat";

export type TplPart =
  | string
  | { k: "interp"; e: Expr }
  | { k: "if"; c: Expr; then: TplPart[]; else: TplPart[] }
  | { k: "for"; keyVar?: string; valVar: string; coll: Expr; body: TplPart[] };

export interface Attribute {
  name: string;
  expr: Expr;
  line: number;
  /** From the name to the end of the value. */
  range?: Range;
}

export interface Block {
  type: string;
  labels: string[];
  body: Body;
  line: number;
  file: string;
  /** From the block type to the closing brace. */
  range?: Range;
}

export interface Body {
  attrs: Map<string, Attribute>;
  blocks: Block[];
}

export interface HclFile {
  file: string;
  body: Body;
  /** Comments with their line (for inline ignores). */
  comments: Array<{ line: number; text: string }>;
}

/** A syntax error: file, line and what is wrong. */
export class HclError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

let parser: Parser | undefined;

/** Loads the parser once (the grammar's Wasm, shipped in its npm package). */
export async function initHcl(): Promise<void> {
  if (parser) return;
  await Parser.init();
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("@tree-sitter-grammars/tree-sitter-hcl/package.json"));
  const lang = await Language.load(path.join(dir, "tree-sitter-hcl.wasm"));
  const p = new Parser();
  p.setLanguage(lang);
  parser = p;
}

/** Deepest expression nesting accepted (deeper input is an error, never a stack overflow). */
const MAX_NESTING = 200;

export function parseHcl(text: string, file: string): HclFile {
  if (!parser) throw new Error("initHcl() must be awaited before parseHcl()");
  const tree = parser.parse(text);
  if (!tree) throw new HclError(file, 1, "cannot be parsed");
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const bad = firstError(root);
      const line = bad ? bad.startPosition.row + 1 : 1;
      const what = bad?.isMissing ? `missing ${bad.type}` : `unexpected ${JSON.stringify(snippet(bad?.text ?? ""))}${literalInterpolation(text, bad)}`;
      throw new HclError(file, line, `invalid HCL: ${what}`);
    }
    const b = new Builder(text, file);
    const comments: HclFile["comments"] = [];
    const bodyNode = root.namedChildren.find((c) => c?.type === "body");
    const body = bodyNode ? b.body(bodyNode, 0) : { attrs: new Map(), blocks: [] };
    collectComments(root, comments);
    return { file, body, comments };
  } finally {
    tree.delete();
  }
}

/** A hint when the error is at `${name:`: an IAM policy variable, which HCL reads as an interpolation unless written `$${…}`. */
function literalInterpolation(text: string, bad: Node | undefined): string {
  if (!bad) return "";
  const around = text.slice(Math.max(0, bad.startIndex - 2), bad.endIndex + 1);
  return /\$\{[A-Za-z0-9_-]+:/.test(around) ? " (an IAM policy variable such as ${aws:username} is written $${aws:username} in HCL)" : "";
}

function snippet(s: string): string {
  const one = s.split("\n")[0];
  return one.length > 40 ? `${one.slice(0, 40)}…` : one;
}

/**
 * The innermost syntax error on the first erroneous path: tree-sitter wraps a block it cannot
 * parse in an ERROR node that starts at the block, while the offending token is an ERROR (or a
 * MISSING node) inside it; the innermost one is where the problem is.
 */
function firstError(n: Node): Node | undefined {
  let x = n;
  for (;;) {
    let next: Node | undefined;
    for (let i = 0; i < x.childCount; i++) {
      const c = x.child(i);
      if (c && (c.hasError || c.isMissing || c.type === "ERROR")) {
        next = c;
        break;
      }
    }
    if (!next) return x.type === "ERROR" || x.isMissing ? x : undefined;
    x = next;
  }
}

function collectComments(n: Node, out: HclFile["comments"]): void {
  const stack: Node[] = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "comment") out.push({ line: x.startPosition.row + 1, text: x.text });
    else for (const c of x.children) if (c) stack.push(c);
  }
  out.sort((a, b) => a.line - b.line);
}

function named(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
}

class Builder {
  constructor(
    readonly src: string,
    readonly file: string,
  ) {}

  private fail(n: Node, msg: string): never {
    throw new HclError(this.file, n.startPosition.row + 1, msg);
  }

  body(n: Node, depth: number): Body {
    if (depth > MAX_NESTING) this.fail(n, `blocks nested deeper than ${MAX_NESTING} levels`);
    const out: Body = { attrs: new Map(), blocks: [] };
    for (const c of named(n)) {
      if (c.type === "attribute") {
        const [id, ex] = named(c);
        const name = id.text;
        if (out.attrs.has(name)) this.fail(c, `attribute ${JSON.stringify(name)} is set twice in the same block`);
        const start = c.startPosition;
        const expr = this.expr(ex, depth + 1);
        const end = exprEnd(expr);
        const range = { line: start.row + 1, column: start.column + 1, endLine: end?.line ?? start.row + 1, endColumn: end?.column ?? start.column + 1 };
        out.attrs.set(name, { name, expr, line: start.row + 1, range });
      } else if (c.type === "block") {
        const kids = named(c);
        const type = kids[0].text;
        const labels: string[] = [];
        let inner: Node | undefined;
        for (const k of kids.slice(1)) {
          if (k.type === "identifier") labels.push(k.text);
          else if (k.type === "string_lit") labels.push(this.stringLit(k));
          else if (k.type === "body") inner = k;
        }
        const start = c.startPosition;
        const end = c.endPosition;
        out.blocks.push({
          type,
          labels,
          body: inner ? this.body(inner, depth + 1) : { attrs: new Map(), blocks: [] },
          line: start.row + 1,
          file: this.file,
          range: { line: start.row + 1, column: start.column + 1, endLine: end.row + 1, endColumn: end.column + 1 },
        });
      }
    }
    return out;
  }

  private stringLit(n: Node): string {
    const start = n.child(0)!;
    const end = n.child(n.childCount - 1)!;
    return unescapeQuoted(this.src.slice(start.endIndex, end.startIndex));
  }

  expr(n: Node, depth: number): Expr {
    const pos = n.startPosition;
    const e = this.node(n, depth, pos.row + 1);
    e.col ??= pos.column + 1;
    return e;
  }

  private node(n: Node, depth: number, line: number): Expr {
    if (depth > MAX_NESTING) this.fail(n, `expression nested deeper than ${MAX_NESTING} levels`);
    const text = n.text;
    const d = depth + 1;
    switch (n.type) {
      case "expression":
        return this.chain(named(n), d, line, text);
      case "literal_value":
        return this.expr(named(n)[0], d);
      case "numeric_lit":
        return { k: "lit", v: Number(text), line, text };
      case "bool_lit":
        return { k: "lit", v: text === "true", line, text };
      case "null_lit":
        return { k: "lit", v: null, line, text };
      case "string_lit":
        return { k: "lit", v: this.stringLit(n), line, text };
      case "template_expr":
        return this.expr(named(n)[0], d);
      case "quoted_template": {
        const start = n.child(0)!;
        const end = n.child(n.childCount - 1)!;
        const parts = this.template(n, start.endIndex, end.startIndex, true, d);
        return { k: "tpl", parts, line, text };
      }
      case "heredoc_template": {
        const ids = n.children.filter((c): c is Node => c?.type === "heredoc_identifier");
        const strip = n.child(0)?.text === "<<-";
        const open = ids[0];
        const close = ids[ids.length - 1];
        if (!open || !close || open === close) return { k: "lit", v: "", line, text };
        const nl = this.src.indexOf("\n", open.endIndex);
        const from = nl < 0 ? open.endIndex : nl + 1;
        const lineStart = this.src.lastIndexOf("\n", close.startIndex - 1) + 1;
        let parts = this.template(n, from, Math.max(from, lineStart), false, d);
        if (strip) parts = stripIndent(parts);
        return { k: "tpl", parts, line, text };
      }
      case "collection_value":
        return this.expr(named(n)[0], d);
      case "tuple":
        return {
          k: "tuple",
          items: named(n)
            .filter((c) => c.type === "expression")
            .map((c) => this.expr(c, d)),
          line,
          text,
        };
      case "object": {
        const items = named(n)
          .filter((c) => c.type === "object_elem")
          .map((c) => {
            const key = c.childForFieldName("key")!;
            const val = c.childForFieldName("val")!;
            return { key: this.objectKey(key, d), value: this.expr(val, d) };
          });
        return { k: "object", items, line, text };
      }
      case "variable_expr":
        return { k: "var", name: named(n)[0].text, line, text };
      case "function_call": {
        const kids = named(n);
        const argsNode = kids.find((c) => c.type === "function_arguments");
        const args = argsNode ? named(argsNode).filter((c) => c.type === "expression") : [];
        const expand = argsNode ? named(argsNode).some((c) => c.type === "ellipsis") : false;
        return { k: "call", name: kids[0].text, args: args.map((a) => this.expr(a, d)), expand, line, text };
      }
      case "conditional": {
        const [c, t, f] = named(n);
        return { k: "cond", c: this.expr(c, d), t: this.expr(t, d), f: this.expr(f, d), line, text };
      }
      case "operation":
        return this.expr(named(n)[0], d);
      case "unary_operation": {
        const op = n.child(0)!.text;
        return { k: "unary", op, e: this.chain(named(n), d, line, text), line, text };
      }
      case "binary_operation": {
        // operands are unwrapped expression terms: the nodes before and after the operator
        const all = n.children.filter((c): c is Node => c !== null && c.type !== "comment");
        let depthParen = 0;
        let at = -1;
        for (let i = 0; i < all.length; i++) {
          const c = all[i];
          if (c.isNamed) continue;
          if (c.text === "(") depthParen++;
          else if (c.text === ")") depthParen--;
          else if (depthParen === 0 && i > 0) {
            at = i;
            break;
          }
        }
        if (at < 0) this.fail(n, "cannot read the operator");
        const left = all.slice(0, at).filter((c) => c.isNamed);
        const right = all.slice(at + 1).filter((c) => c.isNamed);
        return { k: "binary", op: all[at].text, l: this.chain(left, d, line, text), r: this.chain(right, d, line, text), line, text };
      }
      case "for_expr":
        return this.expr(named(n)[0], d);
      case "for_tuple_expr":
      case "for_object_expr": {
        const kids = named(n);
        const intro = kids.find((c) => c.type === "for_intro")!;
        const ik = named(intro);
        const ids = ik.filter((c) => c.type === "identifier").map((c) => c.text);
        const coll = ik.find((c) => c.type === "expression")!;
        const exprs = kids.filter((c) => c.type === "expression");
        const cond = kids.find((c) => c.type === "for_cond");
        const base = {
          k: "for" as const,
          valVar: ids.length === 2 ? ids[1] : ids[0],
          coll: this.expr(coll, d),
          group: kids.some((c) => c.type === "ellipsis"),
          line,
          text,
        };
        const withKey = ids.length === 2 ? { keyVar: ids[0] } : {};
        const withCond = cond ? { cond: this.expr(named(cond)[0], d) } : {};
        if (n.type === "for_tuple_expr") return { ...base, ...withKey, ...withCond, val: this.expr(exprs[0], d) };
        return { ...base, ...withKey, ...withCond, key: this.expr(exprs[0], d), val: this.expr(exprs[1], d) };
      }
      default:
        // a parenthesised expression is `(` expression `)` inside an expression node
        if (named(n).length === 1) return this.expr(named(n)[0], d);
        this.fail(n, `unsupported syntax ${n.type}`);
    }
  }

  /** An expression term followed by accessors (get_attr, index, splat). */
  private chain(kids: Node[], d: number, line: number, text: string): Expr {
    if (kids.length === 0) throw new HclError(this.file, line, "empty expression");
    const cur = this.accessors(this.expr(kids[0], d), kids.slice(1), d, line, text);
    return kids.length === 1 ? cur : { ...cur, text };
  }

  /** Applies accessors in order; a splat takes the rest of the chain (nested splats included) as its per-element expression. */
  private accessors(start: Expr, list: Node[], d: number, line: number, text: string): Expr {
    let cur = start;
    for (let i = 0; i < list.length; i++) {
      const k = list[i];
      if (k.type === "splat") {
        // accessors inside the splat node, then the rest of the chain apply to each element
        const item: Expr = { k: "var", name: SPLAT_ITEM, line, text: "" };
        const each = this.accessors(item, [...named(named(k)[0] ?? k), ...list.slice(i + 1)], d, line, text);
        return { k: "splat", obj: cur, each, line, text };
      }
      cur = this.accessor(cur, k, d, line, text);
    }
    return cur;
  }

  /** An object key: a bare identifier is a literal string (not a variable). */
  private objectKey(n: Node, d: number): Expr {
    const kids = named(n);
    if (kids.length === 1 && kids[0].type === "variable_expr" && n.text === kids[0].text) {
      return { k: "lit", v: kids[0].text, line: n.startPosition.row + 1, text: n.text };
    }
    return this.expr(n, d);
  }

  private accessor(obj: Expr, a: Node, d: number, line: number, text: string): Expr {
    if (a.type === "get_attr") return { k: "attr", obj, name: named(a)[0].text, line, text };
    if (a.type === "index") {
      const i = named(a)[0];
      if (i.type === "legacy_index") return { k: "index", obj, index: { k: "lit", v: Number(i.text.slice(1)), line, text: i.text }, line, text };
      return { k: "index", obj, index: this.expr(named(i)[0], d), line, text };
    }
    this.fail(a, `unsupported accessor ${a.type}`);
  }

  /** Template parts between offsets `from` and `to` of node `n`'s children. */
  private template(n: Node, from: number, to: number, quoted: boolean, d: number): TplPart[] {
    const parts: TplPart[] = [];
    let pos = from;
    const lit = (end: number) => {
      if (end > pos) parts.push(quoted ? unescapeQuoted(this.src.slice(pos, end)) : unescapeHeredoc(this.src.slice(pos, end)));
    };
    for (const c of n.namedChildren) {
      if (!c || c.startIndex < from || c.endIndex > to) continue;
      if (c.type === "template_interpolation") {
        lit(c.startIndex);
        const e = named(c).find((x) => x.type === "expression");
        if (e) parts.push({ k: "interp", e: this.expr(e, d) });
        pos = c.endIndex;
      } else if (c.type === "template_directive") {
        lit(c.startIndex);
        parts.push(this.directive(named(c)[0], quoted, d));
        pos = c.endIndex;
      }
    }
    lit(to);
    return mergeStrings(parts);
  }

  private directive(n: Node, quoted: boolean, d: number): TplPart {
    const kids = named(n);
    if (n.type === "template_if") {
      const intro = kids.find((c) => c.type === "template_if_intro")!;
      const elseIntro = kids.find((c) => c.type === "template_else_intro");
      const end = kids.find((c) => c.type === "template_if_end")!;
      const c = this.expr(
        named(intro).find((x) => x.type === "expression")!,
        d,
      );
      const thenEnd = elseIntro ? elseIntro.startIndex : end.startIndex;
      return {
        k: "if",
        c,
        then: this.template(n, intro.endIndex, thenEnd, quoted, d),
        else: elseIntro ? this.template(n, elseIntro.endIndex, end.startIndex, quoted, d) : [],
      };
    }
    const start = kids.find((c) => c.type === "template_for_start")!;
    const end = kids.find((c) => c.type === "template_for_end")!;
    const sk = named(start);
    const ids = sk.filter((c) => c.type === "identifier").map((c) => c.text);
    const coll = this.expr(
      sk.find((c) => c.type === "expression")!,
      d,
    );
    const out: TplPart = { k: "for", valVar: ids.length === 2 ? ids[1] : ids[0], coll, body: this.template(n, start.endIndex, end.startIndex, quoted, d) };
    if (ids.length === 2) out.keyVar = ids[0];
    return out;
  }
}

/** Where an expression ends (from its start and its text): the column after its last character. */
export function exprEnd(e: Expr): { line: number; column: number } | undefined {
  if (e.col === undefined) return undefined;
  const nl = e.text.lastIndexOf("\n");
  if (nl < 0) return { line: e.line, column: e.col + e.text.length };
  let lines = 0;
  for (let i = e.text.indexOf("\n"); i >= 0; i = e.text.indexOf("\n", i + 1)) lines++;
  return { line: e.line + lines, column: e.text.length - nl };
}

/** An expression's range (from its start and its text). */
export function exprRange(e: Expr): Range | undefined {
  const end = exprEnd(e);
  return end && e.col !== undefined ? { line: e.line, column: e.col, endLine: end.line, endColumn: end.column } : undefined;
}

function mergeStrings(parts: TplPart[]): TplPart[] {
  const out: TplPart[] = [];
  for (const p of parts) {
    if (typeof p === "string" && typeof out[out.length - 1] === "string") out[out.length - 1] = (out[out.length - 1] as string) + p;
    else out.push(p);
  }
  return out;
}

export function unescapeQuoted(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g, (m, e: string | undefined) => {
    if (m === "$${") return "${";
    if (m === "%%{") return "%{";
    switch (e![0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "u":
      case "U":
        return String.fromCodePoint(parseInt(e!.slice(1), 16));
      default:
        return e!;
    }
  });
}

function unescapeHeredoc(s: string): string {
  return s.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** `<<-` heredocs: the smallest indentation of the non-blank lines is removed from every line. */
function stripIndent(parts: TplPart[]): TplPart[] {
  const lines: string[] = [];
  let atLineStart = true;
  for (const p of parts) {
    if (typeof p !== "string") {
      atLineStart = false;
      continue;
    }
    const segs = p.split("\n");
    segs.forEach((s, i) => {
      if ((i > 0 || atLineStart) && s.trim() !== "") lines.push(s);
    });
    atLineStart = p.endsWith("\n");
  }
  const indent = Math.min(...lines.map((l) => /^[ \t]*/.exec(l)![0].length), Infinity);
  if (!Number.isFinite(indent) || indent === 0) return parts;
  const cut = (s: string) => (s.slice(0, indent).trim() === "" ? s.slice(Math.min(indent, /^[ \t]*/.exec(s)![0].length)) : s);
  let lineStart = true;
  return parts.map((p) => {
    if (typeof p !== "string") {
      lineStart = false;
      return p;
    }
    const segs = p.split("\n").map((s, i) => (i > 0 || lineStart ? cut(s) : s));
    lineStart = p.endsWith("\n");
    return segs.join("\n");
  });
}
