/**
 * iam-pod-identity-trust-actions: a statement trusting pods.eks.amazonaws.com gets
 * sts:AssumeRole and sts:TagSession, and loses wildcard actions and NotAction
 * (GUIDANCE.md §2, lines 2650–2670, 2981–2995), with iam:UpdateAssumeRolePolicy.
 * Named non-wildcard actions are kept. A statement that also trusts other principals is
 * left to a person: narrowing its actions would change what they may do.
 */
import type { Finding } from "../../../engine/findings.js";
import type { Json, ManualItem, PlanContext, PlanResult, Remediation } from "../../types.js";
import { asArray, clone, findingKey, manual } from "../common.js";
import { READ_ACTIONS, WRITE_ACTIONS, currentTrust, otherPrincipals, readTrust, roleName, roleTarget, statements, trustsService, updateCall } from "./trust.js";

const SERVICE = "pods.eks.amazonaws.com";
const REQUIRED = ["sts:AssumeRole", "sts:TagSession"];

const wildcard = (a: string): boolean => /[*?]/.test(a);

export const remediation: Remediation = {
  ruleId: "iam-pod-identity-trust-actions",
  permissions: [...READ_ACTIONS, ...WRITE_ACTIONS],
  paramsSchema: { type: "object", additionalProperties: false, properties: {} },
  verifyServices: ["iam"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f0 = findings[0];
    const state = await currentTrust(f0, ctx);
    const name = roleName(f0);
    const doc = clone(state.AssumeRolePolicyDocument);
    const sts = statements(doc);
    const keys = sts.flatMap((st) => [`statement:${st.label}:missing-actions`, `statement:${st.label}:broad-actions`]);
    const out: ManualItem[] = [];
    const fixed: string[] = [];
    const touched = new Set<string>();
    for (const f of findings) {
      const key = findingKey(f, keys);
      const st = key ? sts.find((x) => key.startsWith(`statement:${x.label}:`)) : undefined;
      if (!key || !st || !trustsService(st.s, SERVICE)) {
        out.push(
          manual(
            f,
            "the finding does not match a statement of the current trust policy that trusts pods.eks.amazonaws.com",
            "Scan again and re-run `rampart fix`.",
          ),
        );
        continue;
      }
      const others = otherPrincipals(st.s, SERVICE);
      if (others.length > 0) {
        out.push(
          manual(
            f,
            `the statement also trusts ${others.join(", ")}; changing its actions would change what they may do`,
            'Move pods.eks.amazonaws.com into a statement of its own with Action ["sts:AssumeRole", "sts:TagSession"].',
          ),
        );
        continue;
      }
      if (!touched.has(st.label)) {
        const s = st.s;
        const kept = asArray(s.Action as Json).filter((a): a is string => typeof a === "string" && !wildcard(a));
        const actions = [...kept];
        for (const r of REQUIRED) if (!actions.some((a) => a.toLowerCase() === r.toLowerCase())) actions.push(r);
        delete s.NotAction;
        s.Action = actions;
        st.set(s);
        touched.add(st.label);
      }
      fixed.push(f.id);
    }
    if (fixed.length === 0) return { manual: out };
    return {
      manual: out,
      change: {
        target: roleTarget(f0),
        before: state as unknown as Json,
        after: { RoleName: name, AssumeRolePolicyDocument: doc },
        calls: [updateCall(name, doc)],
        rollbackCalls: [updateCall(name, state.AssumeRolePolicyDocument)],
        findingIds: fixed,
        summary: `allow exactly sts:AssumeRole and sts:TagSession (plus named actions already there) to pods.eks.amazonaws.com in the trust of role ${name}`,
      },
    };
  },

  read: readTrust,
};
