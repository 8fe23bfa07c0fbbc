/**
 * A stateful loopback stub of the AWS APIs the Roles Anywhere / Pod Identity fixes use:
 * STS and IAM over query/XML (GetCallerIdentity, GetAccountAuthorizationDetails,
 * ListRoles, GetRole, UpdateAssumeRolePolicy) and Roles Anywhere over REST-JSON
 * (profiles, trust anchors, CRLs, tags). AWS_ENDPOINT_URL points the SDK at it, so the
 * SDK's real serialization runs. Nothing leaves 127.0.0.1.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export const ACCOUNT = "111122223333";
const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

const x = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export interface StubRole {
  name: string;
  /** The trust policy as IAM stores it (a JSON string). */
  doc: string;
}

export interface StubState {
  roles: StubRole[];
  profiles: Array<{ name: string; roleArns: string[] }>;
  anchors: Array<{ name: string; id: string; enabled: boolean }>;
  /** Every action called, in order. */
  calls: string[];
  /** Bodies of the UpdateAssumeRolePolicy calls, as the SDK sent them. */
  updates: URLSearchParams[];
  /**
   * Called after a query-protocol call has been handled, before it is answered: a promise
   * holds the answer (a change made, its answer never arriving, as when the caller dies).
   */
  hold?: (action: string, params: URLSearchParams) => Promise<void> | void;
}

export const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const anchorArn = (id: string, region = "us-east-1"): string => `arn:aws:rolesanywhere:${region}:${ACCOUNT}:trust-anchor/${id}`;

