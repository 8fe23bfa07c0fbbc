/**
 * Reflows METADATA text (a rule's why and fix, written as YAML block scalars with hard line
 * breaks) into the lines a terminal should print: each paragraph one line, each list item one
 * line (its continuation lines joined to it), code lines (indented deeper than the text) kept as
 * written. Blank lines between paragraphs are kept as one empty line.
 */
export function reflow(text: string): string[] {
  const raw = text.replace(/\r\n?/g, "\n").split("\n");
  const indents = raw.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length);
  const base = indents.length ? Math.min(...indents) : 0;
  const out: string[] = [];
  // what the next line may join: a paragraph, a list item (with the indent of its text), or nothing
  let open: { kind: "para" } | { kind: "item"; indent: number } | undefined;
  for (const line of raw) {
    const body = line.slice(Math.min(base, /^ */.exec(line)![0].length)).trimEnd();
    if (body.trim() === "") {
      if (out.length && out[out.length - 1] !== "") out.push("");
      open = undefined;
      continue;
    }
    const indent = /^ */.exec(body)![0].length;
    const item = /^(\s*)([-*•]|\d+[.)])\s+/.exec(body);
    if (item) {
      out.push(body);
      open = { kind: "item", indent: item[0].length };
    } else if (open?.kind === "item" && indent > 0 && indent <= open.indent) {
      out[out.length - 1] += ` ${body.trim()}`;
    } else if (indent >= 2 && !(open?.kind === "item")) {
      out.push(body); // code, or an indented example: as written
      open = undefined;
    } else if (open?.kind === "para" && indent === 0) {
      out[out.length - 1] += ` ${body}`;
    } else {
      out.push(body);
      open = indent === 0 ? { kind: "para" } : undefined;
    }
  }
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}
