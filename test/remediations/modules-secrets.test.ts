/**
 * The Pod Identity secrets fixes against aws-sdk-client-mock with stateful fakes of IAM,
 * Secrets Manager and EKS: the real collectors scan, the engine evaluates, the runner
 * plans (exact calls, diff, risk), applies (journal), verifies (re-collect,
 * re-evaluate), reads back, rolls back; plus the cases left to a person, idempotence
 * (a second plan plans nothing) and offline (--snapshot) plans equal to live ones.
 *
 * The modules are not in remediations/registry.ts yet: the registry is extended here so
 * that the runner finds them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListClustersCommand,
  ListPodIdentityAssociationsCommand,
} from "@aws-sdk/client-eks";
import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
} from "@aws-sdk/client-iam";
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  ListSecretsCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eks } from "../../collectors/aws/eks.js";
import { iam } from "../../collectors/aws/iam.js";
import { collect } from "../../collectors/aws/runner.js";
import { secretsmanager } from "../../collectors/aws/secretsmanager.js";
import type { ServiceCollector } from "../../collectors/aws/types.js";
import { Engine } from "../../engine/engine.js";
import type { Finding } from "../../engine/findings.js";
import type { Snapshot } from "../../model/types.js";
import { loadPack, type PolicyPack } from "../../engine/pack.js";
import { remediation as tagScoped } from "../../remediations/aws/iam/secrets_access_tag_scoped.js";
import { remediation as podTagged } from "../../remediations/aws/secretsmanager/secret_pod_identity_tagged.js";
import { AwsClients } from "../../remediations/clients.js";
import { readJournal } from "../../remediations/journal.js";
import { jsonDiff } from "../../remediations/jsondiff.js";
import { applyRun, newJournal, planFixes, rollbackCandidates, rollbackRun, type Plan, type RunDeps } from "../../remediations/runner.js";
import type { Json, RiskFlag } from "../../remediations/types.js";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const CREDS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };
const ROLE = "ascp-podidentity";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:dummy-secret-q1w2e3`;
const NS_KEY = "secretsmanager:ResourceTag/kubernetes-namespace";
const CLUSTER_KEY = "secretsmanager:ResourceTag/eks-cluster-name";
const TAG_CONDITIONS = { [NS_KEY]: "${aws:PrincipalTag/kubernetes-namespace}", [CLUSTER_KEY]: "${aws:PrincipalTag/eks-cluster-name}" };

/** The article's policy.json (seeds/000_14fc47060cf8555c.txt lines 2630–2646) with $SECRET_ARN filled in, as in the rule's tests. */
const ARTICLE_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: [SECRET_ARN],
      Condition: { StringEquals: TAG_CONDITIONS },
    },
  ],
};
/** The same policy without its tag conditions: what the rule fails. */
const UNSCOPED = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [SECRET_ARN] }],
};
/** The article's trust.json (lines 2650–2666). */
const ARTICLE_TRUST = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
};
/** Every secret, no conditions (the rule's `bad_doc`). */
const ALL_SECRETS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }] };
/** The article's tags of the secret and its association (lines 2612–2617, 2680–2690). */
const ARTICLE_TAGS = { "kubernetes-namespace": "ns-a", "eks-cluster-name": "cluster-a" };

const sts = mockClient(STSClient);
const iamMock = mockClient(IAMClient);
const sm = mockClient(SecretsManagerClient);
const eksMock = mockClient(EKSClient);

let engine: Engine;
let pack: PolicyPack;
let runsDir: string;

beforeAll(async () => {
  engine = await Engine.load();
  pack = loadPack();
});

afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

const aws = (): AwsClients => new AwsClients({ credentials: CREDS, homeRegion: REGION, maxAttempts: 1 });
const fault = (name: string, message: string): Error => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

// ---------------------------------------------------------------------------------------
// Stateful fakes

interface FakeRole {
  name: string;
  trust: unknown;
  /** Inline policies in the order IAM lists them; documents as IAM stores them (JSON text). */
  inline: Array<{ name: string; doc: string }>;
  attached: string[];
}

interface FakePolicy {
  arn: string;
  name: string;
  versions: Array<{ id: string; doc: string }>;
  defaultId: string;
  next: number;
  awsManaged: boolean;
}

let roles: FakeRole[];
let policies: Map<string, FakePolicy>;
let users: Array<{ name: string; attached: string[] }>;
/** Inline policy names whose PutRolePolicy fails (the role's size quota). */
let putFails: Set<string>;
/** ListRolePolicies answers in the reverse order of GetAccountAuthorizationDetails (neither order is documented). */
let listReversed: boolean;
let secrets: Map<string, { name: string; tags: Map<string, string> }>;
let clusters: Map<string, Array<{ id: string; namespace: string; serviceAccount: string; roleArn: string; disableSessionTags?: boolean }>>;

const enc = (doc: string): string => encodeURIComponent(doc);
const noSuch = (what: string): Error => fault("NoSuchEntityException", `The ${what} cannot be found.`);

function role(name: string): FakeRole {
  const r = roles.find((x) => x.name === name);
  if (!r) throw noSuch(`role with name ${name}`);
  return r;
}

function policy(arn: string): FakePolicy {
  const p = policies.get(arn);
  if (!p) throw noSuch(`policy ${arn}`);
  return p;
}

function addRole(name: string, inline: Record<string, unknown>, attached: string[] = [], trust: unknown = ARTICLE_TRUST): void {
  roles.push({ name, trust, inline: Object.entries(inline).map(([n, d]) => ({ name: n, doc: JSON.stringify(d) })), attached });
}

function addPolicy(arn: string, docs: Json[], awsManaged = false): FakePolicy {
  const p: FakePolicy = {
    arn,
    name: arn.split("/").pop()!,
    versions: docs.map((d, i) => ({ id: `v${i + 1}`, doc: JSON.stringify(d) })),
    defaultId: `v${docs.length}`,
    next: docs.length + 1,
    awsManaged,
  };
  policies.set(arn, p);
  return p;
}

function attachedTo(arn: string): { roles: string[]; users: string[] } {
  return { roles: roles.filter((r) => r.attached.includes(arn)).map((r) => r.name), users: users.filter((u) => u.attached.includes(arn)).map((u) => u.name) };
}

