/** IAM: roles, managed policies, users, access keys, inline policies and attachments. */
import { isObj } from "../plan.js";
import { isMarker, o, type View } from "../view.js";
import { pushProp, type Ctx, type Emitted, type Family } from "./common.js";

const ROLE = ["aws_iam_role"];
const USER = ["aws_iam_user"];
const POLICY = ["aws_iam_policy"];

function inlinePolicies(v: View): unknown {
  if (v.computedDefault("inline_policy")) return [];
  const list = v.list("inline_policy", (b) => {
    const name = b.raw("name");
    const doc = b.raw("policy");
    if ((name === "" || name === null) && (doc === "" || doc === null)) return undefined;
    return o({ PolicyName: b.str("name"), PolicyDocument: b.json("policy") });
  });
  return Array.isArray(list) ? list.filter((x) => x !== undefined) : (list ?? []);
}

function managedArns(v: View): unknown {
  if (v.computedDefault("managed_policy_arns")) return [];
  return v.refs("managed_policy_arns") ?? [];
}

function role(v: View): Emitted {
  return {
    type: "AWS::IAM::Role",
    properties: o({
      RoleName: v.str("name"),
      Path: v.str("path"),
      Description: v.str("description"),
      MaxSessionDuration: v.val("max_session_duration"),
      PermissionsBoundary: v.ref("permissions_boundary"),
      AssumeRolePolicyDocument: v.json("assume_role_policy"),
      Policies: inlinePolicies(v),
      ManagedPolicyArns: managedArns(v),
      Tags: v.tagList(),
    }),
  };
}

function user(v: View): Emitted {
  return {
    type: "AWS::IAM::User",
    properties: o({
      UserName: v.str("name"),
      Path: v.str("path"),
      PermissionsBoundary: v.ref("permissions_boundary"),
      Policies: [],
      ManagedPolicyArns: [],
      Tags: v.tagList(),
    }),
  };
}

function managedPolicy(v: View): Emitted {
  return {
    type: "AWS::IAM::ManagedPolicy",
    properties: o({ ManagedPolicyName: v.str("name"), Path: v.str("path"), Description: v.str("description"), PolicyDocument: v.json("policy") }),
  };
}

function accessKey(v: View): Emitted {
  return { type: "AWS::IAM::AccessKey", properties: o({ UserName: v.ref("user"), Status: v.str("status") ?? "Active" }) };
}

/** aws_iam_role_policy / aws_iam_user_policy: into the principal's Policies, else a standalone AWS::IAM::Policy. */
function inlinePolicy(principalKey: "role" | "user", types: string[]) {
  return (v: View, ctx: Ctx): Emitted | undefined => {
    const principal = v.ref(principalKey);
    const policy = o({ PolicyName: v.str("name") ?? v.str("name_prefix"), PolicyDocument: v.json("policy") });
    const target = ctx.find(types, principal, ["name", "id"]);
    if (target && !isMarker(target.properties.Policies)) {
      pushProp(target.properties, "Policies", policy);
      return undefined;
    }
    return { type: "AWS::IAM::Policy", properties: { ...policy, [principalKey === "role" ? "Roles" : "Users"]: [principal] } };
  };
}

/** Attaches a managed policy ARN (string or reference) to a role/user, or names the principal on the policy. */
function attach(
  ctx: Ctx,
  principalTypes: readonly string[],
  principal: unknown,
  policyArn: unknown,
  listKey: "Roles" | "Users" | "Groups",
  what: string,
): void {
  const target = principalTypes.length > 0 ? ctx.find(principalTypes, principal, ["name", "id"]) : undefined;
  if (target) {
    if (!isMarker(target.properties.ManagedPolicyArns)) pushProp(target.properties, "ManagedPolicyArns", policyArn);
    return;
  }
  const pol = ctx.find(POLICY, policyArn, ["arn", "id"]);
  if (pol) {
    pushProp(pol.properties, listKey, principal);
    return;
  }
  ctx.note(`${what}: neither the principal nor the policy is in the plan, so the attachment is not modelled`);
}

function policyArnOf(v: View): unknown {
  return v.ref("policy_arn");
}

function rolePolicyAttachment(v: View, ctx: Ctx): undefined {
  attach(ctx, ROLE, v.ref("role"), policyArnOf(v), "Roles", v.inst.address);
  return undefined;
}

function userPolicyAttachment(v: View, ctx: Ctx): undefined {
  attach(ctx, USER, v.ref("user"), policyArnOf(v), "Users", v.inst.address);
  return undefined;
}

function policyAttachment(v: View, ctx: Ctx): undefined {
  const arn = policyArnOf(v);
  for (const [key, types, list] of [
    ["roles", ROLE, "Roles"],
    ["users", USER, "Users"],
    ["groups", [], "Groups"],
  ] as const) {
    const members = v.refs(key);
    if (Array.isArray(members)) for (const m of members) attach(ctx, types, m, arn, list, v.inst.address);
    else if (isObj(members)) attach(ctx, types, members, arn, list, v.inst.address);
  }
  return undefined;
}

export const iam: Family = {
  primary: {
    aws_iam_role: role,
    aws_iam_user: user,
    aws_iam_policy: managedPolicy,
    aws_iam_access_key: accessKey,
  },
  secondary: {
    aws_iam_role_policy: inlinePolicy("role", ROLE),
    aws_iam_user_policy: inlinePolicy("user", USER),
    aws_iam_role_policy_attachment: rolePolicyAttachment,
    aws_iam_user_policy_attachment: userPolicyAttachment,
    aws_iam_policy_attachment: policyAttachment,
  },
};
