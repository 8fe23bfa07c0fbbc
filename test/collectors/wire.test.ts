/**
 * Wire level: IAM's and STS's query/XML protocol through a loopback HTTP stub, so the
 * SDK's own serialization, XML parsing, error parsing and retries run. AWS_ENDPOINT_URL
 * points every client at the stub; nothing leaves 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect } from "../../collectors/aws/runner.js";
import { ACCOUNT, ARTICLE_INLINE_POLICY, ARTICLE_TRUST_POLICY, COLLECTED_AT, iamEncode } from "./fixtures.js";
import { startLoopback, type Loopback } from "./loopback.js";

const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/iamra-issuer`;
const MARKER = "AAEAAZzKjq0m+Page/2==";

const xmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function ok(action: string, ns: string, result: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<${action}Response xmlns="${ns}">
  <${action}Result>
${result}
  </${action}Result>
  <ResponseMetadata>
    <RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>
  </ResponseMetadata>
</${action}Response>`;
}

function error(code: string, message: string): string {
  return `<ErrorResponse xmlns="${IAM_NS}">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${xmlEscape(message)}</Message>
  </Error>
  <RequestId>4c8e1a2b-0000-4000-8000-00000EXAMPLE</RequestId>
</ErrorResponse>`;
}

const PAGE_1 = `
    <IsTruncated>true</IsTruncated>
    <Marker>${xmlEscape(MARKER)}</Marker>
    <UserDetailList/>
    <GroupDetailList/>
    <RoleDetailList>
      <member>
        <Path>/</Path>
        <RoleName>iamra-issuer</RoleName>
        <RoleId>AROAEXAMPLEROLEID0001</RoleId>
        <Arn>${ROLE_ARN}</Arn>
        <CreateDate>2024-01-15T08:30:00Z</CreateDate>
        <AssumeRolePolicyDocument>${iamEncode(ARTICLE_TRUST_POLICY)}</AssumeRolePolicyDocument>
        <InstanceProfileList/>
        <RolePolicyList>
          <member>
            <PolicyName>pca-issue</PolicyName>
            <PolicyDocument>${iamEncode(ARTICLE_INLINE_POLICY)}</PolicyDocument>
          </member>
        </RolePolicyList>
        <AttachedManagedPolicies>
          <member>
            <PolicyName>AWSPrivateCAUser</PolicyName>
            <PolicyArn>arn:aws:iam::aws:policy/AWSPrivateCAUser</PolicyArn>
          </member>
        </AttachedManagedPolicies>
        <Tags>
          <member><Key>team</Key><Value>pki</Value></member>
        </Tags>
        <RoleLastUsed>
          <LastUsedDate>2025-06-20T10:00:00Z</LastUsedDate>
          <Region>eu-west-1</Region>
        </RoleLastUsed>
      </member>
    </RoleDetailList>
    <Policies/>`;

const PAGE_2 = `
    <IsTruncated>false</IsTruncated>
    <UserDetailList>
      <member>
        <Path>/</Path>
        <UserName>legacy-ci</UserName>
        <UserId>AIDAEXAMPLEUSERID0001</UserId>
        <Arn>arn:aws:iam::${ACCOUNT}:user/legacy-ci</Arn>
        <CreateDate>2021-05-04T10:00:00Z</CreateDate>
        <UserPolicyList/>
        <GroupList/>
        <AttachedManagedPolicies/>
        <Tags/>
      </member>
    </UserDetailList>
    <GroupDetailList/>
    <RoleDetailList/>
    <Policies>
      <member>
        <PolicyName>pca-issuer</PolicyName>
        <PolicyId>ANPAEXAMPLEPOLICY0001</PolicyId>
        <Arn>arn:aws:iam::${ACCOUNT}:policy/pca-issuer</Arn>
        <Path>/</Path>
        <DefaultVersionId>v1</DefaultVersionId>
        <AttachmentCount>0</AttachmentCount>
        <PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>
        <IsAttachable>true</IsAttachable>
        <CreateDate>2024-01-15T08:31:00Z</CreateDate>
        <UpdateDate>2024-01-15T08:31:00Z</UpdateDate>
        <PolicyVersionList>
          <member>
            <Document>${iamEncode(ARTICLE_INLINE_POLICY)}</Document>
            <VersionId>v1</VersionId>
            <IsDefaultVersion>true</IsDefaultVersion>
            <CreateDate>2024-01-15T08:31:00Z</CreateDate>
          </member>
        </PolicyVersionList>
      </member>
    </Policies>`;

const CA_USER_DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],"Resource":"*"}]}';

interface Seen {
  host?: string;
  authorization?: string;
  params: URLSearchParams;
}
const seen: Seen[] = [];
let server: Loopback;

function respond(params: URLSearchParams): { status: number; body: string } {
  const action = params.get("Action");
  switch (action) {
    case "GetCallerIdentity":
      return {
        status: 200,
        body: ok(
          "GetCallerIdentity",
          STS_NS,
          `    <Arn>arn:aws:iam::${ACCOUNT}:user/scanner</Arn>\n    <UserId>AIDAEXAMPLESCANNER01</UserId>\n    <Account>${ACCOUNT}</Account>`,
        ),
      };
    case "GetAccountAuthorizationDetails":
      return { status: 200, body: ok(action, IAM_NS, params.get("Marker") === MARKER ? PAGE_2 : PAGE_1) };
    case "ListRoles":
      // Throttled every time: the SDK retries, then gives up; the collector records a gap.
      return { status: 400, body: error("Throttling", "Rate exceeded") };
    case "GetPolicy":
      return {
        status: 200,
        body: ok(
          action,
          IAM_NS,
          `    <Policy><PolicyName>AWSPrivateCAUser</PolicyName><PolicyId>ANPAAWSMANAGED000001</PolicyId><Arn>arn:aws:iam::aws:policy/AWSPrivateCAUser</Arn><Path>/</Path><DefaultVersionId>v3</DefaultVersionId><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable></Policy>`,
        ),
      };
    case "GetPolicyVersion":
      return {
        status: 200,
        body: ok(
          action,
          IAM_NS,
          `    <PolicyVersion><Document>${iamEncode(CA_USER_DOC)}</Document><VersionId>v3</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`,
        ),
      };
    case "ListAccessKeys":
      return {
        status: 200,
        body: ok(
          action,
          IAM_NS,
          `    <UserName>legacy-ci</UserName>\n    <AccessKeyMetadata><member><UserName>legacy-ci</UserName><AccessKeyId>AKIAEXAMPLELEGACY001</AccessKeyId><Status>Active</Status><CreateDate>2021-05-04T10:05:00Z</CreateDate></member></AccessKeyMetadata>\n    <IsTruncated>false</IsTruncated>`,
        ),
      };
    case "GetAccessKeyLastUsed":
      return {
        status: 403,
        body: error(
          "AccessDenied",
          `User: arn:aws:iam::${ACCOUNT}:user/scanner is not authorized to perform: iam:GetAccessKeyLastUsed on resource: user legacy-ci`,
        ),
      };
    default:
      return { status: 400, body: error("InvalidAction", `unexpected action ${action}`) };
  }
}

beforeAll(async () => {
  server = await startLoopback(
    (req, body) => {
      const params = new URLSearchParams(body);
      seen.push({ host: req.headers.host, authorization: req.headers.authorization, params });
      const r = respond(params);
      return { status: r.status, headers: { "content-type": "text/xml", "x-amzn-requestid": "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE" }, body: r.body };
    },
    { sdkEndpoint: true },
  );
});

afterAll(() => server.close());

describe("IAM and STS over the query/XML wire protocol (loopback stub)", () => {
  it("collects two pages of GetAccountAuthorizationDetails and records the faults", async () => {
    const snap = await collect({
      services: ["iam"],
      homeRegion: "us-east-1",
      credentials: { accessKeyId: "AKIDLOOPBACKTEST", secretAccessKey: "loopback-secret" },
      maxAttempts: 2,
      collectedAt: COLLECTED_AT,
    });

    // What went over the wire: signed query requests, the Marker echoed back verbatim.
    const actions = seen.map((s) => s.params.get("Action"));
    expect(actions[0]).toBe("GetCallerIdentity");
    const gaad = seen.filter((s) => s.params.get("Action") === "GetAccountAuthorizationDetails");
    expect(gaad).toHaveLength(2);
    expect(gaad[0].params.get("Marker")).toBeNull();
    expect(gaad[1].params.get("Marker")).toBe(MARKER);
    expect(gaad[0].params.get("Version")).toBe("2010-05-08");
    expect([1, 2, 3, 4].map((i) => gaad[0].params.get(`Filter.member.${i}`))).toEqual(["Role", "User", "Group", "LocalManagedPolicy"]);
    expect(gaad[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACKTEST\/\d{8}\/us-east-1\/iam\/aws4_request/);
    expect(actions.filter((a) => a === "ListRoles")).toHaveLength(2); // retried once, then given up

    expect(snap.source.accounts).toEqual([ACCOUNT]);
    const role = snap.resources.find((r) => r.id === ROLE_ARN);
    expect(role).toMatchObject({
      type: "AWS::IAM::Role",
      region: "global",
      tags: { team: "pki" },
      properties: {
        RoleName: "iamra-issuer",
        AssumeRolePolicyDocument: JSON.parse(ARTICLE_TRUST_POLICY),
        Policies: [{ PolicyName: "pca-issue", PolicyDocument: JSON.parse(ARTICLE_INLINE_POLICY) }],
        ManagedPolicyArns: ["arn:aws:iam::aws:policy/AWSPrivateCAUser"],
        MaxSessionDuration: { $unknown: expect.stringContaining("iam:ListRoles") },
        Tags: [{ Key: "team", Value: "pki" }],
      },
      observed: { CreateDate: "2024-01-15T08:30:00.000Z", daysSinceLastUse: 10 },
    });
    expect(snap.resources.find((r) => r.id === "arn:aws:iam::aws:policy/AWSPrivateCAUser")?.properties).toMatchObject({
      PolicyDocument: JSON.parse(CA_USER_DOC),
      Roles: ["iamra-issuer"],
    });
    expect(snap.resources.find((r) => r.id === `arn:aws:iam::${ACCOUNT}:policy/pca-issuer`)?.properties.PolicyDocument).toEqual(
      JSON.parse(ARTICLE_INLINE_POLICY),
    );
    const key = snap.resources.find((r) => r.type === "AWS::IAM::AccessKey");
    expect(key).toMatchObject({
      id: "AKIAEXAMPLELEGACY001",
      properties: { UserName: "legacy-ci", Status: "Active" },
      observed: { ageDays: 1518, daysSinceLastUse: { $unknown: expect.any(String) } },
    });
    expect(snap.resources.map((r) => r.type).sort()).toEqual([
      "AWS::IAM::AccessKey",
      "AWS::IAM::ManagedPolicy",
      "AWS::IAM::ManagedPolicy",
      "AWS::IAM::Role",
      "AWS::IAM::User",
    ]);

    expect(snap.coverage).toEqual([
      {
        service: "iam",
        account: ACCOUNT,
        region: "global",
        status: "denied",
        action: "iam:GetAccessKeyLastUsed",
        detail: expect.stringMatching(/^AccessDenied: User: .*GetAccessKeyLastUsed/),
        resourceTypes: [],
      },
      {
        service: "iam",
        account: ACCOUNT,
        region: "global",
        status: "error",
        action: "iam:ListRoles",
        detail: "throttled after 2 attempts: Throttling: Rate exceeded",
        resourceTypes: [],
      },
      {
        service: "iam",
        account: ACCOUNT,
        region: "global",
        status: "ok",
        resourceTypes: ["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::ManagedPolicy", "AWS::IAM::AccessKey"],
      },
    ]);
  });
});
