/**
 * iam-rolesanywhere-trust-scoped: add the missing halves of a Roles Anywhere trust
 * (GUIDANCE.md §1, lines 191–230, 275) with iam:UpdateAssumeRolePolicy.
 *
 * - aws:SourceArn: `ArnEquals` on the trust anchors that can be used with the profiles
 *   listing the role (a session needs a profile and a trust anchor of the same account
 *   and region, so these are all the anchors that can reach the role today: nothing
 *   that works now stops working). Only enabled anchors; `trustAnchorArns` overrides.
 * - the certificate: `StringEquals` on aws:PrincipalTag/x509Subject/CN from the
 *   `certificateCN` parameter. A certificate with another CN can no longer assume the
 *   role, so this half needs --allow-user-impact.
 *
 * Existing conditions are never removed or changed: a statement that already conditions
 * aws:SourceArn (with a wildcard, say) or the CN key gets no automatic fix.
 */
import type { Finding } from "../../../engine/findings.js";
import type { Snapshot } from "../../../model/types.js";
import type { AwsClients } from "../../clients.js";
import type { Json, ManualItem, PlanContext, PlanResult, Remediation } from "../../types.js";
import { asArray, clone, findingKey, manual, perResource } from "../common.js";
import { READ_ACTIONS, WRITE_ACTIONS, currentTrust, readTrust, roleName, roleTarget, statements, trustsService, updateCall, type Statement } from "./trust.js";

const RULE = "iam-rolesanywhere-trust-scoped";
const SERVICE = "rolesanywhere.amazonaws.com";
const CN_KEY = "aws:PrincipalTag/x509Subject/CN";

interface Anchor {
  arn: string;
  enabled: boolean;
}

/** Trust anchors usable with the profiles that list the role: same account and region as such a profile. */
async function anchorsFor(roleArn: string, account: string | undefined, ctx: PlanContext): Promise<{ anchors: Anchor[]; profiles: string[] }> {
  if (ctx.snapshot) return fromSnapshot(ctx.snapshot, roleArn, account);
  if (!ctx.aws) return { anchors: [], profiles: [] };
  const aws = ctx.aws;
  const regions = ctx.regions.length > 0 ? ctx.regions : [aws.homeRegion];
  const anchors: Anchor[] = [];
  const profiles: string[] = [];
  for (const region of regions) {
    const listed = await pages(aws, region, "ListProfiles", "profiles");
    const here = listed.filter((p) => asArray(p.roleArns as string[] | undefined).includes(roleArn));
    if (here.length === 0) continue;
    profiles.push(...here.map((p) => String(p.profileArn)));
    for (const a of await pages(aws, region, "ListTrustAnchors", "trustAnchors")) {
      if (typeof a.trustAnchorArn === "string") anchors.push({ arn: a.trustAnchorArn, enabled: a.enabled !== false });
    }
  }
  return { anchors, profiles };
}

async function pages(aws: AwsClients, region: string, action: string, field: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  do {
    const r = await aws.send("rolesanywhere", region, action, { pageSize: 50, ...(nextToken ? { nextToken } : {}) });
    out.push(...((r[field] as Record<string, unknown>[] | undefined) ?? []));
    nextToken = r.nextToken as string | undefined;
  } while (nextToken);
  return out;
}

function fromSnapshot(snapshot: Snapshot, roleArn: string, account: string | undefined): { anchors: Anchor[]; profiles: string[] } {
  const profiles = snapshot.resources.filter(
    (r) =>
      r.type === "AWS::RolesAnywhere::Profile" &&
      (account === undefined || r.account === account) &&
      asArray(r.properties.RoleArns as string[] | undefined).includes(roleArn),
  );
  const regions = new Set(profiles.map((p) => p.region));
  const anchors = snapshot.resources
    .filter((r) => r.type === "AWS::RolesAnywhere::TrustAnchor" && regions.has(r.region) && (account === undefined || r.account === account))
    .map((r) => ({ arn: r.arn ?? r.id, enabled: r.properties.Enabled !== false }));
  return { anchors, profiles: profiles.map((p) => p.id) };
}

/** Does the Condition block mention `key` (case-insensitive) under any operator? */
function conditionHas(cond: Json | undefined, key: string): boolean {
  if (!cond || typeof cond !== "object" || Array.isArray(cond)) return false;
  return Object.values(cond).some(
    (block) => block !== null && typeof block === "object" && !Array.isArray(block) && Object.keys(block).some((k) => k.toLowerCase() === key.toLowerCase()),
  );
}

function addCondition(s: Statement, op: string, key: string, value: Json): void {
  const cond = (s.Condition ?? {}) as { [k: string]: Json };
  const block = (cond[op] ?? {}) as { [k: string]: Json };
  block[key] = value;
  cond[op] = block;
  s.Condition = cond;
}

