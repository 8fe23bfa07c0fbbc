// Waivers written in templates (CloudFormation Metadata ignores, `# rampart:ignore` comments in .tf)
// follow the pack exceptions' rule: a reason and an expiry, or exit 2 naming the file, resource and
// what to add; `waivers.maxDays` caps every waiver's expiry; `--no-inline-ignores` and
// `waivers.inline: ignore` leave only the pack's exceptions. Through the CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, json } from "./helpers.js";

const RULE = "ec2-security-group-admin-ports-restricted";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-waivers-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return name;
}

/** A bastion security group open on SSH (and egress restricted), with `ignore` as its Metadata ignore list (YAML flow). */
const cfn = (ignore: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      rampart:
        ignore: ${ignore}
    Properties:
      GroupDescription: SSH from the office VPN
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }
      SecurityGroupEgress:
        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8 }
`;

const tf = (comment: string) => `${comment}
resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`;

const rows = (doc: any) => doc.findings.map((f: any) => `${f.status} ${f.ruleId} ${f.resource.id}`).sort();
const iac = (args: string[]) => cli(["iac", ...args], { cwd: dir });

describe("inline waivers need a reason and an expiry", () => {
  it("a Metadata ignore without an expiry is exit 2 naming the file, the resource and what to add", async () => {
    const r = await iac([write("no-expiry.yaml", cfn(`[{ rule: ${RULE}, reason: "office VPN only" }]`)), "--format", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(
      `rampart: no-expiry.yaml Metadata of Bastion: waiver of ${RULE}: no expiry. Write it as {rule: ${RULE}, reason: "…", expires: "YYYY-MM-DD"} under Metadata.rampart.ignore (a waiver needs a reason and an expiry, like the pack's exceptions), or scan with --no-inline-ignores.`,
    );
  });

  it("a bare rule id (no reason), an empty reason and an impossible date are errors too", async () => {
    const bare = await iac([write("bare.yaml", cfn(`[${RULE}]`))]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(`bare.yaml Metadata of Bastion: waiver of ${RULE}: no reason.`);
    const empty = await iac([write("empty.yaml", cfn(`[{ rule: ${RULE}, reason: " ", expires: "2099-01-01" }]`))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("waiver of " + RULE + ": no reason.");
    const date = await iac([write("date.yaml", cfn(`[{ rule: ${RULE}, reason: "vpn", expires: "2027-02-30" }]`))]);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain(`waiver of ${RULE}: expires '2027-02-30' is not a date (YYYY-MM-DD).`);
    expect(`${bare.stderr}${empty.stderr}${date.stderr}`).not.toMatch(/\n\s+at /);
  });

  it("a .tf comment without an expiry is exit 2 naming the file and line, the resource and the comment syntax", async () => {
    write("tf-no-expiry/main.tf", tf(`# rampart:ignore ${RULE} reason="office VPN only" owner="netops"`));
    const r = await iac(["tf-no-expiry"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`main.tf:1 comment on aws_security_group.bastion: waiver of ${RULE}: no expiry.`);
    expect(r.stderr).toContain(`Write it as # rampart:ignore ${RULE} reason="…" expires=YYYY-MM-DD`);
  });

  it("a complete waiver suppresses its rule on its resource, in both languages", async () => {
    const c = json(await iac([write("ok.yaml", cfn(`[{ rule: ${RULE}, reason: "office VPN only", expires: "2099-01-01" }]`)), "--format", "json"]));
    expect(rows(c)).toEqual([`suppressed ${RULE} Bastion`]);
    expect(c.findings[0].exception).toMatchObject({ reason: "office VPN only", expires: "2099-01-01", owner: "inline template Metadata" });
    write("tf-ok/main.tf", tf(`# rampart:ignore ${RULE} reason="office VPN only" expires=2099-01-01`));
    expect(rows(json(await iac(["tf-ok", "--format", "json"])))).toEqual([`suppressed ${RULE} aws_security_group.bastion`]);
  });
});

describe("waivers only in the pack", () => {
  it("--no-inline-ignores reports the waived findings as failing (and does not judge the waivers)", async () => {
    const ok = write("flag-ok.yaml", cfn(`[{ rule: ${RULE}, reason: "office VPN only", expires: "2099-01-01" }]`));
    const bad = write("flag-bad.yaml", cfn(`[${RULE}]`));
    write("flag-tf/main.tf", tf(`# rampart:ignore ${RULE} reason="vpn"`));
    for (const p of [ok, bad, "flag-tf"]) {
      const r = await iac([p, "--no-inline-ignores", "--format", "json"]);
      expect(r.code).toBe(1);
      expect(rows(json(r))).toEqual([`fail ${RULE} ${p === "flag-tf" ? "aws_security_group.bastion" : "Bastion"}`]);
    }
  });

  it("a pack with waivers.inline: ignore does the same, and keeps its own exceptions", async () => {
    const t = write("pack-ignore.yaml", cfn(`[{ rule: ${RULE}, reason: "office VPN only", expires: "2099-01-01" }]`));
    const pack = write("only-pack.yaml", "name: only-pack\nextends: default\nwaivers:\n  inline: ignore\n");
    expect(rows(json(await iac([t, "--policy", pack, "--format", "json"])))).toEqual([`fail ${RULE} Bastion`]);
    const withException = write(
      "only-pack-exc.yaml",
      `name: only-pack-exc\nextends: only-pack.yaml\nexceptions:\n  - { rule: ${RULE}, resource: { id: Bastion }, reason: approved in SEC-12, owner: netops, expires: "2099-01-01" }\n`,
    );
    expect(rows(json(await iac([t, "--policy", withException, "--format", "json"])))).toEqual([`suppressed ${RULE} Bastion`]);
  });

  it("waivers.inline takes only apply or ignore", async () => {
    const pack = write("bad-inline.yaml", "name: bad\nwaivers:\n  inline: sometimes\n");
    const r = await iac([write("any.yaml", cfn("[]")), "--policy", pack]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad-inline.yaml: not a valid policy pack: /waivers/inline: must be equal to one of the allowed values (apply, ignore)");
  });
});

describe("waivers.maxDays", () => {
  const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const pack = () => write("max90.yaml", "name: max90\nextends: default\nwaivers:\n  maxDays: 90\n");

  it("an inline waiver that expires within the limit applies; a later one is exit 2 saying the latest date allowed", async () => {
    const near = write("near.yaml", cfn(`[{ rule: ${RULE}, reason: "vpn", expires: "${soon(30)}" }]`));
    expect(rows(json(await iac([near, "--policy", pack(), "--format", "json"])))).toEqual([`suppressed ${RULE} Bastion`]);
    const far = write("far.yaml", cfn(`[{ rule: ${RULE}, reason: "vpn", expires: "2099-01-01" }]`));
    const r = await iac([far, "--policy", pack()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `far\\.yaml Metadata of Bastion: waiver of ${RULE}: expires 2099-01-01, more than 90 days ahead \\(waivers\\.maxDays of max90\\.yaml\\); give an expiry on or before [0-9]{4}-[0-9]{2}-[0-9]{2}\\.`,
      ),
    );
    // the default pack sets no limit
    expect(rows(json(await iac([far, "--format", "json"])))).toEqual([`suppressed ${RULE} Bastion`]);
  });

  it("applies to the pack's own exceptions too", async () => {
    write(
      "max90-exc.yaml",
      `name: max90-exc\nextends: max90.yaml\nexceptions:\n  - { rule: ${RULE}, resource: { id: Bastion }, reason: SEC-12, owner: netops, expires: "2099-01-01" }\n`,
    );
    pack();
    const r = await iac([write("plain.yaml", cfn("[]")), "--policy", "max90-exc.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`max90-exc.yaml: exceptions[0] (${RULE}): expires 2099-01-01, more than 90 days ahead (waivers.maxDays of max90-exc.yaml)`);
  });
});

describe("demo", () => {
  it("takes --no-inline-ignores (its templates carry no inline waiver: the findings are the same)", async () => {
    const a = json(await cli(["demo", "--format", "json"]));
    const b = json(await cli(["demo", "--format", "json", "--no-inline-ignores"]));
    expect(b.findings.map((f: any) => f.id)).toEqual(a.findings.map((f: any) => f.id));
  });
});
