/**
 * The part of the SAM transform (AWS::Serverless-2016-10-31) that matters to rules: the
 * execution role SAM creates for each AWS::Serverless::Function that sets no `Role`.
 */
import { isReference, isUnknown, unknown, type Unknown } from "../../../model/types.js";

export const SAM_TRANSFORM = "AWS::Serverless-2016-10-31";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when the template's Transform (string or list) includes the SAM transform. */
export function usesSam(transform: unknown): boolean {
  if (typeof transform === "string") return transform === SAM_TRANSFORM;
  if (Array.isArray(transform)) return transform.includes(SAM_TRANSFORM);
  return false;
}

/** A managed policy ARN in the `aws` namespace; the partition is unknown before deployment. */
export function awsManagedPolicyArn(path: string): Unknown {
  return unknown(
    `ARN of the AWS managed policy ${path.split("/").pop()}, in a partition known only at deploy time`,
    `arn:\${AWS::Partition}:iam::aws:policy/${path}`,
  );
}

/**
 * Merges `Globals.Function` into a function's raw Properties as SAM does: the function's
 * own values win; maps are merged; lists are concatenated (globals first).
 */
export function mergeGlobals(globals: unknown, props: unknown): Record<string, unknown> {
  const own = isObject(props) ? props : {};
  if (!isObject(globals)) return { ...own };
  const out: Record<string, unknown> = { ...globals };
  for (const [k, v] of Object.entries(own)) {
    const g = out[k];
    if (Array.isArray(g) && Array.isArray(v)) out[k] = [...g, ...v];
    else if (isObject(g) && isObject(v) && !Object.keys(v).some((x) => x === "Ref" || x.startsWith("Fn::"))) out[k] = { ...g, ...v };
    else out[k] = v;
  }
  return out;
}

function isPolicyDocument(v: unknown): boolean {
  return isObject(v) && Object.hasOwn(v, "Statement");
}

/**
 * The AWS::IAM::Role properties SAM generates for a function with resolved properties
 * `fn` (logical id `fnId`).
 */
export function samFunctionRole(fnId: string, fn: Record<string, unknown>): Record<string, unknown> {
  const managed: unknown[] = [awsManagedPolicyArn("service-role/AWSLambdaBasicExecutionRole")];
  const inline: Array<Record<string, unknown>> = [];
  if (fn.VpcConfig !== undefined) managed.push(awsManagedPolicyArn("service-role/AWSLambdaVPCAccessExecutionRole"));
  if (fn.Tracing === "Active") managed.push(awsManagedPolicyArn("AWSXrayWriteOnlyAccess"));
  else if (fn.Tracing !== undefined && typeof fn.Tracing !== "string") {
    managed.push(unknown("AWSXrayWriteOnlyAccess is attached when Tracing is Active, which is not resolved"));
  }

  const policies = fn.Policies;
  const list = policies === undefined ? [] : Array.isArray(policies) ? policies : [policies];
  for (const p of list) {
    if (typeof p === "string") {
      managed.push(p.startsWith("arn:") ? p : awsManagedPolicyArn(p));
    } else if (isReference(p) || isUnknown(p)) {
      managed.push(p);
    } else if (isPolicyDocument(p)) {
      inline.push({ PolicyName: `${fnId}RolePolicy${inline.length}`, PolicyDocument: p });
    } else if (isObject(p) && Object.keys(p).length === 1) {
      const [template] = Object.keys(p);
      inline.push({
        PolicyName: `${fnId}RolePolicy${inline.length}`,
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [unknown(`SAM policy template ${template}: its statements are written by the SAM transform and not expanded by rampart`)],
        },
      });
    } else {
      inline.push({ PolicyName: `${fnId}RolePolicy${inline.length}`, PolicyDocument: unknown("a SAM Policies entry rampart does not understand") });
    }
  }

  const dlq = fn.DeadLetterQueue;
  if (isObject(dlq) && (dlq.Type === "SQS" || dlq.Type === "SNS")) {
    inline.push({
      PolicyName: `${fnId}RolePolicy${inline.length}`,
      PolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: dlq.Type === "SQS" ? "sqs:SendMessage" : "sns:Publish", Effect: "Allow", Resource: dlq.TargetArn }],
      },
    });
  }

  const role: Record<string, unknown> = {
    AssumeRolePolicyDocument: fn.AssumeRolePolicyDocument ?? {
      Version: "2012-10-17",
      Statement: [{ Action: ["sts:AssumeRole"], Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com"] } }],
    },
    ManagedPolicyArns: managed,
  };
  if (inline.length > 0) role.Policies = inline;
  if (fn.PermissionsBoundary !== undefined) role.PermissionsBoundary = fn.PermissionsBoundary;
  if (fn.RolePath !== undefined) role.Path = fn.RolePath;
  if (isObject(fn.Tags)) {
    role.Tags = [{ Key: "lambda:createdBy", Value: "SAM" }, ...Object.entries(fn.Tags).map(([Key, Value]) => ({ Key, Value }))];
  } else {
    role.Tags = [{ Key: "lambda:createdBy", Value: "SAM" }];
  }
  return role;
}
