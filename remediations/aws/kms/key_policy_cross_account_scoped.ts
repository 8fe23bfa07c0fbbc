/**
 * kms-key-policy-cross-account-scoped: a key-policy statement that lets "*" use the key
 * gets the conditions it lacks (GUIDANCE.md §3), with kms:PutKeyPolicy
 * (BypassPolicyLockoutSafetyCheck false, so KMS still refuses a policy that would lock
 * the caller out of the key):
 *
 * - `StringEquals kms:CallerAccount`: the `callerAccounts` parameter, else the pack's
 *   trustedAccounts ∪ the key's own account;
 * - `StringEquals kms:ViaService`: the `viaServices` parameter (e.g.
 *   secretsmanager.us-east-1.amazonaws.com). Without it that half is left to a person:
 *   which service uses the key cannot be known from the policy.
 *
 * Existing conditions are never removed or changed: a statement that already conditions
 * the caller's account or organization (with values that are not trusted) or
 * kms:ViaService (with a wildcard) gets no automatic fix, nor do the findings about
 * named principals or key administration by other accounts. Callers outside the listed
 * accounts, or calling KMS directly rather than through the named services, lose the
 * access this statement gave them, so the change needs --allow-user-impact.
 *
 * State: `{KeyId, Policy}` (the parsed key policy). The rollback puts the policy text
 * read before the change back as it was.
 */
import type { Finding } from "../../../engine/findings.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, ManualItem, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { asArray, clone, findingKey, known, manual, perResource, snapshotResource } from "../common.js";

const RULE = "kms-key-policy-cross-account-scoped";
const ACCOUNT_KEYS = ["kms:CallerAccount", "aws:PrincipalAccount", "aws:PrincipalOrgID"];

type Doc = { [k: string]: Json };

interface Stmt {
  s: Doc;
  label: string;
  index: number | undefined;
}

function keyArn(f: Finding): string {
  const arn = f.resource.arn ?? f.resource.id;
  if (!/^arn:[^:]+:kms:[^:]+:[0-9]{12}:key\/.+$/.test(arn)) throw new Error(`${arn} is not a KMS key ARN`);
  return arn;
}

function target(f: Finding): Target {
  const arn = keyArn(f);
  return {
    service: "kms",
    region: f.resource.region ?? arn.split(":")[3],
    ...(f.resource.account ? { account: f.resource.account } : {}),
    key: { KeyId: arn },
  };
}

