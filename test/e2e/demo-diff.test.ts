/**
 * `rampart diff` on two scans of the demo account, before and after a change: one finding's
 * resource fixed (the open KMS key statement removed, the Roles Anywhere trust narrowed to the
 * three actions it needs) and one bad resource added (a second unscoped IRSA role). The diff
 * lists exactly those findings as resolved and new, by fingerprint, and --fail-on-new fails.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../model/paths.js";
import { cli, json } from "./helpers.js";

type Finding = { id: string; status: string; severity: string; ruleId: string; resource: { id: string } };
type Doc = { scan: { startedAt: string }; findings: Finding[] };

const ACCOUNT = "111122223333";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BATCH = `arn:aws:iam::${ACCOUNT}:role/onprem-batch`;
const LEGACY_IRSA = `arn:aws:iam::${ACCOUNT}:role/legacy-irsa`;
const NEW_IRSA = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-demo-diff-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const policy = path.join(repoRoot, "examples", "demo", "policy.yaml");
const scan = async (snapshot: string, out: string): Promise<Doc> => {
  const r = await cli(["scan", "--snapshot", snapshot, "--policy", policy, "--format", "json", "--output", out]);
  expect(r.code, r.stderr).toBe(1); // the demo has high findings, before and after
  return JSON.parse(fs.readFileSync(out, "utf8"));
};
const active = (d: Doc) => d.findings.filter((f) => f.status !== "suppressed");
const key = (f: Finding) => `${f.status} ${f.ruleId} ${f.resource.id}`;
const ids = (list: Finding[]) => list.map((f) => f.id).sort();

describe("rampart diff on two demo scans", () => {
  const oldFile = path.join(tmp, "old.json");
  const newFile = path.join(tmp, "new.json");
  const sameFile = path.join(tmp, "same.json");
  let oldDoc: Doc, newDoc: Doc;

  beforeAll(async () => {
    const original = path.join(repoRoot, "examples", "demo", "account.json");
    oldDoc = await scan(original, oldFile);

    // The same snapshot, copied elsewhere: nothing changes.
    const copy = path.join(tmp, "account-copy.json");
    fs.copyFileSync(original, copy);
    await scan(copy, sameFile);

    const snap = JSON.parse(fs.readFileSync(original, "utf8"));
    const byId = (id: string) => {
      const r = snap.resources.find((x: { id: string }) => x.id === id);
      expect(r, id).toBeDefined();
      return r;
    };
    // Fix: drop the key policy statement that lets any principal use the key.
    const kms = byId(KEY);
    const before = kms.properties.KeyPolicy.Statement.length;
    kms.properties.KeyPolicy.Statement = kms.properties.KeyPolicy.Statement.filter((s: { Sid?: string }) => s.Sid !== "Allow use of the key");
    expect(kms.properties.KeyPolicy.Statement).toHaveLength(before - 1);
    // Fix: the Roles Anywhere trust gets exactly the actions it needs instead of sts:*.
    const batch = byId(BATCH);
    expect(batch.properties.AssumeRolePolicyDocument.Statement.Action).toBe("sts:*");
    batch.properties.AssumeRolePolicyDocument.Statement.Action = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"];
    // New: a second role with the legacy IRSA trust.
    const legacy = byId(LEGACY_IRSA);
    const added = structuredClone(legacy);
    added.id = added.arn = NEW_IRSA;
    added.name = "checkout-irsa";
    if (added.properties.RoleName) added.properties.RoleName = "checkout-irsa";
    snap.resources.push(added);
    const changed = path.join(tmp, "account-changed.json");
    fs.writeFileSync(changed, JSON.stringify(snap, null, 2));
    newDoc = await scan(changed, newFile);
  }, 60_000);

  it("the two scans differ in exactly the changed resources", async () => {
    const before = new Set(active(oldDoc).map(key));
    const after = new Set(active(newDoc).map(key));
    expect([...after].filter((k) => !before.has(k)).sort()).toEqual([`fail iam-irsa-trust-scoped ${NEW_IRSA}`]);
    expect([...before].filter((k) => !after.has(k)).sort()).toEqual(
      [`fail iam-rolesanywhere-trust-actions ${BATCH}`, `fail kms-key-policy-cross-account-scoped ${KEY}`].sort(),
    );
  });

  it("lists exactly the new and resolved findings, by fingerprint, rule and resource", async () => {
    const r = await cli(["diff", oldFile, newFile, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const d = json(r);
    const oldIds = new Set(oldDoc.findings.map((f) => f.id));
    const newIds = new Set(newDoc.findings.map((f) => f.id));
    const expectedNew = active(newDoc).filter((f) => !oldIds.has(f.id));
    const expectedResolved = active(oldDoc).filter((f) => !newIds.has(f.id));
    // What the change should have done, in rule and resource terms.
    expect(expectedNew.map(key).sort()).toEqual([`fail iam-irsa-trust-scoped ${NEW_IRSA}`, `fail iam-irsa-trust-scoped ${NEW_IRSA}`]);
    expect(expectedNew.map((f) => f.severity)).toEqual(["high", "high"]);
    expect(expectedResolved.map((f) => `${f.severity} ${f.ruleId} ${f.resource.id}`).sort()).toEqual(
      [
        `critical kms-key-policy-cross-account-scoped ${KEY}`,
        `medium kms-key-policy-cross-account-scoped ${KEY}`,
        `medium iam-rolesanywhere-trust-actions ${BATCH}`,
      ].sort(),
    );
    // …and the diff says exactly that.
    expect(ids(d.new_findings)).toEqual(ids(expectedNew));
    expect(ids(d.resolved)).toEqual(ids(expectedResolved));
    expect(d.new_findings.map(key).sort()).toEqual(expectedNew.map(key).sort());
    expect(d.resolved.map(key).sort()).toEqual(expectedResolved.map(key).sort());
    expect(d.changed).toEqual([]);
    expect(d.summary).toEqual({
      new: 2,
      resolved: 3,
      changed: 0,
      unchanged: active(oldDoc).length - 3,
      newFailing: 2,
    });
    expect([...d.unchanged].sort()).toEqual(
      active(oldDoc)
        .filter((f) => newIds.has(f.id))
        .map((f) => f.id)
        .sort(),
    );
    // The suppressed finding is in both scans and in neither list.
    const suppressed = oldDoc.findings.filter((f) => f.status === "suppressed");
    expect(suppressed).toHaveLength(1);
    for (const list of [d.new_findings, d.resolved]) expect(list.map((f: Finding) => f.id)).not.toContain(suppressed[0].id);
    expect(d.old.startedAt).toBe(oldDoc.scan.startedAt);
    expect(d.new.startedAt).toBe(newDoc.scan.startedAt);
  });

  it("--fail-on-new exits 1 for the new failing findings, 0 without them", async () => {
    const failing = await cli(["diff", oldFile, newFile, "--fail-on-new"]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^rampart diff: 2 new, 3 resolved, 0 changed status/);
    expect(failing.stdout).toContain(`+ HIGH     iam-irsa-trust-scoped  ${NEW_IRSA}`);
    expect(failing.stdout).toContain(`- CRITICAL kms-key-policy-cross-account-scoped  ${KEY}`);
    expect((await cli(["diff", oldFile, newFile])).code).toBe(0);
    // Reversed (undoing the change), the KMS and trust findings are the new failures.
    const reversed = await cli(["diff", newFile, oldFile, "--fail-on-new", "--format", "json"]);
    expect(reversed.code).toBe(1);
    expect(json(reversed).summary).toMatchObject({ new: 3, resolved: 2 });
  });

  it("finds no change between two scans of the same snapshot from different paths", async () => {
    const r = await cli(["diff", oldFile, sameFile, "--fail-on-new", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).summary).toEqual({ new: 0, resolved: 0, changed: 0, unchanged: active(oldDoc).length, newFailing: 0 });
  });
});
