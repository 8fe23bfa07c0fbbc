// --compliance <framework> through the CLI a user runs: exact statuses per control for the demo
// account, its templates and both (rampart demo), the view in every format, the list and show
// commands, and an unknown framework id.
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { validator, describeErrors } from "../../model/validate.js";
import { cli, json } from "./helpers.js";

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export: under NodeNext the callable is on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;
const statuses = (doc: any) => Object.fromEntries(doc.compliance.controls.map((c: any) => [c.id, c.status]));
const ACCOUNT = ["scan", "--snapshot", "examples/demo/account.json", "--fail-on", "none"];
const TEMPLATES = ["iac", "examples/demo/templates", "--fail-on", "none"];

describe("--compliance rampart-guidance", () => {
  it("the demo account: each article's status", async () => {
    const doc = json(await cli([...ACCOUNT, "--compliance", "rampart-guidance", "--format", "json"]));
    expect(statuses(doc)).toEqual({
      "rolesanywhere-kubernetes": "fail",
      "network-firewall-egress": "fail", // the default pack exempts no security group from the egress rule
      "emr-instance-fleets": "fail",
      "waf-logging": "pass",
      "workmail-mfa": "fail",
      "msk-express-brokers": "pass",
      "eks-pod-identity-secrets": "fail",
      "opensearch-vector-search": "pass",
      "guardduty-detections": "fail",
      "firewall-manager-retrofit": "fail",
      "opensearch-ingestion-lambda": "pass",
      "msk-terraform-topics": "pass",
      // its template rules cannot be judged on an account: never a pass
      "opensearch-glue-ingestion": "unknown",
    });
    expect(doc.compliance.summary).toEqual({ pass: 5, fail: 7, unknown: 1, manual: 0 });
    const glue = doc.compliance.controls.find((c: any) => c.id === "opensearch-glue-ingestion");
    expect(glue.rules.map((r: any) => [r.ruleId, r.status])).toEqual([
      ["cloudformation-secret-parameters-noecho", "unknown"],
      ["iac-literal-secret", "unknown"],
      ["opensearch-domain-fine-grained-access", "pass"],
    ]);
    expect(glue.reason).toBe(
      "nothing to judge: cloudformation-secret-parameters-noecho judges templates only; nothing to judge: iac-literal-secret judges templates only",
    );
    // the demo's denied WorkMail read leaves the token rule undecided, but the MFA rule fails: fail
    const wm = doc.compliance.controls.find((c: any) => c.id === "workmail-mfa");
    expect(wm.rules.map((r: any) => [r.ruleId, r.status])).toEqual([
      ["workmail-organization-mfa-enforced", "fail"],
      ["workmail-personal-access-tokens-bounded", "unknown"],
    ]);
    expect(wm.failing.map((r: any) => r.id)).toEqual(["arn:aws:workmail:us-east-1:111122223333:organization/m-0123456789abcdef0123456789abcdef"]);
    const v = validator("schemas/findings.schema.json");
    expect(v(doc), describeErrors(v.errors)).toBe(true);
  });

  it("the demo templates: live-only articles are unknown, the rest judged", async () => {
    const doc = json(await cli([...TEMPLATES, "--compliance", "rampart-guidance", "--format", "json"]));
    expect(statuses(doc)).toEqual({
      "rolesanywhere-kubernetes": "fail",
      "network-firewall-egress": "fail",
      "emr-instance-fleets": "fail",
      "waf-logging": "fail",
      "workmail-mfa": "unknown",
      "msk-express-brokers": "pass",
      "eks-pod-identity-secrets": "fail",
      "opensearch-vector-search": "pass",
      "guardduty-detections": "fail",
      "firewall-manager-retrofit": "fail",
      "opensearch-ingestion-lambda": "pass",
      "msk-terraform-topics": "pass",
      "opensearch-glue-ingestion": "pass",
    });
    const msk = doc.compliance.controls.find((c: any) => c.id === "msk-express-brokers");
    expect(msk.rules).toEqual([
      {
        ruleId: "msk-cluster-authentication-required",
        status: "pass",
        pass: 0,
        fail: 0,
        unknown: 0,
        suppressed: 0,
        reason: "the templates define no AWS::MSK::Cluster (msk-cluster-authentication-required)",
      },
    ]);
    const rw = doc.compliance.controls.find((c: any) => c.id === "rolesanywhere-kubernetes");
    expect(rw.failing).toEqual([
      { type: "AWS::IAM::Role", id: "Role", name: "iamra-issuer", file: "examples/demo/templates/rolesanywhere-issuer.yaml", line: 16 },
      { type: "AWS::IAM::Role", id: "Role", name: "iamra-issuer", file: "examples/demo/templates/rolesanywhere-unscoped.yaml", line: 11 },
    ]);
    // the drill-down ids are the document's findings of the control's rules
    const ids = new Set(doc.findings.filter((f: any) => rw.rules.some((r: any) => r.ruleId === f.ruleId)).map((f: any) => f.id));
    expect(new Set(rw.findings)).toEqual(ids);
  });

  it("rampart demo: account and templates together", async () => {
    const doc = json(await cli(["demo", "--compliance", "rampart-guidance", "--format", "json"]));
    expect(doc.compliance.summary).toEqual({ pass: 5, fail: 8, unknown: 0, manual: 0 });
    expect(statuses(doc)["opensearch-glue-ingestion"]).toBe("pass");
    expect(statuses(doc)["network-firewall-egress"]).toBe("fail"); // the template's security group
  });
});

