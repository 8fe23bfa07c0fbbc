/**
 * iam-secrets-access-tag-scoped: every Allow of secretsmanager:GetSecretValue in a
 * policy of a role trusted by pods.eks.amazonaws.com gets StringEquals
 * `secretsmanager:ResourceTag/kubernetes-namespace` = `${aws:PrincipalTag/kubernetes-namespace}`
 * and `secretsmanager:ResourceTag/eks-cluster-name` = `${aws:PrincipalTag/eks-cluster-name}`
 * (GUIDANCE.md §2, lines 2628–2648, 2942–2968).
 *
 * One change per resource the findings are on, as the runner groups them:
 *
 * - a role (its inline policies): one iam:PutRolePolicy per inline policy with a finding,
 *   all in one change. The target names every touched policy and `read` returns all of
 *   them, so the drift check, resume and rollback see the whole change. `apply` puts the
 *   policies back that it had already changed when a later PutRolePolicy fails (the
 *   role's inline policies share one size quota), so a failed step leaves the role as it
 *   was. Findings on AWS managed policies the scan did not read are left to a person.
 * - a customer managed policy: iam:CreatePolicyVersion (SetAsDefault) with the fixed
 *   document; findings of every Pod Identity role using the policy name the same
 *   statements, so they share the change. `apply` returns the created VersionId for the
 *   journal; rollback makes the old version the default again and deletes the created
 *   one (without a journaled id: the default version, when its document is the planned
 *   one). A policy that already has 5 versions (counted when planning live; offline,
 *   CreatePolicyVersion would fail and change nothing), is also attached to principals
 *   without Pod Identity session tags, or serves as a permissions boundary is left to a
 *   person: rampart never deletes a version during apply, and the conditions would deny
 *   the others every secret.
 * - an AWS managed policy: left to a person (it cannot be edited).
 *
 * Statements: one whose actions are all secretsmanager actions (named or wildcards) gets
 * the conditions in place, merged into its StringEquals. In one that also names other
 * actions (or ListSecrets / GetRandomPassword / BatchGetSecretValue, which name no
 * secret and so never match a resource-tag condition), the secretsmanager actions that
 * act on secrets move to a new statement after it (same Effect and Resource, Sid suffixed "TagScoped") that
 * carries the conditions; the rest stay as they were. NotAction, and wildcards that
 * cover GetSecretValue without being secretsmanager actions (`*`, `secrets*:*`), are left
 * to a person. An existing condition on either tag key is never changed: if it does not
 * already compare with the session tag, the statement is left to a person.
 *
 * Risk: the role can no longer read secrets without both tags. The plan lists the
 * covered secrets of the role's account that lack a tag (from the snapshot, else
 * secretsmanager:ListSecrets in --regions, or the regions the statements name, or the
 * home region); any such secret, secrets that could not be listed, a secretsmanager
 * wildcard that also allowed the account-level actions, or a role that principals other
 * than Pod Identity can assume (their sessions carry no such tags) make the change
 * need --allow-user-impact.
 */
import type { Finding } from "../../../engine/findings.js";
import { isUnknown, type Resource, type Snapshot } from "../../../model/types.js";
import type { AwsClients } from "../../clients.js";
import { jsonEqual } from "../../jsondiff.js";
import type { ApiCall, ChangeDraft, Json, ManualItem, PlanContext, PlanResult, Remediation, Risk, Target } from "../../types.js";
import { asArray, clone, findingKey, known, manual, snapshotResource } from "../common.js";
import { otherPrincipals, roleName, trustsService, type Statement } from "./trust.js";

const RULE = "iam-secrets-access-tag-scoped";
const POD_SERVICE = "pods.eks.amazonaws.com";
const TAGS = ["kubernetes-namespace", "eks-cluster-name"];
const GET_SECRET_VALUE = "secretsmanager:GetSecretValue";
/** secretsmanager actions that name no secret: a resource-tag condition never matches them. */
const NO_SECRET_ACTIONS = ["secretsmanager:ListSecrets", "secretsmanager:GetRandomPassword", "secretsmanager:BatchGetSecretValue"];
const MAX_VERSIONS = 5;
const CREATED = "(the version CreatePolicyVersion returns)";
const SECRET_TYPE = "AWS::SecretsManager::Secret";

type Doc = { [k: string]: Json };

const expected = (tag: string): string => `\${aws:PrincipalTag/${tag}}`;
const CONDITIONS_TEXT = `StringEquals "secretsmanager:ResourceTag/kubernetes-namespace": "${expected("kubernetes-namespace")}" and "secretsmanager:ResourceTag/eks-cluster-name": "${expected("eks-cluster-name")}"`;

// ---------------------------------------------------------------------------------------
// Policy documents and statements