function installIam(): void {
  const attachedList = (arns: string[]) => arns.map((a) => ({ PolicyArn: a, PolicyName: a.split("/").pop() }));
  iamMock.on(GetAccountAuthorizationDetailsCommand).callsFake(() => ({
    IsTruncated: false,
    RoleDetailList: roles.map((r) => ({
      RoleName: r.name,
      Arn: `arn:aws:iam::${ACCOUNT}:role/${r.name}`,
      Path: "/",
      RoleId: `AROA${r.name.toUpperCase().replace(/[^A-Z]/g, "")}`,
      AssumeRolePolicyDocument: enc(JSON.stringify(r.trust)),
      RolePolicyList: r.inline.map((p) => ({ PolicyName: p.name, PolicyDocument: enc(p.doc) })),
      AttachedManagedPolicies: attachedList(r.attached),
      Tags: [],
    })),
    UserDetailList: users.map((u) => ({
      UserName: u.name,
      Arn: `arn:aws:iam::${ACCOUNT}:user/${u.name}`,
      Path: "/",
      UserPolicyList: [],
      AttachedManagedPolicies: attachedList(u.attached),
      GroupList: [],
    })),
    GroupDetailList: [],
    Policies: [...policies.values()]
      .filter((p) => !p.awsManaged)
      .map((p) => ({
        PolicyName: p.name,
        Arn: p.arn,
        Path: "/",
        DefaultVersionId: p.defaultId,
        AttachmentCount: attachedTo(p.arn).roles.length + attachedTo(p.arn).users.length,
        PermissionsBoundaryUsageCount: 0,
        PolicyVersionList: p.versions.map((v) => ({ VersionId: v.id, Document: enc(v.doc), IsDefaultVersion: v.id === p.defaultId })),
      })),
  }));
  iamMock.on(ListRolesCommand).callsFake(() => ({
    IsTruncated: false,
    Roles: roles.map((r) => ({ RoleName: r.name, Arn: `arn:aws:iam::${ACCOUNT}:role/${r.name}`, Path: "/", MaxSessionDuration: 3600 })),
  }));
  iamMock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [], IsTruncated: false });
  iamMock.on(GetRoleCommand).callsFake((i: { RoleName: string }) => {
    const r = role(i.RoleName);
    return { Role: { RoleName: r.name, Arn: `arn:aws:iam::${ACCOUNT}:role/${r.name}`, Path: "/", AssumeRolePolicyDocument: enc(JSON.stringify(r.trust)) } };
  });
  iamMock.on(ListRolePoliciesCommand).callsFake((i: { RoleName: string }) => {
    const names = role(i.RoleName).inline.map((p) => p.name);
    return { PolicyNames: listReversed ? names.reverse() : names, IsTruncated: false };
  });
  iamMock.on(GetRolePolicyCommand).callsFake((i: { RoleName: string; PolicyName: string }) => {
    const p = role(i.RoleName).inline.find((x) => x.name === i.PolicyName);
    if (!p) throw noSuch(`role policy with name ${i.PolicyName}`);
    return { RoleName: i.RoleName, PolicyName: p.name, PolicyDocument: enc(p.doc) };
  });
  iamMock.on(PutRolePolicyCommand).callsFake((i: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
    const r = role(i.RoleName);
    if (putFails.has(i.PolicyName)) throw fault("LimitExceededException", `Maximum policy size of 10240 bytes exceeded for role ${r.name}`);
    JSON.parse(i.PolicyDocument);
    const p = r.inline.find((x) => x.name === i.PolicyName);
    if (p) p.doc = i.PolicyDocument;
    else r.inline.push({ name: i.PolicyName, doc: i.PolicyDocument });
    return {};
  });
  iamMock.on(GetPolicyCommand).callsFake((i: { PolicyArn: string }) => {
    const p = policy(i.PolicyArn);
    return { Policy: { PolicyName: p.name, Arn: p.arn, Path: "/", DefaultVersionId: p.defaultId, AttachmentCount: 1, PermissionsBoundaryUsageCount: 0 } };
  });
  iamMock.on(GetPolicyVersionCommand).callsFake((i: { PolicyArn: string; VersionId: string }) => {
    const v = policy(i.PolicyArn).versions.find((x) => x.id === i.VersionId);
    if (!v) throw noSuch(`policy version ${i.VersionId}`);
    return { PolicyVersion: { VersionId: v.id, Document: enc(v.doc), IsDefaultVersion: v.id === policy(i.PolicyArn).defaultId } };
  });
  iamMock.on(ListPolicyVersionsCommand).callsFake((i: { PolicyArn: string }) => {
    const p = policy(i.PolicyArn);
    return { IsTruncated: false, Versions: p.versions.map((v) => ({ VersionId: v.id, IsDefaultVersion: v.id === p.defaultId })) };
  });
  iamMock.on(ListEntitiesForPolicyCommand).callsFake((i: { PolicyArn: string }) => {
    const a = attachedTo(i.PolicyArn);
    return {
      IsTruncated: false,
      PolicyRoles: a.roles.map((RoleName) => ({ RoleName })),
      PolicyUsers: a.users.map((UserName) => ({ UserName })),
      PolicyGroups: [],
    };
  });
  iamMock.on(CreatePolicyVersionCommand).callsFake((i: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }) => {
    const p = policy(i.PolicyArn);
    if (p.versions.length >= 5) throw fault("LimitExceededException", "A managed policy can have up to 5 versions.");
    JSON.parse(i.PolicyDocument);
    const id = `v${p.next++}`;
    p.versions.push({ id, doc: i.PolicyDocument });
    if (i.SetAsDefault) p.defaultId = id;
    return { PolicyVersion: { VersionId: id, IsDefaultVersion: !!i.SetAsDefault } };
  });
  iamMock.on(SetDefaultPolicyVersionCommand).callsFake((i: { PolicyArn: string; VersionId: string }) => {
    const p = policy(i.PolicyArn);
    if (!p.versions.some((v) => v.id === i.VersionId)) throw noSuch(`policy version ${i.VersionId}`);
    p.defaultId = i.VersionId;
    return {};
  });
  iamMock.on(DeletePolicyVersionCommand).callsFake((i: { PolicyArn: string; VersionId: string }) => {
    const p = policy(i.PolicyArn);
    if (p.defaultId === i.VersionId) throw fault("DeleteConflictException", "Cannot delete the default version of a policy.");
    if (!p.versions.some((v) => v.id === i.VersionId)) throw noSuch(`policy version ${i.VersionId}`);
    p.versions = p.versions.filter((v) => v.id !== i.VersionId);
    return {};
  });
}

function installSecrets(): void {
  const entry = (arn: string) => {
    const s = secrets.get(arn);
    if (!s) throw fault("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return { ARN: arn, Name: s.name, Tags: [...s.tags].map(([Key, Value]) => ({ Key, Value })) };
  };
  sm.on(ListSecretsCommand).callsFake(() => ({ SecretList: [...secrets.keys()].map(entry) }));
  sm.on(GetResourcePolicyCommand).callsFake((i: { SecretId: string }) => ({ ARN: i.SecretId, Name: entry(i.SecretId).Name }));
  sm.on(DescribeSecretCommand).callsFake((i: { SecretId: string }) => entry(i.SecretId));
  sm.on(TagResourceCommand).callsFake((i: { SecretId: string; Tags: Array<{ Key: string; Value: string }> }) => {
    entry(i.SecretId);
    for (const t of i.Tags) secrets.get(i.SecretId)!.tags.set(t.Key, t.Value);
    return {};
  });
  sm.on(UntagResourceCommand).callsFake((i: { SecretId: string; TagKeys: string[] }) => {
    entry(i.SecretId);
    for (const k of i.TagKeys) secrets.get(i.SecretId)!.tags.delete(k);
    return {};
  });
}

function installEks(): void {
  const assocArn = (cluster: string, id: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/${cluster}/${id}`;
  eksMock.on(ListClustersCommand).callsFake(() => ({ clusters: [...clusters.keys()] }));
  eksMock.on(DescribeClusterCommand).callsFake((i: { name: string }) => ({
    cluster: { name: i.name, arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${i.name}`, status: "ACTIVE", version: "1.30" },
  }));
  eksMock.on(ListPodIdentityAssociationsCommand).callsFake((i: { clusterName: string }) => ({
    associations: (clusters.get(i.clusterName) ?? []).map((a) => ({
      clusterName: i.clusterName,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      associationArn: assocArn(i.clusterName, a.id),
      associationId: a.id,
    })),
  }));
  eksMock.on(DescribePodIdentityAssociationCommand).callsFake((i: { clusterName: string; associationId: string }) => {
    const a = (clusters.get(i.clusterName) ?? []).find((x) => x.id === i.associationId);
    if (!a) throw fault("ResourceNotFoundException", "No association found.");
    return {
      association: {
        clusterName: i.clusterName,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn,
        associationArn: assocArn(i.clusterName, a.id),
        associationId: a.id,
        disableSessionTags: a.disableSessionTags ?? false,
      },
    };
  });
}