describe("--compliance cis-aws-foundations", () => {
  it("rampart demo: 5.3 and 5.4 judged, the other 61 recommendations manual", async () => {
    const doc = json(await cli(["demo", "--compliance", "cis-aws-foundations", "--format", "json"]));
    const s = statuses(doc);
    expect(Object.keys(s)).toHaveLength(63);
    expect(Object.entries(s).filter(([, v]) => v !== "manual")).toEqual([
      ["5.3", "pass"],
      ["5.4", "pass"],
    ]);
    expect(doc.compliance.framework).toMatchObject({ id: "cis-aws-foundations", version: "5.0.0" });
    const c13 = doc.compliance.controls.find((c: any) => c.id === "1.3");
    expect(c13.reason).toMatch(/^The IAM credential report's <root_account> row/);
  });

  it("a template opening SSH to the internet fails 5.3, not 5.4", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-cis-"));
    fs.writeFileSync(
      path.join(dir, "sg.yaml"),
      "Resources:\n  Open:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: ssh\n      SecurityGroupIngress:\n        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }\n",
    );
    const doc = json(await cli(["iac", dir, "--fail-on", "none", "--compliance", "cis-aws-foundations", "--format", "json"]));
    expect(statuses(doc)["5.3"]).toBe("fail");
    expect(statuses(doc)["5.4"]).toBe("pass");
    const c = doc.compliance.controls.find((x: any) => x.id === "5.3");
    expect(c.failing.map((r: any) => r.id)).toEqual(["Open"]);
    const csv = (await cli(["iac", dir, "--fail-on", "none", "--compliance", "cis-aws-foundations", "--format", "csv"])).stdout.split("\r\n");
    expect(csv[0]).toBe("framework,version,control,section,title,status,rules,failingResources,findings,reason");
    expect(csv).toContain(
      `cis-aws-foundations,5.0.0,5.3,5 Networking,Security groups do not open administration ports to 0.0.0.0/0,fail,ec2-security-group-admin-ports-restricted,Open (${path.join(dir, "sg.yaml")}:7),${c.findings.length},`,
    );
    expect(csv).toHaveLength(63 + 2); // header, 63 controls, the final CRLF
  });
});