/** IAM returns documents URL-encoded. */
function parseDoc(text: string, what: string): Doc {
  const doc = JSON.parse(text.trimStart().startsWith("{") ? text : decodeURIComponent(text)) as Json;
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${what} is not a JSON policy document`);
  return doc;
}

interface Stmt {
  s: Doc;
  /** The rule's label: the Sid when a non-empty string, else the index ("" for a lone object). */
  label: string;
  /** Position in the Statement array; undefined for a lone object. */
  index: number | undefined;
}

function statementsOf(doc: Doc): Stmt[] {
  const st = doc.Statement;
  const label = (s: Doc, i: string): string => (typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : i);
  if (Array.isArray(st)) return st.flatMap((s, i) => (s && typeof s === "object" && !Array.isArray(s) ? [{ s, label: label(s, String(i)), index: i }] : []));
  if (st && typeof st === "object") return [{ s: st, label: label(st, ""), index: undefined }];
  return [];
}

/** IAM-style match, case-insensitive: `*` any run of characters, `?` one. */
function wildcardMatch(pattern: string, s: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(s);
}

const isSecretsAction = (a: string): boolean => a.toLowerCase().startsWith("secretsmanager:");
const hasWildcard = (a: string): boolean => /[*?]/.test(a);
const isNoSecretAction = (a: string): boolean => NO_SECRET_ACTIONS.some((x) => x.toLowerCase() === a.toLowerCase());

function allowsGetSecretValue(s: Doc): boolean {
  if (s.Effect !== "Allow") return false;
  if (s.NotAction !== undefined) return !asArray(s.NotAction).some((a) => typeof a === "string" && wildcardMatch(a, GET_SECRET_VALUE));
  return asArray(s.Action).some((a) => typeof a === "string" && wildcardMatch(a, GET_SECRET_VALUE));
}

interface Refused {
  reason: string;
  advice: string;
}

interface Scoped {
  /** The statements that take the place of the original (one, or two when split). */
  replacement: Doc[];
  /** The statement that carries the conditions. */
  scoped: Doc;
  /** Account-level actions a secretsmanager wildcard allowed, which the conditions now deny. */
  denied: string[];
  /** What was done, for the summary. */
  text: string;
}

const isRefused = (x: object): x is Refused => "reason" in x;

interface CondEntry {
  op: string;
  key: string;
  values: Json[];
}

function conditionEntries(cond: Doc): CondEntry[] {
  const out: CondEntry[] = [];
  for (const [op, block] of Object.entries(cond)) {
    if (block && typeof block === "object" && !Array.isArray(block)) for (const [key, v] of Object.entries(block)) out.push({ op, key, values: asArray(v) });
  }
  return out;
}

/** The statement's Condition with the tag conditions it lacks added to StringEquals; existing entries are never changed. */
function withTagConditions(s: Doc, name: string): Doc | Refused {
  const cond = s.Condition;
  if (cond !== undefined && (cond === null || typeof cond !== "object" || Array.isArray(cond)))
    return { reason: `the Condition of ${name} is not an object`, advice: "Fix the policy by hand." };
  const out = clone((cond ?? {}) as Doc);
  const entries = conditionEntries(out);
  const add: string[] = [];
  for (const tag of TAGS) {
    const keys = [`secretsmanager:resourcetag/${tag}`, `aws:resourcetag/${tag}`];
    const present = entries.filter((e) => keys.includes(e.key.toLowerCase()));
    const ok = present.some(
      (e) => e.op === "StringEquals" && e.values.length > 0 && e.values.every((v) => typeof v === "string" && v.toLowerCase() === expected(tag).toLowerCase()),
    );
    if (ok) continue;
    if (present.length > 0) {
      const what = present.map((e) => `${e.op} "${e.key}": ${JSON.stringify(e.values.length === 1 ? e.values[0] : e.values)}`).join(", ");
      return {
        reason: `${name} already conditions the ${tag} tag (${what}); rampart never changes or removes an existing condition`,
        advice: `If the secrets are tagged per namespace and cluster, change that condition by hand to StringEquals "secretsmanager:ResourceTag/${tag}": "${expected(tag)}".`,
      };
    }
    add.push(tag);
  }
  const block = out.StringEquals ?? {};
  if (typeof block !== "object" || block === null || Array.isArray(block))
    return { reason: `the StringEquals block of ${name} is not an object`, advice: "Fix the policy by hand." };
  for (const tag of add) block[`secretsmanager:ResourceTag/${tag}`] = expected(tag);
  out.StringEquals = block;
  return out;
}

/** `base`, or `base2`, `base3`… : Sids are unique within a policy. */
function freeSid(base: string, sids: Set<string>): string {
  let sid = base;
  for (let n = 2; sids.has(sid); n++) sid = `${base}${n}`;
  sids.add(sid);
  return sid;
}

/** Adds the tag conditions to one statement that allows GetSecretValue (splitting it when it also allows other actions). */
function scopeStatement(st: Stmt, where: string, sids: Set<string>): Scoped | Refused {
  const s = st.s;
  const name = `statement "${st.label}" of ${where}`;
  if (s.NotAction !== undefined) {
    return {
      reason: `${name} uses NotAction, so it allows secretsmanager:GetSecretValue together with nearly every other action; tag conditions on it would restrict all of them`,
      advice: `Replace NotAction with the actions the role needs, and grant secretsmanager:GetSecretValue in a statement of its own with ${CONDITIONS_TEXT}.`,
    };
  }
  const actions = asArray(s.Action);
  if (actions.some((a) => typeof a !== "string")) return { reason: `${name} has an Action that is not a string`, advice: "Fix the policy by hand." };
  const names = actions as string[];
  const broad = names.filter((a) => !isSecretsAction(a) && wildcardMatch(a, GET_SECRET_VALUE));
  if (broad.length > 0) {
    return {
      reason: `${name} allows secretsmanager:GetSecretValue through ${broad.map((a) => `"${a}"`).join(", ")}, which also covers other services' actions; tag conditions on it would restrict all of them`,
      advice: `Replace ${broad.map((a) => `"${a}"`).join(", ")} with the actions the role needs, and grant secretsmanager:GetSecretValue in a statement of its own with ${CONDITIONS_TEXT}.`,
    };
  }
  const scopedActions = names.filter((a) => isSecretsAction(a) && !isNoSecretAction(a));
  const rest = names.filter((a) => !scopedActions.includes(a));
  const condition = withTagConditions(s, name);
  if (isRefused(condition)) return condition;
  const denied = NO_SECRET_ACTIONS.filter((x) => scopedActions.some((a) => hasWildcard(a) && wildcardMatch(a, x)));
  if (rest.length === 0) {
    const scoped = { ...s, Condition: condition };
    return { replacement: [scoped], scoped, denied, text: `statement "${st.label}" of ${where}` };
  }
  const sid = freeSid(typeof s.Sid === "string" && s.Sid !== "" ? `${s.Sid}TagScoped` : "SecretsTagScoped", sids);
  const { Sid: _sid, ...fields } = s;
  const kept = { ...s, Action: rest };
  const scoped = { Sid: sid, ...fields, Action: scopedActions, Condition: condition };
  return {
    replacement: [kept, scoped],
    scoped,
    denied,
    text: `statement "${sid}" (the secretsmanager actions of statement "${st.label}", which keeps ${rest.join(", ")}) of ${where}`,
  };
}

