/**
 * Role trust policies: the state the IAM trust-policy fixes read and write
 * (`{RoleName, AssumeRolePolicyDocument}`), from a snapshot or live (iam:GetRole), and
 * the iam:UpdateAssumeRolePolicy calls.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, PlanContext, Target } from "../../types.js";
import { asArray, known, snapshotResource } from "../common.js";

export type Statement = { [k: string]: Json };
export type PolicyDoc = { [k: string]: Json };

export interface TrustState {
  RoleName: string;
  AssumeRolePolicyDocument: PolicyDoc;
}

export const READ_ACTIONS = ["iam:GetRole"];
export const WRITE_ACTIONS = ["iam:UpdateAssumeRolePolicy"];

export function roleName(f: Finding): string {
  const arn = f.resource.arn ?? f.resource.id;
  const m = /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (m) return m[1];
  if (f.resource.name) return f.resource.name;
  throw new Error(`cannot tell the role name from ${arn}`);
}

export function roleTarget(f: Finding): Target {
  return { service: "iam", region: "global", ...(f.resource.account ? { account: f.resource.account } : {}), key: { RoleName: roleName(f) } };
}

/** IAM returns the document URL-encoded. */
function decodeDocument(doc: string): PolicyDoc {
  let text = doc;
  if (!doc.trimStart().startsWith("{")) text = decodeURIComponent(doc);
  const parsed = JSON.parse(text) as Json;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("the trust policy is not a JSON object");
  return parsed;
}

export async function readTrust(target: Target, aws: AwsClients): Promise<Json> {
  const r = await aws.send("iam", "global", "GetRole", { RoleName: target.key.RoleName });
  const doc = r.Role?.AssumeRolePolicyDocument;
  if (typeof doc !== "string") throw new Error(`iam:GetRole returned no trust policy for ${target.key.RoleName}`);
  return { RoleName: target.key.RoleName, AssumeRolePolicyDocument: decodeDocument(doc) };
}

/** The current trust state: from the snapshot when planning against one, else read live. */
export async function currentTrust(f: Finding, ctx: PlanContext): Promise<TrustState> {
  const target = roleTarget(f);
  if (ctx.snapshot) {
    const r = snapshotResource(ctx.snapshot, f);
    const doc = known(r.properties.AssumeRolePolicyDocument, `the trust policy of ${f.resource.id}`) as PolicyDoc;
    return { RoleName: target.key.RoleName, AssumeRolePolicyDocument: doc };
  }
  if (!ctx.aws) throw new Error("no snapshot and no AWS access to read the role");
  return (await readTrust(target, ctx.aws)) as unknown as TrustState;
}

export function updateCall(name: string, doc: PolicyDoc): ApiCall {
  return { service: "iam", region: "global", action: "UpdateAssumeRolePolicy", input: { RoleName: name, PolicyDocument: JSON.stringify(doc) } };
}

/** The statements with their labels as the rules name them (Sid, else the index; "" for a lone object). */
export function statements(doc: PolicyDoc): Array<{ s: Statement; label: string; set: (s: Statement) => void }> {
  const st = doc.Statement;
  if (Array.isArray(st)) {
    return st.map((s, i) => ({
      s: s as Statement,
      label: typeof (s as Statement).Sid === "string" && (s as Statement).Sid !== "" ? ((s as Statement).Sid as string) : String(i),
      set: (n: Statement) => (st[i] = n),
    }));
  }
  if (st && typeof st === "object") {
    const s = st as Statement;
    return [{ s, label: typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : "", set: (n: Statement) => (doc.Statement = n) }];
  }
  return [];
}

/** An Allow statement whose principal includes the service. */
export function trustsService(s: Statement, service: string): boolean {
  if (s.Effect !== "Allow") return false;
  const p = s.Principal;
  if (!p || typeof p !== "object" || Array.isArray(p)) return false;
  return asArray(p.Service as Json).some((v) => typeof v === "string" && v.toLowerCase() === service);
}

/** Every principal of the statement other than the service (other services, AWS, Federated, "*"). */
export function otherPrincipals(s: Statement, service: string): string[] {
  const p = s.Principal;
  if (p === "*") return ["*"];
  if (!p || typeof p !== "object" || Array.isArray(p)) return [];
  const out: string[] = [];
  for (const [kind, v] of Object.entries(p)) {
    for (const x of asArray(v as Json))
      if (!(kind === "Service" && typeof x === "string" && x.toLowerCase() === service)) out.push(`${kind}:${JSON.stringify(x)}`);
  }
  return out;
}
