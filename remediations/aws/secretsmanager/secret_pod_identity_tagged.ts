/**
 * secretsmanager-secret-pod-identity-tagged: a secret that Pod Identity roles read gets
 * the tags kubernetes-namespace and eks-cluster-name their tag conditions compare with
 * the session tags (GUIDANCE.md §2, lines 2612–2617, 2648), with
 * secretsmanager:TagResource.
 *
 * The values come from the Pod Identity associations of the roles the findings name
 * (their evidence): from the snapshot, else eks:ListClusters /
 * ListPodIdentityAssociations / DescribePodIdentityAssociation in --regions or the
 * secret's region. Exactly one (cluster, namespace) pair among them → those values. None,
 * or several (a secret carries one value per tag) → left to a person, unless the
 * `namespace` / `clusterName` parameters give the values (a value, or a map by secret
 * name or ARN); a parameter also narrows the pairs, so with one cluster and several
 * namespaces `namespace` alone is enough.
 *
 * Adding a missing tag only lets pods in: no risk. Changing a tag that has another value
 * (the "tag-values" finding, or a present tag that disagrees with the association) denies
 * the secret to pods that match the current value, so it needs --allow-user-impact; the
 * plan names the associations that match the current tags. Rollback: UntagResource of
 * the added keys, TagResource with the old values of the changed ones.
 *
 * State: `{SecretId, Tags: {kubernetes-namespace, eks-cluster-name}}` (each the value or null).
 */
import type { Finding } from "../../../engine/findings.js";
import type { Snapshot } from "../../../model/types.js";
import type { AwsClients } from "../../clients.js";
import type { ApiCall, Json, ManualItem, PlanContext, PlanResult, Remediation, Target } from "../../types.js";
import { findingKey, manual, perResource, snapshotResource } from "../common.js";

const RULE = "secretsmanager-secret-pod-identity-tagged";
const NS = "kubernetes-namespace";
const CLUSTER = "eks-cluster-name";
const TAGS = [NS, CLUSTER];
const ASSOCIATION_TYPE = "AWS::EKS::PodIdentityAssociation";

type Tags = Record<string, string | null>;

interface Association {
  arn: string;
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  sessionTagsDisabled: boolean;
}

const pairText = (cluster: string, namespace: string): string => `cluster ${cluster}, namespace ${namespace}`;
const assocText = (a: Association): string => `${pairText(a.cluster, a.namespace)} (service account ${a.serviceAccount}, role ${roleOfArn(a.roleArn)})`;