interface DocResult {
  after: Doc;
  fixed: string[];
  manual: ManualItem[];
  scoped: Doc[];
  denied: string[];
  texts: string[];
}

/** Fixes the statements of one document that the findings name (`wanted`: statement label → findings). */
function fixDocument(doc: Doc, wanted: Map<string, Finding[]>, where: string): DocResult {
  const res: DocResult = { after: clone(doc), fixed: [], manual: [], scoped: [], denied: [], texts: [] };
  const sts = statementsOf(res.after);
  const sids = new Set(sts.flatMap((x) => (typeof x.s.Sid === "string" ? [x.s.Sid] : [])));
  const replaced = new Map<Stmt, Doc[]>();
  // In document order, so that the plan does not depend on the order of the findings.
  const position = (label: string): number => {
    const i = sts.findIndex((x) => x.label === label);
    return i < 0 ? sts.length : i;
  };
  for (const [label, fs] of [...wanted].sort((a, b) => position(a[0]) - position(b[0]))) {
    const matching = sts.filter((x) => x.label === label);
    if (matching.length !== 1 || !allowsGetSecretValue(matching[0].s)) {
      const reason =
        matching.length > 1
          ? `${matching.length} statements of ${where} share the Sid "${label}"`
          : `statement "${label}" of ${where} no longer allows secretsmanager:GetSecretValue`;
      res.manual.push(
        ...fs.map((f) =>
          manual(f, reason, matching.length > 1 ? "Give the statements distinct Sids and run `rampart fix` again." : "Scan again and re-run `rampart fix`."),
        ),
      );
      continue;
    }
    const r = scopeStatement(matching[0], where, sids);
    if (isRefused(r)) {
      res.manual.push(...fs.map((f) => manual(f, r.reason, r.advice)));
      continue;
    }
    replaced.set(matching[0], r.replacement);
    res.scoped.push(r.scoped);
    res.denied.push(...r.denied.filter((d) => !res.denied.includes(d)));
    res.texts.push(r.text);
    res.fixed.push(...fs.map((f) => f.id));
  }
  const list = res.after.Statement;
  if (Array.isArray(list)) {
    // Rebuilt from the original list, so that entries that are not statements stay where they were.
    const byIndex = new Map([...replaced].map(([x, r]) => [x.index, r]));
    res.after.Statement = list.flatMap((s, i) => byIndex.get(i) ?? [s]);
  } else {
    const only = [...replaced.values()][0];
    if (only) res.after.Statement = only.length === 1 ? only[0] : only;
  }
  return res;
}

// ---------------------------------------------------------------------------------------
// Roles and their trust

function roleResource(snapshot: Snapshot, name: string, account: string | undefined): Resource | undefined {
  return snapshot.resources.find((r) => r.type === "AWS::IAM::Role" && r.properties.RoleName === name && (account === undefined || r.account === account));
}

/** A role's trust policy: from the snapshot, else iam:GetRole. */
async function trustOf(name: string, account: string | undefined, ctx: PlanContext): Promise<Doc> {
  if (ctx.snapshot) {
    const r = roleResource(ctx.snapshot, name, account);
    if (!r) throw new Error(`role ${name} is not in the snapshot`);
    return known(r.properties.AssumeRolePolicyDocument, `the trust policy of role ${name}`) as Doc;
  }
  if (!ctx.aws) throw new Error("no snapshot and no AWS access to read the role");
  const got = await ctx.aws.send("iam", "global", "GetRole", { RoleName: name });
  const text = got.Role?.AssumeRolePolicyDocument;
  if (typeof text !== "string") throw new Error(`iam:GetRole returned no trust policy for ${name}`);
  return parseDoc(text, `the trust policy of role ${name}`);
}

const trustsPods = (trust: Doc): boolean => statementsOf(trust).some((x) => trustsService(x.s as Statement, POD_SERVICE));

/** Principals other than Pod Identity that the trust lets in: their sessions carry no Pod Identity tags. */
function otherTrusted(trust: Doc): string[] {
  return [...new Set(statementsOf(trust).flatMap((x) => (x.s.Effect === "Allow" ? otherPrincipals(x.s as Statement, POD_SERVICE) : [])))];
}

// ---------------------------------------------------------------------------------------
// Secrets the conditions would deny

interface Secret {
  arn: string;
  name: string;
  region: string;
  /** undefined when the tags were not read. */
  tags: Record<string, string> | undefined;
}

interface SecretsView {
  secrets: Secret[];
  regions: string[];
  /** Why the secrets are not known, when they are not. */
  unknown?: string;
}

function resourcePatterns(s: Doc, field: "Resource" | "NotResource"): string[] {
  return asArray(s[field]).filter((v): v is string => typeof v === "string");
}

function covers(s: Doc, arn: string): boolean {
  if (s.NotResource !== undefined) return !resourcePatterns(s, "NotResource").some((p) => wildcardMatch(p, arn));
  return resourcePatterns(s, "Resource").some((p) => wildcardMatch(p, arn));
}

