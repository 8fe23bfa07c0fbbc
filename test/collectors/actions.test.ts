/**
 * The permission contract: every collector calls only the actions it declares (so
 * `rampart permissions` is complete), every declared action is read-only, secret values are
 * never read, and nothing is declared that is never called.
 */
import { ACMPCAClient, ListCertificateAuthoritiesCommand, ListTagsCommand } from "@aws-sdk/client-acm-pca";
import {
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { ListCrlsCommand, ListProfilesCommand, ListTagsForResourceCommand, ListTrustAnchorsCommand, RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectors, permissionsPolicy, RUNNER_ACTIONS } from "../../collectors/aws/index.js";
import { ACCOUNT, testContext, legacy, mockLegacyClient } from "./fixtures.js";

/** Each mocked client class, with the IAM action prefix of its service. */
const mocks = {
  iam: mockClient(IAMClient),
  rolesanywhere: mockLegacyClient(RolesAnywhereClient),
  "acm-pca": mockLegacyClient(ACMPCAClient),
};

const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|BatchGet|Select)[A-Za-z0-9]*$/;
const doc = encodeURIComponent('{"Version":"2012-10-17","Statement":[]}');

beforeAll(() => {
  // Enough data that every code path (and so every action) is exercised.
  mocks.iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    IsTruncated: false,
    RoleDetailList: [
      { RoleName: "r", Arn: `arn:aws:iam::${ACCOUNT}:role/r`, AssumeRolePolicyDocument: doc, AttachedManagedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] },
    ],
    UserDetailList: [{ UserName: "u", Arn: `arn:aws:iam::${ACCOUNT}:user/u` }],
  });
  mocks.iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
  mocks.iam.on(GetPolicyCommand).resolves({ Policy: { Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", DefaultVersionId: "v1" } });
  mocks.iam.on(GetPolicyVersionCommand).resolves({ PolicyVersion: { Document: doc } });
  mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: "AKIAEXAMPLE", Status: "Active" }], IsTruncated: false });
  mocks.iam.on(GetAccessKeyLastUsedCommand).resolves({ AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } });
  mocks.rolesanywhere.on(legacy(ListTrustAnchorsCommand)).resolves({ trustAnchors: [{ trustAnchorArn: "arn:aws:rolesanywhere:eu-west-1:012345678912:trust-anchor/a" }] });
  mocks.rolesanywhere.on(legacy(ListProfilesCommand)).resolves({ profiles: [] });
  mocks.rolesanywhere.on(legacy(ListCrlsCommand)).resolves({ crls: [] });
  mocks.rolesanywhere.on(legacy(ListTagsForResourceCommand)).resolves({ tags: [] });
  mocks["acm-pca"].on(legacy(ListCertificateAuthoritiesCommand)).resolves({ CertificateAuthorities: [{ Arn: "arn:aws:acm-pca:eu-west-1:012345678912:certificate-authority/x", Status: "ACTIVE" }] });
  mocks["acm-pca"].on(legacy(ListTagsCommand)).resolves({ Tags: [] });
});
afterAll(() => Object.values(mocks).forEach((m) => m.restore()));

/** "iam:ListRoles" for every command any mocked client was sent since the last reset. */
function calledActions(): string[] {
  const out: string[] = [];
  for (const [prefix, m] of Object.entries(mocks)) {
    for (const c of m.calls()) {
      const name = (c.args[0] as object).constructor.name;
      expect(name).toMatch(/Command$/);
      out.push(`${prefix}:${name.replace(/Command$/, "")}`);
    }
  }
  return [...new Set(out)].sort();
}

describe("collector permissions", () => {
  it("the registry has unique service ids, and every collector has types and actions", () => {
    const ids = collectors.map((c) => c.service);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of collectors) {
      expect(c.resourceTypes.length).toBeGreaterThan(0);
      expect(c.actions.length).toBeGreaterThan(0);
      for (const t of c.resourceTypes) expect(t).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
    }
  });

  for (const c of collectors) {
    it(`${c.service} calls exactly the actions it declares`, async () => {
      Object.values(mocks).forEach((m) => m.resetHistory());
      const ctx = testContext({ region: c.global ? "global" : "eu-west-1" });
      await c.collect(ctx);
      expect(ctx.gaps).toEqual([]);
      const called = calledActions();
      for (const a of called) expect(c.actions, `${c.service} called undeclared ${a}`).toContain(a);
      expect([...c.actions].sort()).toEqual(called);
    });
  }

  it("declares only read-only actions and never reads secret values", () => {
    const all = [...RUNNER_ACTIONS, ...collectors.flatMap((c) => c.actions)];
    for (const a of all) expect(a, `${a} is not read-only`).toMatch(READ_ONLY);
    const lower = all.map((a) => a.toLowerCase());
    expect(lower).not.toContain("secretsmanager:getsecretvalue");
    expect(permissionsPolicy().Statement[0].Action.map((a) => a.toLowerCase())).not.toContain("secretsmanager:getsecretvalue");
    expect(all.every((a) => !a.includes("*"))).toBe(true);
  });
});