function addSecret(name: string, arn: string, tags: Record<string, string>): void {
  secrets.set(arn, { name, tags: new Map(Object.entries(tags)) });
}

function associate(cluster: string, namespace: string, serviceAccount: string, roleName: string, disableSessionTags = false): void {
  const list = clusters.get(cluster) ?? [];
  list.push({ id: `a-${list.length + 1}`, namespace, serviceAccount, roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, disableSessionTags });
  clusters.set(cluster, list);
}

beforeEach(() => {
  for (const m of [sts, iamMock, sm, eksMock]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/fixer` });
  roles = [];
  policies = new Map();
  users = [];
  putFails = new Set();
  listReversed = false;
  secrets = new Map();
  clusters = new Map();
  installIam();
  installSecrets();
  installEks();
  runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-runs-"));
});

// ---------------------------------------------------------------------------------------
// Scan, plan, apply

const ALL: ServiceCollector[] = [iam, secretsmanager, eks];

async function snapshot(cs: ServiceCollector[] = ALL): Promise<Snapshot> {
  return collect({ services: cs.map((c) => c.service), collectors: cs, regions: [REGION], homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
}

async function scan(ruleId: string, cs: ServiceCollector[] = ALL): Promise<Finding[]> {
  return engine.evaluate(await snapshot(cs), pack, { kind: "live" }).findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
}

function collector(): RunDeps["collect"] {
  return async (req) => {
    const cs = ALL.filter((c) => req.services.includes(c.service));
    return collect({ services: req.services, collectors: cs, regions: req.regions, homeRegion: REGION, credentials: CREDS, maxAttempts: 1 });
  };
}

async function apply(plan: Plan, allow: RiskFlag[] = []) {
  const j = newJournal(plan, { input: {}, allow, params: {}, account: ACCOUNT });
  await applyRun(j, { aws: aws(), runsDir, engine, pack, collect: collector() });
  return j;
}

async function offlineEqualsLive(ruleId: string, params: Record<string, Record<string, unknown>> = {}): Promise<Plan> {
  const snap = await snapshot();
  const findings = engine.evaluate(snap, pack, { kind: "live" }).findings.filter((f) => f.ruleId === ruleId && f.status === "fail");
  expect(findings.length).toBeGreaterThan(0);
  const offline = await planFixes(findings, { snapshot: snap, params, packParams: pack.params });
  const live = await planFixes(findings, { aws: aws(), params, packParams: pack.params });
  const pick = (x: Plan) =>
    x.changes.map((ch) => ({
      target: ch.target,
      before: ch.before,
      after: ch.after,
      calls: ch.calls,
      rollbackCalls: ch.rollbackCalls,
      findingIds: ch.findingIds,
      risk: ch.risk,
    }));
  expect(offline.changes.length).toBeGreaterThan(0);
  expect(pick(offline)).toEqual(pick(live));
  expect(offline.manual).toEqual(live.manual);
  return offline;
}

const storedInline = (roleName: string, policyName: string): Json => JSON.parse(role(roleName).inline.find((p) => p.name === policyName)!.doc) as Json;

// =======================================================================================

describe("iam-secrets-access-tag-scoped", () => {
  const RULE = "iam-secrets-access-tag-scoped";
  const putCall = (policyName: string, doc: unknown) => ({
    service: "iam",
    region: "global",
    action: "PutRolePolicy",
    input: { RoleName: ROLE, PolicyName: policyName, PolicyDocument: JSON.stringify(doc) },
  });
  const TAGS_NOTE =
    "Every secret these pods read must carry the tags kubernetes-namespace and eks-cluster-name with the namespace and cluster of the pods' Pod Identity association (rule secretsmanager-secret-pod-identity-tagged: `rampart fix` tags them from the associations), and the role's trust must allow sts:TagSession (rule iam-pod-identity-trust-actions); a secret tagged for another namespace or cluster is denied too.";

  describe("inline policies", () => {
    it("the article's policy without its conditions: adds exactly the article's StringEquals, verifies, is idempotent, rolls back", async () => {
      addRole(ROLE, { [ROLE]: UNSCOPED });
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
      const findings = await scan(RULE);
      expect(findings.map((f) => [f.resource.id, f.severity])).toEqual([[ROLE_ARN, "medium"]]);

      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.manual).toEqual([]);
      const c = plan.changes[0];
      expect(c.target).toEqual({ service: "iam", region: "global", account: ACCOUNT, key: { RoleName: ROLE, PolicyNames: JSON.stringify([ROLE]) } });
      expect(c.before).toEqual({ RoleName: ROLE, Policies: { [ROLE]: UNSCOPED } });
      expect(c.after).toEqual({ RoleName: ROLE, Policies: { [ROLE]: ARTICLE_POLICY } });
      expect(c.calls).toEqual([putCall(ROLE, ARTICLE_POLICY)]);
      expect(c.calls[0].input.PolicyDocument).toBe(JSON.stringify(ARTICLE_POLICY));
      expect(c.rollbackCalls).toEqual([putCall(ROLE, UNSCOPED)]);
      expect(c.diff).toEqual([{ op: "add", path: `/Policies/${ROLE}/Statement/0/Condition`, value: { StringEquals: TAG_CONDITIONS } }]);
      expect(c.findingIds).toEqual([findings[0].id]);
      expect(c.risk).toBeUndefined();
      expect(c.summary).toBe(`add the kubernetes-namespace and eks-cluster-name tag conditions to statement "0" of inline policy "${ROLE}" of role ${ROLE}`);
      expect(c.notes).toEqual([TAGS_NOTE, "Secrets were looked for in us-east-1."]);
      expect(iamMock.commandCalls(PutRolePolicyCommand)).toHaveLength(0);

      const j = await apply(plan);
      expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
      expect(storedInline(ROLE, ROLE)).toEqual(ARTICLE_POLICY);
      expect(await tagScoped.read(c.target, aws())).toEqual(c.after);
      expect(await scan(RULE)).toEqual([]);
      expect(await planFixes(await scan(RULE), { aws: aws() })).toEqual({ changes: [], manual: [] });

      await rollbackRun(j, { aws: aws(), runsDir });
      expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
      expect(storedInline(ROLE, ROLE)).toEqual(UNSCOPED);
      expect(await tagScoped.read(c.target, aws())).toEqual(c.before);
    });

    it("lists the covered secrets that lack a tag and needs --allow-user-impact; applies with it", async () => {
      addRole(ROLE, { [ROLE]: ALL_SECRETS });
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
      addSecret("legacy-db", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:legacy-db-AbCdEf`, {});
      addSecret("half", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:half-123456`, { "kubernetes-namespace": "ns-a" });
      const findings = await scan(RULE);
      expect(findings.map((f) => f.severity)).toEqual(["high"]);
      const a = aws();
      const plan = await planFixes(findings, { aws: a });
      expect(a.sent.filter((x) => x.action === "ListSecrets").map((x) => x.region)).toEqual(["us-east-1"]);
      const c = plan.changes[0];
      const fixed = { Version: "2012-10-17", Statement: [{ ...ALL_SECRETS.Statement[0], Condition: { StringEquals: TAG_CONDITIONS } }] };
      expect(c.calls).toEqual([putCall(ROLE, fixed)]);
      expect(c.risk).toEqual({
        flag: "allow-user-impact",
        reason:
          "After the change pods using role ascp-podidentity can no longer read 2 secrets without both the kubernetes-namespace and eks-cluster-name tags: half (us-east-1: no eks-cluster-name), legacy-db (us-east-1: no kubernetes-namespace, eks-cluster-name).",
      });

      const skipped = await apply(plan);
      expect(skipped.steps[0].status).toBe("skipped");
      expect(iamMock.commandCalls(PutRolePolicyCommand)).toHaveLength(0);

      const j = await apply(plan, ["allow-user-impact"]);
      expect(j.steps[0].status).toBe("verified");
      expect(storedInline(ROLE, ROLE)).toEqual(fixed);
    });

    it("the article's cross-account policy without its conditions: fixes the secrets statement, keeps the KMS one, notes the other account's secrets", async () => {
      // cross-policy.json (seeds/000_14fc47060cf8555c.txt lines 2944–2968), as in the rule's tests.
      const B_SECRET = "arn:aws:secretsmanager:us-east-1:444455556666:secret:secret-b-12345";
      const KMS = {
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: "arn:aws:kms:us-east-1:444455556666:key/abcdefgh-1234-5678-90ij-klmnopqrstuv",
      };
      const crossPolicy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: [B_SECRET],
            Condition: { StringEquals: TAG_CONDITIONS },
          },
          KMS,
        ],
      };
      const unscoped = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [B_SECRET] }, KMS],
      };
      addRole(ROLE, { cross: unscoped });
      const plan = await planFixes(await scan(RULE), { aws: aws() });
      const c = plan.changes[0];
      expect(c.calls).toEqual([putCall("cross", crossPolicy)]);
      expect(c.diff).toEqual([{ op: "add", path: "/Policies/cross/Statement/0/Condition", value: { StringEquals: TAG_CONDITIONS } }]);
      expect(c.risk).toBeUndefined();
      expect(c.notes).toEqual([
        TAGS_NOTE,
        "Secrets were looked for in us-east-1.",
        "The statements also name secrets of account 444455556666, which were not checked: they need the same tags.",
      ]);
      const j = await apply(plan);
      expect(j.steps[0].status).toBe("verified");
      expect(storedInline(ROLE, "cross")).toEqual(crossPolicy);
    });

    it("lists secrets in --regions, else in the regions the statements name (the home region when a pattern spans regions)", async () => {
      const EU = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:eu-app-*`;
      addRole(ROLE, {
        [ROLE]: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [EU, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:shared-*`] }],
        },
      });
      const findings = await scan(RULE);
      const listed = async (regions?: string[]): Promise<{ regions: string[]; note: string | undefined }> => {
        const a = aws();
        const plan = await planFixes(findings, { aws: a, ...(regions ? { regions } : {}) });
        return { regions: a.sent.filter((x) => x.action === "ListSecrets").map((x) => x.region), note: plan.changes[0].notes?.[1] };
      };
      expect(await listed()).toEqual({ regions: ["eu-west-1", "us-east-1"], note: "Secrets were looked for in eu-west-1, us-east-1." });
      expect(await listed(["ap-southeast-2"])).toEqual({ regions: ["ap-southeast-2"], note: "Secrets were looked for in ap-southeast-2." });
    });

    it("splits a statement that mixes other actions, merges into an existing StringEquals, fixes two inline policies in one change, rolls both back", async () => {
      const app = {
        Version: "2012-10-17",
        Statement: [{ Sid: "Read", Effect: "Allow", Action: ["kms:Decrypt", "secretsmanager:GetSecretValue", "secretsmanager:ListSecrets"], Resource: "*" }],
      };
      const APP_PATTERN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app-*`;
      const more = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "secretsmanager:*",
            Resource: APP_PATTERN,
            Condition: { Bool: { "aws:SecureTransport": "true" }, StringEquals: { [NS_KEY]: "${aws:PrincipalTag/kubernetes-namespace}" } },
          },
        ],
      };
      addRole(ROLE, { app, more });
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
      const findings = await scan(RULE);
      expect(findings).toHaveLength(2);
      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.manual).toEqual([]);
      expect(plan.changes).toHaveLength(1);
      const c = plan.changes[0];
      const appAfter = {
        Version: "2012-10-17",
        Statement: [
          { Sid: "Read", Effect: "Allow", Action: ["kms:Decrypt", "secretsmanager:ListSecrets"], Resource: "*" },
          { Sid: "ReadTagScoped", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "*", Condition: { StringEquals: TAG_CONDITIONS } },
        ],
      };
      const moreAfter = {
        Version: "2012-10-17",
        Statement: [{ ...more.Statement[0], Condition: { Bool: { "aws:SecureTransport": "true" }, StringEquals: TAG_CONDITIONS } }],
      };
      expect(c.target.key).toEqual({ RoleName: ROLE, PolicyNames: '["app","more"]' });
      expect(c.calls).toEqual([putCall("app", appAfter), putCall("more", moreAfter)]);
      expect(c.rollbackCalls).toEqual([putCall("app", app), putCall("more", more)]);
      expect(c.findingIds.sort()).toEqual(findings.map((f) => f.id).sort());
      expect(c.diff).toEqual([
        { op: "remove", path: "/Policies/app/Statement/0", value: app.Statement[0] },
        { op: "add", path: "/Policies/app/Statement/0", value: appAfter.Statement[0] },
        { op: "add", path: "/Policies/app/Statement/1", value: appAfter.Statement[1] },
        {
          op: "add",
          path: "/Policies/more/Statement/0/Condition/StringEquals/secretsmanager:ResourceTag~1eks-cluster-name",
          value: "${aws:PrincipalTag/eks-cluster-name}",
        },
      ]);
      expect(c.summary).toBe(
        'add the kubernetes-namespace and eks-cluster-name tag conditions to statement "ReadTagScoped" (the secretsmanager actions of statement "Read", which keeps kms:Decrypt, secretsmanager:ListSecrets) of inline policy "app" of role ascp-podidentity; statement "0" of inline policy "more" of role ascp-podidentity',
      );
      // secretsmanager:* also allowed the actions that name no secret: they are denied now.
      expect(c.risk).toEqual({
        flag: "allow-user-impact",
        reason:
          "The secretsmanager wildcard also allowed secretsmanager:ListSecrets, secretsmanager:GetRandomPassword, secretsmanager:BatchGetSecretValue, which name no secret: with the conditions they are denied.",
      });

      const j = await apply(plan, ["allow-user-impact"]);
      expect(j.steps[0].status).toBe("verified");
      expect(storedInline(ROLE, "app")).toEqual(appAfter);
      expect(storedInline(ROLE, "more")).toEqual(moreAfter);
      expect(await tagScoped.read(c.target, aws())).toEqual(c.after);
      expect(await planFixes(await scan(RULE), { aws: aws() })).toEqual({ changes: [], manual: [] });

      await rollbackRun(j, { aws: aws(), runsDir });
      expect(j.steps[0].status).toBe("rolled-back");
      expect(storedInline(ROLE, "app")).toEqual(app);
      expect(storedInline(ROLE, "more")).toEqual(more);
    });

    it("splits a lone Statement object into a list, and gives the new statement a Sid no other statement has", async () => {
      const lone = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: ["s3:GetObject", "secretsmanager:GetSecretValue"], Resource: "*" } };
      const taken = {
        Version: "2012-10-17",
        Statement: [
          { Sid: "SecretsTagScoped", Effect: "Allow", Action: "s3:ListBucket", Resource: "*" },
          { Effect: "Allow", Action: ["s3:GetObject", "secretsmanager:GetSecretValue"], Resource: "*" },
        ],
      };
      addRole(ROLE, { lone, taken });
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
      const plan = await planFixes(await scan(RULE), { aws: aws() });
      const scoped = { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "*", Condition: { StringEquals: TAG_CONDITIONS } };
      expect(plan.changes[0].calls).toEqual([
        putCall("lone", {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" },
            { Sid: "SecretsTagScoped", ...scoped },
          ],
        }),
        putCall("taken", {
          Version: "2012-10-17",
          Statement: [taken.Statement[0], { Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }, { Sid: "SecretsTagScoped2", ...scoped }],
        }),
      ]);
      const j = await apply(plan);
      expect(j.steps[0].status).toBe("verified");
    });

    it("when a later PutRolePolicy fails, puts the earlier policies back: the step fails with the role as it was, and there is nothing to roll back", async () => {
      const a = { Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET_ARN }] };
      const b = { Version: "2012-10-17", Statement: [{ Sid: "B", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET_ARN }] };
      addRole(ROLE, { a, b });
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
      const plan = await planFixes(await scan(RULE), { aws: aws() });
      expect(plan.changes[0].calls.map((x) => x.input.PolicyName)).toEqual(["a", "b"]);
      putFails.add("b");
      const j = await apply(plan);
      expect(j.steps[0].status).toBe("failed");
      expect(j.steps[0].error).toBe(
        "LimitExceededException: Maximum policy size of 10240 bytes exceeded for role ascp-podidentity (inline policies a were put back as they were)",
      );
      expect(storedInline(ROLE, "a")).toEqual(a);
      expect(storedInline(ROLE, "b")).toEqual(b);
      expect(iamMock.commandCalls(PutRolePolicyCommand).map((x) => x.args[0].input.PolicyName)).toEqual(["a", "b", "a"]);
      expect(rollbackCandidates(j)).toEqual([]);
    });

    it("refuses drift: a policy changed since the plan is not written", async () => {
      addRole(ROLE, { [ROLE]: UNSCOPED });
      const plan = await planFixes(await scan(RULE), { aws: aws() });
      role(ROLE).inline[0].doc = JSON.stringify(ALL_SECRETS);
      const j = await apply(plan, ["allow-user-impact"]);
      expect(j.steps[0].status).toBe("refused-drift");
      expect(iamMock.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    });

    it("plans the same offline (--snapshot) as live, whatever order iam:ListRolePolicies answers in (the finding's statement tells the policies apart)", async () => {
      addRole(ROLE, { first: ARTICLE_POLICY, [ROLE]: ALL_SECRETS, other: UNSCOPED });
      addSecret("legacy-db", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:legacy-db-AbCdEf`, {});
      listReversed = true;
      const offline = await offlineEqualsLive(RULE);
      expect(offline.changes[0].target.key.PolicyNames).toBe(JSON.stringify([ROLE, "other"]));
      expect(offline.changes[0].calls).toEqual([
        putCall(ROLE, { Version: "2012-10-17", Statement: [{ ...ALL_SECRETS.Statement[0], Condition: { StringEquals: TAG_CONDITIONS } }] }),
        putCall("other", ARTICLE_POLICY),
      ]);
      expect(offline.changes[0].risk?.reason).toContain("legacy-db (us-east-1: no kubernetes-namespace, eks-cluster-name)");
      expect(offline.changes[0].notes).toEqual([TAGS_NOTE, "Secrets were looked for in us-east-1 (the snapshot)."]);
    });

    it("an offline plan against a snapshot without Secrets Manager data cannot tell which secrets lose access: it needs --allow-user-impact", async () => {
      addRole(ROLE, { [ROLE]: UNSCOPED });
      const snap = await snapshot([iam]);
      const findings = engine.evaluate(snap, pack, { kind: "live" }).findings.filter((f) => f.ruleId === RULE);
      const plan = await planFixes(findings, { snapshot: snap });
      expect(plan.changes[0].risk).toEqual({
        flag: "allow-user-impact",
        reason:
          "Which secrets lack the kubernetes-namespace or eks-cluster-name tag is not known (the snapshot holds no complete list of the account's Secrets Manager secrets); after the change pods using role ascp-podidentity can no longer read any secret without both tags.",
      });
    });

    it("a role that other principals can assume too: their sessions carry no Pod Identity tags", async () => {
      const trust = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: ["pods.eks.amazonaws.com", "ec2.amazonaws.com"] }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
      };
      addRole(ROLE, { [ROLE]: UNSCOPED }, [], trust);
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
      const plan = await planFixes(await scan(RULE), { aws: aws() });
      expect(plan.changes[0].risk?.reason).toBe(
        'Role ascp-podidentity can also be assumed by Service:"ec2.amazonaws.com", whose sessions carry no Pod Identity tags: they lose these secrets.',
      );
    });

    it("leaves NotAction, a non-secretsmanager wildcard and an existing condition with another value to a person", async () => {
      const notAction = { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] };
      const star = { Version: "2012-10-17", Statement: [{ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }] };
      const like = {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Read",
            Effect: "Allow",
            Action: "secretsmanager:Get*",
            Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:a-*`,
            Condition: { StringLike: { [NS_KEY]: "${aws:PrincipalTag/kubernetes-namespace}" } },
          },
        ],
      };
      addRole(ROLE, { "not-action": notAction, star, like });
      const findings = await scan(RULE);
      expect(findings).toHaveLength(3);
      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.changes).toEqual([]);
      const manual = plan.manual.map((m) => [m.reason, m.advice]).sort();
      const CONDS = `StringEquals "secretsmanager:ResourceTag/kubernetes-namespace": "\${aws:PrincipalTag/kubernetes-namespace}" and "secretsmanager:ResourceTag/eks-cluster-name": "\${aws:PrincipalTag/eks-cluster-name}"`;
      expect(manual).toEqual([
        [
          'statement "0" of inline policy "not-action" of role ascp-podidentity uses NotAction, so it allows secretsmanager:GetSecretValue together with nearly every other action; tag conditions on it would restrict all of them',
          `Replace NotAction with the actions the role needs, and grant secretsmanager:GetSecretValue in a statement of its own with ${CONDS}.`,
        ],
        [
          'statement "Admin" of inline policy "star" of role ascp-podidentity allows secretsmanager:GetSecretValue through "*", which also covers other services\' actions; tag conditions on it would restrict all of them',
          `Replace "*" with the actions the role needs, and grant secretsmanager:GetSecretValue in a statement of its own with ${CONDS}.`,
        ],
        [
          'statement "Read" of inline policy "like" of role ascp-podidentity already conditions the kubernetes-namespace tag (StringLike "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}"); rampart never changes or removes an existing condition',
          'If the secrets are tagged per namespace and cluster, change that condition by hand to StringEquals "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}".',
        ],
      ]);
      expect(plan.manual.map((m) => m.findingId).sort()).toEqual(findings.map((f) => f.id).sort());
    });
  });

  describe("managed policies", () => {
    const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/read-secrets`;
    const FIXED = { Version: "2012-10-17", Statement: [{ ...ALL_SECRETS.Statement[0], Condition: { StringEquals: TAG_CONDITIONS } }] };
    const versions = () => policy(POLICY_ARN).versions.map((v) => v.id);

    beforeEach(() => {
      addPolicy(POLICY_ARN, [ALL_SECRETS]);
      addRole(ROLE, {}, [POLICY_ARN]);
      addSecret("secret-a", SECRET_ARN, ARTICLE_TAGS);
    });

    it("creates a new default version, journals its id, verifies, is idempotent; rollback restores v1 and deletes exactly the created version", async () => {
      const findings = await scan(RULE);
      expect(findings.map((f) => f.resource.id)).toEqual([POLICY_ARN]);
      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.manual).toEqual([]);
      const c = plan.changes[0];
      expect(c.target).toEqual({ service: "iam", region: "global", account: ACCOUNT, key: { PolicyArn: POLICY_ARN } });
      expect(c.before).toEqual({ PolicyArn: POLICY_ARN, Document: ALL_SECRETS });
      expect(c.after).toEqual({ PolicyArn: POLICY_ARN, Document: FIXED });
      expect(c.calls).toEqual([
        {
          service: "iam",
          region: "global",
          action: "CreatePolicyVersion",
          input: { PolicyArn: POLICY_ARN, PolicyDocument: JSON.stringify(FIXED), SetAsDefault: true },
        },
      ]);
      expect(c.rollbackCalls).toEqual([
        { service: "iam", region: "global", action: "SetDefaultPolicyVersion", input: { PolicyArn: POLICY_ARN, VersionId: "v1" } },
        {
          service: "iam",
          region: "global",
          action: "DeletePolicyVersion",
          input: { PolicyArn: POLICY_ARN, VersionId: "(the version CreatePolicyVersion returns)" },
        },
      ]);
      expect(c.diff).toEqual([{ op: "add", path: "/Document/Statement/0/Condition", value: { StringEquals: TAG_CONDITIONS } }]);
      expect(c.risk).toBeUndefined();
      expect(c.summary).toBe(
        'add the kubernetes-namespace and eks-cluster-name tag conditions to statement "0" of managed policy read-secrets (a new default version; v1 is kept for the rollback)',
      );

      const j = await apply(plan);
      expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
      expect(j.steps[0].result).toEqual({ VersionId: "v2" });
      expect(readJournal(runsDir, j.runId).steps[0].result).toEqual({ VersionId: "v2" });
      expect(versions()).toEqual(["v1", "v2"]);
      expect(policy(POLICY_ARN).defaultId).toBe("v2");
      expect(await tagScoped.read(c.target, aws())).toEqual(c.after);
      expect(await planFixes(await scan(RULE), { aws: aws() })).toEqual({ changes: [], manual: [] });

      await rollbackRun(j, { aws: aws(), runsDir });
      expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
      expect(iamMock.commandCalls(DeletePolicyVersionCommand).map((x) => x.args[0].input)).toEqual([{ PolicyArn: POLICY_ARN, VersionId: "v2" }]);
      expect(versions()).toEqual(["v1"]);
      expect(policy(POLICY_ARN).defaultId).toBe("v1");
    });

    it("one change for the findings of every Pod Identity role using the policy; the risk names them all", async () => {
      addRole("ascp-other", {}, [POLICY_ARN]);
      addSecret("legacy-db", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:legacy-db-AbCdEf`, {});
      const findings = await scan(RULE);
      expect(findings.map((f) => f.resource.id)).toEqual([POLICY_ARN, POLICY_ARN]);
      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.manual).toEqual([]);
      expect(plan.changes).toHaveLength(1);
      expect(plan.changes[0].findingIds.sort()).toEqual(findings.map((f) => f.id).sort());
      expect(plan.changes[0].calls).toEqual([
        {
          service: "iam",
          region: "global",
          action: "CreatePolicyVersion",
          input: { PolicyArn: POLICY_ARN, PolicyDocument: JSON.stringify(FIXED), SetAsDefault: true },
        },
      ]);
      expect(plan.changes[0].risk?.reason).toBe(
        "After the change pods using roles ascp-other, ascp-podidentity can no longer read 1 secret without both the kubernetes-namespace and eks-cluster-name tags: legacy-db (us-east-1: no kubernetes-namespace, eks-cluster-name).",
      );
      const j = await apply(plan, ["allow-user-impact"]);
      expect(j.steps[0].status).toBe("verified");
      expect(await scan(RULE)).toEqual([]);
    });

    it("rollback without a journaled version id (run killed after the call) deletes the default version when it holds the planned document", async () => {
      const plan = await planFixes(await scan(RULE), { aws: aws() });
      const j = await apply(plan);
      delete j.steps[0].result;
      await rollbackRun(j, { aws: aws(), runsDir });
      expect(j.steps[0].status).toBe("rolled-back");
      expect(versions()).toEqual(["v1"]);
      expect(policy(POLICY_ARN).defaultId).toBe("v1");
    });

    it("plans the same offline (--snapshot) as live; offline it notes that the versions were not counted", async () => {
      const offline = await offlineEqualsLive(RULE);
      expect(offline.changes[0].notes?.at(-1)).toBe(
        "The number of versions of read-secrets was not checked (offline plan): if it already has 5, iam:CreatePolicyVersion fails and nothing changes; delete an unused version and run `rampart fix` again.",
      );
    });

    it("leaves a policy with 5 versions to a person and never deletes a version", async () => {
      const p = policy(POLICY_ARN);
      p.versions = ["v1", "v2", "v3", "v4", "v5"].map((id) => ({ id, doc: JSON.stringify(ALL_SECRETS) }));
      p.defaultId = "v5";
      p.next = 6;
      const findings = await scan(RULE);
      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.changes).toEqual([]);
      expect(plan.manual).toEqual([
        {
          findingId: findings[0].id,
          ruleId: RULE,
          resourceId: POLICY_ARN,
          reason: "managed policy read-secrets already has 5 versions, the most IAM keeps; rampart does not delete versions",
          advice: "Delete a version of read-secrets that is no longer used (iam:DeletePolicyVersion), then run `rampart fix` again.",
        },
      ]);
      expect(iamMock.commandCalls(DeletePolicyVersionCommand)).toHaveLength(0);
      expect(iamMock.commandCalls(CreatePolicyVersionCommand)).toHaveLength(0);
    });

    it("leaves a policy also attached to a user or a role without Pod Identity to a person", async () => {
      users.push({ name: "ci", attached: [POLICY_ARN] });
      addRole("batch", {}, [POLICY_ARN], {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      });
      const findings = await scan(RULE);
      const plan = await planFixes(findings, { aws: aws() });
      expect(plan.changes).toEqual([]);
      expect(plan.manual.map((m) => [m.reason, m.advice])).toEqual([
        [
          "managed policy read-secrets is also attached to user ci, role batch (not trusted by pods.eks.amazonaws.com): those sessions carry no kubernetes-namespace or eks-cluster-name tags, so the conditions would deny them every secret",
          'Give the Pod Identity role(s) ascp-podidentity a policy of their own: a copy of read-secrets with StringEquals "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}" and "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}" on the secretsmanager:GetSecretValue statements, attached in place of read-secrets.',
        ],
      ]);
      // The same offline, from the snapshot's attachments.
      const snap = await snapshot();
      const offline = await planFixes(
        engine.evaluate(snap, pack, { kind: "live" }).findings.filter((f) => f.ruleId === RULE && f.status === "fail"),
        { snapshot: snap },
      );
      expect(offline.manual).toEqual(plan.manual);
    });
  });

  describe("AWS managed policies", () => {
    const AWS_ARN = "arn:aws:iam::aws:policy/SecretsManagerReadWrite";
    const READ_WRITE = {
      Version: "2012-10-17",
      Statement: [{ Sid: "BasePermissions", Effect: "Allow", Action: ["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases"], Resource: "*" }],
    };

    it("the policy the scan read (a finding on the policy) and one it could not read (a finding on the role) are left to a person", async () => {
      addPolicy(AWS_ARN, [READ_WRITE], true);
      addRole(ROLE, {}, [AWS_ARN]);
      const onPolicy = await scan(RULE);
      expect(onPolicy.map((f) => f.resource.id)).toEqual([AWS_ARN]);
      const plan = await planFixes(onPolicy, { aws: aws() });
      expect(plan.changes).toEqual([]);
      expect(plan.manual.map((m) => [m.resourceId, m.reason, m.advice])).toEqual([
        [
          AWS_ARN,
          "arn:aws:iam::aws:policy/SecretsManagerReadWrite is an AWS managed policy, which cannot be edited",
          'Detach arn:aws:iam::aws:policy/SecretsManagerReadWrite from the Pod Identity role(s) and grant secretsmanager:GetSecretValue in a customer managed or inline policy whose statement carries StringEquals "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}" and "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}".',
        ],
      ]);

      // iam:GetPolicy denied for the AWS managed policy: the rule still knows it by name.
      iamMock.on(GetPolicyCommand, { PolicyArn: AWS_ARN }).rejects(fault("AccessDenied", "User is not authorized to perform: iam:GetPolicy"));
      const onRole = await scan(RULE);
      expect(onRole.map((f) => f.resource.id)).toEqual([ROLE_ARN]);
      const plan2 = await planFixes(onRole, { aws: aws() });
      expect(plan2.changes).toEqual([]);
      expect(plan2.manual.map((m) => [m.resourceId, m.reason])).toEqual([
        [ROLE_ARN, "arn:aws:iam::aws:policy/SecretsManagerReadWrite is an AWS managed policy, which cannot be edited"],
      ]);
      expect(plan2.manual[0].advice).toContain("from role ascp-podidentity");
    });
  });
});