/** Regions to list secrets in: --regions, else the regions the statements name, plus the home region when a pattern spans regions. */
function regionsToList(scoped: Doc[], ctx: PlanContext, home: string): string[] {
  if (ctx.regions.length > 0) return [...ctx.regions];
  const named = new Set<string>();
  let spans = false;
  for (const s of scoped) {
    if (s.NotResource !== undefined) spans = true;
    for (const p of resourcePatterns(s, "Resource")) {
      const parts = p.split(":");
      if (!p.startsWith("arn:")) spans = true;
      else if (!wildcardMatch(parts[2] ?? "", "secretsmanager"))
        continue; // another service's ARN names no secret
      else if (!parts[3] || hasWildcard(parts[3])) spans = true;
      else named.add(parts[3]);
    }
  }
  if (spans || named.size === 0) named.add(home);
  return [...named].sort();
}

function fromSnapshot(snapshot: Snapshot, account: string | undefined): SecretsView {
  const regions = [
    ...new Set(
      snapshot.coverage
        .filter(
          (c) =>
            c.service === "secretsmanager" &&
            c.status === "ok" &&
            (c.resourceTypes ?? [SECRET_TYPE]).includes(SECRET_TYPE) &&
            (account === undefined || c.account === account),
        )
        .map((c) => c.region ?? ""),
    ),
  ].sort();
  if (regions.length === 0) return { secrets: [], regions, unknown: "the snapshot holds no complete list of the account's Secrets Manager secrets" };
  const secrets = snapshot.resources
    .filter((r) => r.type === SECRET_TYPE && (account === undefined || r.account === account) && regions.includes(r.region ?? ""))
    .map((r) => {
      const unread = isUnknown(r.tags) || isUnknown(r.observed?.tagsUnknown) || Object.values(r.tags).some((v) => typeof v !== "string");
      return { arn: r.arn ?? r.id, name: r.name ?? r.id, region: r.region ?? "", tags: unread ? undefined : (r.tags as Record<string, string>) };
    });
  return { secrets, regions };
}

async function listSecrets(aws: AwsClients, region: string): Promise<Secret[]> {
  const out: Secret[] = [];
  let token: string | undefined;
  do {
    const page = await aws.send("secretsmanager", region, "ListSecrets", { MaxResults: 100, ...(token ? { NextToken: token } : {}) });
    for (const s of (page.SecretList ?? []) as Array<{ ARN?: string; Name?: string; Tags?: Array<{ Key?: string; Value?: string }> }>) {
      if (!s.ARN) continue;
      const tags: Record<string, string> = {};
      for (const t of s.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
      out.push({ arn: s.ARN, name: s.Name ?? s.ARN, region, tags });
    }
    token = page.NextToken as string | undefined;
  } while (token);
  return out;
}

async function secretsView(scoped: Doc[], account: string | undefined, ctx: PlanContext): Promise<SecretsView> {
  if (ctx.snapshot) return fromSnapshot(ctx.snapshot, account);
  if (!ctx.aws) return { secrets: [], regions: [], unknown: "there is no snapshot and no AWS access to list them" };
  const regions = regionsToList(scoped, ctx, ctx.aws.homeRegion);
  const secrets: Secret[] = [];
  for (const region of regions) {
    try {
      secrets.push(...(await listSecrets(ctx.aws, region)));
    } catch (e) {
      return { secrets: [], regions, unknown: `secretsmanager:ListSecrets failed in ${region}: ${errorText(e)}` };
    }
  }
  return { secrets, regions };
}

const missingTags = (s: Secret): string[] => (s.tags ? TAGS.filter((t) => s.tags?.[t] === undefined) : TAGS);

function secretText(s: Secret): string {
  return `${s.name} (${s.region}: ${s.tags ? `no ${missingTags(s).join(", ")}` : "tags not read"})`;
}

/** Accounts other than the role's that the scoped statements name secrets in: their secrets are not listed. */
function foreignAccounts(scoped: Doc[], account: string | undefined): string[] {
  const out = new Set<string>();
  for (const s of scoped) {
    for (const p of resourcePatterns(s, "Resource")) {
      const acct = p.startsWith("arn:") ? p.split(":")[4] : undefined;
      if (acct && account && acct !== account && !hasWildcard(acct)) out.add(acct);
    }
  }
  return [...out].sort();
}

interface Impact {
  risk?: Risk;
  notes: string[];
}

/** What the conditions take away from the pods (and anyone else using the roles): the risk and the notes. */
async function impactOf(
  scoped: Doc[],
  denied: string[],
  roles: Array<{ name: string; others: string[] }>,
  account: string | undefined,
  ctx: PlanContext,
): Promise<Impact> {
  const who = `pods using role${roles.length === 1 ? "" : "s"} ${roles.map((r) => r.name).join(", ")}`;
  const view = await secretsView(scoped, account, ctx);
  const lost = view.secrets
    .filter((s) => missingTags(s).length > 0 && scoped.some((st) => covers(st, s.arn)))
    .sort((a, b) => a.name.localeCompare(b.name) || a.region.localeCompare(b.region));
  const reasons: string[] = [];
  if (view.unknown)
    reasons.push(
      `Which secrets lack the kubernetes-namespace or eks-cluster-name tag is not known (${view.unknown}); after the change ${who} can no longer read any secret without both tags.`,
    );
  else if (lost.length > 0) {
    const shown = lost.slice(0, 10).map(secretText).join(", ");
    reasons.push(
      `After the change ${who} can no longer read ${lost.length} secret${lost.length === 1 ? "" : "s"} without both the kubernetes-namespace and eks-cluster-name tags: ${shown}${lost.length > 10 ? `, and ${lost.length - 10} more` : ""}.`,
    );
  }
  if (denied.length > 0)
    reasons.push(`The secretsmanager wildcard also allowed ${denied.join(", ")}, which name no secret: with the conditions they are denied.`);
  for (const r of roles)
    if (r.others.length > 0)
      reasons.push(`Role ${r.name} can also be assumed by ${r.others.join(", ")}, whose sessions carry no Pod Identity tags: they lose these secrets.`);
  const notes = [
    "Every secret these pods read must carry the tags kubernetes-namespace and eks-cluster-name with the namespace and cluster of the pods' Pod Identity association (rule secretsmanager-secret-pod-identity-tagged: `rampart fix` tags them from the associations), and the role's trust must allow sts:TagSession (rule iam-pod-identity-trust-actions); a secret tagged for another namespace or cluster is denied too.",
  ];
  if (!view.unknown) notes.push(`Secrets were looked for in ${view.regions.join(", ")}${ctx.snapshot ? " (the snapshot)" : ""}.`);
  const foreign = foreignAccounts(scoped, account);
  if (foreign.length > 0)
    notes.push(
      `The statements also name secrets of account${foreign.length === 1 ? "" : "s"} ${foreign.join(", ")}, which were not checked: they need the same tags.`,
    );
  return { ...(reasons.length > 0 ? { risk: { flag: "allow-user-impact" as const, reason: reasons.join(" ") } } : {}), notes };
}

// ---------------------------------------------------------------------------------------
// Inline policies of a role

interface InlinePolicy {
  name: string;
  /** undefined when the document could not be read (its findings are unknowns, not fails). */
  doc: Doc | undefined;
}

/** A document as the snapshot holds it (parsed, or a JSON string); undefined when it is an unknown marker. */
function snapshotDoc(v: unknown, what: string): Doc | undefined {
  if (typeof v === "string") return parseDoc(v, what);
  if (!v || typeof v !== "object" || Array.isArray(v) || isUnknown(v)) return undefined;
  return v as Doc;
}

async function inlinePolicies(f: Finding, name: string, ctx: PlanContext): Promise<InlinePolicy[]> {
  if (ctx.snapshot) {
    const r = snapshotResource(ctx.snapshot, f);
    const ps = known(r.properties.Policies ?? [], `the inline policies of role ${name}`) as Array<{ PolicyName?: unknown; PolicyDocument?: unknown }>;
    return ps.map((p) => ({ name: String(p.PolicyName ?? ""), doc: snapshotDoc(p.PolicyDocument, `inline policy ${String(p.PolicyName)} of role ${name}`) }));
  }
  if (!ctx.aws) throw new Error("no snapshot and no AWS access to read the role");
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.aws.send("iam", "global", "ListRolePolicies", { RoleName: name, ...(marker ? { Marker: marker } : {}) });
    names.push(...((page.PolicyNames ?? []) as string[]));
    marker = page.IsTruncated ? (page.Marker as string) : undefined;
  } while (marker);
  const out: InlinePolicy[] = [];
  for (const n of names) out.push({ name: n, doc: (await getInline(ctx.aws, name, n)) ?? undefined });
  return out;
}

