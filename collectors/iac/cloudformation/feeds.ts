/**
 * Which resource properties each template parameter feeds: every `Ref` to it and every
 * `${Name}` in an `Fn::Sub` inside a resource's Properties, as written (before
 * resolution, which replaces the reference by the parameter's value). Rules judge a
 * parameter by its use (a parameter that feeds MasterUserPassword holds a password,
 * whatever its name); see docs/model/breadth.md.
 */

export interface ParameterFeed {
  /** Logical id of the resource whose property the parameter feeds. */
  resource: string;
  type: string;
  /** The property path without intrinsic functions and list indexes, e.g. "AdvancedSecurityOptions/MasterUserOptions/MasterUserPassword". */
  property: string;
  /** JSON pointer of the reference in the file. */
  pointer: string;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

const escapePointer = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** The names `${Name}` of an Fn::Sub string refers to (not `${!Literal}`, not `${Res.Attr}`, not pseudo parameters). */
function subNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
    const name = m[1].trim();
    if (!name.includes(".") && !name.startsWith("AWS::")) out.push(name);
  }
  return out;
}

/** Keys that are structure, not property names: intrinsic functions. */
const structural = (key: string): boolean => key === "Ref" || key.startsWith("Fn::");

/** parameterFeeds(resources, names): for each parameter name, the properties it feeds. */
export function parameterFeeds(resources: Record<string, unknown>, names: Set<string>): Map<string, ParameterFeed[]> {
  const out = new Map<string, ParameterFeed[]>();
  const add = (name: string, feed: ParameterFeed) => {
    if (!names.has(name)) return;
    const list = out.get(name) ?? [];
    if (!list.some((f) => f.pointer === feed.pointer)) list.push(feed);
    out.set(name, list);
  };
  for (const [id, res] of Object.entries(resources)) {
    if (!isObject(res) || typeof res.Type !== "string" || !isObject(res.Properties)) continue;
    const type = res.Type;
    const base = `/Resources/${escapePointer(id)}/Properties`;
    // ptr: the path in the file; prop: the property names only (no intrinsic functions,
    // list indexes or Fn::Sub variable names).
    const walk = (node: unknown, ptr: string[], prop: string[]): void => {
      const feed = (): ParameterFeed => ({ resource: id, type, property: prop.join("/"), pointer: `${base}/${ptr.map(escapePointer).join("/")}` });
      if (Array.isArray(node)) {
        node.forEach((v, i) => walk(v, [...ptr, String(i)], prop));
        return;
      }
      if (!isObject(node)) return;
      const only = Object.keys(node).length === 1;
      if (only && typeof node.Ref === "string") add(node.Ref, feed());
      const sub = node["Fn::Sub"];
      if (only && sub !== undefined) {
        const text = typeof sub === "string" ? sub : Array.isArray(sub) && typeof sub[0] === "string" ? sub[0] : undefined;
        const vars = Array.isArray(sub) && isObject(sub[1]) ? sub[1] : {};
        for (const n of text === undefined ? [] : subNames(text)) if (!Object.hasOwn(vars, n)) add(n, feed());
        for (const [k, v] of Object.entries(vars)) walk(v, [...ptr, "Fn::Sub", "1", k], prop);
        return;
      }
      for (const [k, v] of Object.entries(node)) walk(v, [...ptr, k], structural(k) ? prop : [...prop, k]);
    };
    walk(res.Properties, [], []);
  }
  return out;
}
