/**
 * The common model: one shape for live accounts, CloudFormation and Terraform.
 * The JSON Schema in schemas/snapshot.schema.json is the contract; these types mirror it.
 */

/** A value an adapter could not resolve. Never dropped, never guessed. */
export interface Unknown {
  $unknown: string; // the reason, for a person: "Ref to parameter Env, which has no default"
  /** For partially resolved strings (Fn::Sub, Fn::Join): the text with `${…}` left where a value is unknown. */
  template?: string;
}

/** A reference to another resource of the same template/plan (Ref / Fn::GetAtt / Terraform reference). */
export interface Reference {
  $ref: string; // logical id (CloudFormation) or resource address (Terraform)
  attribute?: string; // Fn::GetAtt attribute name, e.g. "Arn"
}

export type SourceInfo =
  | { kind: "aws"; account: string; region: string }
  // propertiesPointer: where `properties` sit in the file when not at `<pointer>/Properties`
  // (a parameter declaration's fields are at `/Parameters/<Name>` itself).
  | { kind: "cloudformation"; file: string; line: number; pointer: string; propertiesPointer?: string; stack?: string }
  | { kind: "terraform"; file: string; address: string; line?: number };

export interface Resource {
  type: string; // CloudFormation type name
  id: string; // logical id, Terraform address, or ARN / service id
  arn?: string;
  name?: string;
  account?: string;
  region?: string;
  tags: Record<string, string | Unknown>;
  properties: Record<string, unknown>;
  observed?: Record<string, unknown>;
  source: SourceInfo;
}

export type CoverageStatus = "ok" | "denied" | "error" | "skipped";

export interface CoverageEntry {
  service: string;
  account?: string;
  region?: string;
  status: CoverageStatus;
  detail?: string;
  /** CloudFormation types this entry is about: rules reading them become unknown when status is not ok. */
  resourceTypes?: string[];
  /** API action that failed, e.g. "iam:GetAccountAuthorizationDetails". */
  action?: string;
  /**
   * IaC: the resource whose input was not read (a nested stack whose template was not read, or
   * a Terraform module call whose source folder was not read: service "terraform", type
   * TERRAFORM_MODULE_CALL, id its address, `line` the call's). Every enabled rule that reads
   * that kind of input says unknown for it, at `pointer` inside it.
   */
  resource?: { type: string; id: string; file: string; pointer?: string; line?: number };
}

/** The type of a coverage entry's resource that is a Terraform module call (`module.x`), not a resource. */
export const TERRAFORM_MODULE_CALL = "Terraform::Module::Call";

export interface Snapshot {
  schemaVersion: "1";
  source: { kind: "aws" | "iac"; collectedAt?: string; accounts?: string[]; regions?: string[]; tool?: string };
  resources: Resource[];
  coverage: CoverageEntry[];
}

export function isUnknown(v: unknown): v is Unknown {
  return typeof v === "object" && v !== null && "$unknown" in v;
}

export function unknown(reason: string, template?: string): Unknown {
  return template === undefined ? { $unknown: reason } : { $unknown: reason, template };
}

export function isReference(v: unknown): v is Reference {
  return typeof v === "object" && v !== null && "$ref" in v;
}