function errorText(e: unknown): string {
  const x = e as { name?: string; message?: string };
  return `${x?.name && x.name !== "Error" ? `${x.name}: ` : ""}${x?.message ?? String(e)}`;
}

const notFound = (e: unknown): boolean => ["NoSuchEntityException", "NoSuchEntity"].includes((e as { name?: string }).name ?? "");

/** An inline policy's document; null when the policy does not exist. */
async function getInline(aws: AwsClients, role: string, policy: string): Promise<Doc | null> {
  try {
    const r = await aws.send("iam", "global", "GetRolePolicy", { RoleName: role, PolicyName: policy });
    if (typeof r.PolicyDocument !== "string") throw new Error(`iam:GetRolePolicy returned no document for ${policy} of role ${role}`);
    return parseDoc(r.PolicyDocument, `inline policy ${policy} of role ${role}`);
  } catch (e) {
    if (notFound(e)) return null;
    throw e;
  }
}

/**
 * The inline policy a finding names. The key carries the policy's position in the scan's
 * list; a snapshot has that list, live the statement itself (the finding's evidence)
 * tells the policies apart, and the position in iam:ListRolePolicies breaks a tie.
 */
function pickInline(policies: InlinePolicy[], index: number, label: string, evidence: unknown, exact: boolean): InlinePolicy | undefined {
  if (exact) return policies[index];
  const holds = (p: InlinePolicy): boolean =>
    !!p.doc && statementsOf(p.doc).some((x) => x.label === label && allowsGetSecretValue(x.s) && (evidence === undefined || jsonEqual(x.s, evidence as Json)));
  const candidates = policies.filter(holds);
  if (candidates.length === 1) return candidates[0];
  return candidates.find((p) => p === policies[index]);
}

function putRolePolicy(role: string, policy: string, doc: Doc): ApiCall {
  return { service: "iam", region: "global", action: "PutRolePolicy", input: { RoleName: role, PolicyName: policy, PolicyDocument: JSON.stringify(doc) } };
}

function roleTarget(f: Finding, role: string, policies: string[]): Target {
  return {
    service: "iam",
    region: "global",
    ...(f.resource.account ? { account: f.resource.account } : {}),
    key: { RoleName: role, PolicyNames: JSON.stringify(policies) },
  };
}

const AWS_MANAGED = /^arn:[^:]+:iam::aws:policy\//;