function parse(policy: unknown, what: string): Doc {
  const doc = typeof policy === "string" ? (JSON.parse(policy) as Json) : (policy as Json);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${what} is not a JSON policy document`);
  return doc;
}

async function readPolicy(t: Target, aws: AwsClients): Promise<{ doc: Doc; text: string }> {
  const r = await aws.send("kms", t.region, "GetKeyPolicy", { KeyId: t.key.KeyId, PolicyName: "default" });
  if (typeof r.Policy !== "string") throw new Error(`kms:GetKeyPolicy returned no policy for ${t.key.KeyId}`);
  return { doc: parse(r.Policy, `the key policy of ${t.key.KeyId}`), text: r.Policy };
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  return { KeyId: t.key.KeyId, Policy: (await readPolicy(t, aws)).doc };
}

/** The statements with the labels the rule's finding keys use (`Sid` when a string, else the index; "" for a lone object). */
function statements(doc: Doc): Stmt[] {
  const st = doc.Statement;
  if (Array.isArray(st)) {
    return st.flatMap((s, i) =>
      s && typeof s === "object" && !Array.isArray(s) ? [{ s, label: typeof s.Sid === "string" ? s.Sid : String(i), index: i }] : [],
    );
  }
  if (st && typeof st === "object") return [{ s: st, label: typeof st.Sid === "string" ? st.Sid : "", index: undefined }];
  return [];
}

/** The condition keys of a statement, lower-cased, under any operator. */
function conditionKeys(s: Doc): Set<string> {
  const out = new Set<string>();
  const c = s.Condition;
  if (!c || typeof c !== "object" || Array.isArray(c)) return out;
  for (const block of Object.values(c))
    if (block && typeof block === "object" && !Array.isArray(block)) for (const k of Object.keys(block)) out.add(k.toLowerCase());
  return out;
}

function addCondition(s: Doc, op: string, key: string, values: string[]): void {
  const cond = (s.Condition ?? {}) as Doc;
  const block = (cond[op] ?? {}) as Doc;
  block[key] = values.length === 1 ? values[0] : values;
  cond[op] = block;
  s.Condition = cond;
}

function putCall(t: Target, policy: string): ApiCall {
  return {
    service: "kms",
    region: t.region,
    action: "PutKeyPolicy",
    input: { KeyId: t.key.KeyId, PolicyName: "default", Policy: policy, BypassPolicyLockoutSafetyCheck: false },
  };
}

const ACCOUNT_ID = { type: "string", pattern: "^[0-9]{12}$" };
const SERVICE = { type: "string", pattern: "^[a-z0-9-]+\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$" };
const listOr = (item: Record<string, unknown>, what: string): Record<string, unknown> => ({
  description: `${what}: one list for every key, or a map from key ARN or id to a list.`,
  anyOf: [
    { type: "array", minItems: 1, items: item },
    { type: "object", additionalProperties: { type: "array", minItems: 1, items: item } },
  ],
});

export const remediation: Remediation = {
  ruleId: RULE,
  permissions: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      callerAccounts: listOr(ACCOUNT_ID, 'The accounts allowed to use the key through a "*" statement (default: trustedAccounts and the key\'s own account)'),
      viaServices: listOr(SERVICE, "The services allowed to use the key (kms:ViaService), e.g. secretsmanager.us-east-1.amazonaws.com"),
    },
  },
  verifyServices: ["kms"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f0 = findings[0];
    const t = target(f0);
    const arn = t.key.KeyId;
    const keyId = arn.split("/").pop() ?? arn;
    let doc: Doc;
    let text: string;
    if (ctx.snapshot) {
      const r = snapshotResource(ctx.snapshot, f0);
      if (r.observed?.KeyManager === "AWS")
        return {
          manual: findings.map((f) =>
            manual(f, "the key is an AWS managed key, whose policy cannot be changed", "Use a customer managed key with a scoped policy instead."),
          ),
        };
      doc = parse(known(r.properties.KeyPolicy, `the key policy of ${arn}`), `the key policy of ${arn}`);
      text = JSON.stringify(doc);
    } else if (ctx.aws) {
      const d = await ctx.aws.send("kms", t.region, "DescribeKey", { KeyId: arn });
      if (d.KeyMetadata?.KeyManager === "AWS")
        return {
          manual: findings.map((f) =>
            manual(f, "the key is an AWS managed key, whose policy cannot be changed", "Use a customer managed key with a scoped policy instead."),
          ),
        };
      ({ doc, text } = await readPolicy(t, ctx.aws));
    } else throw new Error("no snapshot and no AWS access to read the key policy");

    const after = clone(doc);
    const sts = statements(after);
    const out: ManualItem[] = [];
    const fixed: string[] = [];
    const added: string[] = [];
    const keys = sts.flatMap((st) => [`statement:${st.label}:caller-account`, `statement:${st.label}:via-service`]);
    const trusted = asArray(ctx.packParams.trustedAccounts as string[] | undefined).filter((a) => typeof a === "string");
    const accounts = [
      ...new Set(perResource<string[]>(ctx.params.callerAccounts, f0, keyId) ?? [...trusted, ...(f0.resource.account ? [f0.resource.account] : [])]),
    ].sort();
    const services = [...new Set(perResource<string[]>(ctx.params.viaServices, f0, keyId) ?? [])].sort();

    for (const f of findings) {
      const key = findingKey(f, keys);
      if (!key) {
        out.push(
          manual(
            f,
            'rampart fixes only a missing kms:CallerAccount or kms:ViaService condition on a statement for "*"; this finding is about named principals, key administration, organizations or a changed policy',
            f.fix ?? "Fix the key policy by hand (see `rampart rules show " + RULE + "`).",
          ),
        );
        continue;
      }
      const label = key.replace(/^statement:/, "").replace(/:(caller-account|via-service)$/, "");
      const matching = sts.filter((x) => x.label === label);
      if (matching.length !== 1) {
        out.push(
          manual(
            f,
            matching.length === 0 ? "the statement is no longer in the key policy" : `${matching.length} statements share the Sid "${label}"`,
            "Scan again, or give the statements distinct Sids.",
          ),
        );
        continue;
      }
      const st = matching[0];
      const name = st.index === undefined ? "the statement" : `statement ${typeof st.s.Sid === "string" ? `"${st.s.Sid}"` : st.index}`;
      const cond = st.s.Condition;
      if (cond !== undefined && (cond === null || typeof cond !== "object" || Array.isArray(cond))) {
        out.push(manual(f, `the Condition of ${name} is not an object`, "Fix the key policy by hand."));
        continue;
      }
      const have = conditionKeys(st.s);
      if (key.endsWith(":caller-account")) {
        const present = ACCOUNT_KEYS.filter((k) => have.has(k.toLowerCase()));
        if (present.length > 0) {
          out.push(
            manual(
              f,
              `${name} already conditions ${present.join(", ")} with values that are not trusted; fixing it means changing that condition, and rampart never removes or loosens a condition`,
              "Replace the untrusted values with the accounts that need the key by hand, or add those accounts to trustedAccounts if they are trusted.",
            ),
          );
          continue;
        }
        if (accounts.length === 0) {
          out.push(
            manual(
              f,
              "no account to allow is known: trustedAccounts is empty and the key's account is not known",
              `Give them: --param ${RULE}.callerAccounts=<account>[,<account>].`,
            ),
          );
          continue;
        }
        addCondition(st.s, "StringEquals", "kms:CallerAccount", accounts);
        added.push(`kms:CallerAccount [${accounts.join(", ")}] on ${name}`);
      } else {
        if (have.has("kms:viaservice")) {
          out.push(
            manual(
              f,
              `${name} already conditions kms:ViaService with a wildcard; rampart never changes an existing condition`,
              "Replace the wildcard with the services that use the key by hand.",
            ),
          );
          continue;
        }
        if (services.length === 0) {
          out.push(
            manual(
              f,
              "which services use the key is not known to rampart",
              `Give them: --param ${RULE}.viaServices=secretsmanager.<region>.amazonaws.com[,…] (needs --allow-user-impact), or add the condition by hand.`,
            ),
          );
          continue;
        }
        addCondition(st.s, "StringEquals", "kms:ViaService", services);
        added.push(`kms:ViaService [${services.join(", ")}] on ${name}`);
      }
      fixed.push(f.id);
    }
    if (fixed.length === 0) return { manual: out };
    const doneVia = added.some((a) => a.startsWith("kms:ViaService"));
    const doneCaller = added.some((a) => a.startsWith("kms:CallerAccount"));
    const who = [
      doneCaller ? `principals of accounts other than ${accounts.join(", ")}` : "",
      doneVia ? `calls that do not come through ${services.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(", and ");
    return {
      manual: out,
      change: {
        target: t,
        before: { KeyId: arn, Policy: doc },
        after: { KeyId: arn, Policy: after },
        calls: [putCall(t, JSON.stringify(after))],
        rollbackCalls: [putCall(t, text)],
        findingIds: fixed,
        summary: `add ${added.join("; ")} in the key policy of ${keyId}`,
        risk: { flag: "allow-user-impact", reason: `After the change, ${who} can no longer use key ${keyId} through the "*" statement(s).` },
        notes: [
          "Check CloudTrail for kms:Decrypt / Encrypt / GenerateDataKey calls on the key from other accounts or outside the named services before applying.",
        ],
      },
    };
  },

  read,
};