function ok(action: string, ns: string, result: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000001</RequestId></ResponseMetadata></${action}Response>`;
}

function err(code: string, message: string): string {
  return `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${x(message)}</Message></Error><RequestId>00000000-0000-4000-8000-000000000002</RequestId></ErrorResponse>`;
}

function roleXml(r: StubRole, tag: string): string {
  return `<${tag}><Path>/</Path><RoleName>${r.name}</RoleName><RoleId>AROA${r.name
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .padEnd(17, "0")
    .slice(
      0,
      17,
    )}</RoleId><Arn>${roleArn(r.name)}</Arn><CreateDate>2024-01-15T08:30:00Z</CreateDate><AssumeRolePolicyDocument>${x(encodeURIComponent(r.doc))}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration><InstanceProfileList/><RolePolicyList/><AttachedManagedPolicies/><Tags/></${tag}>`;
}

function query(state: StubState, p: URLSearchParams): { status: number; body: string } {
  const action = p.get("Action") ?? "";
  state.calls.push(action);
  switch (action) {
    case "GetCallerIdentity":
      return {
        status: 200,
        body: ok(action, STS_NS, `<Arn>arn:aws:iam::${ACCOUNT}:user/fixer</Arn><UserId>AIDAEXAMPLEFIXER0001</UserId><Account>${ACCOUNT}</Account>`),
      };
    case "GetAccountAuthorizationDetails":
      return {
        status: 200,
        body: ok(
          action,
          IAM_NS,
          `<IsTruncated>false</IsTruncated><UserDetailList/><GroupDetailList/><Policies/><RoleDetailList>${state.roles.map((r) => roleXml(r, "member")).join("")}</RoleDetailList>`,
        ),
      };
    case "ListRoles":
      return {
        status: 200,
        body: ok(action, IAM_NS, `<IsTruncated>false</IsTruncated><Roles>${state.roles.map((r) => roleXml(r, "member")).join("")}</Roles>`),
      };
    case "GetRole": {
      const r = state.roles.find((y) => y.name === p.get("RoleName"));
      if (!r) return { status: 404, body: err("NoSuchEntity", `The role with name ${p.get("RoleName")} cannot be found.`) };
      return { status: 200, body: ok(action, IAM_NS, roleXml(r, "Role")) };
    }
    case "UpdateAssumeRolePolicy": {
      const r = state.roles.find((y) => y.name === p.get("RoleName"));
      if (!r) return { status: 404, body: err("NoSuchEntity", `The role with name ${p.get("RoleName")} cannot be found.`) };
      const doc = p.get("PolicyDocument") ?? "";
      try {
        JSON.parse(doc);
      } catch {
        return { status: 400, body: err("MalformedPolicyDocument", "This policy contains invalid Json") };
      }
      state.updates.push(p);
      r.doc = doc;
      return {
        status: 200,
        body: `<UpdateAssumeRolePolicyResponse xmlns="${IAM_NS}"><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000003</RequestId></ResponseMetadata></UpdateAssumeRolePolicyResponse>`,
      };
    }
    default:
      return { status: 400, body: err("InvalidAction", `the stub does not implement ${action}`) };
  }
}

function rest(state: StubState, method: string, url: URL): { status: number; body: string } | undefined {
  const region = "us-east-1";
  const when = "2024-01-15T08:30:00Z";
  switch (`${method} ${url.pathname}`) {
    case "GET /profiles":
      state.calls.push("ListProfiles");
      return {
        status: 200,
        body: JSON.stringify({
          profiles: state.profiles.map((p) => ({
            name: p.name,
            profileId: `p-${p.name}`,
            profileArn: `arn:aws:rolesanywhere:${region}:${ACCOUNT}:profile/p-${p.name}`,
            roleArns: p.roleArns,
            enabled: true,
            createdAt: when,
          })),
        }),
      };
    case "GET /trustanchors":
      state.calls.push("ListTrustAnchors");
      return {
        status: 200,
        body: JSON.stringify({
          trustAnchors: state.anchors.map((a) => ({
            name: a.name,
            trustAnchorId: a.id,
            trustAnchorArn: anchorArn(a.id),
            enabled: a.enabled,
            source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: "-----BEGIN CERTIFICATE-----" } },
            createdAt: when,
          })),
        }),
      };
    case "GET /crls":
      state.calls.push("ListCrls");
      return { status: 200, body: JSON.stringify({ crls: [] }) };
    case "GET /ListTagsForResource":
      state.calls.push("ListTagsForResource");
      return { status: 200, body: JSON.stringify({ tags: [] }) };
    default:
      return undefined;
  }
}

export interface Stub {
  url: string;
  state: StubState;
  close(): Promise<void>;
}

export async function startStub(state: StubState): Promise<Stub> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const r = rest(state, req.method ?? "GET", url);
      if (r) {
        res.writeHead(r.status, { "content-type": "application/json", "x-amzn-requestid": "00000000-0000-4000-8000-000000000004" });
        res.end(r.body);
        return;
      }
      const params = new URLSearchParams(body);
      const q = query(state, params);
      void Promise.resolve(state.hold?.(params.get("Action") ?? "", params)).then(() => {
        res.writeHead(q.status, { "content-type": "text/xml" });
        res.end(q.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The article's Roles Anywhere trust policy without its conditions: fails both halves of the rule. */
export const OPEN_ROLESANYWHERE_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "RolesAnywhere",
      Effect: "Allow",
      Principal: { Service: "rolesanywhere.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
    },
  ],
});

/** A Pod Identity trust with a wildcard and without sts:TagSession. */
export const BROAD_POD_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: "sts:*" }],
});

export function newState(): StubState {
  return {
    roles: [
      { name: "workload-a", doc: OPEN_ROLESANYWHERE_TRUST },
      { name: "pod-reader", doc: BROAD_POD_TRUST },
    ],
    profiles: [{ name: "workloads", roleArns: [roleArn("workload-a")] }],
    anchors: [
      { name: "corp-ca", id: "a1b2c3d4-0000-4000-8000-000000000001", enabled: true },
      { name: "old-ca", id: "a1b2c3d4-0000-4000-8000-000000000002", enabled: false },
    ],
    calls: [],
    updates: [],
  };
}

/** The environment for running the CLI against the stub: its endpoint, test keys, no shared config. */
export function stubEnv(url: string, dir: string): Record<string, string> {
  return {
    NO_COLOR: "1",
    AWS_ENDPOINT_URL: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDLOOPBACKTEST",
    AWS_SECRET_ACCESS_KEY: "loopback-secret",
    AWS_CONFIG_FILE: path.join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
  };
}