function awsManagedItem(f: Finding, arn: string, roles: string): ManualItem {
  return manual(
    f,
    `${arn} is an AWS managed policy, which cannot be edited`,
    `Detach ${arn} from ${roles} and grant secretsmanager:GetSecretValue in a customer managed or inline policy whose statement carries ${CONDITIONS_TEXT}.`,
  );
}

async function planRole(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
  const f0 = findings[0];
  const role = roleName(f0);
  const policies = await inlinePolicies(f0, role, ctx);
  const keys = new Map<string, { index: number; label: string } | { managed: number }>();
  const labels = new Set(policies.flatMap((p) => (p.doc ? statementsOf(p.doc).map((x) => x.label) : [])));
  policies.forEach((_, i) => labels.forEach((label) => keys.set(`/Properties/Policies/${i}/PolicyDocument:statement:${label}:tags`, { index: i, label })));
  // A role has at most 20 managed policies; the key only carries the position.
  for (let i = 0; i < 20; i++) keys.set(`/Properties/ManagedPolicyArns/${i}:managed`, { managed: i });

  const out: ManualItem[] = [];
  const wanted = new Map<InlinePolicy, Map<string, Finding[]>>();
  for (const f of findings) {
    const key = findingKey(f, [...keys.keys()]);
    const hit = key ? keys.get(key) : undefined;
    if (hit && "managed" in hit) {
      const arn = (f.evidence as { managedPolicyArn?: unknown } | undefined)?.managedPolicyArn;
      out.push(awsManagedItem(f, typeof arn === "string" ? arn : "the AWS managed policy", `role ${role}`));
      continue;
    }
    const p = hit ? pickInline(policies, hit.index, hit.label, f.evidence, !!ctx.snapshot) : undefined;
    if (!hit || !p?.doc) {
      out.push(manual(f, `the finding matches no statement of the current inline policies of role ${role}`, "Scan again and re-run `rampart fix`."));
      continue;
    }
    const byLabel = wanted.get(p) ?? new Map<string, Finding[]>();
    byLabel.set(hit.label, [...(byLabel.get(hit.label) ?? []), f]);
    wanted.set(p, byLabel);
  }

  const touched: Array<{ p: InlinePolicy; r: DocResult }> = [];
  for (const p of policies) {
    const w = wanted.get(p);
    if (!w || !p.doc) continue;
    const r = fixDocument(p.doc, w, `inline policy "${p.name}" of role ${role}`);
    out.push(...r.manual);
    if (r.fixed.length > 0) touched.push({ p, r });
  }
  if (touched.length === 0) return { manual: out };
  // By name: the order IAM lists inline policies in is not documented, and the plan must not depend on it.
  touched.sort((a, b) => (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0));

  const trust = await trustOf(role, f0.resource.account, ctx);
  const scoped = touched.flatMap((t) => t.r.scoped);
  const impact = await impactOf(
    scoped,
    [...new Set(touched.flatMap((t) => t.r.denied))],
    [{ name: role, others: otherTrusted(trust) }],
    f0.resource.account,
    ctx,
  );
  const names = touched.map((t) => t.p.name);
  const change: ChangeDraft = {
    target: roleTarget(f0, role, names),
    before: { RoleName: role, Policies: Object.fromEntries(touched.map((t) => [t.p.name, t.p.doc as Doc])) },
    after: { RoleName: role, Policies: Object.fromEntries(touched.map((t) => [t.p.name, t.r.after])) },
    calls: touched.map((t) => putRolePolicy(role, t.p.name, t.r.after)),
    rollbackCalls: touched.map((t) => putRolePolicy(role, t.p.name, t.p.doc as Doc)),
    findingIds: touched.flatMap((t) => t.r.fixed),
    summary: `add the kubernetes-namespace and eks-cluster-name tag conditions to ${touched.flatMap((t) => t.r.texts).join("; ")}`,
    ...(impact.risk ? { risk: impact.risk } : {}),
    notes: impact.notes,
  };
  return { manual: out, change };
}

async function readInline(t: Target, aws: AwsClients): Promise<Json> {
  const names = JSON.parse(t.key.PolicyNames) as string[];
  const policies: Doc = {};
  for (const n of names) policies[n] = await getInline(aws, t.key.RoleName, n);
  return { RoleName: t.key.RoleName, Policies: policies };
}

/**
 * Puts the inline policies one by one; when one fails, puts back those already changed
 * (read just before each put), so that a failed step leaves the role as it was.
 */
async function applyInline(calls: ApiCall[], aws: AwsClients): Promise<void> {
  const done: Array<{ role: string; policy: string; old: Doc | null }> = [];
  for (const c of calls) {
    const role = String(c.input.RoleName);
    const policy = String(c.input.PolicyName);
    const old = calls.length > 1 ? await getInline(aws, role, policy) : null;
    try {
      await aws.call(c);
    } catch (e) {
      const what = errorText(e);
      try {
        for (const d of [...done].reverse()) if (d.old) await aws.call(putRolePolicy(d.role, d.policy, d.old));
      } catch (e2) {
        throw new Error(
          `${what}; putting back the inline policies already changed failed too (${errorText(e2)}): restore them from the journal's before-state`,
          { cause: e },
        );
      }
      throw new Error(done.length > 0 ? `${what} (inline policies ${done.map((d) => d.policy).join(", ")} were put back as they were)` : what, { cause: e });
    }
    done.push({ role, policy, old });
  }
}

// ---------------------------------------------------------------------------------------
// Customer managed policies

interface ManagedState {
  arn: string;
  doc: Doc;
  versionId: string;
  /** Number of versions; undefined offline (the snapshot does not keep it). */
  versions: number | undefined;
  roles: string[];
  users: string[];
  groups: string[];
  boundary: boolean;
}