// =======================================================================================

describe("secretsmanager-secret-pod-identity-tagged", () => {
  const RULE = "secretsmanager-secret-pod-identity-tagged";
  const tag = (tags: Record<string, string>) => ({
    service: "secretsmanager",
    region: REGION,
    action: "TagResource",
    input: { SecretId: SECRET_ARN, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
  });
  const secretTags = () => Object.fromEntries(secrets.get(SECRET_ARN)!.tags);

  beforeEach(() => {
    addRole(ROLE, { [ROLE]: ARTICLE_POLICY });
  });

  it("the article's secret missing eks-cluster-name: tags it from the role's association, verifies, is idempotent, untags on rollback", async () => {
    addSecret("secret-a", SECRET_ARN, { "kubernetes-namespace": "ns-a" });
    associate("cluster-a", "ns-a", "serviceaccount-a", ROLE);
    const findings = await scan(RULE);
    expect(findings.map((f) => [f.resource.id, f.evidence])).toEqual([[SECRET_ARN, { tags: { "kubernetes-namespace": "ns-a" }, roles: [ROLE] }]]);

    const plan = await planFixes(findings, { aws: aws() });
    expect(plan.manual).toEqual([]);
    const c = plan.changes[0];
    expect(c.target).toEqual({ service: "secretsmanager", region: REGION, account: ACCOUNT, key: { SecretId: SECRET_ARN } });
    expect(c.before).toEqual({ SecretId: SECRET_ARN, Tags: { "kubernetes-namespace": "ns-a", "eks-cluster-name": null } });
    expect(c.after).toEqual({ SecretId: SECRET_ARN, Tags: ARTICLE_TAGS });
    expect(c.calls).toEqual([tag({ "eks-cluster-name": "cluster-a" })]);
    expect(c.rollbackCalls).toEqual([
      { service: "secretsmanager", region: REGION, action: "UntagResource", input: { SecretId: SECRET_ARN, TagKeys: ["eks-cluster-name"] } },
    ]);
    expect(c.diff).toEqual([{ op: "replace", path: "/Tags/eks-cluster-name", from: null, value: "cluster-a" }]);
    expect(c.diff).toEqual(jsonDiff(c.before, c.after));
    expect(c.risk).toBeUndefined();
    expect(c.summary).toBe("tag secret secret-a with eks-cluster-name=cluster-a");
    expect(c.notes).toEqual([
      `Values from the Pod Identity association cluster cluster-a, namespace ns-a (service account serviceaccount-a, role ${ROLE}).`,
      "The roles' policies must compare these tags with the session tags (rule iam-secrets-access-tag-scoped); only then do the tags confine the secret to these pods.",
    ]);
    expect(sm.commandCalls(TagResourceCommand)).toHaveLength(0);

    const j = await apply(plan);
    expect(j.steps.map((s) => s.status)).toEqual(["verified"]);
    expect(secretTags()).toEqual(ARTICLE_TAGS);
    expect(await podTagged.read(c.target, aws())).toEqual(c.after);
    expect(await scan(RULE)).toEqual([]);
    expect(await planFixes(await scan(RULE), { aws: aws() })).toEqual({ changes: [], manual: [] });

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps.map((s) => s.status)).toEqual(["rolled-back"]);
    expect(secretTags()).toEqual({ "kubernetes-namespace": "ns-a" });
  });

  it("a tag with another value (tag-values finding): replaces it with --allow-user-impact, naming the pods that match the current tags; rollback restores the old value", async () => {
    addSecret("secret-a", SECRET_ARN, { "kubernetes-namespace": "ns-b", "eks-cluster-name": "cluster-a" });
    associate("cluster-a", "ns-a", "serviceaccount-a", ROLE);
    associate("cluster-a", "ns-b", "serviceaccount-b", "other-app");
    const findings = await scan(RULE);
    expect(findings.map((f) => f.severity)).toEqual(["low"]);
    const plan = await planFixes(findings, { aws: aws() });
    const c = plan.changes[0];
    expect(c.calls).toEqual([tag({ "kubernetes-namespace": "ns-a" })]);
    expect(c.rollbackCalls).toEqual([tag({ "kubernetes-namespace": "ns-b" })]);
    expect(c.diff).toEqual([{ op: "replace", path: "/Tags/kubernetes-namespace", from: "ns-b", value: "ns-a" }]);
    expect(c.summary).toBe("tag secret secret-a with kubernetes-namespace=ns-a (replacing kubernetes-namespace=ns-b)");
    expect(c.risk).toEqual({
      flag: "allow-user-impact",
      reason:
        'Changing kubernetes-namespace from "ns-b" to "ns-a" on secret secret-a denies it to the pods that match the current tags: cluster cluster-a, namespace ns-b (service account serviceaccount-b, role other-app).',
    });

    const skipped = await apply(plan);
    expect(skipped.steps[0].status).toBe("skipped");
    expect(sm.commandCalls(TagResourceCommand)).toHaveLength(0);

    const j = await apply(plan, ["allow-user-impact"]);
    expect(j.steps[0].status).toBe("verified");
    expect(secretTags()).toEqual(ARTICLE_TAGS);
    expect(await podTagged.read(c.target, aws())).toEqual(c.after);

    await rollbackRun(j, { aws: aws(), runsDir });
    expect(j.steps[0].status).toBe("rolled-back");
    expect(secretTags()).toEqual({ "kubernetes-namespace": "ns-b", "eks-cluster-name": "cluster-a" });
  });

  it("several namespaces: left to a person unless the parameters choose; a parameter narrows the associations", async () => {
    addSecret("secret-a", SECRET_ARN, {});
    associate("cluster-a", "ns-a", "serviceaccount-a", ROLE);
    associate("cluster-a", "ns-b", "serviceaccount-b", ROLE);
    const findings = await scan(RULE);
    const plan = await planFixes(findings, { aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toEqual([
      {
        findingId: findings[0].id,
        ruleId: RULE,
        resourceId: SECRET_ARN,
        reason:
          "the Pod Identity associations of role ascp-podidentity name several clusters or namespaces (cluster cluster-a, namespace ns-a; cluster cluster-a, namespace ns-b), and a secret carries one value per tag",
        advice:
          "Keep one secret per namespace and cluster (a copy for each), or give the values: --param secretsmanager-secret-pod-identity-tagged.namespace=<namespace> --param secretsmanager-secret-pod-identity-tagged.clusterName=<cluster> (a value, or a JSON map by secret name or ARN).",
      },
    ]);

    const ns = await planFixes(findings, { aws: aws(), params: { [RULE]: { namespace: "ns-b" } } });
    expect(ns.changes[0].calls).toEqual([tag({ "kubernetes-namespace": "ns-b", "eks-cluster-name": "cluster-a" })]);
    expect(ns.changes[0].rollbackCalls).toEqual([
      {
        service: "secretsmanager",
        region: REGION,
        action: "UntagResource",
        input: { SecretId: SECRET_ARN, TagKeys: ["kubernetes-namespace", "eks-cluster-name"] },
      },
    ]);
    expect(ns.changes[0].risk).toBeUndefined();
    const byName = await planFixes(findings, { aws: aws(), params: { [RULE]: { namespace: { "secret-a": "ns-a" } } } });
    expect(byName.changes[0].calls).toEqual([tag({ "kubernetes-namespace": "ns-a", "eks-cluster-name": "cluster-a" })]);
    await expect(planFixes(findings, { aws: aws(), params: { [RULE]: { namespace: "ns-*" } } })).rejects.toThrow(
      /parameters of secretsmanager-secret-pod-identity-tagged/,
    );
  });

  it("no association: left to a person unless both values are given", async () => {
    addSecret("secret-a", SECRET_ARN, {});
    const findings = await scan(RULE);
    const plan = await planFixes(findings, { aws: aws() });
    expect(plan.changes).toEqual([]);
    expect(plan.manual.map((m) => m.reason)).toEqual(["no Pod Identity association of role ascp-podidentity was found (looked in us-east-1)"]);
    const given = await planFixes(findings, { aws: aws(), params: { [RULE]: { namespace: "ns-a", clusterName: "cluster-a" } } });
    expect(given.changes[0].calls).toEqual([tag(ARTICLE_TAGS)]);
    expect(given.changes[0].notes?.[0]).toBe("Values from the parameters.");
  });

  it("notes an association that disables session tags (its pods are denied whatever the tags)", async () => {
    addSecret("secret-a", SECRET_ARN, {});
    associate("cluster-a", "ns-a", "serviceaccount-a", ROLE, true);
    const plan = await planFixes(await scan(RULE), { aws: aws() });
    expect(plan.changes[0].calls).toEqual([tag(ARTICLE_TAGS)]);
    expect(plan.changes[0].notes?.[2]).toBe(
      "Association cluster cluster-a, namespace ns-a (service account serviceaccount-a, role ascp-podidentity) disables session tags: those pods carry no kubernetes-namespace or eks-cluster-name session tag, so tag conditions deny them whatever the secret's tags.",
    );
  });

  it("plans the same offline (--snapshot) as live, and refuses drift", async () => {
    addSecret("secret-a", SECRET_ARN, {});
    associate("cluster-a", "ns-a", "serviceaccount-a", ROLE);
    const offline = await offlineEqualsLive(RULE);
    expect(offline.changes[0].calls).toEqual([tag(ARTICLE_TAGS)]);
    secrets.get(SECRET_ARN)!.tags.set("kubernetes-namespace", "ns-z");
    const j = await apply(offline);
    expect(j.steps[0].status).toBe("refused-drift");
    expect(sm.commandCalls(TagResourceCommand)).toHaveLength(0);
  });
});
