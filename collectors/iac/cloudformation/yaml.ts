/**
 * Parsing CloudFormation text (YAML with short-form intrinsic tags, or JSON, which the
 * same YAML parser reads) into plain JavaScript values, plus a map from JSON pointer to
 * 1-based line for the nodes of the template.
 *
 * Short-form tags become the long form: `!Ref X` -> `{Ref: "X"}`, `!Condition C` ->
 * `{Condition: "C"}`, `!Sub …` -> `{"Fn::Sub": …}`. Scalar tags resolve to an object;
 * collection tags keep their YAML node (a subclass of YAMLMap/YAMLSeq that wraps its
 * value when converted to JavaScript), so the AST still has the inner nodes' ranges.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  parseAllDocuments,
  YAMLMap,
  YAMLSeq,
  type CollectionTag,
  type Document,
  type ScalarTag,
  type Tags,
} from "yaml";

/** Short-form function names: `!Name` -> `Fn::Name` (except Ref and Condition). */
export const INTRINSIC_TAGS = [
  "Ref",
  "Condition",
  "Sub",
  "GetAtt",
  "Join",
  "Select",
  "Split",
  "If",
  "Equals",
  "And",
  "Or",
  "Not",
  "FindInMap",
  "Base64",
  "Cidr",
  "GetAZs",
  "ImportValue",
  "Transform",
  "ToJsonString",
  "Length",
  "ForEach",
  // functions of the Rules section
  "Contains",
  "EachMemberEquals",
  "EachMemberIn",
  "RefAll",
  "ValueOf",
  "ValueOfAll",
] as const;

/** Deepest nesting of collections accepted in a template. */
export const MAX_DEPTH = 200;
/** The yaml package's guard against alias expansion ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

export function longName(short: string): string {
  return short === "Ref" || short === "Condition" ? short : `Fn::${short}`;
}

type AnyCtx = any;

function wrapAnchored(node: unknown, ctx: AnyCtx, wrapped: unknown): void {
  // If the tagged collection carries an anchor, aliases to it must see the wrapped value.
  const data = ctx?.anchors?.get?.(node);
  if (data) data.res = wrapped;
}

function mapClass(fn: string) {
  return class IntrinsicMap extends YAMLMap {
    override toJSON(_?: unknown, ctx?: AnyCtx): AnyCtx {
      const wrapped = { [fn]: super.toJSON(_, ctx) };
      wrapAnchored(this, ctx, wrapped);
      return wrapped;
    }
  };
}

function seqClass(fn: string) {
  return class IntrinsicSeq extends YAMLSeq {
    override toJSON(_?: unknown, ctx?: AnyCtx): unknown[] {
      const wrapped = { [fn]: super.toJSON(_, ctx) };
      wrapAnchored(this, ctx, wrapped);
      return wrapped as unknown as unknown[];
    }
  };
}

function buildTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const short of INTRINSIC_TAGS) {
    const fn = longName(short);
    const tag = `!${short}`;
    tags.push({ tag, default: false, resolve: (str: string) => ({ [fn]: str }) } as ScalarTag);
    tags.push({ tag, default: false, collection: "map", nodeClass: mapClass(fn) } as CollectionTag);
    tags.push({ tag, default: false, collection: "seq", nodeClass: seqClass(fn) } as CollectionTag);
  }
  return tags;
}

/**
 * Long digit strings stay strings: CloudFormation reads `Principal: {AWS: 012345678912}` as
 * the account id "012345678912", while YAML 1.2 would make it the number 12345678912 (losing
 * the leading zero). Tried before the core schema's int tag.
 */
const DIGIT_STRING: ScalarTag = { default: true, tag: "tag:yaml.org,2002:str", test: /^[0-9]{10,}$/, resolve: (s: string) => s } as ScalarTag;

const SHORT_FORM_TAGS = buildTags();
const CUSTOM_TAGS = (schemaTags: Tags): Tags => [DIGIT_STRING, ...schemaTags, ...SHORT_FORM_TAGS];
const KNOWN_TAGS = new Set(INTRINSIC_TAGS.map((s) => `!${s}`));