/** The role name of a role ARN (the path is not part of the name). */
function roleOfArn(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

function secretArn(f: Finding): string {
  const arn = f.resource.arn ?? f.resource.id;
  if (!/^arn:[^:]+:secretsmanager:[^:]+:[0-9]{12}:secret:.+$/.test(arn)) throw new Error(`${arn} is not a Secrets Manager secret ARN`);
  return arn;
}

function target(f: Finding): Target {
  const arn = secretArn(f);
  return {
    service: "secretsmanager",
    region: f.resource.region ?? arn.split(":")[3],
    ...(f.resource.account ? { account: f.resource.account } : {}),
    key: { SecretId: arn },
  };
}

/** The two tags of the state, from a `{key: value}` map. */
function pick(tags: Record<string, unknown>): Tags {
  return Object.fromEntries(TAGS.map((k) => [k, typeof tags[k] === "string" ? (tags[k] as string) : null]));
}

async function read(t: Target, aws: AwsClients): Promise<Json> {
  const r = await aws.send("secretsmanager", t.region, "DescribeSecret", { SecretId: t.key.SecretId });
  const map: Record<string, string> = {};
  for (const x of (r.Tags ?? []) as Array<{ Key?: string; Value?: string }>) if (x.Key !== undefined) map[x.Key] = x.Value ?? "";
  return { SecretId: t.key.SecretId, Tags: pick(map) };
}

async function currentTags(f: Finding, t: Target, ctx: PlanContext): Promise<Tags> {
  if (ctx.snapshot) return pick(snapshotResource(ctx.snapshot, f).tags);
  if (!ctx.aws) throw new Error("no snapshot and no AWS access to read the secret");
  return ((await read(t, ctx.aws)) as { Tags: Tags }).Tags;
}

// ---------------------------------------------------------------------------------------
// Pod Identity associations

interface AssociationsView {
  associations: Association[];
  /** Where they were looked for, for a person. */
  where: string;
}

function fromSnapshot(snapshot: Snapshot, account: string | undefined): AssociationsView {
  const regions = [
    ...new Set(
      snapshot.coverage.filter((c) => c.service === "eks" && c.status === "ok" && (account === undefined || c.account === account)).map((c) => c.region ?? ""),
    ),
  ].sort();
  const associations = snapshot.resources
    .filter((r) => r.type === ASSOCIATION_TYPE && (account === undefined || r.account === account))
    .flatMap((r) => {
      const p = r.properties;
      if (typeof p.ClusterName !== "string" || typeof p.Namespace !== "string" || typeof p.RoleArn !== "string") return [];
      return [
        {
          arn: r.arn ?? r.id,
          cluster: p.ClusterName,
          namespace: p.Namespace,
          serviceAccount: String(p.ServiceAccount ?? "?"),
          roleArn: p.RoleArn,
          sessionTagsDisabled: p.DisableSessionTags === true,
        },
      ];
    });
  return { associations, where: regions.length > 0 ? `the snapshot (${regions.join(", ")})` : "the snapshot, which holds no EKS data" };
}

async function pages<T>(aws: AwsClients, region: string, action: string, input: Record<string, unknown>, field: string): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | undefined;
  do {
    const r = await aws.send("eks", region, action, { ...input, maxResults: 100, ...(nextToken ? { nextToken } : {}) });
    out.push(...((r[field] ?? []) as T[]));
    nextToken = r.nextToken as string | undefined;
  } while (nextToken);
  return out;
}

async function fromRegion(aws: AwsClients, region: string): Promise<Association[]> {
  const out: Association[] = [];
  for (const clusterName of await pages<string>(aws, region, "ListClusters", {}, "clusters")) {
    for (const s of await pages<{ associationId?: string }>(aws, region, "ListPodIdentityAssociations", { clusterName }, "associations")) {
      if (!s.associationId) continue;
      const d = await aws.send("eks", region, "DescribePodIdentityAssociation", { clusterName, associationId: s.associationId });
      const a = d.association as Record<string, unknown> | undefined;
      if (!a || typeof a.namespace !== "string" || typeof a.roleArn !== "string") continue;
      out.push({
        arn: String(a.associationArn ?? s.associationId),
        cluster: String(a.clusterName ?? clusterName),
        namespace: a.namespace,
        serviceAccount: String(a.serviceAccount ?? "?"),
        roleArn: a.roleArn,
        sessionTagsDisabled: a.disableSessionTags === true,
      });
    }
  }
  return out;
}

async function associationsView(t: Target, ctx: PlanContext): Promise<AssociationsView> {
  if (ctx.snapshot) return fromSnapshot(ctx.snapshot, t.account);
  if (!ctx.aws) throw new Error("no snapshot and no AWS access to read the Pod Identity associations");
  const regions = ctx.regions.length > 0 ? ctx.regions : [t.region];
  const associations: Association[] = [];
  for (const region of regions) associations.push(...(await fromRegion(ctx.aws, region)));
  return { associations, where: regions.join(", ") };
}

// ---------------------------------------------------------------------------------------
// Which roles the findings are about

