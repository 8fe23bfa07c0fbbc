/** Shared fixtures for the collector tests: a context that records gaps, and IAM-shaped data. */
import { IAMServiceException } from "@aws-sdk/client-iam";
import { mockClient, type AwsCommand, type AwsStub } from "aws-sdk-client-mock";
import type { CollectContext, Gap } from "../../collectors/aws/types.js";

export const ACCOUNT = "012345678912";
export const COLLECTED_AT = new Date("2025-06-30T12:00:00.000Z");

export function testContext(over: Partial<CollectContext> = {}): CollectContext & { gaps: Gap[]; calls: number } {
  const gaps: Gap[] = [];
  const ctx = {
    account: ACCOUNT,
    region: "global",
    partition: "aws",
    clientConfig: { region: "us-east-1", retryMode: "adaptive" as const, maxAttempts: 1, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } },
    collectedAt: COLLECTED_AT,
    calls: 0,
    async limit() {
      ctx.calls++;
    },
    gap(g: Gap) {
      gaps.push(g);
    },
    gaps,
    ...over,
  };
  return ctx;
}

/** Percent-encodes like IAM does in GetAccountAuthorizationDetails: everything but unreserved characters. */
export function iamEncode(doc: string): string {
  return encodeURIComponent(doc).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The article's trust-policy.json (seeds lines 195–220), formatted as it was sent to CreateRole. */
export const ARTICLE_TRUST_POLICY = `{
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "Statement1",
        "Effect": "Allow",
        "Principal": {
            "Service": "rolesanywhere.amazonaws.com"
        },
        "Action": [
            "sts:AssumeRole",
            "sts:SetSourceIdentity",
            "sts:TagSession"
        ],
        "Condition": {
            "StringEquals": {
                "aws:PrincipalTag/x509Subject/CN": "iamra-issuer"
            },
            "ArnEquals": {
                "aws:SourceArn": [
                    "arn:aws:rolesanywhere:eu-west-1:012345678912:trust-anchor/2f6b9b0c-3e6d-4e3f-9c3a-0d5c0f5b1a11"
                ]
            }
        }
    }]
}`;

export const ARTICLE_INLINE_POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "awspcaissuerread",
      "Action": ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate"],
      "Effect": "Allow",
      "Resource": "arn:aws:acm-pca:eu-west-1:012345678912:certificate-authority/11111111-2222-3333-4444-555555555555"
    },
    {
      "Sid": "awspcaissuerwrite",
      "Action": ["acm-pca:IssueCertificate"],
      "Effect": "Allow",
      "Resource": "arn:aws:acm-pca:eu-west-1:012345678912:certificate-authority/11111111-2222-3333-4444-555555555555",
      "Condition": {"StringEquals": {"acm-pca:TemplateArn": "arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}
    }
  ]
}`;

/** An SDK service error as the SDK raises it for an error response (name from the error code). */
export function serviceError(name: string, httpStatusCode: number, message: string, attempts = 1): Error {
  return new IAMServiceException({ name, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode, attempts }, message });
}

export const accessDenied = (action: string): Error =>
  serviceError(
    action.startsWith("iam:") ? "AccessDenied" : "AccessDeniedException",
    403,
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/rampart-scan/rampart-scan is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
  );

/**
 * aws-sdk-client-mock is typed against the current @smithy/types; the older
 * @aws-sdk/client-rolesanywhere (3.332) and client-acm-pca (3.523) predate it, so their
 * classes do not type-check against it although they behave the same at run time. These
 * two casts keep that mismatch in one place.
 */
export function mockLegacyClient(client: unknown): AwsStub<any, any, any> {
  return mockClient(client as any) as unknown as AwsStub<any, any, any>;
}
export function legacy(command: unknown): new (input: any) => AwsCommand<any, any> {
  return command as new (input: any) => AwsCommand<any, any>;
}
