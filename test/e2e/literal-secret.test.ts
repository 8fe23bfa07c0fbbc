// iac-literal-secret (issue 19, "secrets written in templates"), through the CLI: every literal
// secret of a template is reported where it is written, and no output format carries its value.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, findingKeys, json } from "./helpers.js";

let dir: string;

/** Each secret once, distinct, so a leak names the place it came from. */
const SECRETS = ["SECRET-PARAM-DEFAULT-1", "SECRET-RDS-LITERAL-2", "SECRET-MQ-LITERAL-3", "SECRET-SM-LITERAL-4", "SECRET-GIVEN-5"];

const TEMPLATE = `Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: ${SECRETS[0]}
  GivenPassword:
    Type: String
    NoEcho: true
Resources:
  OrdersDb:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      MasterUsername: orders
      MasterUserPassword: ${SECRETS[1]}
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      Users:
        - Username: app
          Password: "{{resolve:secretsmanager:mq/app:SecretString:password}}"
        - Username: admin
          Password: ${SECRETS[2]}
  Cfg:
    Type: AWS::SecretsManager::Secret
    Properties:
      SecretString: '{"apiKey":"${SECRETS[3]}"}'
  FromDefault:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: a
      MasterUserPassword: !Ref DbPassword
  FromGiven:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: b
      MasterUserPassword: !Ref GivenPassword
  Managed:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: c
      ManageMasterUserPassword: true
`;

/** The Terraform module: literal secrets in resource blocks, one from --tf-var that is not written there. */
const TF_SECRETS = ["TFSECRET-DB-1", "TFSECRET-SM-2", "TFSECRET-MQ-3", "TFSECRET-OS-4", "TFSECRET-VAR-5"];
const MODULE = `variable "db_password" {
  type      = string
  sensitive = true
}
resource "aws_db_instance" "literal" {
  engine   = "postgres"
  username = "orders"
  password = "${TF_SECRETS[0]}"
}
resource "aws_db_instance" "from_var" {
  engine   = "postgres"
  username = "orders"
  password = var.db_password
}
resource "aws_secretsmanager_secret" "app" {
  name = "app/config"
}
resource "aws_secretsmanager_secret_version" "app" {
  secret_id     = aws_secretsmanager_secret.app.id
  secret_string = jsonencode({ api_key = "${TF_SECRETS[1]}" })
}
resource "aws_mq_broker" "b" {
  broker_name = "b"
  engine_type = "ActiveMQ"
  user {
    username = "app"
    password = var.db_password
  }
  user {
    username = "admin"
    password = "${TF_SECRETS[2]}"
  }
}
resource "aws_opensearch_domain" "d" {
  domain_name = "d"
  advanced_security_options {
    enabled                        = true
    internal_user_database_enabled = true
    master_user_options {
      master_user_name     = "admin"
      master_user_password = "${TF_SECRETS[3]}"
    }
  }
}
`;

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "rampart-secret-")));
  fs.writeFileSync(path.join(dir, "db.yaml"), TEMPLATE);
  fs.mkdirSync(path.join(dir, "tf"));
  fs.writeFileSync(path.join(dir, "tf", "main.tf"), MODULE);
  fs.writeFileSync(path.join(dir, "params.json"), JSON.stringify([`GivenPassword=${SECRETS[4]}`]));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ARGS = ["iac", "db.yaml", "--cfn-params", "params.json", "--fail-on", "none", "--account", "111122223333"];

describe("iac-literal-secret through the CLI", () => {
  it("reports each literal secret at its property, and a parameter's literal default once (as the parameter rule's finding)", async () => {
    const run = await cli([...ARGS, "--format", "json"], { cwd: dir });
    expect(run.code).toBe(0);
    const doc = json(run);
    expect(findingKeys(doc)).toEqual([
      "fail cloudformation-secret-parameters-noecho DbPassword",
      "fail iac-literal-secret Broker",
      "fail iac-literal-secret Cfg",
      "fail iac-literal-secret OrdersDb",
    ]);
    const mine = doc.findings.filter((f: any) => f.ruleId === "iac-literal-secret");
    expect(mine.map((f: any) => [f.resource.id, f.severity, f.location.line, f.location.pointer])).toEqual([
      ["OrdersDb", "high", 15, "/Resources/OrdersDb/Properties/MasterUserPassword"],
      ["Broker", "high", 23, "/Resources/Broker/Properties/Users/1/Password"],
      ["Cfg", "high", 27, "/Resources/Cfg/Properties/SecretString"],
    ]);
  });

  for (const format of ["table", "json", "sarif", "markdown", "html", "junit", "csv", "asff"]) {
    it(`--format ${format} names the places and contains no secret value`, async () => {
      const run = await cli([...ARGS, "--format", format], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("iac-literal-secret");
      expect(run.stdout).toContain("Broker");
      for (const s of SECRETS) expect(run.stdout.includes(s), `${format} contains ${s}`).toBe(false);
      for (const s of SECRETS) expect(run.stderr.includes(s), `${format} stderr contains ${s}`).toBe(false);
    });
  }

  it("the terminal summary and a report written with --output contain no secret value", async () => {
    const summary = await cli([...ARGS, "--summary"], { cwd: dir });
    expect(summary.stdout).toContain("iac-literal-secret");
    const out = path.join(dir, "report.sarif");
    await cli([...ARGS, "--format", "sarif", "--output", out], { cwd: dir });
    const written = fs.readFileSync(out, "utf8");
    expect(written).toContain("iac-literal-secret");
    for (const s of SECRETS) expect(summary.stdout.includes(s) || written.includes(s), s).toBe(false);
  });
});

const TF_ARGS = ["iac", "tf", "--tf-var", `db_password=${TF_SECRETS[4]}`, "--fail-on", "none", "--account", "111122223333"];

describe("iac-literal-secret on a Terraform module, through the CLI", () => {
  it("reports the secrets the resource blocks write, not the one given with --tf-var", async () => {
    const doc = json(await cli([...TF_ARGS, "--format", "json"], { cwd: dir }));
    const mine = doc.findings.filter((f: any) => f.ruleId === "iac-literal-secret");
    expect(mine.map((f: any) => [f.status, f.resource.id, f.location.pointer])).toEqual([
      ["fail", "aws_db_instance.literal", "/Properties/MasterUserPassword"],
      ["fail", "aws_secretsmanager_secret.app", "/Properties/SecretString"],
      ["fail", "aws_mq_broker.b", "/Properties/Users/1/Password"],
      ["fail", "aws_opensearch_domain.d", "/Properties/AdvancedSecurityOptions/MasterUserOptions/MasterUserPassword"],
    ]);
    expect(mine[0].message).toContain("written in the Terraform configuration");
  });

  for (const format of ["table", "json", "sarif", "markdown", "html", "junit", "csv", "asff"]) {
    it(`--format ${format} contains no secret value`, async () => {
      const run = await cli([...TF_ARGS, "--format", format], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("iac-literal-secret");
      expect(run.stdout).toMatch(/aws(\\)?_mq(\\)?_broker\.b/);
      for (const s of TF_SECRETS) expect(run.stdout.includes(s) || run.stderr.includes(s), `${format} contains ${s}`).toBe(false);
    });
  }
});