export const remediation: Remediation = {
  ruleId: RULE,
  permissions: [...READ_ACTIONS, ...WRITE_ACTIONS, "rolesanywhere:ListProfiles", "rolesanywhere:ListTrustAnchors"],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      certificateCN: {
        description: "The CN of the workload certificate: one value, or a map from role name or ARN to the CN.",
        anyOf: [
          { type: "string", minLength: 1, pattern: "^[^*?]+$" },
          { type: "object", additionalProperties: { type: "string", minLength: 1, pattern: "^[^*?]+$" } },
        ],
      },
      trustAnchorArns: {
        description: "The trust anchors to allow (default: the enabled anchors usable with the profiles that list the role).",
        type: "array",
        minItems: 1,
        items: { type: "string", pattern: "^arn:[^:]+:rolesanywhere:[^:]+:[0-9]{12}:trust-anchor/[^*?]+$" },
      },
    },
  },
  verifyServices: ["iam"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f0 = findings[0];
    const state = await currentTrust(f0, ctx);
    const name = roleName(f0);
    const doc = clone(state.AssumeRolePolicyDocument);
    const sts = statements(doc);
    const keys = sts.flatMap((st) => [`statement:${st.label}:certificate`, `statement:${st.label}:source-arn`]);
    const out: ManualItem[] = [];
    const fixed: string[] = [];
    const notes: string[] = [];
    let userImpact: string | undefined;
    let anchorInfo: { anchors: Anchor[]; profiles: string[] } | undefined;
    const roleArn = f0.resource.arn ?? f0.resource.id;

    for (const f of findings) {
      const key = findingKey(f, keys);
      const st = key ? sts.find((x) => key.startsWith(`statement:${x.label}:`)) : undefined;
      if (!key || !st) {
        out.push(
          manual(f, "the finding does not match a statement of the current trust policy (it changed since the scan?)", "Scan again and re-run `rampart fix`."),
        );
        continue;
      }
      if (!trustsService(st.s, SERVICE)) {
        out.push(manual(f, "the statement no longer trusts rolesanywhere.amazonaws.com", "Scan again."));
        continue;
      }
      const cond = st.s.Condition;
      if (cond !== undefined && (cond === null || typeof cond !== "object" || Array.isArray(cond))) {
        out.push(manual(f, "the statement's Condition is not an object", "Fix the trust policy by hand."));
        continue;
      }
      if (key.endsWith(":source-arn")) {
        if (conditionHas(cond, "aws:SourceArn")) {
          out.push(
            manual(
              f,
              "the statement already conditions aws:SourceArn with values that are not single trust anchors; fixing it means changing that condition, and rampart never removes or loosens a condition",
              "Replace the aws:SourceArn values with the exact trust-anchor ARNs (ArnEquals) by hand.",
            ),
          );
          continue;
        }
        const given = ctx.params.trustAnchorArns as string[] | undefined;
        let anchors: string[];
        if (given) {
          anchors = [...given].sort();
        } else {
          anchorInfo ??= await anchorsFor(roleArn, f0.resource.account, ctx);
          anchors = anchorInfo.anchors
            .filter((a) => a.enabled)
            .map((a) => a.arn)
            .sort();
          const disabled = anchorInfo.anchors.filter((a) => !a.enabled).map((a) => a.arn);
          if (disabled.length) notes.push(`Disabled trust anchors left out of aws:SourceArn: ${disabled.join(", ")}.`);
          if (anchors.length === 0) {
            const why =
              anchorInfo.profiles.length === 0
                ? "no Roles Anywhere profile lists this role (in the regions looked at)"
                : `no enabled trust anchor is in the account and region of the profiles that list the role (${anchorInfo.profiles.join(", ")})`;
            out.push(manual(f, why, `Name the trust anchors: --param ${RULE}.trustAnchorArns=<arn>[,<arn>] (or --regions for the regions of the profiles).`));
            continue;
          }
          notes.push(`Trust anchors from the profiles that list the role (${anchorInfo.profiles.join(", ")}).`);
        }
        addCondition(st.s, "ArnEquals", "aws:SourceArn", anchors.length === 1 ? anchors[0] : anchors);
        fixed.push(f.id);
      } else {
        const cn = perResource<string>(ctx.params.certificateCN, f, name);
        if (!cn) {
          out.push(
            manual(
              f,
              "the certificate's subject CN is not known to rampart",
              `Give it: --param ${RULE}.certificateCN=<CN of the workload certificate> (needs --allow-user-impact), or add the condition by hand.`,
            ),
          );
          continue;
        }
        if (
          conditionHas(cond, CN_KEY) &&
          Object.entries(cond as Record<string, Json>).some(
            ([op, b]) => op === "StringEquals" && Object.keys(b as object).some((k) => k.toLowerCase() === CN_KEY.toLowerCase()),
          )
        ) {
          out.push(
            manual(
              f,
              `the statement already has a StringEquals on ${CN_KEY}; rampart never changes an existing condition`,
              "Set the exact CN in that condition by hand.",
            ),
          );
          continue;
        }
        addCondition(st.s, "StringEquals", CN_KEY, cn);
        userImpact = `Only certificates with CN "${cn}" can assume role ${name} afterwards; workloads using other certificates lose access.`;
        fixed.push(f.id);
      }
      st.set(st.s);
    }
    if (fixed.length === 0) return { manual: out };
    const after = { RoleName: name, AssumeRolePolicyDocument: doc };
    return {
      manual: out,
      change: {
        target: roleTarget(f0),
        before: state as unknown as Json,
        after: after as unknown as Json,
        calls: [updateCall(name, doc)],
        rollbackCalls: [updateCall(name, state.AssumeRolePolicyDocument)],
        findingIds: fixed,
        summary: `add ${[...new Set(fixed.map((id) => ((findingKey(findings.find((x) => x.id === id) as Finding, keys) ?? "").endsWith(":source-arn") ? "aws:SourceArn" : "x509Subject/CN")))].join(" and ")} conditions to the Roles Anywhere trust of role ${name}`,
        ...(userImpact ? { risk: { flag: "allow-user-impact" as const, reason: userImpact } } : {}),
        notes,
      },
    };
  },

  read: readTrust,
};