export interface ParsedTemplate {
  /** The first document's value as plain JavaScript (or, with several, the first with a Resources map). */
  value: unknown;
  /** JSON pointer -> 1-based line, for every node under the sections named in `linesFor`. */
  lines: Map<string, number>;
  /** Nodes with YAML tags that are not CloudFormation intrinsics (e.g. `!Rain::Module`), in document order. */
  unknownTags: UnknownTag[];
}

export interface UnknownTag {
  tag: string;
  line: number;
  /** JSON pointer of the tagged node in the converted value. */
  pointer: string;
}

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateSyntaxError";
  }
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function firstLine(message: string): string {
  return message
    .split("\n")[0]
    .replace(/ at line \d+, column \d+:?\s*$/, "")
    .trim();
}

function topKeys(doc: Document): string[] {
  const c = doc.contents;
  if (!isMap(c)) return [];
  const keys: string[] = [];
  for (const item of c.items) if (isScalar(item.key)) keys.push(String(item.key.value));
  return keys;
}

interface WalkState {
  lc: LineCounter;
  lines: Map<string, number>;
  unknownTags: UnknownTag[];
  record: boolean;
}

function lineOf(st: WalkState, offset: number | undefined): number {
  return offset === undefined ? 0 : st.lc.linePos(offset).line;
}

/** Walks the AST once (never through aliases): records lines and tags, checks depth. */
function walk(node: unknown, pointer: string, depth: number, st: WalkState, line: number): void {
  if (depth > MAX_DEPTH) {
    throw new TemplateSyntaxError(`line ${line}: nesting deeper than ${MAX_DEPTH} levels`);
  }
  if (node === null || node === undefined || isAlias(node)) return;
  const n = node as { tag?: string; range?: [number, number, number] };
  let inner = pointer;
  if (n.tag && n.tag.startsWith("!")) {
    const nodeLine = lineOf(st, n.range?.[0]) || line;
    if (KNOWN_TAGS.has(n.tag)) {
      inner = `${pointer}/${escapePointer(longName(n.tag.slice(1)))}`;
      if (st.record) st.lines.set(inner, nodeLine);
    } else {
      st.unknownTags.push({ tag: n.tag, line: nodeLine, pointer });
    }
  }
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const keyText = isScalar(key) ? String(key.value) : null;
      const keyLine = lineOf(st, key?.range?.[0]) || line;
      if (keyText !== null) {
        if (seen.has(keyText)) throw new TemplateSyntaxError(`line ${keyLine}: duplicate key ${keyText}`);
        seen.add(keyText);
      }
      if (keyText === null) {
        walk(pair.value, `${inner}/?`, depth + 1, st, keyLine);
        continue;
      }
      const p = `${inner}/${escapePointer(keyText)}`;
      if (st.record) st.lines.set(p, keyLine);
      walk(pair.value, p, depth + 1, st, keyLine);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = `${inner}/${i}`;
      const itemLine = lineOf(st, (item as { range?: [number, number, number] } | null)?.range?.[0]) || line;
      if (st.record) st.lines.set(p, itemLine);
      walk(item, p, depth + 1, st, itemLine);
    });
  }
}

const RECORDED_SECTIONS = new Set(["Resources", "Metadata", "Parameters"]);

function linesOf(doc: Document, lc: LineCounter): { lines: Map<string, number>; unknownTags: UnknownTag[] } {
  const st: WalkState = { lc, lines: new Map(), unknownTags: [], record: false };
  const root = doc.contents;
  if (isMap(root)) {
    const seen = new Set<string>();
    for (const pair of root.items) {
      const key = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const keyText = isScalar(key) ? String(key.value) : "?";
      const keyLine = lineOf(st, key?.range?.[0]) || 1;
      if (seen.has(keyText) && keyText !== "?") throw new TemplateSyntaxError(`line ${keyLine}: duplicate key ${keyText}`);
      seen.add(keyText);
      const p = `/${escapePointer(keyText)}`;
      st.lines.set(p, keyLine);
      st.record = RECORDED_SECTIONS.has(keyText);
      walk(pair.value, p, 1, st, keyLine);
    }
  } else {
    walk(root, "", 0, st, 1);
  }
  return st;
}

