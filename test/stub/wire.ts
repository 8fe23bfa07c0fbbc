/** The wire shapes of the loopback AWS: query/XML (and EC2's dialect), JSON 1.0/1.1 and REST-JSON answers and errors, and small shared helpers. */
import type { Req } from "./service.js";

export const REQUEST_ID = "0c7b2f5e-5d1a-4c3e-9b7a-00000000stub";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Plain data → XML elements; arrays become `<member>` (awsQuery) or `<item>` (EC2) lists. */
export function xml(v: unknown, item: string): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map((x) => `<${item}>${xml(x, item)}</${item}>`).join("");
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `<${k}>${xml(x, item)}</${k}>`)
      .join("");
  }
  return esc(String(v));
}

const NS: Record<string, string> = {
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  elasticloadbalancing: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function queryOk(service: string, action: string, result: Record<string, unknown>): Answer {
  if (service === "ec2") {
    return {
      status: 200,
      headers: { "content-type": "text/xml;charset=UTF-8" },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS.ec2}"><requestId>${REQUEST_ID}</requestId>${xml(result, "item")}</${action}Response>`,
    };
  }
  return {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-requestid": REQUEST_ID },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS[service] ?? NS.iam}"><${action}Result>${xml(result, "member")}</${action}Result><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export function queryError(service: string, status: number, code: string, message: string): Answer {
  if (service === "ec2") {
    return {
      status,
      headers: { "content-type": "text/xml;charset=UTF-8" },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${REQUEST_ID}</RequestID></Response>`,
    };
  }
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": REQUEST_ID },
    body: `<ErrorResponse xmlns="${NS[service] ?? NS.iam}"><Error><Type>Sender</Type><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`,
  };
}

export function jsonOk(body: unknown, protocol: "json" | "rest"): Answer {
  return {
    status: 200,
    headers: { "content-type": protocol === "json" ? "application/x-amz-json-1.1" : "application/json", "x-amzn-requestid": REQUEST_ID },
    body: JSON.stringify(body),
  };
}

export function jsonError(status: number, type: string, message: string): Answer {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": REQUEST_ID },
    body: JSON.stringify({ __type: type, message, Message: message }),
  };
}

export class StubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): StubError => new StubError(400, "ResourceNotFoundException", `${what} not found`);

/** One page of `items` from the decimal offset `token`; the next token is the offset after it. */
export function page<T>(items: readonly T[], token: string | undefined | null, size: number): { items: T[]; next?: string } {
  const from = token ? Number(token.replace(/^p/, "")) || 0 : 0;
  const n = Math.max(1, Math.min(size || 100, 100));
  const slice = items.slice(from, from + n);
  return { items: slice, next: from + n < items.length ? `p${from + n}` : undefined };
}

/** Seconds since the epoch: the timestamp format of the JSON protocols. */
export const epoch = (d: Date): number => Math.floor(d.getTime() / 1000);
export const days = (now: Date, n: number): Date => new Date(now.getTime() - n * 86_400_000);

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const uuid = (account: string, region: string, kind: string, k: number): string => {
  // Deterministic, uuid-shaped, distinct per account, region, kind and copy.
  let h = 2166136261;
  for (const c of `${account}|${region}|${kind}|${k}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = (h.toString(16).padStart(8, "0") + account.slice(-4)).padEnd(12, "0");
  return `${hex.slice(0, 8)}-${(k % 65536).toString(16).padStart(4, "0")}-4${hex.slice(8, 11)}-8${region.length.toString(16).padStart(3, "0")}-${hex.slice(0, 12)}`;
};

/** awsQuery lists: `Name.member.N` (strings) or `Name.member.N.Field` (structures). */
export function members(p: URLSearchParams, name: string, fields?: string[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 1; ; i++) {
    if (!fields) {
      const v = p.get(`${name}.member.${i}`);
      if (v === null) return out;
      out.push(v);
      continue;
    }
    const o: Record<string, string> = {};
    for (const f of fields) {
      const v = p.get(`${name}.member.${i}.${f}`);
      if (v !== null) o[f] = v;
    }
    if (Object.keys(o).length === 0) return out;
    out.push(o);
  }
}

export const enc = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));

export type Protocol = "query" | "ec2" | "json" | "rest";

export function protocolOf(r: Req): Protocol {
  if (r.headers["x-amz-target"]) return "json";
  if (String(r.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) return r.service === "ec2" ? "ec2" : "query";
  return "rest";
}

/** The operation of a request: the query Action, the X-Amz-Target operation, or "METHOD /path" with the ids (odd segments not in `literals`) as {}. */
export function operationOf(r: Req, literals: readonly string[] = []): string {
  const proto = protocolOf(r);
  if (proto === "json") return String(r.headers["x-amz-target"]).split(".").pop() ?? "";
  if (proto === "rest") {
    const parts = r.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    return `${r.method} /${parts.map((x, i) => (i % 2 === 1 && !literals.includes(x) ? "{}" : x)).join("/")}`;
  }
  return new URLSearchParams(r.body).get("Action") ?? "";
}

/** The error AWS answers an operation it does not have with (per protocol). */
export function unsupported(r: Req, op: string): StubError {
  const proto = protocolOf(r);
  if (proto === "json") return new StubError(400, "UnknownOperationException", `stub: ${r.service} has no operation ${op}`);
  if (proto === "rest") return new StubError(404, "UnknownOperationException", `stub: no route ${r.service}:${op}`);
  return new StubError(400, "InvalidAction", `The action ${op} is not valid for this web service (stub: ${r.service}).`);
}
