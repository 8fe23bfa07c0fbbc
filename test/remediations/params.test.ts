/** `--param <rule>.<name>=<value>`: values are read by what the parameter's schema accepts. */
import { describe, expect, it } from "vitest";
import { parseParams } from "../../cli/fix.js";

describe("parseParams", () => {
  it("splits lists on commas, also where the schema accepts a list or a map (anyOf)", () => {
    expect(
      parseParams(undefined, ["kms-key-policy-cross-account-scoped.viaServices=secretsmanager.us-east-1.amazonaws.com, ec2.us-east-1.amazonaws.com"]),
    ).toEqual({
      "kms-key-policy-cross-account-scoped": { viaServices: ["secretsmanager.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"] },
    });
  });

  it("reads true / false as booleans and refuses anything else for a boolean", () => {
    expect(parseParams(undefined, ["wafv2-web-acl-logging-enabled.redactSensitiveHeaders=false"])).toEqual({
      "wafv2-web-acl-logging-enabled": { redactSensitiveHeaders: false },
    });
    expect(() => parseParams(undefined, ["wafv2-web-acl-logging-enabled.redactSensitiveHeaders=no"])).toThrow(
      "--param wafv2-web-acl-logging-enabled.redactSensitiveHeaders=no: wafv2-web-acl-logging-enabled.redactSensitiveHeaders is true or false.",
    );
  });

  it("keeps plain strings, parses JSON values, and names unknown rules and parameters", () => {
    expect(
      parseParams(undefined, [
        "iam-rolesanywhere-trust-scoped.certificateCN=app.example.com",
        'wafv2-web-acl-logging-enabled.destination={"orders":"arn:aws:s3:::aws-waf-logs-orders"}',
      ]),
    ).toEqual({
      "iam-rolesanywhere-trust-scoped": { certificateCN: "app.example.com" },
      "wafv2-web-acl-logging-enabled": { destination: { orders: "arn:aws:s3:::aws-waf-logs-orders" } },
    });
    expect(() => parseParams(undefined, ["emr-cluster-subnet-ip-headroom.x=1"])).toThrow("rule emr-cluster-subnet-ip-headroom has no automatic fix");
    expect(() => parseParams(undefined, ["iam-rolesanywhere-trust-scoped.cn=x"])).toThrow(
      "iam-rolesanywhere-trust-scoped has no parameter 'cn' (it has: certificateCN, trustAnchorArns)",
    );
  });
});