function managedFromSnapshot(snapshot: Snapshot, f: Finding, arn: string): ManagedState {
  const r = snapshotResource(snapshot, f);
  const versionId = r.observed?.DefaultVersionId;
  if (typeof versionId !== "string") throw new Error(`the default version of ${arn} is not in the snapshot`);
  const names = (v: unknown): string[] => asArray(v as string[] | undefined).filter((x): x is string => typeof x === "string");
  return {
    arn,
    doc: known(r.properties.PolicyDocument, `the document of ${arn}`) as Doc,
    versionId,
    versions: undefined,
    roles: names(r.properties.Roles),
    users: names(r.properties.Users),
    groups: names(r.properties.Groups),
    boundary: r.observed?.usedAsPermissionsBoundary === true || Number(r.observed?.permissionsBoundaryUsageCount ?? 0) > 0,
  };
}

async function defaultVersion(aws: AwsClients, arn: string): Promise<{ versionId: string; doc: Doc; boundaryUses: number }> {
  const p = await aws.send("iam", "global", "GetPolicy", { PolicyArn: arn });
  const versionId = p.Policy?.DefaultVersionId;
  if (typeof versionId !== "string") throw new Error(`iam:GetPolicy returned no default version for ${arn}`);
  const v = await aws.send("iam", "global", "GetPolicyVersion", { PolicyArn: arn, VersionId: versionId });
  const text = v.PolicyVersion?.Document;
  if (typeof text !== "string") throw new Error(`iam:GetPolicyVersion returned no document for ${arn} ${versionId}`);
  return { versionId, doc: parseDoc(text, `${arn} ${versionId}`), boundaryUses: Number(p.Policy?.PermissionsBoundaryUsageCount ?? 0) };
}

async function listVersions(aws: AwsClients, arn: string): Promise<Array<{ VersionId: string; IsDefaultVersion?: boolean }>> {
  const out: Array<{ VersionId: string; IsDefaultVersion?: boolean }> = [];
  let marker: string | undefined;
  do {
    const page = await aws.send("iam", "global", "ListPolicyVersions", { PolicyArn: arn, ...(marker ? { Marker: marker } : {}) });
    out.push(...((page.Versions ?? []) as Array<{ VersionId: string; IsDefaultVersion?: boolean }>));
    marker = page.IsTruncated ? (page.Marker as string) : undefined;
  } while (marker);
  return out;
}

async function managedLive(aws: AwsClients, arn: string): Promise<ManagedState> {
  const d = await defaultVersion(aws, arn);
  const versions = (await listVersions(aws, arn)).length;
  const st: ManagedState = { arn, doc: d.doc, versionId: d.versionId, versions, roles: [], users: [], groups: [], boundary: d.boundaryUses > 0 };
  let marker: string | undefined;
  do {
    const page = await aws.send("iam", "global", "ListEntitiesForPolicy", {
      PolicyArn: arn,
      PolicyUsageFilter: "PermissionsPolicy",
      ...(marker ? { Marker: marker } : {}),
    });
    st.roles.push(...((page.PolicyRoles ?? []) as Array<{ RoleName: string }>).map((x) => x.RoleName));
    st.users.push(...((page.PolicyUsers ?? []) as Array<{ UserName: string }>).map((x) => x.UserName));
    st.groups.push(...((page.PolicyGroups ?? []) as Array<{ GroupName: string }>).map((x) => x.GroupName));
    marker = page.IsTruncated ? (page.Marker as string) : undefined;
  } while (marker);
  return st;
}

const policyName = (arn: string): string => arn.split("/").pop() ?? arn;

function createVersion(arn: string, doc: Doc): ApiCall {
  return {
    service: "iam",
    region: "global",
    action: "CreatePolicyVersion",
    input: { PolicyArn: arn, PolicyDocument: JSON.stringify(doc), SetAsDefault: true },
  };
}