function syntaxError(err: { message: string; linePos?: Array<{ line: number; col: number }> }): TemplateSyntaxError {
  const line = err.linePos?.[0]?.line;
  let msg = firstLine(err.message);
  if (/call stack/i.test(msg)) msg = `nesting too deep to parse (${msg})`;
  return new TemplateSyntaxError(line ? `line ${line}: ${msg}` : msg);
}

/**
 * Rejects flow collections ("[[[[…", "{"a":{"a":…") nested deeper than MAX_DEPTH before the
 * (recursive) composer sees them. A cheap bracket count decides whether the exact check
 * with the yaml lexer (which knows strings and comments) is needed.
 */
/**
 * A YAML node has at most one tag and one anchor; the `yaml` package takes quadratic time
 * on long runs of them (`!Base64 !Base64 …`), so such text is rejected before parsing.
 */
const STACKED_PROPERTIES = /(?:[!&][^\s]*[ \t]+){3,}/;

function checkStackedProperties(text: string): void {
  const m = STACKED_PROPERTIES.exec(text);
  if (!m) return;
  const line = text.slice(0, m.index).split("\n").length;
  throw new TemplateSyntaxError(`line ${line}: a node has several tags or anchors in a row (YAML allows one of each)`);
}

function checkFlowDepth(text: string): void {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  if (max <= MAX_DEPTH) return;
  depth = 0;
  let lineNo = 1;
  for (const tok of new Lexer().lex(text)) {
    if (tok === "[" || tok === "{") {
      if (++depth > MAX_DEPTH) throw new TemplateSyntaxError(`line ${lineNo}: nesting deeper than ${MAX_DEPTH} levels`);
    } else if (tok === "]" || tok === "}") depth = Math.max(0, depth - 1);
    else if (tok === "\n" || tok.includes("\n")) lineNo += tok.split("\n").length - 1;
  }
}

function hasResourcesMap(doc: Document): boolean {
  const c = doc.contents;
  if (!isMap(c)) return false;
  return c.items.some((p) => isScalar(p.key) && p.key.value === "Resources" && isMap(p.value));
}

/**
 * Parses template text. Throws TemplateSyntaxError (one line, with the line number) on
 * malformed input, excessive aliasing or nesting. Never follows aliases when computing lines.
 */
export function parseTemplateText(text: string): ParsedTemplate & { topKeys: string[]; documents: number } {
  const lc = new LineCounter();
  let docs: Document[];
  checkFlowDepth(text);
  checkStackedProperties(text);
  try {
    const parsed = parseAllDocuments(text, {
      customTags: CUSTOM_TAGS,
      lineCounter: lc,
      prettyErrors: true,
      uniqueKeys: false, // checked in walk() with a Set: the yaml package's check is quadratic
      version: "1.2",
      schema: "core",
      keepSourceTokens: false,
    });
    docs = Array.isArray(parsed) ? (parsed as Document[]) : [];
  } catch (e) {
    throw new TemplateSyntaxError(
      e instanceof RangeError ? `nesting too deep to parse (${firstLine(e.message)})` : firstLine(String((e as Error).message ?? e)),
    );
  }
  if (docs.length === 0) {
    return { value: null, lines: new Map(), unknownTags: [], topKeys: [], documents: 0 };
  }
  let chosen: Document | undefined;
  for (const doc of docs) {
    if (doc.errors.length > 0) throw syntaxError(doc.errors[0]);
    if (hasResourcesMap(doc)) {
      chosen = doc;
      break;
    }
  }
  const doc = chosen ?? docs[0];
  const { lines, unknownTags } = linesOf(doc, lc);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const msg = firstLine(String((e as Error).message ?? e));
    if (e instanceof RangeError) throw new TemplateSyntaxError(`nesting too deep (${msg})`);
    if (/alias/i.test(msg)) throw new TemplateSyntaxError(`YAML aliases expand too much (more than ${MAX_ALIAS_COUNT}): ${msg}`);
    throw new TemplateSyntaxError(msg);
  }
  return { value, lines, unknownTags, topKeys: topKeys(doc), documents: docs.length };
}
