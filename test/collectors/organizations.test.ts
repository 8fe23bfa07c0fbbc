import { ListAccountsCommand, OrganizationsClient, OrganizationsServiceException } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kms } from "../../collectors/aws/kms.js";
import { organizationAccounts } from "../../collectors/aws/organizations.js";
import { collect } from "../../collectors/aws/runner.js";
import { UserError } from "../../model/errors.js";
import { ACCOUNT, COLLECTED_AT } from "./fixtures.js";

const org = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
const kmsM = mockClient(KMSClient);
const MEMBER = "210987654321";
const base = {
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
  homeRegion: "us-east-1",
  collectedAt: COLLECTED_AT,
  ratePerSecond: 0,
  collectors: [kms],
};

beforeEach(() => {
  for (const x of [org, sts, kmsM]) x.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/scanner/ci` });
  sts
    .on(AssumeRoleCommand)
    .resolves({ Credentials: { AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(Date.now() + 3600_000) } });
  kmsM.on(ListKeysCommand).resolves({ Keys: [], Truncated: false });
  org.on(ListAccountsCommand).callsFake(({ NextToken }: { NextToken?: string }) =>
    NextToken === undefined
      ? {
          Accounts: [
            { Id: ACCOUNT, Status: "ACTIVE", State: "ACTIVE" },
            { Id: "333344445555", Status: "SUSPENDED", State: "SUSPENDED" },
          ],
          NextToken: "n2",
        }
      : {
          Accounts: [
            { Id: MEMBER, Status: "ACTIVE", State: "ACTIVE" },
            { Id: "666677778888", State: "PENDING_CLOSURE" },
          ],
        },
  );
});
afterEach(() => {
  for (const x of [org, sts, kmsM]) x.reset();
});

describe("--org", () => {
  it("lists the ACTIVE accounts over every page", async () => {
    expect(await organizationAccounts({ region: "us-east-1", retryMode: "adaptive", maxAttempts: 1, credentials: base.credentials })).toEqual([
      ACCOUNT,
      MEMBER,
    ]);
    expect(org.commandCalls(ListAccountsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "n2"]);
  });

  it("the runner scans those accounts, assuming --role-name in the members", async () => {
    const snap = await collect({ ...base, org: true, roleName: "rampart-scan" });
    expect(snap.source.accounts).toEqual([ACCOUNT, MEMBER]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/rampart-scan`]);
    expect(snap.coverage.map((c) => [c.account, c.status])).toEqual([
      [ACCOUNT, "ok"],
      [MEMBER, "ok"],
    ]);
  });

  it("needs --role-name, refuses --accounts with it, and explains a denied ListAccounts", async () => {
    await expect(collect({ ...base, org: true })).rejects.toThrow(/--org names other accounts: give --role-name/);
    await expect(collect({ ...base, org: true, accounts: [MEMBER], roleName: "r" })).rejects.toThrow(/either --org or --accounts/);
    org.on(ListAccountsCommand).rejects(
      new OrganizationsServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
        message: "You don't have permissions to access this resource.",
      }),
    );
    const e = await collect({ ...base, org: true, roleName: "r" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(
      /^--org: cannot list the organization's accounts \(organizations:ListAccounts\): AccessDeniedException: .*management account or a delegated administrator/,
    );
  });
});