describe("the per-control view in every format", () => {
  const args = ["demo", "--compliance", "nist-800-53"];

  it("table: the matrix after the findings, failing resources under a failing control", async () => {
    const out = (await cli([...args, "--details"])).stdout;
    expect(out).toContain("Compliance: NIST SP 800-53 Rev. 5 Security and Privacy Controls Revision 5 — ");
    expect(out).toMatch(
      /\n {2}FAIL {4}IA-2\(1\) {3}Identification and Authentication \| Multi-factor Authentication to Privileged Accounts\n {15,}failing: arn:aws:workmail:/,
    );
  });

  it("markdown: a control table", async () => {
    const out = (await cli([...args, "--format", "markdown"])).stdout;
    expect(out).toContain("### Compliance: NIST SP 800-53 Rev. 5 Security and Privacy Controls Revision 5");
    expect(out).toContain("| Control | Status | Title | Failing resources / why unknown |");
    expect(out).toMatch(/\| SC-28\\\(1\\\) \| ✅ pass \| Protection of Information at Rest \\\| Cryptographic Protection \| {2}\|/);
  });

  it("html: a control matrix whose rows open to the rules and findings", async () => {
    const out = (await cli([...args, "--format", "html"])).stdout;
    expect(out).toContain('<section id="compliance"><h2>Compliance: NIST SP 800-53 Rev. 5 Security and Privacy Controls Revision 5');
    expect(out).toMatch(
      /<tr class="control-fail" id="control-IA-2\(1\)"><td><span class="cstatus fail">fail<\/span><\/td><td><code>IA-2\(1\)<\/code><\/td><td><details><summary>/,
    );
    expect(out).toContain('<dt><code>workmail-organization-mfa-enforced</code></dt><dd><span class="cstatus fail">fail</span>');
  });

  it("sarif: the framework as a taxonomy, control ids as rule tags and relationships; valid SARIF 2.1.0", async () => {
    const sarif = JSON.parse((await cli([...args, "--format", "sarif"])).stdout);
    const Ajv4 = require("ajv-draft-04");
    const validate = new Ajv4({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(
      require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"),
    );
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const run = sarif.runs[0];
    expect(run.taxonomies[0].name).toBe("nist-800-53");
    expect(run.taxonomies[0].taxa).toHaveLength(30);
    const wm = run.tool.driver.rules.find((r: any) => r.id === "workmail-organization-mfa-enforced");
    expect(wm.properties.tags).toEqual(["security", "aws", "workmail-mfa", "nist-800-53/IA-2(1)", "nist-800-53/IA-2(2)"]);
    expect(wm.relationships).toEqual([
      { target: { id: "IA-2(1)", toolComponent: { name: "nist-800-53" } }, kinds: ["relevant"] },
      { target: { id: "IA-2(2)", toolComponent: { name: "nist-800-53" } }, kinds: ["relevant"] },
    ]);
  });

  it("asff: Compliance.RelatedRequirements names the controls of the finding's rule; valid against schemas/asff.schema.json", async () => {
    const out = JSON.parse(
      (await cli(["scan", "--snapshot", "examples/demo/account.json", "--fail-on", "none", "--compliance", "nist-800-53", "--format", "asff"])).stdout,
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(require("../../schemas/asff.schema.json"));
    expect(validate(out), JSON.stringify(validate.errors?.[0])).toBe(true);
    const wm = out.find((a: any) => a.GeneratorId.endsWith("workmail-organization-mfa-enforced"));
    expect(wm.Compliance).toEqual({
      Status: "FAILED",
      RelatedRequirements: [
        "NIST SP 800-53 Rev. 5 Security and Privacy Controls Revision 5/IA-2(1)",
        "NIST SP 800-53 Rev. 5 Security and Privacy Controls Revision 5/IA-2(2)",
      ],
    });
  });

  it("without --compliance no format has the view", async () => {
    const doc = json(await cli(["demo", "--format", "json"]));
    expect(doc.compliance).toBeUndefined();
    expect((await cli(["demo", "--format", "csv"])).stdout.split("\r\n")[0]).toMatch(/^id,status,severity,ruleId/);
  });
});

describe("rampart compliance list|show and bad ids", () => {
  it("list: each framework's automated and manual controls", async () => {
    const run = await cli(["compliance", "list", "--format", "json"]);
    expect(json(run).map((f: any) => [f.id, f.controls, f.automated, f.manual])).toEqual([
      ["cis-aws-foundations", 63, 2, 61],
      ["nist-800-53", 30, 30, 0],
      ["rampart-guidance", 13, 13, 0],
    ]);
  });

  it("show: the rules of an automated control, what to verify for a manual one", async () => {
    const doc = json(await cli(["compliance", "show", "cis-aws-foundations", "--format", "json"]));
    const by = new Map(doc.controls.map((c: any) => [c.id, c]));
    expect(by.get("5.3")).toMatchObject({ automated: true, rules: ["ec2-security-group-admin-ports-restricted"] });
    expect(by.get("1.4")).toMatchObject({ automated: false, rules: [], manual: true, verify: expect.stringContaining("AccountMFAEnabled") });
    const text = (await cli(["compliance", "show", "rampart-guidance"])).stdout;
    expect(text).toContain(
      "  automated  workmail-mfa  MFA for Amazon WorkMail\n             rules: workmail-organization-mfa-enforced, workmail-personal-access-tokens-bounded\n",
    );
  });

  it.each([
    [["demo"], "--compliance"],
    [["scan", "--snapshot", "examples/demo/account.json"], "--compliance"],
    [["iac", "examples/demo/templates"], "--compliance"],
  ])("%j with an unknown framework: exit 2 naming the flag and the ids", async (cmd, flag) => {
    const run = await cli([...cmd, "--compliance", "pci-dss"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `rampart: ${flag} pci-dss: unknown compliance framework. Use one of: cis-aws-foundations, nist-800-53, rampart-guidance (see rampart compliance list).\n`,
    );
    expect(run.stdout).toBe("");
  });

  it("compliance show of an unknown id: exit 2", async () => {
    const run = await cli(["compliance", "show", "pci-dss"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^rampart: rampart compliance show pci-dss: unknown compliance framework\. Use one of: /);
  });
});