interface Asked {
  roles: Set<string>;
  fixed: string[];
  manual: ManualItem[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);

/** The roles that read the secret, from the findings' evidence, each checked against the finding's key. */
function rolesOf(findings: Finding[]): Asked {
  const out: Asked = { roles: new Set(), fixed: [], manual: [] };
  for (const f of findings) {
    const ev = (f.evidence ?? {}) as { roles?: unknown; role?: unknown };
    const named = [...strings(ev.roles), ...strings(ev.role)];
    const key = findingKey(f, ["tags", ...named.map((r) => `tag-values:${r}`)]);
    if (!key || named.length === 0) {
      out.manual.push(
        manual(f, "the finding names no Pod Identity role (its evidence is missing or does not match it)", "Scan again and re-run `rampart fix`."),
      );
      continue;
    }
    for (const r of key === "tags" ? named : [key.slice("tag-values:".length)]) out.roles.add(r);
    out.fixed.push(f.id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The values

interface Values {
  values?: Record<string, string>;
  reason?: string;
  source: string;
}

function distinct(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}

/** The tag values: the parameters, else the single value the (parameter-narrowed) associations agree on. */
function valuesFor(assocs: Association[], namespace: string | undefined, cluster: string | undefined, roles: string[], where: string): Values {
  const fits = assocs.filter((a) => (namespace === undefined || a.namespace === namespace) && (cluster === undefined || a.cluster === cluster));
  const namespaces = distinct(fits.map((a) => a.namespace));
  const clusters = distinct(fits.map((a) => a.cluster));
  const ns = namespace ?? (namespaces.length === 1 ? namespaces[0] : undefined);
  const cl = cluster ?? (clusters.length === 1 ? clusters[0] : undefined);
  const whose = `role${roles.length === 1 ? "" : "s"} ${roles.join(", ")}`;
  if (ns !== undefined && cl !== undefined) {
    const from = fits.filter((a) => a.namespace === ns && a.cluster === cl);
    const source =
      from.length > 0 ? `the Pod Identity association${from.length === 1 ? "" : "s"} ${distinct(from.map(assocText)).join("; ")}` : "the parameters";
    return { values: { [NS]: ns, [CLUSTER]: cl }, source };
  }
  if (assocs.length === 0) return { reason: `no Pod Identity association of ${whose} was found (looked in ${where})`, source: "" };
  const pairs = distinct(fits.map((a) => pairText(a.cluster, a.namespace)));
  if (fits.length === 0)
    return {
      reason: `no Pod Identity association of ${whose} has ${[cluster ? `cluster ${cluster}` : "", namespace ? `namespace ${namespace}` : ""].filter(Boolean).join(" and ")}`,
      source: "",
    };
  return {
    reason: `the Pod Identity associations of ${whose} name several clusters or namespaces (${pairs.join("; ")}), and a secret carries one value per tag`,
    source: "",
  };
}

function tagCall(region: string, arn: string, tags: Array<[string, string]>): ApiCall {
  return { service: "secretsmanager", region, action: "TagResource", input: { SecretId: arn, Tags: tags.map(([Key, Value]) => ({ Key, Value })) } };
}

function untagCall(region: string, arn: string, keys: string[]): ApiCall {
  return { service: "secretsmanager", region, action: "UntagResource", input: { SecretId: arn, TagKeys: keys } };
}

const paramValue = { type: "string", minLength: 1, maxLength: 256, pattern: "^[^*?]+$" };
const valueOrMap = (what: string): Record<string, unknown> => ({
  description: `${what}: one value for every secret, or a map from secret name or ARN to the value.`,
  anyOf: [paramValue, { type: "object", additionalProperties: paramValue }],
});

export const remediation: Remediation = {
  ruleId: RULE,
  permissions: [
    "secretsmanager:DescribeSecret",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "eks:ListClusters",
    "eks:ListPodIdentityAssociations",
    "eks:DescribePodIdentityAssociation",
  ],
  paramsSchema: {
    type: "object",
    additionalProperties: false,
    properties: {
      namespace: valueOrMap("The Kubernetes namespace of the pods that read the secret (the kubernetes-namespace tag)"),
      clusterName: valueOrMap("The EKS cluster of the pods that read the secret (the eks-cluster-name tag)"),
    },
  },
  verifyServices: ["secretsmanager", "eks", "iam"],

  async plan(findings: Finding[], ctx: PlanContext): Promise<PlanResult> {
    const f0 = findings[0];
    const t = target(f0);
    const arn = t.key.SecretId;
    const name = f0.resource.name ?? arn;
    const asked = rolesOf(findings);
    if (asked.fixed.length === 0) return { manual: asked.manual };
    const roles = [...asked.roles].sort();
    const current = await currentTags(f0, t, ctx);
    const view = await associationsView(t, ctx);
    const ofRoles = view.associations.filter(
      (a) => (t.account === undefined || a.roleArn.split(":")[4] === t.account) && asked.roles.has(roleOfArn(a.roleArn)),
    );
    const chosen = valuesFor(
      ofRoles,
      perResource<string>(ctx.params.namespace, f0, name),
      perResource<string>(ctx.params.clusterName, f0, name),
      roles,
      view.where,
    );
    const ours = findings.filter((f) => asked.fixed.includes(f.id));
    if (!chosen.values) {
      const advice = `Keep one secret per namespace and cluster (a copy for each), or give the values: --param ${RULE}.namespace=<namespace> --param ${RULE}.clusterName=<cluster> (a value, or a JSON map by secret name or ARN).`;
      return { manual: [...asked.manual, ...ours.map((f) => manual(f, chosen.reason ?? "the tag values are not known", advice))] };
    }
    const desired = chosen.values;
    const added = TAGS.filter((k) => current[k] === null);
    const changed = TAGS.filter((k) => current[k] !== null && current[k] !== desired[k]);
    if (added.length + changed.length === 0) {
      const reason = `the secret already carries ${pairText(desired[CLUSTER], desired[NS])}; the finding is about pods of another cluster or namespace`;
      return {
        manual: [
          ...asked.manual,
          ...ours.map((f) => manual(f, reason, "Keep one secret per namespace and cluster (a copy for the other pods), or scan again if the tags changed.")),
        ],
      };
    }
    const keys = TAGS.filter((k) => added.includes(k) || changed.includes(k));
    const after: Tags = { ...current, ...Object.fromEntries(keys.map((k) => [k, desired[k]])) };
    const rollbackCalls: ApiCall[] = [];
    if (added.length > 0) rollbackCalls.push(untagCall(t.region, arn, added));
    if (changed.length > 0)
      rollbackCalls.push(
        tagCall(
          t.region,
          arn,
          changed.map((k) => [k, current[k] as string]),
        ),
      );
    const notes = [
      `Values from ${chosen.source}.`,
      "The roles' policies must compare these tags with the session tags (rule iam-secrets-access-tag-scoped); only then do the tags confine the secret to these pods.",
    ];
    const noTags = ofRoles.filter((a) => a.sessionTagsDisabled && a.cluster === desired[CLUSTER] && a.namespace === desired[NS]);
    if (noTags.length > 0)
      notes.push(
        `Association${noTags.length === 1 ? "" : "s"} ${noTags.map(assocText).join("; ")} ${noTags.length === 1 ? "disables" : "disable"} session tags: those pods carry no kubernetes-namespace or eks-cluster-name session tag, so tag conditions deny them whatever the secret's tags.`,
      );
    const change = {
      target: t,
      before: { SecretId: arn, Tags: current },
      after: { SecretId: arn, Tags: after },
      calls: [
        tagCall(
          t.region,
          arn,
          keys.map((k) => [k, desired[k]]),
        ),
      ],
      rollbackCalls,
      findingIds: asked.fixed,
      summary: `tag secret ${name} with ${keys.map((k) => `${k}=${desired[k]}`).join(", ")}${changed.length > 0 ? ` (replacing ${changed.map((k) => `${k}=${current[k]}`).join(", ")})` : ""}`,
      notes,
    };
    if (changed.length === 0) return { manual: asked.manual, change };
    // Pods that match the current tags lose the secret.
    const matching = view.associations.filter(
      (a) =>
        a.cluster === (current[CLUSTER] ?? a.cluster) &&
        a.namespace === (current[NS] ?? a.namespace) &&
        !(a.cluster === desired[CLUSTER] && a.namespace === desired[NS]),
    );
    const who =
      matching.length > 0
        ? `the pods that match the current tags: ${distinct(matching.map(assocText)).join("; ")}`
        : `any pod that relies on the current value (no Pod Identity association found in ${view.where} matches it, but pods of other regions or accounts may)`;
    const what = changed.map((k) => `${k} from "${current[k]}" to "${desired[k]}"`).join(" and ");
    return {
      manual: asked.manual,
      change: { ...change, risk: { flag: "allow-user-impact", reason: `Changing ${what} on secret ${name} denies it to ${who}.` } },
    };
  },

  read,
};
