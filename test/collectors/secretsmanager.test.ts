import { GetResourcePolicyCommand, ListSecretsCommand, SecretsManagerClient, SecretsManagerServiceException } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { secretsmanager } from "../../collectors/aws/secretsmanager.js";
import { classifyError } from "../../collectors/aws/util.js";
import { ACCOUNT, testContext } from "./fixtures.js";

const REGION = "eu-west-1";
const sm = mockClient(SecretsManagerClient);
const err = (name: string, status: number, message: string, attempts = 1): Error =>
  new SecretsManagerServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status, attempts }, message });
const A = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`;
const B = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-key-GhIjKl`;
const POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }],
};

beforeEach(() => {
  sm.reset();
  sm.on(ListSecretsCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken === undefined
      ? {
          SecretList: [
            {
              ARN: A,
              Name: "prod/db",
              Description: "database credentials",
              KmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
              RotationEnabled: true,
              LastRotatedDate: new Date("2025-06-01T00:00:00Z"),
              LastAccessedDate: new Date("2025-06-29T00:00:00Z"),
              Tags: [{ Key: "team", Value: "payments" }],
              SecretVersionsToStages: { "v-1": ["AWSCURRENT"] },
            },
          ],
          NextToken: "page-2",
        }
      : { SecretList: [{ ARN: B, Name: "prod/api-key", Tags: [] }] },
  );
  sm.on(GetResourcePolicyCommand).callsFake(({ SecretId }: { SecretId: string }) =>
    SecretId === A ? { ARN: A, Name: "prod/db", ResourcePolicy: JSON.stringify(POLICY) } : { ARN: B, Name: "prod/api-key" },
  );
});
afterEach(() => sm.reset());

describe("secretsmanager collector", () => {
  it("pages ListSecrets, keeps metadata and tags only, and emits a resource policy where there is one", async () => {
    const ctx = testContext({ region: REGION });
    const rs = await secretsmanager.collect(ctx);
    expect(sm.commandCalls(ListSecretsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "page-2"]);
    expect(rs.map((r) => [r.type, r.id])).toEqual([
      ["AWS::SecretsManager::Secret", A],
      ["AWS::SecretsManager::ResourcePolicy", `${A}|resource-policy`],
      ["AWS::SecretsManager::Secret", B],
    ]);
    expect(rs[0]).toMatchObject({
      name: "prod/db",
      tags: { team: "payments" },
      properties: {
        Name: "prod/db",
        Description: "database credentials",
        KmsKeyId: expect.stringContaining(":key/"),
        Tags: [{ Key: "team", Value: "payments" }],
      },
      observed: { RotationEnabled: true, daysSinceLastAccess: 1, daysSinceLastRotation: 29 },
    });
    expect(JSON.stringify(rs)).not.toContain("AWSCURRENT");
    expect(rs[1].properties).toEqual({ SecretId: A, ResourcePolicy: POLICY });
    expect(ctx.gaps).toEqual([]);
  });

  it("a denied GetResourcePolicy gives an unknown policy (not 'no policy') and a denied gap", async () => {
    sm.on(GetResourcePolicyCommand, { SecretId: B }).rejects(err("AccessDeniedException", 400, "not authorized to perform: secretsmanager:GetResourcePolicy"));
    const ctx = testContext({ region: REGION });
    const rs = await secretsmanager.collect(ctx);
    expect(rs.find((r) => r.id === `${B}|resource-policy`)?.properties).toEqual({
      SecretId: B,
      ResourcePolicy: { $unknown: expect.stringContaining("GetResourcePolicy failed") },
    });
    expect(ctx.gaps).toEqual([
      { action: "secretsmanager:GetResourcePolicy", status: "denied", detail: expect.stringMatching(/^AccessDeniedException/), resourceTypes: [] },
    ]);
  });

  it("denied / throttled ListSecrets stop the service with denied / error", async () => {
    sm.on(ListSecretsCommand).rejects(err("AccessDeniedException", 400, "no"));
    expect(classifyError(await secretsmanager.collect(testContext({ region: REGION })).catch((e: unknown) => e)).status).toBe("denied");
    sm.on(ListSecretsCommand).rejects(err("ThrottlingException", 400, "Rate exceeded", 6));
    expect(classifyError(await secretsmanager.collect(testContext({ region: REGION })).catch((e: unknown) => e))).toEqual({
      status: "error",
      detail: "throttled after 6 attempts: ThrottlingException: Rate exceeded",
    });
  });

  it("declares only read-only actions and never GetSecretValue", () => {
    expect(secretsmanager.actions).toEqual(["secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"]);
  });
});