async function planManaged(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
  const f0 = findings[0];
  const arn = f0.resource.arn ?? f0.resource.id;
  const name = policyName(arn);
  if (AWS_MANAGED.test(arn)) {
    return { manual: findings.map((f) => awsManagedItem(f, arn, "the Pod Identity role(s)")) };
  }
  let st: ManagedState;
  if (ctx.snapshot) st = managedFromSnapshot(ctx.snapshot, f0, arn);
  else if (ctx.aws) st = await managedLive(ctx.aws, arn);
  else throw new Error("no snapshot and no AWS access to read the policy");

  // Who else the new version would apply to: principals without Pod Identity session tags.
  const roles: Array<{ name: string; pods: boolean; others: string[] }> = [];
  for (const r of [...new Set(st.roles)].sort()) {
    const trust = await trustOf(r, f0.resource.account, ctx);
    roles.push({ name: r, pods: trustsPods(trust), others: otherTrusted(trust) });
  }
  const strangers = [...st.users.map((u) => `user ${u}`), ...st.groups.map((g) => `group ${g}`), ...roles.filter((r) => !r.pods).map((r) => `role ${r.name}`)];
  const podRoles = roles.filter((r) => r.pods);
  if (strangers.length > 0 || st.boundary) {
    const what = [
      strangers.length > 0 ? `also attached to ${strangers.join(", ")} (not trusted by ${POD_SERVICE})` : "",
      st.boundary ? "used as a permissions boundary" : "",
    ]
      .filter(Boolean)
      .join(" and ");
    return {
      manual: findings.map((f) =>
        manual(
          f,
          `managed policy ${name} is ${what}: those sessions carry no kubernetes-namespace or eks-cluster-name tags, so the conditions would deny them every secret`,
          `Give the Pod Identity role(s) ${podRoles.map((r) => r.name).join(", ") || "(none found)"} a policy of their own: a copy of ${name} with ${CONDITIONS_TEXT} on the secretsmanager:GetSecretValue statements, attached in place of ${name}.`,
        ),
      ),
    };
  }
  if (st.versions !== undefined && st.versions >= MAX_VERSIONS) {
    return {
      manual: findings.map((f) =>
        manual(
          f,
          `managed policy ${name} already has ${st.versions} versions, the most IAM keeps; rampart does not delete versions`,
          `Delete a version of ${name} that is no longer used (iam:DeletePolicyVersion), then run \`rampart fix\` again.`,
        ),
      ),
    };
  }

  const keys = new Map<string, string>();
  const labels = statementsOf(st.doc).map((x) => x.label);
  for (const r of roles) for (const label of labels) keys.set(`role:${r.name}:/Properties/PolicyDocument:statement:${label}:tags`, label);
  const out: ManualItem[] = [];
  const wanted = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = findingKey(f, [...keys.keys()]);
    const label = key ? keys.get(key) : undefined;
    if (label === undefined) {
      out.push(
        manual(
          f,
          `the finding matches no statement of the current default version of ${name} for a role it is attached to`,
          "Scan again and re-run `rampart fix`.",
        ),
      );
      continue;
    }
    wanted.set(label, [...(wanted.get(label) ?? []), f]);
  }
  const r = fixDocument(st.doc, wanted, `managed policy ${name}`);
  out.push(...r.manual);
  if (r.fixed.length === 0) return { manual: out };

  const impact = await impactOf(r.scoped, r.denied, podRoles, f0.resource.account, ctx);
  if (st.versions === undefined)
    impact.notes.push(
      `The number of versions of ${name} was not checked (offline plan): if it already has ${MAX_VERSIONS}, iam:CreatePolicyVersion fails and nothing changes; delete an unused version and run \`rampart fix\` again.`,
    );
  return {
    manual: out,
    change: {
      target: { service: "iam", region: "global", ...(f0.resource.account ? { account: f0.resource.account } : {}), key: { PolicyArn: arn } },
      before: { PolicyArn: arn, Document: st.doc },
      after: { PolicyArn: arn, Document: r.after },
      calls: [createVersion(arn, r.after)],
      rollbackCalls: [
        { service: "iam", region: "global", action: "SetDefaultPolicyVersion", input: { PolicyArn: arn, VersionId: st.versionId } },
        { service: "iam", region: "global", action: "DeletePolicyVersion", input: { PolicyArn: arn, VersionId: CREATED } },
      ],
      findingIds: r.fixed,
      summary: `add the kubernetes-namespace and eks-cluster-name tag conditions to ${r.texts.join("; ")} (a new default version; ${st.versionId} is kept for the rollback)`,
      ...(impact.risk ? { risk: impact.risk } : {}),
      notes: impact.notes,
    },
  };
}

async function readManaged(t: Target, aws: AwsClients): Promise<Json> {
  return { PolicyArn: t.key.PolicyArn, Document: (await defaultVersion(aws, t.key.PolicyArn)).doc };
}

/**
 * Makes the old version the default again, then deletes the version the fix created:
 * the journaled one, else the current default when its document is the planned one.
 */
async function restoreManaged(change: { rollbackCalls: ApiCall[]; after: Json; target: Target; result?: Json }, aws: AwsClients): Promise<void> {
  const arn = change.target.key.PolicyArn;
  const old = String(change.rollbackCalls[0].input.VersionId);
  let created = (change.result as { VersionId?: unknown } | undefined)?.VersionId;
  if (typeof created !== "string") {
    const d = await defaultVersion(aws, arn);
    const planned = (change.after as { Document?: Json }).Document;
    if (d.versionId === old || !jsonEqual(d.doc, planned))
      throw new Error(
        `the version the fix created in ${arn} cannot be told apart (the default version ${d.versionId} is not the planned document): nothing was changed`,
      );
    created = d.versionId;
  }
  await aws.send("iam", "global", "SetDefaultPolicyVersion", { PolicyArn: arn, VersionId: old });
  if (created !== old) await aws.send("iam", "global", "DeletePolicyVersion", { PolicyArn: arn, VersionId: created });
}

// ---------------------------------------------------------------------------------------

export const remediation: Remediation = {
  ruleId: RULE,
  permissions: [
    "iam:GetRole",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:PutRolePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:ListEntitiesForPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeletePolicyVersion",
    "secretsmanager:ListSecrets",
  ],
  paramsSchema: { type: "object", additionalProperties: false, properties: {} },
  verifyServices: ["iam"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const type = findings[0].resource.type;
    if (type === "AWS::IAM::Role") return planRole(findings, ctx);
    if (type === "AWS::IAM::ManagedPolicy") return planManaged(findings, ctx);
    return {
      manual: findings.map((f) =>
        manual(
          f,
          `rampart fixes inline and customer managed policies of live roles, not ${type}`,
          `Add ${CONDITIONS_TEXT} to the statements that allow secretsmanager:GetSecretValue.`,
        ),
      ),
    };
  },

  read(target: Target, aws: AwsClients): Promise<Json> {
    return target.key.PolicyArn ? readManaged(target, aws) : readInline(target, aws);
  },

  async apply(change: { calls: ApiCall[] }, aws: AwsClients): Promise<Json | void> {
    if (change.calls[0]?.action !== "CreatePolicyVersion") return applyInline(change.calls, aws);
    const r = await aws.call(change.calls[0]);
    const id = r.PolicyVersion?.VersionId;
    return typeof id === "string" ? { VersionId: id } : undefined;
  },

  async restore(change, aws: AwsClients): Promise<void> {
    if (change.target.key.PolicyArn) return restoreManaged(change, aws);
    for (const c of change.rollbackCalls) await aws.call(c);
  },
};
